"""Focus areas and plans: the nudge, audit rows, the plan's history, AMO sign-off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.actions.conftest import first_wave, make_action, make_focus, make_plan
from tests.conftest import World
from tryghed.actions import selectors, services
from tryghed.actions.models import ActionPlan, PlanEvent
from tryghed.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_figures_to_choose_from_are_the_shown_ones_weakest_scale_first(world: World) -> None:
    wave = first_wave(world)
    figures = selectors.report_figures(wave, world.team_a, "da")
    scale = figures[0]
    assert (scale.kind, scale.figure_id, scale.n) == ("scale", "total", 12)
    assert scale.mean == pytest.approx(28.5)
    assert scale.standing == pytest.approx(28.5 / 70)
    assert scale.label == "Psykologisk tryghed"
    items = [f for f in figures if f.kind == "item"]
    assert [f.figure_id for f in items] == [f"ps7.{n}" for n in range(1, 8)]


def test_a_unit_below_the_minimum_has_nothing_to_choose_from(world: World) -> None:
    wave = first_wave(world)
    from tests.actions.conftest import answer, make_measurement

    small = make_measurement(world, opens=dt.date(2026, 9, 1))
    answer(small, world.team_a, [2], 3)
    answer(small, world.team_b, [2], 12)
    assert selectors.report_figures(small, world.team_a, "da") == []
    assert selectors.report_figures(wave, world.team_a, "da") != []


def test_the_fourth_focus_area_is_allowed_but_over_the_nudge(world: World) -> None:
    wave = first_wave(world)
    for _ in range(4):
        make_focus(world, wave)
    count = services.focus_area_count(unit=world.team_a, measurement=wave)
    assert count == 4
    assert services.over_nudge(count) is True
    assert services.over_nudge(3) is False


def test_a_focus_area_keeps_the_figure_it_starts_from_and_is_audited(world: World) -> None:
    focus = make_focus(world, first_wave(world))
    assert focus.baseline["n"] == 12
    assert focus.baseline["mean"] == pytest.approx(28.5)
    assert focus.baseline["score"] == [0, 70]
    event = AuditEvent.objects.get(action="actions.focus_area_created")
    assert (event.actor, event.organisation, event.object_id) == (
        world.leader,
        world.org,
        str(focus.pk),
    )


def test_every_write_to_a_plan_leaves_an_audit_row_and_a_history_entry(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    action = make_action(world, plan, deadline=dt.date(2026, 6, 1))
    services.plan_update(plan=plan, actor=world.owner, status="active", goal="Alle tør sige fra.")
    services.action_update(action=action, actor=world.leader, status="done")
    services.plan_sign_off(plan=plan, actor=world.amo)
    services.plan_evaluate(
        plan=plan,
        actor=world.leader,
        learning_evaluation="Det virkede at tage det op hver gang.",
        effect_evaluation="",
        evaluated_on=dt.date(2026, 11, 1),
    )
    events = list(plan.history.order_by("pk").values_list("event", flat=True))
    assert events == [
        PlanEvent.CREATED,
        PlanEvent.ACTION_ADDED,
        PlanEvent.UPDATED,
        PlanEvent.ACTION_UPDATED,
        PlanEvent.SIGNED_OFF,
        PlanEvent.EVALUATED,
    ]
    update = plan.history.get(event=PlanEvent.UPDATED)
    # Only what changed: the goal was given unchanged.
    assert update.changes == [{"field": "status", "before": "planned", "after": "active"}]
    assert update.actor == world.owner and update.actor_label == "owner@example.test"
    audited = set(
        AuditEvent.objects.filter(organisation=world.org, action__startswith="actions.")
        .exclude(action="actions.focus_area_created")
        .values_list("action", flat=True)
    )
    assert audited == {
        "actions.plan_created",
        "actions.action_added",
        "actions.plan_updated",
        "actions.action_updated",
        "actions.plan_signed_off",
        "actions.plan_evaluated",
    }
    plan.refresh_from_db()
    assert plan.status == "evaluated" and plan.evaluated_on == dt.date(2026, 11, 1)


def test_an_update_that_changes_nothing_writes_nothing(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    before = (plan.history.count(), AuditEvent.objects.count())
    services.plan_update(plan=plan, actor=world.leader, goal="Alle tør sige fra.")
    assert (plan.history.count(), AuditEvent.objects.count()) == before


def test_only_an_amo_representative_signs_a_plan_off(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    with pytest.raises(ValidationError):
        services.plan_sign_off(plan=plan, actor=world.owner)  # an administrator is not the AMO
    with pytest.raises(ValidationError):
        services.plan_sign_off(plan=plan, actor=world.leader)
    services.plan_sign_off(plan=plan, actor=world.amo)
    plan = ActionPlan.objects.get(pk=plan.pk)
    assert plan.signed_off_by == world.amo
    assert plan.signed_off_at is not None


def test_an_action_needs_an_owner_by_name_or_person(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    with pytest.raises(ValidationError):
        services.action_add(plan=plan, actor=world.leader, what="Noget", deadline=dt.date.today())
    with pytest.raises(ValidationError):
        services.action_add(
            plan=plan,
            actor=world.leader,
            what="Noget",
            deadline=dt.date.today(),
            owner_person=world.other_person,  # another organisation's employee
        )
    action = services.action_add(
        plan=plan, actor=world.leader, what="Noget", deadline=dt.date.today(), owner_name="Lis"
    )
    assert action.owner_label == "Lis"
