"""``tryghed score``: the JSON contract of statistics.md, suppression and input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tryghed.cli import main
from tryghed.core import statistics
from tryghed.core.instruments import load_builtin

HEADER = "unit,ps7.1,ps7.2,ps7.3,ps7.4,ps7.5,ps7.6,ps7.7"
# Every answer 1 scores 40 of 70 (items 1, 3, 5 reversed: 0; the others 10), every
# answer 5 scores 30, every answer 3 scores 28 (4 points x 7).
ALL_1, ALL_5, ALL_3 = ",1,1,1,1,1,1,1", ",5,5,5,5,5,5,5", ",3,3,3,3,3,3,3"

CONTRACT_GROUP = {
    "unit",
    "wave",
    "scope",
    "suppressed",
    "n",
    "mean",
    "sd",
    "ci95",
    "rwg_j",
    "items",
}
SUPPRESSED_GROUP = {"unit", "wave", "scope", "suppressed", "reason"}


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def score_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["score", *args, "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def by_key(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(g["unit"], g["scope"]): g for g in result["groups"]}


@pytest.fixture
def two_units(tmp_path: Path) -> Path:
    a_rows = [f"A{row}" for row in (ALL_1, ALL_1, ALL_5, ALL_5, ALL_3, ALL_3)]
    b_rows = [f"B{row}" for row in (ALL_1, ALL_5, ALL_3)]
    return write(tmp_path, "responses.csv", [HEADER, *a_rows, *b_rows])


def test_the_json_has_exactly_the_contract_shape(
    two_units: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = score_json(capsys, str(two_units), "--instrument", "ps7")
    contract = {"instrument", "min_group", "groups", "reliability", "icc1", "icc2"}
    # statistics.md: "an optional reliability_by_scale gives every scale's".
    assert set(result) == contract | {"reliability_by_scale"}
    assert (result["instrument"], result["min_group"]) == ("ps7", 5)
    assert set(result["reliability"]) == {"alpha", "alpha_ci95", "n_complete"}
    # Over A's six only: B (three) is hidden, and 9 - 6 gave its n (privacy.md section 3).
    assert result["reliability"]["n_complete"] == 6
    groups = by_key(result)
    shown = groups[("A", "unit")]
    # The contract's keys, plus "also": ps7 on 0-100 beside 0-70.
    assert set(shown) == CONTRACT_GROUP | {"also"}
    assert (shown["wave"], shown["suppressed"]) == (None, False)
    assert set(shown["items"]) == {f"ps7.{i}" for i in range(1, 8)}
    assert all(set(item) == {"n", "mean_points"} for item in shown["items"].values())
    assert isinstance(shown["mean"], float) and len(shown["ci95"]) == 2


def test_a_shown_group_carries_the_hand_computed_numbers(
    two_units: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = by_key(score_json(capsys, str(two_units), "--instrument", "ps7"))[("A", "unit")]
    scores = [40, 40, 30, 30, 28, 28]
    expected = statistics.summarise(scores)
    assert expected.ci95 is not None
    assert shown["n"] == 6
    assert shown["mean"] == pytest.approx(196 / 6)  # unrounded
    assert shown["sd"] == pytest.approx(expected.sd)
    assert shown["ci95"] == pytest.approx(list(expected.ci95))
    # Item 1 is reversed: answers 1, 1, 5, 5, 3, 3 give 0, 0, 10, 10, 4, 4 points.
    assert shown["items"]["ps7.1"] == {"n": 6, "mean_points": pytest.approx(28 / 6)}
    assert shown["also"]["mean"] == pytest.approx(196 / 6 / 70 * 100)


def test_a_group_below_the_minimum_carries_no_numbers_at_all(
    two_units: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hidden = by_key(score_json(capsys, str(two_units), "--instrument", "ps7"))[("B", "unit")]
    assert hidden == {
        "unit": "B",
        "wave": None,
        "scope": "unit",
        "suppressed": True,
        "reason": "below_minimum",
    }


def test_min_group_can_be_lowered_to_the_floor_but_not_below(
    two_units: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = score_json(capsys, str(two_units), "--instrument", "ps7", "--min-group", "3")
    assert by_key(result)[("B", "unit")]["n"] == 3
    assert main(["score", str(two_units), "--instrument", "ps7", "--min-group", "2"]) == 2
    assert "below the floor of 3" in capsys.readouterr().err


def test_a_unit_tree_adds_subtree_scope_and_hides_by_subtraction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Org has 1 respondent of its own, A 6, B 3. Org's subtree (10) minus A (6) would
    # leave 4 people: below 5, so A is hidden too ("complementary").
    responses = write(
        tmp_path,
        "responses.csv",
        [HEADER, f"Org{ALL_3}", *(f"A{ALL_1}" for _ in range(6)), *(f"B{ALL_5}" for _ in range(3))],
    )
    units = write(tmp_path, "units.csv", ["unit,parent", "Org,", "A,Org", "B,Org"])
    result = score_json(capsys, str(responses), "--instrument", "ps7", "--units", str(units))
    groups = by_key(result)
    assert set(groups) == {(u, s) for u in ("Org", "A", "B") for s in ("unit", "subtree")}
    assert groups[("Org", "subtree")]["n"] == 10
    assert groups[("A", "unit")]["reason"] == "complementary"
    assert groups[("B", "unit")]["reason"] == "below_minimum"
    for group in groups.values():
        if group["suppressed"]:
            assert set(group) == SUPPRESSED_GROUP


def test_nothing_shown_lets_a_small_group_be_derived_by_subtraction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The attacker subtracts shown groups from shown groups that contain them. In a tree
    # every derivable set is made of regions (a shown group minus the largest shown groups
    # inside it), so each region and each nested difference must be 0 or >= the minimum.
    rng = np.random.default_rng(11)
    tree = {"Org": "", "X": "Org", "Y": "Org", "X1": "X", "X2": "X", "Y1": "Y", "Y2": "Y"}
    sizes = {"Org": 2, "X": 1, "X1": 7, "X2": 3, "Y": 0, "Y1": 5, "Y2": 9}
    rows = [HEADER]
    for unit, size in sizes.items():
        rows += [unit + "".join(f",{c}" for c in rng.integers(1, 6, 7)) for _ in range(size)]
    responses = write(tmp_path, "responses.csv", rows)
    units = write(tmp_path, "units.csv", ["unit,parent", *(f"{u},{p}" for u, p in tree.items())])
    result = score_json(capsys, str(responses), "--instrument", "ps7", "--units", str(units))

    def people(unit: str, scope: str) -> frozenset[str]:
        """The units with respondents that the group covers."""
        below = {unit}
        if scope == "subtree":
            changed = True
            while changed:
                more = {u for u, p in tree.items() if p in below} - below
                changed, below = bool(more), below | more
        return frozenset(u for u in below if sizes[u] > 0)

    shown = {people(g["unit"], g["scope"]): g["n"] for g in result["groups"] if not g["suppressed"]}
    assert shown, "something must be shown for the check to mean anything"
    for outer, n_outer in shown.items():
        assert n_outer == sum(sizes[u] for u in outer)
        inside = [m for m in shown if m < outer]
        for inner in inside:
            assert n_outer - shown[inner] == 0 or n_outer - shown[inner] >= 5
        largest = [m for m in inside if not any(m < o for o in inside)]
        region = n_outer - sum(shown[m] for m in largest)
        assert region == 0 or region >= 5, (sorted(outer), region)


def test_waves_are_scored_and_suppressed_separately(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "unit,wave," + HEADER.split(",", 1)[1]
    rows = [f"A,2025{ALL_1}"] * 5 + [f"A,2026{ALL_5}"] * 4
    result = score_json(
        capsys, str(write(tmp_path, "r.csv", [header, *rows])), "--instrument", "ps7"
    )
    waves = {g["wave"]: g for g in result["groups"]}
    assert waves["2025"]["n"] == 5 and waves["2025"]["mean"] == pytest.approx(40.0)
    assert waves["2026"] == {
        "unit": "A",
        "wave": "2026",
        "scope": "unit",
        "suppressed": True,
        "reason": "below_minimum",
    }


def test_unknown_columns_are_ignored_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER + ",comment,ps7.9", *(f"A{ALL_1},hej,1" for _ in range(5))]
    assert (
        main(["score", str(write(tmp_path, "r.csv", rows)), "--instrument", "ps7", "--json"]) == 0
    )
    captured = capsys.readouterr()
    assert "warning: ignoring unknown column(s): comment, ps7.9" in captured.err
    assert json.loads(captured.out)["groups"][0]["n"] == 5


def test_semicolon_separated_files_from_danish_spreadsheets_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER.replace(",", ";"), *(f"A{ALL_1}".replace(",", ";") for _ in range(5))]
    result = score_json(capsys, str(write(tmp_path, "r.csv", rows)), "--instrument", "ps7")
    assert result["groups"][0]["mean"] == pytest.approx(40.0)


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("6", "'6'"), ("1.5", "'1.5'"), ("x", "'x'"), ("0", "'0'")],
)
def test_an_invalid_code_stops_with_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, shown: str
) -> None:
    rows = [HEADER, f"A{ALL_1}", f"A,1,{cell},1,1,1,1,1"]
    path = write(tmp_path, "r.csv", rows)
    assert main(["score", str(path), "--instrument", "ps7"]) == 2
    err = capsys.readouterr().err
    assert f"row 3, column ps7.2: invalid code {shown} (allowed: 1, 2, 3, 4, 5)" in err


def test_a_missing_unit_column_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "r.csv", ["team,ps7.1", "A,1"])
    assert main(["score", str(path), "--instrument", "ps7"]) == 2
    assert "the required column 'unit' is missing" in capsys.readouterr().err


def test_an_empty_wave_in_a_file_of_waves_is_an_error_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, the row became a wave of its own, "None", with its own reliability and
    changes against the others (independent review)."""
    header = "unit,wave" + HEADER.removeprefix("unit")
    rows = [header, f"A,før{ALL_1}", f"A,efter{ALL_5}", f"A,{ALL_3}"]
    path = write(tmp_path, "r.csv", rows)
    assert main(["score", str(path), "--instrument", "ps7", "--json"]) == 2
    assert "row 4, column wave: the wave is empty" in capsys.readouterr().err
    # A wave column left empty in every row is a file of one wave.
    rows = [header, *(f"A,{codes}" for codes in (ALL_1, ALL_5, ALL_3, ALL_1, ALL_5))]
    result = score_json(capsys, str(write(tmp_path, "one.csv", rows)), "--instrument", "ps7")
    assert {g["wave"] for g in result["groups"]} == {None}


