from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from tests.conftest import World
from tryghed.orgs.models import Unit
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response, Status


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def risk5_measurement(
    world: World, *, status: str = Status.CLOSED, closes_on: dt.date = dt.date(2026, 5, 1)
) -> Measurement:
    """A measurement of the whole organisation with the risk5 screening."""
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name=f"APV-måling {closes_on}",
        instrument_ids=["risk5"],
        scope=[services.ScopeEntry(world.root)],
        opens_on=closes_on - dt.timedelta(days=14),
        closes_on=closes_on,
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=status)
    measurement.refresh_from_db()
    return measurement


def risk5_answers(workload: int = 1, offensive: int = 1) -> dict[str, int]:
    """Codes for risk5's exposure items: workload items 1-3, the rest 'never'."""
    answers = {f"risk5.{n}": 1 for n in (1, 2, 3, 4, 5, 6, 7)}
    answers.update({f"risk5.{n}": 1 for n in (8, 10, 12, 14, 16)})
    answers.update({"risk5.1": workload, "risk5.2": workload, "risk5.3": workload})
    answers["risk5.8"] = offensive
    return answers


def answer(measurement: Measurement, unit: Unit, answers_list: Sequence[dict[str, int]]) -> None:
    Response.objects.bulk_create(
        Response(measurement=measurement, unit=unit, week="2026-W17", answers=a)
        for a in answers_list
    )
