"""Red team, Cronbach's alpha beside its scale (adversary 1 of privacy.md section 0: a
reader who sees the organisation report's "trust" table and the scale's figures).

Alpha is over the complete cases (people who answered every item of the scale); the
scale's n is everyone with a person score (more than half the items answered). The
difference is the number who skipped an item. Where that is 1..minimum - 1, the item's
own figures are hidden (one set of people per item and group, privacy.md section 3), and
alpha's n_complete beside the scale's n gave their count back. ``tryghed score`` withheld
alpha then already (2f174e8); the organisation's report did not."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tryghed.core import figures
from tryghed.results.aggregates import report_data

pytestmark = pytest.mark.django_db

MINIMUM = 5


def test_alpha_does_not_give_back_how_many_skipped_a_hidden_item() -> None:
    place = attack.build_workplace({"Team A": (None, 6), "Team B": (None, 6)})
    launched = attack.launch(place, ("ps7",))
    everyone = [p for people in place.people.values() for p in people]
    for k, person in enumerate(everyone):
        answers = {f"ps7.{i}": 1 + (k + i) % 5 for i in range(1, 8)}
        if k in (0, 6):  # one in each team skips item 3
            del answers["ps7.3"]
        attack.submit(launched.tokens[person.pk], answers)
    attack.close(place, launched.measurement)
    data = figures.load(report_data(launched.measurement))
    whole = data.groups[data.organisation]
    assert isinstance(whole, figures.Group)
    records = whole.instruments["ps7"]
    scale = records.scales["total"]
    assert isinstance(scale, figures.ScaleFigure) and scale.n == 12, "the scale is shown"
    item = records.items.get("ps7.3")
    assert not isinstance(item, figures.ItemFigure), "item 3 (10 of 12) is hidden"
    level = data.measurement_level.scales["ps7"]["total"]
    alpha = None if isinstance(level, figures.Hidden) else level.alpha
    if alpha is not None:
        gap = scale.n - alpha.n_complete
        assert not 0 < gap < MINIMUM, (
            f"alpha over {alpha.n_complete} beside the scale over {scale.n}: "
            f"{gap} skipped item 3, which its hidden figures keep back"
        )
