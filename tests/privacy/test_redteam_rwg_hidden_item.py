"""Red team, rwg(j) beside a hidden item (adversary 1 of privacy.md section 0: a reader of
a unit's scale figures, on the page, in an export or in ``tryghed score --json``).

rwg(j) ("enighed i gruppen") is worked out from the variance of each item of the scale
over the group's people who answered it (every item with two answers or more). The
variance of an item whose distribution is shown follows from its counts; so rwg(j) beside
the shown items gives away the variance of the items that are hidden. In a team of six
where two answered ps7 item 3 (hidden: "for få svar"), that variance over two people is
(a - b)^2 / 2: one said "Meget enig" and the other "Meget uenig" can be read off the
team's agreement figure and the six other items' distributions."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from tests.privacy import attack
from tryghed.cli import main
from tryghed.core import figures
from tryghed.results.aggregates import report_data

pytestmark = pytest.mark.django_db

ITEMS = [f"ps7.{i}" for i in range(1, 8)]
OPTIONS = 5  # ps7: five options, so rwg's uniform null variance is (5^2 - 1) / 12 = 2


def _variance(codes: Sequence[int], counts: Sequence[int]) -> float:
    """An item's variance (n - 1) from its shown distribution: the same as over reverse-
    keyed positions, which only mirror the codes."""
    n = sum(counts)
    if n < 2:
        return 0.0
    mean = sum(c * k for c, k in zip(codes, counts, strict=True)) / n
    return sum(k * (c - mean) ** 2 for c, k in zip(codes, counts, strict=True)) / (n - 1)


def hidden_variance(rwg: float, shown: Sequence[tuple[Sequence[int], Sequence[int]]]) -> float:
    """The summed variance of the scale's hidden items that rwg(j) and the shown items'
    distributions give (all seven items taken as having two answers or more)."""
    j = len(ITEMS)
    ratio = j * (1 - rwg) / (j * (1 - rwg) + rwg)  # mean variance / null variance
    total = ratio * (OPTIONS**2 - 1) / 12.0 * j
    return total - sum(_variance(codes, counts) for codes, counts in shown)


def _team_answers(rng: random.Random) -> list[dict[str, int]]:
    """Six who agree (codes 1 and 2) on six items; only the first two answer item 3,
    at the two ends of the scale."""
    people = []
    for k in range(6):
        answers = {item: rng.choice((1, 2)) for item in ITEMS}
        if k == 0:
            answers["ps7.3"] = 1
        elif k == 1:
            answers["ps7.3"] = 5
        else:
            del answers["ps7.3"]
        people.append(answers)
    return people


def _attack(group: Mapping[str, object], codes: Mapping[str, Sequence[int]]) -> float | None:
    """What the reader learns of a group's hidden ps7 items (their summed variance), from
    its shown total's rwg(j) and its shown items; None where there is nothing to read."""
    scale = group["scale"]
    items = group["items"]
    assert isinstance(scale, dict) and isinstance(items, dict)
    hidden = [i for i in ITEMS if items[i] is None]
    if scale.get("rwg_j") is None or not hidden:
        return None
    shown = [(codes[i], items[i]) for i in ITEMS if items[i] is not None]
    return hidden_variance(float(scale["rwg_j"]), shown)


def _too_few_answered(group: figures.Group, instrument_id: str, item_ids: list[str]) -> bool:
    """Whether the group shows one of the items as "for få svar" (the reason is printed).
    An item hidden only because its n and its scale's differ by 1 to minimum - 1 rests on
    the minimum or more: what is read of it there is about enough people."""
    return any(
        isinstance(item, figures.Hidden) and item.reason == "below_minimum"
        for item in (group.item(instrument_id, i) for i in item_ids)
    )


def test_agreement_does_not_give_away_the_spread_of_a_hidden_item() -> None:
    place = attack.build_workplace({"Team A": (None, 6), "Team B": (None, 6), "Team C": (None, 6)})
    launched = attack.launch(place, ("ps7",))
    rng = random.Random(3)
    for person, answers in zip(place.people["Team A"], _team_answers(rng), strict=True):
        attack.submit(launched.tokens[person.pk], answers)
    for person in place.people["Team B"] + place.people["Team C"]:
        attack.submit(launched.tokens[person.pk], {i: rng.choice((1, 2)) for i in ITEMS})
    attack.close(place, launched.measurement)
    data = figures.load(report_data(launched.measurement))
    codes = {i: data.instruments["ps7"].items[i].codes for i in ITEMS}
    team = data.shown_group(place.units["Team A"].pk)
    assert team is not None
    # The scale, and its rwg(j) with it, is now hidden beside item 3 in Team A
    # (publication._scale_with_its_items); the attack runs over every group that shows it.
    assert not isinstance(team.scale("ps7", "total"), figures.ScaleFigure)
    assert not isinstance(team.item("ps7", "ps7.3"), figures.ItemFigure), "item 3 (2) hidden"
    learned: dict[int, float] = {}
    shown_rwg = 0
    for g in data.groups.slots:
        group = data.groups[g]
        if isinstance(group, figures.Hidden):
            continue
        total = group.scale("ps7", "total")
        if not isinstance(total, figures.ScaleFigure):
            continue
        shown_rwg += total.rwg_j is not None
        items: dict[str, object] = {}
        for i in ITEMS:
            item = group.item("ps7", i)
            items[i] = item.counts if isinstance(item, figures.ItemFigure) else None
        found = _attack({"scale": {"rwg_j": total.rwg_j}, "items": items}, codes)
        if found is not None and _too_few_answered(group, "ps7", ITEMS):
            learned[g] = round(found, 3)
    # 8.0 in Team A: (1 - 5)^2 / 2, the two answers of item 3 at either end of the scale.
    assert not learned, f"summed variance of hidden items read off rwg(j): {learned}"
    assert shown_rwg, "rwg(j) is still shown where every item of the scale is"


def test_tryghed_score_gives_no_agreement_beside_a_hidden_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same attack on ``tryghed score --json``, which prints rwg(j) unrounded and each
    item's n and mean points: where the four who skipped item 3 and the two who answered
    it all say "Meget enig" to the six other items, every shown item's mean points sit at
    an end of the points range (10, or 0 reversed), so their variance is 0, and rwg(j)
    alone carries item 3's."""
    rows = ["unit," + ",".join(ITEMS)]
    for k in range(6):
        third = {0: "1", 1: "5"}.get(k, "")
        rows.append("Team A," + ",".join(third if i == "ps7.3" else "1" for i in ITEMS))
    rng = random.Random(5)
    for _ in range(6):
        rows.append("Team B," + ",".join(str(rng.choice((1, 2))) for _ in ITEMS))
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "ps7", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    team = next(g for g in result["groups"] if g["unit"] == "Team A")
    if team["suppressed"]:
        # The scale is hidden beside item 3, and its agreement with it.
        assert team.get("rwg_j") is None
        return
    assert team["n"] == 6, "the team's scale (the main one, at the top) is shown"
    items = team["items"]
    assert items["ps7.3"]["suppressed"] is True, "item 3 (2 answers) is hidden"
    others = [i for i in ITEMS if i != "ps7.3"]
    assert all(items[i]["mean_points"] in (0, 10) for i in others), "no spread: all at an end"
    shown = [([1], [items[i]["n"]]) for i in others]  # one code each: variance 0
    rwg = team.get("rwg_j")
    found = None if rwg is None else hidden_variance(float(rwg), shown)
    # 8.0: (1 - 5)^2 / 2, the two answers of item 3 at either end of the scale.
    assert found is None, f"summed variance of item 3's two answers read off rwg(j): {found:.3f}"
