"""The front page's "Det venter på dig": each step for those who may open its page, gone
once done, overdue steps first, nothing of another team's or organisation's."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.actions.conftest import (
    LOW,
    answer,
    first_wave,
    make_action,
    make_focus,
    make_measurement,
    make_plan,
)
from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tryghed.actions import services as action_services
from tryghed.actions.models import ActionPlan
from tryghed.apv.models import ApvDocument
from tryghed.learning import services as learning_services
from tryghed.orgs.selectors import OrgAccess, access_for
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement
from tryghed.voice import services as voice_services
from tryghed.web.next_steps import next_steps

pytestmark = pytest.mark.django_db
HEADING = "Det venter på dig"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _today() -> dt.date:
    return timezone.localdate()


def _front(user: Any) -> str:
    response = client_for(user).get(reverse("orgs:dashboard", kwargs={"org": "testkommune"}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _steps_section(page: str) -> str:
    if HEADING not in page:
        return ""
    return page.split(HEADING, 1)[1].split("</section>", 1)[0]


def _plan(world: World, *, evaluate_in_days: int = 60) -> ActionPlan:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    ActionPlan.objects.filter(pk=plan.pk).update(
        evaluation_date=_today() + dt.timedelta(days=evaluate_in_days)
    )
    plan.refresh_from_db()
    return plan


def test_an_overdue_action_is_shown_first_to_those_who_see_its_plan(world: World) -> None:
    plan = _plan(world)
    make_action(world, plan, deadline=_today() - dt.timedelta(days=3))
    make_action(world, plan, deadline=_today() + dt.timedelta(days=10))
    plan_url = reverse("actions:plan_detail", kwargs={"org": "testkommune", "plan_id": plan.pk})
    for user in (world.leader, world.amo, world.owner):
        section = _steps_section(_front(user))
        assert "1 handling i handleplanen «Tryghed i teamet» (Team A)" in section
        assert plan_url in section
    assert plan_url not in _front(world.employee)

    steps = next_steps(_access(world, world.leader), "da", _today())
    assert steps[0].overdue and "overskredet sin frist" in steps[0].text


def test_a_leader_of_another_team_sees_no_step_of_team_a(world: World) -> None:
    other_leader = make_user("leder-b@test.dk")
    grant(other_leader, world.org, "leader", world.team_b)
    plan = _plan(world)
    make_action(world, plan, deadline=_today() - dt.timedelta(days=3))
    assert "Tryghed i teamet" not in _front(other_leader)


def test_a_done_action_or_a_finished_plan_asks_for_nothing(world: World) -> None:
    plan = _plan(world)
    make_action(world, plan, deadline=_today() - dt.timedelta(days=3), status="done")
    assert "overskredet" not in _steps_section(_front(world.leader))
    make_action(world, plan, deadline=_today() - dt.timedelta(days=3))
    assert "overskredet sin frist" in _steps_section(_front(world.leader))
    ActionPlan.objects.filter(pk=plan.pk).update(status="evaluated")
    assert "Tryghed i teamet" not in _steps_section(_front(world.leader))


def test_an_evaluation_is_announced_two_weeks_ahead_and_overdue_after_its_day(
    world: World,
) -> None:
    plan = _plan(world, evaluate_in_days=30)
    assert "skal evalueres" not in _front(world.leader)
    ActionPlan.objects.filter(pk=plan.pk).update(evaluation_date=_today() + dt.timedelta(days=10))
    section = _steps_section(_front(world.leader))
    assert "Handleplanen «Tryghed i teamet» (Team A) skal evalueres" in section
    assert (
        reverse("actions:plan_evaluate", kwargs={"org": "testkommune", "plan_id": plan.pk})
        in section
    )
    ActionPlan.objects.filter(pk=plan.pk).update(evaluation_date=_today() - dt.timedelta(days=1))
    steps = next_steps(_access(world, world.leader), "da", _today())
    assert [s.overdue for s in steps if "evalueret" in s.text] == [True]


def test_results_without_focus_areas_ask_the_leader_to_choose_until_one_is_chosen(
    world: World,
) -> None:
    wave = first_wave(world)
    url = reverse(
        "actions:focus_choose",
        kwargs={"org": "testkommune", "unit_id": world.team_a.pk, "measurement_id": wave.pk},
    )
    section = _steps_section(_front(world.leader))
    assert "Resultaterne for Team A fra «Måling 2026-03-02» er klar" in section
    assert url in section
    # Only to the unit's leader: the AMO and administrators choose from the reports.
    assert url not in _front(world.amo)
    make_focus(world, wave)
    assert url not in _front(world.leader)


def test_a_unit_whose_results_are_all_hidden_is_not_asked_to_choose(world: World) -> None:
    wave = make_measurement(world, opens=dt.date(2026, 3, 2))
    answer(wave, world.team_a, LOW, 2)  # below the minimum of 5: nothing shown for Team A
    answer(wave, world.team_b, LOW, 8)
    assert "Vælg fokusområder" not in _front(world.leader)


def test_the_amo_is_told_of_plans_waiting_for_sign_off_until_signed(world: World) -> None:
    plan = _plan(world)
    assert "1 handleplan venter på AMO's godkendelse" in _steps_section(_front(world.amo))
    assert "godkendelse" not in _front(world.leader)
    action_services.plan_sign_off(plan=plan, actor=world.amo)
    assert "godkendelse" not in _front(world.amo)


def test_voice_cases_waiting_in_the_inbox_and_their_deadlines(world: World) -> None:
    case, _code = voice_services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="idea",
        text="Fælles frokost om fredagen.",
        today=_today() - dt.timedelta(days=2),
    )
    inbox = reverse("voice:inbox", kwargs={"org": "testkommune"})
    section = _steps_section(_front(world.leader))
    assert "1 sag i Sig det venter på kvittering eller svar" in section
    assert inbox in section
    assert inbox not in _steps_section(_front(world.employee))
    type(case).objects.filter(pk=case.pk).update(opened_on=_today() - dt.timedelta(days=10))
    assert "1 sag i Sig det har overskredet en frist" in _front(world.leader)
    case.refresh_from_db()
    voice_services.case_close(case=case)
    assert inbox not in _steps_section(_front(world.leader))


def test_the_apv_revision_is_for_those_who_write_the_apv(world: World) -> None:
    assert "APV'en er ikke vedtaget endnu" in _front(world.amo)
    assert "APV'en er ikke vedtaget endnu" in _front(world.owner)
    assert "APV'en" not in _steps_section(_front(world.leader))
    document = ApvDocument.objects.get_or_create(organisation=world.org)[0]
    document.adopted_on = _today() - dt.timedelta(days=365 * 3 + 2)
    document.save()
    assert "APV'en skulle have været revideret senest" in _front(world.amo)
    document.adopted_on = _today() - dt.timedelta(days=30)
    document.save()
    assert "APV" not in _steps_section(_front(world.amo))


def test_an_open_measurement_links_to_its_participation_page(world: World) -> None:
    measurement = survey_services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Efterårsmåling",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(world.root)],
        opens_on=_today(),
        closes_on=_today() + dt.timedelta(days=14),
    )
    survey_services.measurement_open(measurement=measurement, actor=world.owner)
    url = reverse(
        "surveys_admin:detail", kwargs={"org": "testkommune", "measurement_id": measurement.pk}
    )
    for user in (world.amo, world.leader):
        section = _steps_section(_front(user))
        assert "Målingen «Efterårsmåling» er åben for svar til og med" in section
        assert url in section
        assert client_for(user).get(url).status_code == 200
    # The employee is told of the survey (tests/orgs/test_employee_front_page.py), but has
    # no step and no way to the participation page.
    employee_front = _front(world.employee)
    assert url not in employee_front and _steps_section(employee_front) == ""
    Measurement.objects.filter(pk=measurement.pk).update(status="closed")
    assert "er åben for svar" not in _front(world.amo)


def test_an_employee_has_nothing_waiting_and_is_pointed_to_what_is_done(world: World) -> None:
    plan = _plan(world)
    make_action(world, plan, deadline=_today() - dt.timedelta(days=3))
    front = _front(world.employee)
    assert HEADING not in front
    done = reverse("actions:index", kwargs={"org": "testkommune"})
    assert f'href="{done}"' in front and "I sagde – vi gjorde" in front
    landed = client_for(world.employee).get(done, follow=True)
    assert landed.status_code == 200
    assert landed.redirect_chain[-1][0] == reverse(
        "actions:vi_gjorde", kwargs={"org": "testkommune", "unit_id": world.team_a.pk}
    )


def _access(world: World, user: Any) -> OrgAccess:
    return access_for(user=user, slug=world.org.slug)


def test_new_learning_log_situations_ask_the_leader_to_review_until_reviewed(
    world: World,
) -> None:
    entries = [
        learning_services.entry_write(
            unit=world.team_a, writer=world.employee, what_happened=f"Situation {n}"
        )
        for n in range(2)
    ]
    log = reverse("learning:log", kwargs={"org": "testkommune", "unit_id": world.team_a.pk})
    section = _steps_section(_front(world.leader))
    assert "2 nye situationer i læringsloggen for Team A venter på jeres gennemgang" in section
    assert log in section and client_for(world.leader).get(log).status_code == 200
    # The leader reviews; the team's own members and the AMO are not asked to.
    assert log not in _front(world.employee) and log not in _front(world.amo)
    for entry in entries:
        learning_services.entry_mark_reviewed(entry=entry, actor=world.leader)
    assert log not in _front(world.leader)
