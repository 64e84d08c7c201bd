"""The demo's cases: every state, one that became an action, figures above the minimums."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tryghed.orgs.models import Organisation, Role
from tryghed.orgs.selectors import access_for
from tryghed.voice import statistics
from tryghed.voice.demo import load_demo_voice
from tryghed.voice.models import Case, Receiver


@pytest.mark.django_db
def test_the_demo_has_cases_in_every_state_and_one_became_an_action(
    django_capture_on_commit_callbacks: Any,
) -> None:
    output = StringIO()
    with django_capture_on_commit_callbacks(execute=False):  # no e-mails from the demo
        call_command("load_demo", stdout=output)
    organisation = Organisation.objects.get(slug="demo-kommune")
    # The receipt code is printed once, so a reviewer can open the case as its reporter.
    found = re.search(r"Sig det.*: ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})$", output.getvalue(), re.M)
    assert found is not None
    code = found.group(1)
    assert load_demo_voice(organisation) is None  # once only
    recent = Case.objects.exclude(text="En ældre sag til demoens tal.")
    assert recent.filter(acknowledged_on__isnull=True).count() == 1  # the new one
    assert recent.filter(acknowledged_on__isnull=False, answered_on__isnull=True).count() == 2
    assert recent.filter(answered_on__isnull=False, closed_on__isnull=True).count() == 2
    assert recent.filter(closed_on__isnull=False).count() == 1
    assert recent.filter(receiver=Receiver.AMO).count() == 1
    acted = recent.get(action__isnull=False)
    assert acted.action is not None and "pause" in acted.action.what.lower()

    page = (
        Client()
        .post(reverse("voice:case", kwargs={"org": organisation.slug}), {"code": code})
        .content.decode()
    )
    assert "Det blev til en handling:" in page
    assert "Pauser lægges fast ind i vagtplanen" in page

    for role in (Role.AMO, Role.ADMIN):
        user = organisation.memberships.filter(role=role).first()
        assert user is not None
        access = access_for(user=user.user, slug=organisation.slug)
        (figures,) = statistics.voice_statistics(access, count=1)
        assert figures.organisation is not None and figures.organisation.cases == 18
        assert [(row.unit.external_id, row.figures.cases) for row in figures.units] == [
            ("SUND-HJN", 7),
            ("SUND-HJS", 6),
        ]
