"""Red team, a key figure beside a hidden item (adversary 1 of privacy.md section 0: a
reader of a unit's figures, on the page, in an export or in ``tryghed score --json``).

risk5's "workload often" is the share of the workload scale's people who answer "Ofte" or
"Altid" to at least one of items 1-3. Its items' distributions are shown one by one, each
on its own count. In a team of six where two answered item 3 (hidden: "for få svar") and
nobody answered items 1 or 2 with "Ofte" or "Altid" (as their shown distributions say),
every person the key figure counts answered item 3 so: the share gives away how many of the
two did."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.privacy import attack
from tryghed.cli import main
from tryghed.core import figures
from tryghed.results.aggregates import report_data

pytestmark = pytest.mark.django_db

ITEMS = ["risk5.1", "risk5.2", "risk5.3"]
OFTEN = (4, 5)


def _team(rng: random.Random) -> list[dict[str, int]]:
    """Six who never say "Ofte"/"Altid" to items 1-2; the first two answer item 3 "Altid"."""
    people = []
    for k in range(6):
        answers = {item: rng.choice((1, 2, 3)) for item in ITEMS[:2]}
        if k < 2:
            answers["risk5.3"] = 5
        people.append(answers)
    return people


def learned_from(
    n: int, share: float, shown: Sequence[tuple[Sequence[int], Sequence[int]]], hidden: int
) -> int | None:
    """How many answered a hidden item with "Ofte"/"Altid", when the shown items have no
    such answer (then every person counted did so on a hidden item); None otherwise."""
    if not hidden:
        return None
    on_shown = sum(
        k for codes, counts in shown for c, k in zip(codes, counts, strict=True) if c in OFTEN
    )
    count = round(share * n)
    return count if on_shown == 0 and count > 0 else None


def test_the_key_figure_does_not_count_the_answers_of_a_hidden_item() -> None:
    place = attack.build_workplace({"Team A": (None, 6), "Team B": (None, 6), "Team C": (None, 6)})
    launched = attack.launch(place, ("risk5",))
    rng = random.Random(8)
    for person, answers in zip(place.people["Team A"], _team(rng), strict=True):
        attack.submit(launched.tokens[person.pk], answers)
    for person in place.people["Team B"] + place.people["Team C"]:
        attack.submit(launched.tokens[person.pk], {i: rng.choice((1, 2, 3)) for i in ITEMS})
    attack.close(place, launched.measurement)
    data = figures.load(report_data(launched.measurement))
    codes = {i: data.instruments["risk5"].items[i].codes for i in ITEMS}
    team = data.shown_group(place.units["Team A"].pk)
    assert team is not None
    # The workload scale itself is hidden beside item 3 (publication._scale_with_its_items);
    # the key figure counts people by their items, so it needs its own rule.
    assert not isinstance(team.scale("risk5", "workload"), figures.ScaleFigure)
    assert not isinstance(team.item("risk5", "risk5.3"), figures.ItemFigure), "item 3 hidden"
    learned: dict[int, int] = {}
    shown_key = 0
    for g in data.groups.slots:
        group = data.groups[g]
        if isinstance(group, figures.Hidden):
            continue
        key = group.key_figure("risk5", "workload-often")
        if not isinstance(key, figures.KeyShare) or key.share is None:
            continue
        shown_key += 1
        items = {i: group.item("risk5", i) for i in ITEMS}
        shown = [
            (codes[i], f.counts) for i, f in items.items() if isinstance(f, figures.ItemFigure)
        ]
        found = learned_from(key.n, key.share, shown, len(ITEMS) - len(shown))
        too_few = any(
            isinstance(f, figures.Hidden) and f.reason == "below_minimum" for f in items.values()
        )
        # An item hidden only for its n beside its scale's rests on the minimum or more.
        if found is not None and too_few:
            learned[g] = found
    # 2 in Team A: both who answered item 3 said "Altid".
    assert not learned, (
        f"'Ofte'/'Altid' answers to a hidden item, read off the key figure: {learned}"
    )
    assert shown_key, "the key figure is still shown where its items are"


def test_tryghed_score_gives_no_key_figure_beside_a_hidden_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same attack on ``tryghed score --json``, which prints each item's n and mean
    points, not its distribution: Team A's items 1-2 are all "Aldrig" (mean points 0), so
    no one is counted there."""
    rows = ["unit," + ",".join(f"risk5.{i}" for i in range(1, 18))]
    blank = [""] * 14
    for k in range(6):
        rows.append("Team A,1,1," + ("5" if k < 2 else "") + "," + ",".join(blank))
    rng = random.Random(9)
    for _ in range(6):
        codes = [str(rng.choice((1, 2, 3))) for _ in ITEMS]
        rows.append("Team B," + ",".join(codes) + "," + ",".join(blank))
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "risk5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    team = next(g for g in result["groups"] if g["unit"] == "Team A")
    if team["suppressed"]:
        # The workload scale is hidden beside item 3, and its key figures with it.
        assert "workload-often" not in team.get("key_figures", {})
        return
    items = team["items"]  # the main scale's (workload), printed at the top
    assert items["risk5.3"]["suppressed"] is True, "item 3 (2 answers) is hidden"
    assert all(items[i]["mean_points"] == 0 for i in ITEMS[:2]), "items 1-2: all 'Aldrig'"
    key = team["key_figures"]["workload-often"]
    found = (
        None
        if key.get("suppressed")
        else learned_from(key["n"], key["share"], [([1], [items[i]["n"]]) for i in ITEMS[:2]], 1)
    )
    assert found is None, f"'Altid' answers to item 3, read off the key figure: {found}"
