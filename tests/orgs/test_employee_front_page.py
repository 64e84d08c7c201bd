"""The employee's front page: that a survey of their unit is open (never their own link,
never whether they answered) and the way into Sig det."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories import grant, make_person, make_user, root_of
from tests.surveys.conftest import tokens_from_outbox
from tryghed.accounts.models import User
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Role, Unit
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db
OPEN_LINE = "«Efterårsmåling» er åben for svar til og med"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _front(user: User) -> str:
    response = client_for(user).get(reverse("orgs:dashboard", kwargs={"org": "testkommune"}))
    assert response.status_code == 200
    return response.content.decode()


def _measurement(world: World, unit: Unit, *, include_subtree: bool = True) -> Measurement:
    today = timezone.localdate()
    return survey_services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Efterårsmåling",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(unit, include_subtree=include_subtree)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )


def _open(world: World, measurement: Measurement, capture: Any) -> dict[str, str]:
    """Opens the measurement; the e-mail address -> link token of each invitation."""
    mail.outbox.clear()
    with capture(execute=True):
        survey_services.measurement_open(measurement=measurement, actor=world.owner)
    return tokens_from_outbox()


def test_an_open_measurement_of_the_employees_unit_is_mentioned_without_a_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    measurement = _measurement(world, world.area)
    assert OPEN_LINE not in _front(world.employee)  # a draft is not mentioned
    tokens = _open(world, measurement, django_capture_on_commit_callbacks)
    page = _front(world.employee)
    assert OPEN_LINE in page
    assert "personlige link i den e-mail" in page
    assert "/s/" not in page and not any(token in page for token in tokens.values())
    Measurement.objects.filter(pk=measurement.pk).update(status="closed")
    assert OPEN_LINE not in _front(world.employee)


def test_a_measurement_of_another_unit_is_not_mentioned(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _open(world, _measurement(world, world.team_b), django_capture_on_commit_callbacks)
    assert OPEN_LINE not in _front(world.employee)
    # The area alone, without its teams, does not cover Team A either.
    Measurement.objects.all().delete()
    make_person(world.area, email="omraade@example.test")
    _open(
        world,
        _measurement(world, world.area, include_subtree=False),
        django_capture_on_commit_callbacks,
    )
    assert OPEN_LINE not in _front(world.employee)


def test_a_unit_moved_after_opening_keeps_the_invitations_it_had(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Invitations are made when a measurement opens, for the units then in scope (privacy.md
    section 1: "the unit as of the invitation"). A unit moved under a scope unit afterwards
    got no e-mails, so its people are not told that their link is in one; a unit moved out
    of the scope was invited, and its people still answer."""
    _open(world, _measurement(world, world.team_b), django_capture_on_commit_callbacks)
    org_services.unit_move(unit=world.team_a, actor=world.owner, new_parent=world.team_b)
    assert OPEN_LINE not in _front(world.employee)
    Measurement.objects.all().delete()
    org_services.unit_move(unit=world.team_a, actor=world.owner, new_parent=world.area)
    _open(world, _measurement(world, world.area), django_capture_on_commit_callbacks)
    org_services.unit_move(unit=world.team_a, actor=world.owner, new_parent=root_of(world.org))
    assert OPEN_LINE in _front(world.employee)


def test_a_measurement_not_yet_taking_answers_is_not_mentioned(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    measurement = _measurement(world, world.area)
    Measurement.objects.filter(pk=measurement.pk).update(
        opens_on=timezone.localdate() + dt.timedelta(days=3)
    )
    measurement.refresh_from_db()
    _open(world, measurement, django_capture_on_commit_callbacks)
    assert OPEN_LINE not in _front(world.employee)


def test_the_page_is_the_same_whether_the_employee_answered_or_not(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """privacy.md: no one may learn whether a named person answered, the person's own page
    included (someone looking over a shoulder, or a screenshot)."""
    answering, abstaining = make_user("svarer@example.test"), make_user("venter@example.test")
    for user in (answering, abstaining):
        grant(user, world.org, Role.EMPLOYEE, world.team_a)
        make_person(world.team_a, email=user.email)
    tokens = _open(world, _measurement(world, world.area), django_capture_on_commit_callbacks)

    def page(user: User) -> str:
        without_csrf = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", _front(user))
        return without_csrf.replace(user.email, "EMAIL")

    before = page(answering)
    assert OPEN_LINE in before
    survey_services.response_submit(
        token=tokens[answering.email], answers={f"ps7.{n}": 3 for n in range(1, 8)}, texts={}
    )
    after = page(answering)
    assert after == before
    assert after == page(abstaining)


def test_the_employee_is_shown_the_way_into_sig_det(world: World) -> None:
    raise_url = reverse("voice:raise", kwargs={"org": "testkommune"})
    page = _front(world.employee)
    assert f'href="{raise_url}" rel="noreferrer"' in page
    assert "Sig det anonymt" in page
