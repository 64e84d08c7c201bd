"""Helpers for the learning log's tests: entries, and a focus area and plan for team A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.actions.conftest import make_measurement
from tests.conftest import World
from tryghed.actions import services as action_services
from tryghed.actions.models import ActionPlan, FocusArea
from tryghed.learning import services
from tryghed.learning.models import Entry
from tryghed.orgs.models import Unit


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def write(
    world: World,
    *,
    unit: Unit | None = None,
    kind: str = "",
    named: bool = False,
    text: str = "Medicinlisten blev ikke tjekket ved vagtskiftet.",
    day: dt.date | None = None,
) -> Entry:
    return services.entry_write(
        unit=unit or world.team_a,
        writer=world.employee,
        what_happened=text,
        lesson="Vi gennemgår tjeklisten ved hvert vagtskifte.",
        kind=kind,
        author_name="Eva Medarbejder" if named else "",
        today=day,
    )


def make_focus_area(world: World, unit: Unit | None = None) -> FocusArea:
    measurement = make_measurement(world, opens=dt.date(2026, 3, 2))
    return action_services.focus_area_create(
        unit=unit or world.team_a,
        measurement=measurement,
        actor=world.leader,
        kind="scale",
        instrument_id="ps7",
        figure_id="total",
        title="Tryghed i teamet",
        baseline={},
    )


def make_plan(world: World, focus: FocusArea) -> ActionPlan:
    return action_services.plan_create(
        focus=focus,
        actor=world.leader,
        problem="Vi taler ikke om fejl.",
        goal="Alle tør sige fra.",
        level="gruppe",
        prevention="primaer",
    )
