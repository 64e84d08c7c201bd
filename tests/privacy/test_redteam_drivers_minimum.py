"""Red team, the key drivers under a raised minimum (adversary 1 of privacy.md section 0).

The drivers are computed over the complete cases: people who answered all six golden
nuggets and the outcome. Each scale may be shown over the minimum while few answered all of
them. The relative weights' n, and the weights themselves, are then figures about fewer
than the minimum (privacy.md section 2: the minimum is counted on the people behind the
figure). With the default minimum of 5 the drivers' own floor of 8 complete cases hid
this; an organisation that raises its minimum above 8 met it."""

from __future__ import annotations

import random

import pytest

from tests.privacy import attack
from tryghed.core import figures
from tryghed.results.aggregates import report_data

pytestmark = pytest.mark.django_db

MINIMUM = 12
NUGGET_ITEMS = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11]]


def test_the_key_drivers_rest_on_at_least_the_minimum_of_complete_cases() -> None:
    place = attack.build_workplace({"Alle": (None, 14)})
    place.org.min_group_score = MINIMUM
    place.org.save(update_fields=["min_group_score"])
    launched = attack.launch(place, ("guldkorn", "ps7"))
    rng = random.Random(14)
    for k, person in enumerate(place.people["Alle"]):
        answers = {f"guldkorn.{i}": rng.randint(1, 5) for i in range(1, 12)}
        answers |= {f"ps7.{i}": rng.randint(1, 5) for i in range(1, 8)}
        if k < len(NUGGET_ITEMS):  # six people, each skipping one nugget: 13 answer each
            for item in NUGGET_ITEMS[k]:
                del answers[f"guldkorn.{item}"]
        attack.submit(launched.tokens[person.pk], answers)
    attack.close(place, launched.measurement)
    data = figures.load(report_data(launched.measurement))
    whole = data.groups[data.organisation]
    assert isinstance(whole, figures.Group)
    nuggets = whole.instruments["guldkorn"].scales
    assert all(isinstance(nuggets[s], figures.ScaleFigure) for s in nuggets), "all shown"
    for key, drivers in data.measurement_level.drivers.items():
        if isinstance(drivers, figures.Drivers):
            assert drivers.n >= MINIMUM, (
                f"{key}: relative weights over {drivers.n} complete cases, "
                f"under the organisation's minimum of {MINIMUM}"
            )
