"""An AMO member who leads a unit does not read the cases sent to the AMO/HR about it
(issue 11): the inbox, the reminders, the figures, and the warning when no one may read."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant
from tests.voice.test_statistics import H1, add_cases
from tryghed.orgs.models import Membership, Role
from tryghed.orgs.selectors import access_for
from tryghed.voice import selectors, services, statistics
from tryghed.voice.models import Case

RAISED = dt.date(2026, 11, 2)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _case(world: World, unit: Any, receiver: str = "amo", kind: str = "offensive") -> Case:
    case, _code = services.case_raise(
        organisation=world.org,
        unit=unit,
        receiver=receiver,
        kind=kind,
        text="Noget om teamet.",
        today=RAISED,
    )
    return case


def _raised_before_the_reorganisation(world: World, unit: Any) -> Case:
    """A case to the AMO/HR raised while someone outside the line could read it (the owner,
    for the day); then the owner's AMO role goes, as in a reorganisation."""
    grant(world.owner, world.org, Role.AMO)
    case = _case(world, unit)
    Membership.objects.filter(user=world.owner, role=Role.AMO).delete()
    return case


def _visible(world: World, user: Any) -> set[Case]:
    return set(selectors.visible_cases(access_for(user=user, slug=world.org.slug)))


def _remind(day: dt.date) -> dict[str, str]:
    before = len(mail.outbox)
    call_command("remind_voice", "--date", day.isoformat(), stdout=io.StringIO())
    return {m.to[0]: str(m.body) for m in mail.outbox[before:]}


def test_an_amo_case_about_their_team_goes_to_the_other_amo_members(world: World) -> None:
    grant(world.leader, world.org, Role.AMO)
    own = _case(world, world.team_a)
    above = _case(world, world.area)
    other = _case(world, world.team_b)
    unplaced = _case(world, None)
    to_leader = _case(world, world.team_a, receiver="leader", kind="concern")
    assert _visible(world, world.leader) == {above, other, unplaced, to_leader}
    assert _visible(world, world.amo) == {own, above, other, unplaced, to_leader}
    detail = reverse("voice:case_detail", kwargs={"org": world.org.slug, "case_id": own.pk})
    assert client_for(world.leader).get(detail).status_code == 404
    inbox = client_for(world.leader).get(reverse("voice:inbox", kwargs={"org": world.org.slug}))
    page = inbox.content.decode()
    assert "Du er både leder og med i AMO." in page
    assert "mangler en modtager" not in page  # world.amo leads nothing


def test_the_reminder_goes_to_the_amo_members_outside_the_line(world: World) -> None:
    grant(world.leader, world.org, Role.AMO)
    _case(world, world.team_a)
    sent = _remind(RAISED + dt.timedelta(days=1))
    assert list(sent) == [world.amo.email]
    assert "1 ny sag venter på en kvittering." in sent[world.amo.email]


def test_a_case_no_amo_member_may_read_is_named_by_count_only(world: World) -> None:
    grant(world.leader, world.org, Role.AMO)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    case = _raised_before_the_reorganisation(world, world.team_a)
    assert case not in _visible(world, world.leader)
    assert _remind(RAISED + dt.timedelta(days=1)) == {}  # no one to remind
    case.refresh_from_db()
    assert case.acknowledge_reminded_on is None  # tried again once someone may read it
    settings_page = client_for(world.owner).get(
        reverse("voice:settings", kwargs={"org": world.org.slug})
    )
    page = settings_page.content.decode()
    assert "mangler en modtager uden for ledelseslinjen" in page
    assert "<li>Team A</li>" in page and "<li>Team B</li>" not in page
    assert "1 åben sag har ingen, der kan læse den." in page
    assert "Noget om teamet" not in page and "2026" not in page
    inbox = client_for(world.leader).get(reverse("voice:inbox", kwargs={"org": world.org.slug}))
    assert "mangler en modtager uden for ledelseslinjen" in inbox.content.decode()
    # Someone outside the line gets the AMO role: they read it, and the warnings go.
    grant(world.amo, world.org, Role.AMO)
    assert case in _visible(world, world.amo)
    assert selectors.unread_cases(world.org, RAISED + dt.timedelta(days=1)) == []
    assert selectors.units_without_amo_receiver(world.org) == []


def test_the_structure_warning_does_not_depend_on_cases(world: World) -> None:
    grant(world.leader, world.org, Role.AMO)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    url = reverse("voice:inbox", kwargs={"org": world.org.slug})
    before = client_for(world.leader).get(url).content.decode()
    _raised_before_the_reorganisation(world, world.team_a)
    after = client_for(world.leader).get(url).content.decode()
    assert "mangler en modtager" in before
    assert CSRF.sub("", before) == CSRF.sub("", after)  # the case changes nothing they read


def test_the_figures_treat_the_hidden_amo_cases_as_unknown(world: World) -> None:
    add_cases(world, world.team_b, 5)
    add_cases(world, world.team_a, 1, receiver="amo")
    amo = statistics.period_figures(access_for(user=world.amo, slug=world.org.slug), H1)
    assert amo.organisation is not None and amo.organisation.cases == 6
    grant(world.leader, world.org, Role.AMO)
    leading = statistics.period_figures(access_for(user=world.leader, slug=world.org.slug), H1)
    # The total less the shown row would be the one case about their own team.
    assert leading.organisation is None
    assert [(r.unit, r.figures.cases) for r in leading.units] == [(world.team_b, 5)]
