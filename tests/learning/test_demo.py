"""The demo's learning logs: all three kinds, a review, one sent on, one became an action."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tryghed.actions.demo import load_demo_actions
from tryghed.learning.demo import load_demo_learning
from tryghed.learning.models import Entry, Kind, Review
from tryghed.orgs.demo import load_demo
from tryghed.surveys.demo import load_demo_measurements


@pytest.mark.django_db
def test_the_demo_has_all_three_kinds_a_review_and_an_action(
    django_capture_on_commit_callbacks: Any,
) -> None:
    organisation, _ = load_demo()
    with django_capture_on_commit_callbacks(execute=False):  # no e-mails from the demo
        load_demo_measurements(organisation)
        load_demo_actions(organisation)
        assert load_demo_learning(organisation)
    assert not load_demo_learning(organisation)  # once only
    team = Entry.objects.filter(unit__external_id="SUND-HJN-D1")
    assert {e.kind for e in team} == {Kind.BASIC, Kind.COMPLEX, Kind.INTELLIGENT, ""}
    assert team.filter(author_name="").exists() and team.exclude(author_name="").exists()
    assert team.filter(author_name="", author__isnull=False).count() == 0
    assert team.filter(reviewed_on__isnull=True).count() == 3
    assert team.filter(forwarded_on__isnull=False).count() == 1
    assert Review.objects.filter(unit__external_id="SUND-HJN-D1").count() == 1
    acted = Entry.objects.get(action__isnull=False)
    assert acted.unit.external_id == "SUND-HJN" and acted.action is not None

    employee = organisation.memberships.get(user__email="medarbejder@demo-kommune.dk").user
    client = Client()
    client.force_login(employee)
    log = client.get(
        reverse("learning:log", kwargs={"org": organisation.slug, "unit_id": team[0].unit_id})
    ).content.decode()
    assert "planlægningsapp" in log and "Skriv en situation" in log
