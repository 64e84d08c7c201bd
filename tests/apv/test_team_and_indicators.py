"""The wellbeing team (at least half non-managers) and the leading-indicator dashboard."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from tests.actions.scenario import action_plan
from tests.apv.conftest import answer, risk5_answers, risk5_measurement
from tests.conftest import World, client_for
from tryghed.actions import services as action_services
from tryghed.actions.models import ActionPlan
from tryghed.apv import indicators, selectors, services
from tryghed.apv.models import GoldenRule
from tryghed.audit.models import AuditEvent
from tryghed.surveys.models import Invitation


def _team(world: World, managers: int, employees: int) -> None:
    for i in range(managers):
        services.team_member_add(
            organisation=world.org, actor=world.amo, name=f"Leder {i}", function="", is_manager=True
        )
    for i in range(employees):
        services.team_member_add(
            organisation=world.org,
            actor=world.amo,
            name=f"Ansat {i}",
            function="",
            is_manager=False,
        )


@pytest.mark.parametrize(
    ("managers", "employees", "warn"),
    [(2, 1, True), (3, 2, True), (2, 2, False), (1, 3, False), (0, 0, False)],
)
def test_it_warns_when_fewer_than_half_are_non_managers(
    world: World, managers: int, employees: int, warn: bool
) -> None:
    _team(world, managers, employees)
    balance = selectors.team_balance(world.org)
    assert balance.too_few_non_managers is warn
    html = (
        client_for(world.amo)
        .get(reverse("apv:team", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert ("Mindst halvdelen af teamet skal være medarbejdere uden for ledelsen." in html) is warn


def test_team_members_are_added_and_removed_through_the_page_with_audit_rows(
    world: World,
) -> None:
    client = client_for(world.owner)
    team_url = reverse("apv:team", kwargs={"org": world.org.slug})
    client.post(team_url, {"name": "Hanne Holm", "function": "SSA", "is_manager": ""})
    member = selectors.team_members(world.org).get()
    assert not member.is_manager
    client.post(reverse("apv:team_remove", kwargs={"org": world.org.slug, "member_id": member.pk}))
    assert not selectors.team_members(world.org).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="apv.team").values_list("action", flat=True)
    ) == ["apv.team.member_removed", "apv.team.member_added"]


def _by_label(found: list[indicators.Indicator]) -> dict[str, indicators.Indicator]:
    return {i.label: i for i in found}


def test_the_dashboard_counts_assessed_changes_and_units_and_the_response_rate(
    world: World,
) -> None:
    change = services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_a,
        kind="it",
        description="Nyt system",
        changed_on=dt.date(2026, 10, 1),
    )
    services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=None,
        kind="methods",
        description="Ny metode",
        changed_on=dt.date(2026, 10, 2),
    )
    services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo, work_change=change
    )
    measurement = risk5_measurement(world)
    # Participation is shown from 5 who answered and 5 who did not on (privacy.md section 4).
    answer(measurement, world.team_a, [risk5_answers()] * 6)
    Invitation.objects.bulk_create(
        Invitation(measurement=measurement, unit=world.team_a) for _ in range(12)
    )
    found = _by_label(indicators.computed_indicators(world.org))
    changes = found["Registrerede ændringer i arbejdet, der er risikovurderet"]
    assert (changes.numerator, changes.denominator, changes.percent) == (1, 2, 50)
    assert changes.rule == GoldenRule.HAZARDS
    units = found["Enheder med en risikovurdering af de fem risikofaktorer"]
    assert (units.numerator, units.denominator) == (1, 4)  # root, area, team A, team B
    equipment = found["Nye IT-systemer og lokaler, hvor trivslen er vurderet"]
    assert (equipment.numerator, equipment.denominator) == (1, 1)
    rate = found["Svarprocent i den seneste afsluttede måling"]
    assert (rate.numerator, rate.denominator, rate.percent) == (6, 12, 50)
    plans = found["Enheder med en handleplan"]
    assert plans.available and (plans.numerator, plans.denominator) == (0, 4)


def test_without_the_actions_app_plan_indicators_say_not_available(world: World) -> None:
    with mock.patch.object(indicators, "actions_installed", return_value=False):
        found = _by_label(indicators.computed_indicators(world.org))
    for label in (
        "Enheder med en handleplan",
        "Handleplaner evalueret til tiden",
        "Handleplaner med en opfølgning, som medarbejderne kan se",
    ):
        assert not found[label].available
        assert "handleplanmodulet er ikke installeret" in found[label].unavailable
        assert found[label].percent is None


def test_hand_entered_indicators_appear_under_their_golden_rule(world: World) -> None:
    client = client_for(world.amo)
    page = reverse("apv:dashboard", kwargs={"org": world.org.slug})
    response = client.post(
        page, {"rule": "6", "indicator": "Ledere på stresskursus", "value": "14 af 31"}
    )
    assert response.status_code == 302
    html = client.get(page).content.decode()
    rule_six = html.split("6. Forbedr kvalifikationer", 1)[1].split("7. Investér i mennesker")[0]
    assert "Ledere på stresskursus" in rule_six and "14 af 31" in rule_six
    assert AuditEvent.objects.filter(action="apv.indicator.entered", actor=world.amo).exists()
    assert client_for(world.leader).get(page).status_code == 403


def test_the_plan_indicators_count_plans_evaluated_on_time_and_followed_up(
    world: World,
) -> None:
    today = dt.date(2026, 12, 6)
    measurement = risk5_measurement(world)
    due = dt.date(2026, 11, 1)
    plans = [action_plan(world, measurement).plan for _ in range(4)]
    # Due and evaluated in time; due and evaluated late; due and never evaluated; not due.
    for plan, evaluation_date in zip(plans, [due, due, due, dt.date(2027, 1, 1)], strict=True):
        ActionPlan.objects.filter(pk=plan.pk).update(evaluation_date=evaluation_date)
        plan.refresh_from_db()
    for plan, evaluated_on in ((plans[0], due), (plans[1], dt.date(2026, 11, 20))):
        action_services.plan_evaluate(
            plan=plan,
            actor=world.amo,
            learning_evaluation="Vi lærte at tale om fejl.",
            effect_evaluation="",
            evaluated_on=evaluated_on,
        )
    ActionPlan.objects.filter(pk=plans[3].pk).update(status="done")
    found = _by_label(indicators.computed_indicators(world.org, today=today))
    on_time = found["Handleplaner evalueret til tiden"]
    assert (on_time.numerator, on_time.denominator) == (1, 3)
    followed = found["Handleplaner med en opfølgning, som medarbejderne kan se"]
    assert (followed.numerator, followed.denominator) == (3, 4)
    units = found["Enheder med en handleplan"]
    assert (units.numerator, units.denominator) == (1, 4)  # all four are team A's
