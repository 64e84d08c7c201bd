"""An action plan in the browser tests' world, so the crawl reaches the plan pages."""

from __future__ import annotations

import datetime as dt

from tests.conftest import World
from tryghed.actions import services
from tryghed.actions.models import Action
from tryghed.surveys.models import Measurement


def action_plan(world: World, measurement: Measurement) -> Action:
    """Team A's focus area with a plan and one overdue action, signed off by the AMO."""
    focus = services.focus_area_create(
        unit=world.team_a,
        measurement=measurement,
        actor=world.leader,
        kind="scale",
        instrument_id="ps7",
        figure_id="total",
        title="Tryghed i teamet",
        baseline={},
    )
    plan = services.plan_create(
        focus=focus,
        actor=world.leader,
        problem="Vi taler sjældent om fejl.",
        goal="Fejl bliver taget op på teammødet.",
        level="gruppe",
        prevention="primaer",
        evaluation_date=dt.date.today() + dt.timedelta(days=60),
        participants_count=8,
    )
    services.plan_sign_off(plan=plan, actor=world.amo)
    return services.action_add(
        plan=plan,
        actor=world.leader,
        what="Fast punkt på teammødet",
        owner_person=world.person_a,
        deadline=dt.date.today() - dt.timedelta(days=2),
        status="in_progress",
    )
