"""core.tighten on publications built by the current code, with one record changed as an
old build would have had it (the database's read path: tests/results/test_tighten.py)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from tryghed.core import publication
from tryghed.core.instruments import load_builtin, parse_instrument
from tryghed.core.publication import Answers, Measured, Minimums, build, build_tree
from tryghed.core.tighten import tighten

PS7 = load_builtin()["ps7"]
HESTESKOEN = load_builtin()["hesteskoen"]


def _built(texts: bool = False, seed: int = 3, skip: bool = True) -> dict[str, Any]:
    """Two teams of 8 and 6 under a department, ps7 answered with a skip (unless not
    ``skip``: then every item is shown where its scale is, and the stored-only rule for a
    scale beside a hidden item leaves it); with ``texts`` hesteskoen too, a comment per
    person to each of its questions."""
    rows = [(1, "/1/", 0, True), (2, "/1/2/", 1, True), (3, "/1/3/", 1, True)]
    tree = build_tree(rows)
    rng = np.random.default_rng(seed)
    atom = np.array([tree.index["2"]] * 8 + [tree.index["3"]] * 6, dtype=np.intp)
    codes = rng.integers(1, 6, size=(atom.size, len(PS7.items))).astype(np.float64)
    if skip:
        codes[0, 2] = np.nan
    instruments = [PS7, HESTESKOEN] if texts else [PS7]
    text_items = [item.id for item in HESTESKOEN.items if item.type == "text"]
    answers = Answers(
        atom=atom,
        codes={
            "ps7": codes,
            "hesteskoen": np.full((atom.size, len(HESTESKOEN.items)), np.nan),
        },
        multi_n={},
        multi_counts={},
        texts={
            item: [(int(a), f"tekst {item} {k}") for k, a in enumerate(atom)] for item in text_items
        }
        if texts
        else {},
        responses=np.bincount(atom, minlength=tree.n_atoms),
    )
    return build(
        Measured(id=7, status="closed"), instruments, tree, {}, answers, Minimums.chosen(5, 5, 10)
    )


def _as_schema_2(data: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(data)
    old["schema"] = 2
    return old


def _scale(data: dict[str, Any], slot: int, scale: str = "trust") -> dict[str, Any]:
    found: dict[str, Any] = data["groups"][slot]["instruments"]["ps7"]["scales"][scale]
    return found


def test_a_figure_the_fresh_build_hides_is_hidden_with_its_reason() -> None:
    fresh = _built()
    old = _as_schema_2(fresh)
    slot = fresh["units"]["2"]["unit"]
    main = fresh["instruments"]["ps7"]["main_scale"]
    fresh["groups"][slot]["instruments"]["ps7"]["scales"][main] = {
        "suppressed": True,
        "reason": "below_minimum",
    }
    result = tighten(old, fresh=fresh, instruments=[PS7])
    assert _scale(result.data, slot, main) == {"suppressed": True, "reason": "below_minimum"}
    assert result.data["schema"] == publication.SCHEMA
    assert result.hidden >= 1 and result.compared_with_fresh


def test_a_figure_shown_in_both_keeps_the_stored_value() -> None:
    fresh = _built()
    old = _as_schema_2(fresh)
    slot = fresh["organisation"]
    main = fresh["instruments"]["ps7"]["main_scale"]
    _scale(old, slot, main)["mean"] = 4.25  # computed otherwise by the old release
    result = tighten(old, fresh=fresh, instruments=[PS7])
    assert _scale(result.data, slot, main)["mean"] == 4.25
    assert result.hidden == 0


def test_a_figure_hidden_in_the_old_one_stays_hidden_and_one_only_fresh_stays_absent() -> None:
    fresh = _built()
    old = _as_schema_2(fresh)
    slot = fresh["units"]["3"]["unit"]
    main = fresh["instruments"]["ps7"]["main_scale"]
    old["groups"][slot]["instruments"]["ps7"]["scales"][main] = {
        "suppressed": True,
        "reason": "complementary",
    }
    _scale(fresh, fresh["organisation"], main)["extra"] = 1.0
    result = tighten(old, fresh=fresh, instruments=[PS7])
    assert _scale(result.data, slot, main)["suppressed"] is True
    assert "extra" not in _scale(result.data, result.data["organisation"], main)


def test_without_answers_alpha_below_the_minimum_of_complete_cases_is_withheld() -> None:
    data = _built(skip=False)
    main = data["instruments"]["ps7"]["main_scale"]
    block = data["measurement_level"]["scales"]["ps7"][main]
    assert block["suppressed"] is False
    n = _scale(data, data["organisation"], main)["n"]
    block["alpha"] = {"alpha": 0.8, "ci95": [0.7, 0.9], "n_complete": n - 2, "k": 7}
    result = tighten(_as_schema_2(data), instruments=[PS7])
    assert result.data["measurement_level"]["scales"]["ps7"][main]["alpha"] is None
    block["alpha"]["n_complete"] = n  # no gap: shown as stored
    result = tighten(_as_schema_2(data), instruments=[PS7])
    assert result.data["measurement_level"]["scales"]["ps7"][main]["alpha"]["n_complete"] == n


def test_a_change_is_dropped_when_the_earlier_wave_no_longer_shows_its_figure() -> None:
    earlier, data = _built(seed=1, skip=False), _built(seed=2, skip=False)
    data["measurement"]["previous"] = 6
    slot = data["organisation"]
    main = data["instruments"]["ps7"]["main_scale"]
    before = _scale(earlier, earlier["organisation"], main)
    _scale(data, slot, main)["change"] = {
        "previous": 6,
        "n_before": before["n"],
        "mean_before": before["mean"],
        "difference": 0.1,
    }
    kept = tighten(_as_schema_2(data), instruments=[PS7], previous=earlier)
    assert "change" in _scale(kept.data, slot, main)
    hidden = copy.deepcopy(earlier)
    hidden["groups"][hidden["organisation"]]["instruments"]["ps7"]["scales"][main] = {
        "suppressed": True,
        "reason": "complementary",
    }
    dropped = tighten(_as_schema_2(data), instruments=[PS7], previous=hidden)
    assert "change" not in _scale(dropped.data, slot, main)
    assert "change" not in _scale(tighten(_as_schema_2(data), instruments=[PS7]).data, slot, main)


def test_texts_no_shown_group_lists_leave_the_table_and_the_rest_are_renumbered() -> None:
    fresh = _built(texts=True)
    old = _as_schema_2(fresh)
    item = next(iter(fresh["groups"][fresh["organisation"]]["comments"]))
    team = fresh["units"]["3"]["unit"]
    mine = set(old["groups"][team]["comments"][item]["texts"])
    assert mine
    for slot in {team, fresh["units"]["1"]["subtree"], fresh["organisation"]}:
        fresh["groups"][slot]["comments"][item] = {"suppressed": True, "reason": "below_minimum"}
    result = tighten(old, fresh=fresh, instruments=[PS7])
    gone = [old["texts"][k] for k in mine]
    assert not set(gone) & set(result.data["texts"])
    other = result.data["units"]["2"]["unit"]
    listed = [
        result.data["texts"][k] for k in result.data["groups"][other]["comments"][item]["texts"]
    ]
    assert listed == [old["texts"][k] for k in old["groups"][other]["comments"][item]["texts"]]
    assert result.texts_removed == len(mine)


def test_an_agreement_beside_a_hidden_item_of_its_scale_is_withheld() -> None:
    data = _built(seed=5)
    # As if the answers agreed (random ones leave rwg(j) undefined): a value to withhold.
    for group in data["groups"]:
        for figure in group.get("instruments", {}).get("ps7", {}).get("scales", {}).values():
            if figure["suppressed"] is False:
                figure["rwg_j"] = 0.5
    slot = data["units"]["3"]["unit"]  # no one there skipped an item
    main = data["instruments"]["ps7"]["main_scale"]
    kept = tighten(_as_schema_2(data), instruments=[PS7])
    assert _scale(kept.data, slot, main)["rwg_j"] == _scale(data, slot, main)["rwg_j"] is not None
    first = data["instruments"]["ps7"]["scales"][main]["items"][0]
    data["groups"][slot]["instruments"]["ps7"]["items"][first] = {
        "suppressed": True,
        "reason": "below_minimum",
    }
    # From the stored figures alone the scale itself goes beside a hidden item of it
    # (schema 4), and its agreement with it.
    tightened = _scale(tighten(_as_schema_2(data), instruments=[PS7]).data, slot, main)
    assert tightened == {"suppressed": True, "reason": "complementary"}


def test_a_scale_beside_a_hidden_item_of_it_is_hidden_where_the_answers_are_gone() -> None:
    data = _built(seed=5)
    slot = data["units"]["3"]["unit"]  # no one there skipped an item
    main = data["instruments"]["ps7"]["main_scale"]
    other = data["units"]["2"]["unit"]
    assert _scale(data, slot, main)["suppressed"] is False
    first = data["instruments"]["ps7"]["scales"][main]["items"][0]
    data["groups"][slot]["instruments"]["ps7"]["items"][first] = {
        "suppressed": True,
        "reason": "below_minimum",
    }
    tightened = tighten(_as_schema_2(data), instruments=[PS7]).data
    assert _scale(tightened, slot, main) == {"suppressed": True, "reason": "complementary"}
    # A group whose items are all shown keeps its scale at the stored value.
    if all(
        f["suppressed"] is False
        for f in data["groups"][other]["instruments"]["ps7"]["items"].values()
    ):
        assert _scale(tightened, other, main) == _scale(data, other, main)


RISK5 = load_builtin()["risk5"]


def _risk5_built(seed: int, measurement_id: int) -> dict[str, Any]:
    """Twelve people in one unit answering risk5's choice items at random (no ticks)."""
    tree = build_tree([(1, "/1/", 0, True)])
    rng = np.random.default_rng(seed)
    codes = rng.integers(1, 6, size=(12, len(RISK5.items))).astype(np.float64)
    multi = [item for item in RISK5.items if item.type == "multi"]
    for item in multi:
        codes[:, item.number - 1] = np.nan
    answers = Answers(
        atom=np.zeros(12, dtype=np.intp),
        codes={"risk5": codes},
        multi_n={item.id: np.zeros(1, dtype=np.intp) for item in multi},
        multi_counts={item.id: np.zeros((1, len(item.options)), dtype=np.intp) for item in multi},
        texts={},
        responses=np.array([12]),
    )
    return build(
        Measured(id=measurement_id, status="closed"),
        [RISK5],
        tree,
        {},
        answers,
        Minimums.chosen(5, 5, 10),
    )


