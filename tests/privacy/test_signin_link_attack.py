"""Red team: employee sign-in by link, attacked as privacy.md section 0's adversaries would.

An employee who asks for a link right after answering dates a sign-in next to an answer
(docs/anonymity.md, "Employees who sign in"). The defence is that nothing an organisation's
readers can open shows when, or whether, a named employee signed in by link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import World
from tests.factories import grant
from tryghed.accounts.models import SignInLink, User
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Role

LINK = re.compile(r"/konto/link/([A-Za-z0-9_\-]+)/")
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _ask(capture: CaptureOnCommit, client: Client, email: str, ip: str = "10.0.0.9") -> Any:
    with capture(execute=True):
        return client.post(reverse("accounts:link_request"), {"email": email}, REMOTE_ADDR=ip)


def _text(response: Any) -> str:
    # Without the per-response nonces and CSRF tokens.
    return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())


def _sign_in(capture: CaptureOnCommit, email: str) -> Client:
    client = Client()
    _ask(capture, client, email)
    match = LINK.search(str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    used = client.post(
        reverse("accounts:link_use"), {"token": match.group(1)}, REMOTE_ADDR="10.0.0.9"
    )
    assert used.status_code == 302
    return client


def test_the_request_page_is_the_same_for_known_unknown_and_staff_addresses(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """Enumeration: response, redirect and the request's own queries do not depend on the
    address (the lookup happens in the task queue)."""
    answers = []
    for address in ("alma@example.test", "nobody@example.test", "owner@example.test"):
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            # on_commit callbacks are not run: the request as the visitor times it.
            response = client.post(
                reverse("accounts:link_request"), {"email": address}, REMOTE_ADDR="10.0.0.8"
            )
        answers.append((response.status_code, response["Location"], len(queries)))
    assert len(set(answers)) == 1, answers


def test_a_used_or_guessed_token_gets_the_same_refusal_as_an_unknown_one(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = Client()
    _ask(django_capture_on_commit_callbacks, client, "alma@example.test")
    token = LINK.search(str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]
    first = Client().post(reverse("accounts:link_use"), {"token": token}, REMOTE_ADDR="10.0.0.7")
    assert first.status_code == 302
    again = Client().post(reverse("accounts:link_use"), {"token": token}, REMOTE_ADDR="10.0.0.6")
    guessed = Client().post(
        reverse("accounts:link_use"), {"token": "x" * 43}, REMOTE_ADDR="10.0.0.5"
    )
    assert again.status_code == guessed.status_code == 400
    assert _text(again) == _text(guessed)
    assert not SignInLink.objects.exists()


def test_the_organisations_audit_rows_do_not_show_a_link_sign_in(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    before = set(AuditEvent.objects.filter(organisation=world.org).values_list("pk", flat=True))
    _sign_in(django_capture_on_commit_callbacks, "alma@example.test")
    after = set(AuditEvent.objects.filter(organisation=world.org).values_list("pk", flat=True))
    assert after == before
    # The rows that exist name no address and no organisation.
    for event in AuditEvent.objects.filter(action__startswith="auth.link"):
        assert event.organisation_id is None
        assert "alma" not in str(event.data) and "alma" not in event.summary


def test_a_link_session_reaches_no_staff_page_even_for_a_new_staff_role(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """A person signed in by link who is given a leader role afterwards must sign in the
    normal way before reading anything a leader reads."""
    client = _sign_in(django_capture_on_commit_callbacks, "alma@example.test")
    alma = User.objects.get(email="alma@example.test")
    grant(alma, world.org, Role.LEADER, world.team_a)
    response = client.get(reverse("orgs:roles", kwargs={"org": world.org.slug}))
    assert response.status_code in (302, 403, 404)
    participation = client.get(reverse("surveys_admin:list", kwargs={"org": world.org.slug}))
    assert participation.status_code in (302, 403, 404)


@pytest.mark.parametrize(
    "target", ["/\t/evil.example/", "/\n/evil.example/", "/\r\n/evil.example/", "//evil.example/"]
)
def test_the_place_to_go_after_a_link_is_never_another_site(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit, target: str
) -> None:
    """A browser drops tabs and line breaks from a URL, so "/<tab>/evil.example/" is
    "//evil.example/": a link in a forged "Resultaterne er klar" e-mail would sign the
    employee in and hand them to another site (a page asking for their password)."""
    client = Client()
    _ask(django_capture_on_commit_callbacks, client, "alma@example.test")
    match = LINK.search(str(mail.outbox[-1].body))
    assert match
    try:
        used = client.post(
            reverse("accounts:link_use"),
            {"token": match.group(1), "next": target},
            REMOTE_ADDR="10.0.0.4",
        )
    except Exception:  # a header Django refuses to write sends no one anywhere
        return
    # As a browser reads the header: raw tabs and line breaks dropped (Django writes them
    # percent-encoded, a path on this site).
    location = re.sub(r"[\t\r\n]", "", used.get("Location", ""))
    assert location.startswith("/") and not location.startswith("//"), location
    assert "://" not in location
