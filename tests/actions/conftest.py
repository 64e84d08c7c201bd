"""Factories for action plan tests: measurements with ps7 answers, focus areas, plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from tests.conftest import World
from tryghed.actions import selectors, services
from tryghed.actions.models import Action, ActionPlan, FocusArea
from tryghed.orgs.models import Unit
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement, Response, Status

LOW = [3, 4, 3, 4]  # ps7 with all seven items at this code: 28, 29, 28, 29 points
HIGH = [2, 1, 2, 2]  # 34, 40, 34, 34 points


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def make_measurement(
    world: World, *, opens: dt.date, previous: Measurement | None = None
) -> Measurement:
    measurement = survey_services.measurement_create(
        organisation=world.org,
        actor=None,
        name=f"Måling {opens.isoformat()}",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(world.root)],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=14),
        previous=previous,
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    measurement.refresh_from_db()
    return measurement


def answer(measurement: Measurement, unit: Unit, codes: Sequence[int], count: int) -> None:
    """count responses cycling through the codes (each code for all seven items)."""
    Response.objects.bulk_create(
        Response(
            measurement=measurement,
            unit=unit,
            week="2026-W45",
            answers={f"ps7.{n}": codes[i % len(codes)] for n in range(1, 8)},
        )
        for i in range(count)
    )


def ps7_points(codes: Sequence[int], count: int) -> list[float]:
    points = {1: 40.0, 2: 34.0, 3: 28.0, 4: 29.0}  # seven items, reverse keying applied
    return [points[codes[i % len(codes)]] for i in range(count)]


def first_wave(world: World) -> Measurement:
    """Team A: 12 answers averaging 28.5 points; team B: 8."""
    measurement = make_measurement(world, opens=dt.date(2026, 3, 2))
    answer(measurement, world.team_a, LOW, 12)
    answer(measurement, world.team_b, LOW, 8)
    return measurement


def make_focus(world: World, measurement: Measurement, unit: Unit | None = None) -> FocusArea:
    unit = unit or world.team_a
    figure = selectors.find_figure(measurement, unit, "scale:ps7:total", "da")
    assert figure is not None
    return services.focus_area_create(
        unit=unit,
        measurement=measurement,
        actor=world.leader,
        kind=figure.kind,
        instrument_id=figure.instrument_id,
        figure_id=figure.figure_id,
        title="Tryghed i teamet",
        baseline=figure.baseline(),
    )


def make_plan(world: World, focus: FocusArea) -> ActionPlan:
    return services.plan_create(
        focus=focus,
        actor=world.leader,
        problem="Vi taler ikke om fejl.",
        goal="Alle tør sige fra.",
        level="gruppe",
        prevention="primaer",
        evaluation_criteria="Næste måling.",
        evaluation_date=dt.date(2026, 12, 1),
    )


def make_action(
    world: World, plan: ActionPlan, *, deadline: dt.date, status: str = "in_progress"
) -> Action:
    return services.action_add(
        plan=plan,
        actor=world.leader,
        what="Fast punkt på teammødet",
        owner_person=world.person_a,
        deadline=deadline,
        status=status,
    )
