"""A team report with everything on it: eight questionnaires, an earlier wave to compare
with, and (if asked) a team where many report offensive behaviour, for the tests of the
first screen, the details and the PDF."""

from __future__ import annotations

import random

from tests.conftest import World
from tests.results.test_aggregates import answer, make_measurement
from tryghed.core.instruments import load_builtin
from tryghed.orgs.models import Unit
from tryghed.surveys.models import Measurement

INSTRUMENTS = (
    "ps7",
    "opgavefokus",
    "tavshed",
    "stress",
    "hesteskoen",
    "risk5",
    "support4",
    "guldkorn",
)
OFFENSIVE_ITEMS = (8, 10, 12)  # risk5: exposure to offensive behaviour (sensitive)
PER_TEAM = 12


def _answers(rng: random.Random, tilt: float, *, harassed: bool) -> dict[str, int]:
    """One person's answers: every choice item asked without a condition, each code drawn
    around ``tilt`` (0 = the first option, 1 = the last)."""
    answers: dict[str, int] = {}
    builtin = load_builtin()
    for iid in INSTRUMENTS:
        for item in builtin[iid].items:
            if item.type != "choice" or item.show_if is not None:
                continue
            codes = [o.code for o in item.options if not o.dont_know]
            position = min(max(tilt + rng.uniform(-0.3, 0.3), 0.0), 1.0)
            answers[item.id] = codes[round(position * (len(codes) - 1))]
    for number in (*OFFENSIVE_ITEMS, 14, 16):
        answers[f"risk5.{number}"] = 1  # never
    if harassed and rng.random() < 0.5:
        answers[f"risk5.{OFFENSIVE_ITEMS[0]}"] = 3
    return answers


def _fill(measurement: Measurement, unit: Unit, seed: int, tilt: float, harassed: bool) -> None:
    rng = random.Random(seed)
    for _ in range(PER_TEAM):
        answer(measurement, unit, _answers(rng, tilt, harassed=harassed))


def team_report(world: World, *, harassed: bool = False) -> Measurement:
    """Two waves of the whole organisation; team A is answered in both, team B too. With
    ``harassed`` about half of team A report offensive behaviour in the later wave."""
    before = make_measurement(world, INSTRUMENTS)
    _fill(before, world.team_a, 1, 0.45, False)
    _fill(before, world.team_b, 2, 0.5, False)
    after = make_measurement(world, INSTRUMENTS, previous=before)
    _fill(after, world.team_a, 3, 0.35, harassed)
    _fill(after, world.team_b, 4, 0.5, False)
    return after