def test_an_empty_unit_is_an_error_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "r.csv", [HEADER, f"A{ALL_1}", f"{ALL_1}"])
    assert main(["score", str(path), "--instrument", "ps7"]) == 2
    assert "row 3, column unit: the unit is empty" in capsys.readouterr().err


def test_an_unknown_instrument_lists_the_known_ones(
    two_units: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(two_units), "--instrument", "copsoq"]) == 2
    err = capsys.readouterr().err
    assert "unknown instrument 'copsoq'" in err and "ps7, ps7-hem" in err


def test_a_unit_missing_from_the_unit_file_is_an_error(
    two_units: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write(tmp_path, "units.csv", ["unit,parent", "A,"])
    assert main(["score", str(two_units), "--instrument", "ps7", "--units", str(units)]) == 2
    assert "unit(s) not in" in capsys.readouterr().err


def test_a_cycle_in_the_unit_file_is_an_error(
    two_units: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write(tmp_path, "units.csv", ["unit,parent", "A,B", "B,C", "C,A"])
    assert main(["score", str(two_units), "--instrument", "ps7", "--units", str(units)]) == 2
    assert "the units form a cycle: A -> B -> C -> A" in capsys.readouterr().err


def test_an_unknown_parent_in_the_unit_file_is_an_error(
    two_units: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write(tmp_path, "units.csv", ["unit,parent", "A,", "B,Z"])
    assert main(["score", str(two_units), "--instrument", "ps7", "--units", str(units)]) == 2
    assert "row 3, column parent: 'Z' is not a unit" in capsys.readouterr().err


def test_without_json_the_result_is_an_aligned_table(
    two_units: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(two_units), "--instrument", "ps7"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("unit"))
    row_a = next(line for line in lines if line.startswith("A "))
    row_b = next(line for line in lines if line.startswith("B "))
    assert "32.7" in row_a and "too few answers" in row_b
    assert header.index("scope") == row_a.index("unit")  # columns line up
    assert any(line.startswith("Cronbach's alpha (total):") for line in lines)


def test_a_sensitive_scale_needs_ten_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # risk5's krænkende handlinger are sensitive: 8 answers show the workload scale
    # (minimum 5) but not the offensive-behaviour scale (minimum 10).
    risk5 = load_builtin()["risk5"]
    offensive = next(s for s in risk5.scales if any(risk5.item(n).sensitive for n in s.items))
    workload = risk5.main_scale
    assert workload is not None
    header = ["unit", *(risk5.item(n).id for n in (*workload.items, *offensive.items))]
    row = ["A", *("1" for _ in range(len(header) - 1))]
    path = write(tmp_path, "r.csv", [",".join(header)] + [",".join(row)] * 8)
    group = score_json(capsys, str(path), "--instrument", "risk5")["groups"][0]
    assert group["n"] == 8
    assert group["scales"][offensive.id] == {"suppressed": True, "reason": "below_minimum"}


def test_two_waves_give_per_wave_reliability_and_changes_from_the_shown_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "unit,wave," + HEADER.split(",", 1)[1]
    before = [f"A,før{row}" for row in (ALL_1, ALL_5, ALL_3) * 4]
    after = [f"A,efter{row}" for row in (ALL_1, ALL_1, ALL_1, ALL_5) * 3]
    result = score_json(
        capsys, str(write(tmp_path, "r.csv", [header, *before, *after])), "--instrument", "ps7"
    )
    assert set(result["reliability"]) == {"før", "efter"}
    assert set(result["icc1"]) == {"før", "efter"}
    shown = {g["wave"]: g for g in result["groups"]}
    expected = statistics.welch_change(
        np.array([40.0, 30.0, 28.0] * 4), np.array([40.0, 40.0, 40.0, 30.0] * 3), scale_range=70
    )
    assert expected is not None
    [change] = result["changes"]
    assert (change["unit"], change["before"], change["after"]) == ("A", "før", "efter")
    assert change["mean_before"] == shown["før"]["mean"]
    assert change["n_before"] == shown["før"]["n"] == 12
    assert change["diff"] == pytest.approx(expected.difference, abs=1e-12)
    assert change["p"] == pytest.approx(expected.p, rel=1e-9)
    assert change["real"] is expected.real


def test_identical_non_integer_scores_have_sd_zero_and_show_no_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One item unanswered: the person score is prorated and not a whole number.
    header = "unit,wave," + HEADER.split(",", 1)[1]
    row = ",2,3,4,5,1,2,"
    rows = [f"A,1{row}"] * 12 + [f"A,2{row}"] * 12
    result = score_json(
        capsys, str(write(tmp_path, "r.csv", [header, *rows])), "--instrument", "ps7"
    )
    means = {g["wave"]: g["mean"] for g in result["groups"]}
    assert means["1"] != round(means["1"])  # the case the rule is about
    assert {g["sd"] for g in result["groups"]} == {0.0}
    [change] = result["changes"]
    assert (change["diff"], change["real"], change["zero_variance"]) == (0.0, False, True)


def test_a_bipolar_scale_carries_shares_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guldkorn = load_builtin()["guldkorn"]
    bipolar = [s for s in guldkorn.scales if s.polarity == "bipolar"]
    assert bipolar
    items = [i for i in guldkorn.items if i.type == "choice"]
    header = "unit," + ",".join(i.id for i in items)
    row = "A," + ",".join(str(i.options[0].code) for i in items)
    result = score_json(
        capsys, str(write(tmp_path, "g.csv", [header, *[row] * 6])), "--instrument", "guldkorn"
    )
    [group] = [g for g in result["groups"] if g["scope"] == "unit"]
    blocks = [group, *group.get("scales", {}).values()]
    ids = [guldkorn.main_scale.id if guldkorn.main_scale else "", *group.get("scales", {})]
    for scale_id, block in zip(ids, blocks, strict=True):
        if guldkorn.scale(scale_id).polarity == "bipolar":
            assert not {"mean", "sd", "ci95"} & set(block), scale_id
            assert block["bands"]


def test_a_bipolar_scales_items_carry_no_mean_either(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # statistics.md: "Bipolar scales (guldkorn krav) carry shares only, never a mean". Krav
    # has one item, so that item's mean points would be the scale's mean by another name.
    guldkorn = load_builtin()["guldkorn"]
    items = [i for i in guldkorn.items if i.type == "choice"]
    header = "unit," + ",".join(i.id for i in items)
    rows = [
        "A," + ",".join(str(i.options[k % len(i.options)].code) for i in items) for k in range(6)
    ]
    result = score_json(
        capsys, str(write(tmp_path, "g.csv", [header, *rows])), "--instrument", "guldkorn"
    )
    [group] = [g for g in result["groups"] if g["scope"] == "unit"]
    blocks = {guldkorn.main_scale.id if guldkorn.main_scale else "": group, **group["scales"]}
    bipolar = [s for s in guldkorn.scales if s.polarity == "bipolar"]
    assert bipolar
    for scale in bipolar:
        block = blocks[scale.id]
        assert block["n"] == 6
        for item_id, figure in block["items"].items():
            assert figure == {"n": 6}, item_id
    # Scales that are read as higher-is-better keep their item means.
    influence = blocks["influence"]
    assert all("mean_points" in f for f in influence["items"].values())


def test_an_error_after_a_text_with_line_breaks_names_the_spreadsheet_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = HEADER + ",note"
    rows = [f'A{ALL_1},"første linje\nanden linje"', f"A{ALL_1}".replace(",1,1,1", ",9,1,1", 1)]
    path = write(tmp_path, "r.csv", [header, *rows])
    assert main(["score", str(path), "--instrument", "ps7", "--json"]) == 2
    error = capsys.readouterr().err
    # Row 3 in a spreadsheet (header = row 1), though it starts on the file's line 4.
    assert "row 3, column ps7.1: invalid code '9'" in error


def test_a_windows_1252_file_from_danish_excel_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "\r\n".join([HEADER, *(f"Børnehaven Åen{ALL_1}" for _ in range(5))]) + "\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    result = score_json(capsys, str(path), "--instrument", "ps7")
    assert [g["unit"] for g in result["groups"]] == ["Børnehaven Åen"]
    assert result["groups"][0]["n"] == 5


def test_a_unit_name_written_decomposed_matches_its_composed_twin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import unicodedata

    composed = "Skovgården"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    rows = [f"{composed}{ALL_1}"] * 3 + [f"{decomposed}{ALL_1}"] * 3
    responses = write(tmp_path, "r.csv", [HEADER, *rows])
    units = write(tmp_path, "u.csv", ["unit,parent", f"{decomposed},"])
    result = score_json(capsys, str(responses), "--instrument", "ps7", "--units", str(units))
    assert {(g["unit"], g["n"]) for g in result["groups"]} == {(composed, 6)}


def test_a_closed_pipe_ends_the_command_without_a_traceback() -> None:
    import subprocess
    import sys

    # The reader is gone before the command writes (as with `| head` on long output).
    code = "import sys; from tryghed.cli import main; sys.exit(main())"
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-c", code, "instruments", "ps7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors


def test_the_table_in_danish_has_danish_words_and_decimal_commas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--lang da`` gave the instrument's texts in Danish but the table's own words in
    English and numbers with points (independent review)."""
    header = "unit,wave" + HEADER.removeprefix("unit")
    rows = [header]
    for wave, codes in (("før", (ALL_1, ALL_5, ALL_3)), ("efter", (ALL_5, ALL_5, ALL_3))):
        rows += [f"A,{wave}{c}" for c in codes * 4]
        rows += [f"B,{wave}{ALL_1}"] * 2
    path = write(tmp_path, "r.csv", rows)
    assert main(["score", str(path), "--instrument", "ps7", "--lang", "da"]) == 0
    table = capsys.readouterr().out
    assert "mindste gruppe 5" in table and "højere er bedre" in table
    assert "enhed  måling  gruppe" in table and "95 %-interval" in table
    assert "egne svar" in table and "for få svar" in table
    assert "aflæsning" in table and ("vejledende" in table or "sikker" in table)
    assert "fuldstændige besvarelser" in table
    # 4 x (40 + 30 + 28) / 12 = 32.67 of 0-70 before: with a decimal comma.
    assert "32,7" in table and "32.7" not in table
    for english in ("minimum group size", "scope", "too few answers", "complete answers"):
        assert english not in table
    assert main(["score", str(path), "--instrument", "ps7"]) == 0
    english_table = capsys.readouterr().out
    assert "minimum group size 5" in english_table and "32.7" in english_table
