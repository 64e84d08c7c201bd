"""`tryghed score` builds its figures with core.publication, the builder behind the web
reports (issue 14, "built twice"): the command's groups are the builder's groups."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tryghed.cli import main
from tryghed.core import publication
from tryghed.core.instruments import load_builtin

PS7 = load_builtin()["ps7"]
ITEMS = [item.id for item in PS7.items]
# Names the builder's paths could not hold ("/") or a CSV must quote (",").
TREE = {"Skole/Nord": None, "Indskoling, 0-3": "Skole/Nord", "Mellemtrin": "Skole/Nord"}
SIZES = {
    "før": {"Skole/Nord": 2, "Indskoling, 0-3": 9, "Mellemtrin": 4},
    "efter": {"Skole/Nord": 3, "Indskoling, 0-3": 12, "Mellemtrin": 11},
}


def _dataset(tmp_path: Path) -> tuple[Path, Path, list[tuple[str, str, list[int | None]]]]:
    rng = random.Random(5)
    rows: list[tuple[str, str, list[int | None]]] = []
    for wave, sizes in SIZES.items():
        for unit, size in sizes.items():
            for _ in range(size):
                # Some items left out: prorated person scores, item n below the scale's.
                codes = [rng.randint(1, 5) if rng.random() > 0.1 else None for _ in ITEMS]
                rows.append((unit, wave, codes))
    responses = tmp_path / "responses.csv"
    lines = ["unit,wave," + ",".join(ITEMS)]
    lines += [
        f'"{unit}",{wave},' + ",".join("" if c is None else str(c) for c in codes)
        for unit, wave, codes in rows
    ]
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text(
        "unit,parent\n" + "".join(f'"{u}","{p or ""}"\n' for u, p in TREE.items()),
        encoding="utf-8",
    )
    return responses, units, rows


def _publications(rows: list[tuple[str, str, list[int | None]]]) -> dict[str, dict[str, Any]]:
    """The builder's publication of each wave, made here from the same answers, with unit
    ids of its own (the command numbers its units differently)."""
    ids = {"Skole/Nord": 70, "Indskoling, 0-3": 71, "Mellemtrin": 72}
    paths = {"Skole/Nord": "/70/", "Indskoling, 0-3": "/70/71/", "Mellemtrin": "/70/72/"}
    tree = publication.build_tree(
        [(ids[u], paths[u], paths[u].count("/") - 2, True) for u in TREE], organisation=False
    )
    names = {str(ids[u]): u for u in TREE}
    out: dict[str, dict[str, Any]] = {}
    previous: dict[str, Any] | None = None
    for number, wave in enumerate(SIZES, start=1):
        mine = [(u, codes) for u, w, codes in rows if w == wave]
        atom = np.array([tree.index[str(ids[u])] for u, _ in mine], dtype=np.intp)
        codes = np.array(
            [[np.nan if c is None else float(c) for c in row] for _, row in mine], dtype=np.float64
        )
        answers = publication.Answers(
            atom=atom,
            codes={"ps7": codes},
            multi_n={},
            multi_counts={},
            texts={},
            responses=np.bincount(atom, minlength=tree.n_atoms).astype(np.intp),
        )
        measured = publication.Measured(
            id=number,
            status="closed",
            previous_id=number - 1 if previous is not None else None,
            previous=previous,
        )
        previous = publication.build(
            measured, [PS7], tree, names, answers, publication.Minimums.chosen(score=5)
        )
        out[wave] = previous
    return out


def test_the_command_gives_the_builders_publication_group_by_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    responses, units, rows = _dataset(tmp_path)
    assert (
        main(["score", str(responses), "--instrument", "ps7", "--units", str(units), "--json"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    published = _publications(rows)
    ids = {"Skole/Nord": 70, "Indskoling, 0-3": 71, "Mellemtrin": 72}

    lines = {(g["wave"], g["unit"], g["scope"]): g for g in result["groups"]}
    assert set(lines) == {(w, u, s) for w in SIZES for u in TREE for s in ("unit", "subtree")}
    shown = hidden = 0
    for (wave, unit, scope), line in lines.items():
        block = publication.group(published[wave], ids[unit], scope)
        scale = None if block["suppressed"] else block["instruments"]["ps7"]["scales"]["total"]
        if scale is None or scale["suppressed"]:
            reason = block["reason"] if scale is None else scale["reason"]
            assert line == {
                "unit": unit,
                "wave": wave,
                "scope": scope,
                "suppressed": True,
                "reason": reason,
            }
            hidden += 1
            continue
        shown += 1
        assert line["suppressed"] is False
        for key in ("n", "mean", "sd", "ci95", "rwg_j"):
            assert line[key] == scale[key], (wave, unit, scope, key)
        assert (line["also"]["mean"], line["also"]["ci95"]) == (
            scale["also"]["mean"],
            scale["also"]["ci95"],
        )
        items = block["instruments"]["ps7"]["items"]
        for item_id, figure in line["items"].items():
            if items[item_id]["suppressed"]:
                assert figure == {"suppressed": True, "reason": items[item_id]["reason"]}
            else:
                assert figure == {
                    "n": items[item_id]["n"],
                    "mean_points": items[item_id]["mean_points"],
                }
    # The dataset is built so that both kinds occur, and groups are hidden for both reasons.
    assert shown >= 4 and hidden >= 2
    assert {g.get("reason") for g in result["groups"]} >= {"below_minimum", "complementary"}

    # Changes: those of the later wave's publication, against the earlier one's figures.
    changes = {(c["unit"], c["scope"]): c for c in result["changes"]}
    expected = {}
    for unit in TREE:
        for scope in ("unit", "subtree"):
            block = publication.group(published["efter"], ids[unit], scope)
            if block["suppressed"]:
                continue
            scale = block["instruments"]["ps7"]["scales"]["total"]
            if not scale["suppressed"] and "change" in scale:
                expected[(unit, scope)] = scale["change"]
    assert expected and set(changes) == set(expected)
    for group_key, change in expected.items():
        line = changes[group_key]
        assert (line["before"], line["after"]) == ("før", "efter")
        assert line["n_before"] == change["n_before"]
        assert line["mean_before"] == change["mean_before"]
        assert line["diff"] == change["difference"]
        assert line["diff_ci95"] == change["ci95"]
        assert (line["p"], line["real"]) == (change["p"], change["real"])

    # ICC as the publication gives it (over the units that show the scale).
    for wave in SIZES:
        level = published[wave]["measurement_level"]["scales"]["ps7"]["total"]
        icc = None if level["suppressed"] else level["icc"]
        assert result["icc1"][wave] == (icc["icc1"] if icc is not None else None)


def _total(tree: publication.Tree, unit: str) -> dict[str, Any]:
    """The ps7 total of ``unit`` when A has 6 answers and B 3, minimum 5."""
    atom = np.array([0] * 6 + [1] * 3, dtype=np.intp)
    answers = publication.Answers(
        atom=atom,
        codes={"ps7": np.ones((9, len(ITEMS)))},
        multi_n={},
        multi_counts={},
        texts={},
        responses=np.bincount(atom, minlength=2).astype(np.intp),
    )
    data = publication.build(
        publication.Measured(id=1, status="closed"),
        [PS7],
        tree,
        {"1": "A", "2": "B"},
        answers,
        publication.Minimums.chosen(score=5),
    )
    block = publication.group(data, unit)
    scale: dict[str, Any] = (
        block if block["suppressed"] else block["instruments"]["ps7"]["scales"]["total"]
    )
    return scale


def test_a_tree_without_its_organisation_group_protects_only_the_groups_it_shows() -> None:
    # A (6) and B (3) side by side, minimum 5. With the whole (9) among the shown groups,
    # A must be hidden too (9 - 6 = 3 people of B); the command shows units only, so the
    # whole is no group to protect there, and A can be shown.
    rows = [(1, "/1/", 0, True), (2, "/2/", 0, True)]
    with_whole = publication.build_tree(rows)
    assert _total(with_whole, "1") == {"suppressed": True, "reason": "complementary"}

    units_only = publication.build_tree(rows, organisation=False)
    assert units_only.unpublished == frozenset({units_only.slot[publication.ORGANISATION]})
    assert _total(units_only, "1")["n"] == 6
    assert _total(units_only, "2") == {"suppressed": True, "reason": "below_minimum"}


def test_with_one_top_unit_the_whole_is_its_subtree_and_stays_protected() -> None:
    rows = [(1, "/1/", 0, True), (2, "/1/2/", 1, True)]
    tree = publication.build_tree(rows, organisation=False)
    assert tree.unpublished == frozenset()
    assert tree.slot[publication.ORGANISATION] == tree.slot[("subtree", "1")]