def test_a_key_figure_beside_a_hidden_item_of_it_is_hidden() -> None:
    risk5 = RISK5
    data = _risk5_built(seed=4, measurement_id=8)
    slot = data["organisation"]
    block = data["groups"][slot]["instruments"]["risk5"]
    assert block["key_figures"]["workload-often"]["suppressed"] is False
    assert block["key_figures"]["demands-often"]["suppressed"] is False
    kept = tighten(_as_schema_2(data), instruments=[risk5])
    assert kept.data["groups"][slot] == data["groups"][slot]
    block["items"]["risk5.3"] = {"suppressed": True, "reason": "below_minimum"}
    tightened = tighten(_as_schema_2(data), instruments=[risk5]).data["groups"][slot]
    keys = tightened["instruments"]["risk5"]["key_figures"]
    assert keys["workload-often"] == {"suppressed": True, "reason": "complementary"}
    assert keys["demands-often"]["suppressed"] is False  # items 4 and 5 are shown
    # Not knowing the instrument's content, every key figure beside a hidden item goes.
    blind = tighten(_as_schema_2(data)).data["groups"][slot]
    assert blind["instruments"]["risk5"]["key_figures"]["demands-often"]["suppressed"] is True


def test_a_follow_up_beside_the_hidden_item_it_follows_is_hidden() -> None:
    risk5 = RISK5
    data = _risk5_built(seed=6, measurement_id=9)
    slot = data["organisation"]
    items = data["groups"][slot]["instruments"]["risk5"]["items"]
    # "Fra hvem?" (risk5.9) follows risk5.8; shown, as an old build could have had it.
    assert items["risk5.8"]["suppressed"] is False
    items["risk5.9"] = {"suppressed": False, "n": 6, "counts": [3, 2, 1]}
    kept = tighten(_as_schema_2(data), instruments=[risk5]).data
    assert kept["groups"][slot]["instruments"]["risk5"]["items"]["risk5.9"] == items["risk5.9"]
    items["risk5.8"] = {"suppressed": True, "reason": "below_minimum"}
    tightened = tighten(_as_schema_2(data), instruments=[risk5]).data
    followed = tightened["groups"][slot]["instruments"]["risk5"]["items"]
    assert followed["risk5.9"] == {"suppressed": True, "reason": "complementary"}
    assert followed["risk5.11"] == items["risk5.11"]  # follows risk5.10, which is shown


