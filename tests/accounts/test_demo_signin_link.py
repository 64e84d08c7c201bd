"""The demo prints how to sign in as an employee by link, and that way works on its data."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.surveys.conftest import CaptureOnCommit
from tryghed.orgs.demo import DEMO_SLUG, load_demo

URL = "http://127.0.0.1:8101/"
LINK = re.compile(r"https?://[^\s]+/konto/link/([A-Za-z0-9_\-]+)/")


@pytest.mark.django_db
def test_the_banner_names_the_way_in_by_link_and_it_works_for_the_demo_employee(
    settings: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    load_demo()
    out = io.StringIO()
    call_command("demo_banner", "--url", URL, stdout=out)
    banner = out.getvalue()
    match = re.search(rf"{re.escape(URL)}konto/log-ind-med-link/\s+med (\S+)", banner)
    assert match, banner
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:link_request"), {"email": match.group(1)})
    (message,) = mail.outbox
    token = LINK.search(str(message.body))
    assert token is not None
    used = client.post(reverse("accounts:link_use"), {"token": token.group(1)})
    assert used["Location"] == reverse("results:feedback_latest", kwargs={"org": DEMO_SLUG})
    assert client.get(used["Location"]).status_code == 200
