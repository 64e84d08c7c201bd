"""Red team, a person-score scale's mean and SD beside a hidden item (adversary 1 of
privacy.md section 0: a reader of ``tryghed score --json``, the pages and the exports).

Closed (``publication._scale_with_its_items``): the scale's people are counted on more than half of its items,
so an item answered by fewer than the minimum of them is hidden ("for få svar") while the
scale is shown. Where every shown item's answers are all alike (its distribution, or its
mean points at an end of the range, says so), each person's score is known up to their
answer to the hidden item, and the scale's mean and SD give those answers back: in a team
of six who all said "Meget enig" to six ps7 items, the two who answered item 3 said
"Meget enig" and "Meget uenig". The same shape as vz-maturity's pooled total (a9853a9),
which is hidden wherever a topic with answers is; for a mean of person scores the gain is
exact only in such uniform groups, but it is a figure about fewer than the minimum. The
scale is now hidden wherever an item of it with answers is hidden on its own count."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from tryghed.cli import main

ITEMS = [f"ps7.{i}" for i in range(1, 8)]
POINTS = (0, 2, 4, 7, 10)  # ps7's points, either keying
MINIMUM = 5


def hidden_answers(n: int, mean: float, sd: float, known: float) -> set[tuple[int, ...]]:
    """The hidden item's points of its k answerers (k = 1..n-1) consistent with the scale's
    mean and SD, when every person's shown items sum to ``known`` points: a person without
    the hidden item scores known / 6 x 7, one with it known + p."""
    total = n * mean
    squares = (n - 1) * sd * sd + n * mean * mean
    found: set[tuple[int, ...]] = set()
    for k in range(1, n):
        for combo in itertools.combinations_with_replacement(POINTS, k):
            scores = [known / 6 * 7] * (n - k) + [known + p for p in combo]
            if math.isclose(sum(scores), total, abs_tol=1e-6) and math.isclose(
                sum(s * s for s in scores), squares, abs_tol=1e-4
            ):
                found.add(combo)
    return found


def test_the_scale_mean_does_not_give_back_a_hidden_items_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["unit," + ",".join(ITEMS)]
    for k in range(6):
        third = {0: "1", 1: "5"}.get(k, "")
        rows.append("Team A," + ",".join(third if i == "ps7.3" else "1" for i in ITEMS))
    for k in range(6):
        rows.append("Team B," + ",".join(str(1 + (k + j) % 3) for j in range(7)))
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "ps7", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    team = next(g for g in result["groups"] if g["unit"] == "Team A")
    if team["suppressed"]:
        # Hidden where item 3 is: no mean or SD to solve, and the reason gives no count.
        assert team.get("mean") is None and team.get("sd") is None
        assert team["reason"] == "complementary"
        return
    assert team["n"] == 6, "the team's scale is shown"
    items = team["items"]
    assert items["ps7.3"]["suppressed"] is True, "item 3 (2 answers) is hidden"
    others = [i for i in ITEMS if i != "ps7.3"]
    # Every shown item answered by all six, its mean points at an end: all alike.
    assert all(items[i]["n"] == 6 and items[i]["mean_points"] in (0, 10) for i in others)
    known = sum(items[i]["mean_points"] for i in others)
    found = hidden_answers(team["n"], team["mean"], team["sd"], known)
    assert len(found) != 1 or not 0 < len(next(iter(found))) < MINIMUM, (
        f"the hidden item's answers (points) of fewer than the minimum: {found}"
    )