# -- schema 5, where the answers are gone ---------------------------------------------------


def _as_schema_4(data: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(data)
    old["schema"] = 4
    return old


def _risk5_two_teams(seed: int) -> dict[str, Any]:
    """Two teams of twelve under a department, risk5's choice items answered at random."""
    tree = build_tree([(1, "/1/", 0, True), (2, "/1/2/", 1, True), (3, "/1/3/", 1, True)])
    rng = np.random.default_rng(seed)
    atom = np.array([tree.index["2"]] * 12 + [tree.index["3"]] * 12, dtype=np.intp)
    codes = rng.integers(1, 6, size=(atom.size, len(RISK5.items))).astype(np.float64)
    multi = [item for item in RISK5.items if item.type == "multi"]
    for item in multi:
        codes[:, item.number - 1] = np.nan
    answers = Answers(
        atom=atom,
        codes={"risk5": codes},
        multi_n={item.id: np.zeros(tree.n_atoms, dtype=np.intp) for item in multi},
        multi_counts={
            item.id: np.zeros((tree.n_atoms, len(item.options)), dtype=np.intp) for item in multi
        },
        texts={},
        responses=np.bincount(atom, minlength=tree.n_atoms),
    )
    return build(
        Measured(id=11, status="closed"), [RISK5], tree, {}, answers, Minimums.chosen(5, 5, 10)
    )


def test_without_answers_a_schema_4_publication_hides_sensitive_figures_below_the_whole() -> None:
    data = _risk5_two_teams(seed=8)
    team = data["units"]["2"]["unit"]
    whole = data["organisation"]
    sensitive = [
        fid
        for fid, meta in data["instruments"]["risk5"]["key_figures"].items()
        if meta["minimum"] > 5
    ]
    assert sensitive
    shown = [
        fid
        for fid in sensitive
        if data["groups"][team]["instruments"]["risk5"]["key_figures"][fid]["suppressed"] is False
    ]
    assert shown, "a team of twelve shows its sensitive key figures"
    result = tighten(_as_schema_4(data), instruments=[RISK5])
    assert result.from_schema == 4 and not result.compared_with_fresh
    tightened = result.data
    for fid in shown:
        keys = tightened["groups"][team]["instruments"]["risk5"]["key_figures"]
        assert keys[fid] == {"suppressed": True, "reason": "complementary"}
    # The whole organisation is never hidden by difference: it keeps them.
    assert tightened["groups"][whole] == data["groups"][whole]
    # A figure under the score minimum stays as it was.
    workload = tightened["groups"][team]["instruments"]["risk5"]["key_figures"]["workload-often"]
    assert workload == data["groups"][team]["instruments"]["risk5"]["key_figures"]["workload-often"]


def test_a_schema_4_publication_is_not_tightened_again_by_the_rules_it_was_built_under() -> None:
    # A scale beside an item hidden only by the one-set rule was shown under schema 4; the
    # stored-only version of the scale rule (any hidden item) would hide it.
    data = _built(seed=5)
    slot = data["units"]["3"]["unit"]
    main = data["instruments"]["ps7"]["main_scale"]
    first = data["instruments"]["ps7"]["scales"][main]["items"][0]
    data["groups"][slot]["instruments"]["ps7"]["items"][first] = {
        "suppressed": True,
        "reason": "complementary",
    }
    kept = _scale(tighten(_as_schema_4(data), instruments=[PS7]).data, slot, main)
    assert kept["suppressed"] is False and kept["mean"] == _scale(data, slot, main)["mean"]
    assert _scale(tighten(_as_schema_2(data), instruments=[PS7]).data, slot, main)["suppressed"]


FOLLOWED = parse_instrument("""\
format: 1
id: egen
version: 1
name: {da: Eget skema, en: Own questionnaire}
description: {da: Skrevet af AMO, en: Written by the AMO}
source: {reference: Udarbejdet af AMO}
authored_by: organisation
options:
  - {code: 1, label: {da: Aldrig, en: Never}, points: 0}
  - {code: 2, label: {da: Altid, en: Always}, points: 100}
items:
  - number: 1
    text: {da: "Bliver du overhørt?", en: "Are you ignored?"}
    scored: false
  - number: 2
    text: {da: "Fortæl gerne, hvornår", en: "Tell us when"}
    type: text
    show_if: {item: 1, codes: [2]}
""")


def test_without_answers_a_text_follow_up_is_hidden_where_the_item_it_follows_is() -> None:
    tree = build_tree([(1, "/1/", 0, True), (2, "/1/2/", 1, True), (3, "/1/3/", 1, True)])
    atom = np.array([tree.index["2"]] * 12 + [tree.index["3"]] * 12, dtype=np.intp)
    codes = np.full((atom.size, 2), np.nan)
    codes[:, 0] = 2
    answers = Answers(
        atom=atom,
        codes={"egen": codes},
        multi_n={},
        multi_counts={},
        texts={"egen.2": [(int(a), f"tekst {k}") for k, a in enumerate(atom)]},
        responses=np.bincount(atom, minlength=tree.n_atoms),
    )
    data = build(
        Measured(id=12, status="closed"), [FOLLOWED], tree, {}, answers, Minimums.chosen(5, 5, 10)
    )
    team, other = data["units"]["2"]["unit"], data["units"]["3"]["unit"]
    assert data["groups"][team]["comments"]["egen.2"]["suppressed"] is False
    # As a build before schema 5 could have had it: the earlier item hidden, the comments not.
    data["groups"][team]["instruments"]["egen"]["items"]["egen.1"] = {
        "suppressed": True,
        "reason": "complementary",
    }
    tightened = tighten(_as_schema_4(data), instruments=[FOLLOWED]).data
    assert tightened["groups"][team]["comments"]["egen.2"] == {
        "suppressed": True,
        "reason": "complementary",
    }
    assert tightened["groups"][other]["comments"] == data["groups"][other]["comments"]
