"""The instrument loader: every built-in file loads, and bad files are refused with the line."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tryghed.cli import main
from tryghed.core.instruments import (
    BUILTIN_DIR,
    Instrument,
    InstrumentError,
    load_builtin,
    load_instrument,
    load_templates,
    parse_instrument,
    parse_templates,
)

BUILTIN_FILES = sorted(p for p in BUILTIN_DIR.glob("*.yaml") if p.name != "templates.yaml")

# A small valid file; each bad case below changes one thing in it. Line numbers matter:
# the tests name the line the loader must report.
GOOD = """\
format: 1
id: demo
version: 1
name: {da: Demo, en: Demo}
description: {da: Et eksempel, en: An example}
source: {reference: a test}
authored_by: seed
options:
  - {code: 1, label: {da: Enig, en: Agree}, points: 10}
  - {code: 2, label: {da: Neutral, en: Neutral}, points: 5}
  - {code: 3, label: {da: Uenig, en: Disagree}, points: 0}
items:
  - number: 1
    text: {da: Spørgsmål et, en: Question one}
  - number: 2
    reverse: true
    text: {da: Spørgsmål to, en: Question two}
  - number: 3
    text: {da: Spørgsmål tre, en: Question three}
scales:
  - id: total
    name: {da: I alt, en: Total}
    items: [1, 2, 3]
    score: {min: 0, max: 100}
"""


def refused(text: str, tmp_path: Path) -> InstrumentError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    return info.value


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def insert_after(text: str, number: int, new: str) -> str:
    lines = text.splitlines()
    lines[number:number] = new.splitlines()
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- built-ins


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.stem)
def test_every_builtin_file_loads(path: Path) -> None:
    instrument = load_instrument(path)
    assert instrument.id == path.stem
    assert len(instrument.content_hash) == 64


def test_the_eleven_builtin_instruments_are_there() -> None:
    assert set(load_builtin()) == {
        "ps7",
        "ps7-hem",
        "vz-maturity",
        "amk",
        "support4",
        "hesteskoen",
        "stress",
        "guldkorn",
        "risk5",
        "opgavefokus",
        "tavshed",
    }


@pytest.mark.parametrize(
    ("instrument_id", "scored_items"),
    [
        ("ps7", 7),
        ("ps7-hem", 7),
        ("vz-maturity", 10),
        ("amk", 8),
        ("support4", 4),
        ("hesteskoen", 1),
        ("stress", 1),
        ("opgavefokus", 3),
        ("tavshed", 4),
    ],
)
def test_item_counts_follow_the_spec(instrument_id: str, scored_items: int) -> None:
    instrument = load_builtin()[instrument_id]
    assert sum(item.scored for item in instrument.items) == scored_items


def test_hesteskoen_has_one_rating_and_two_free_text_questions() -> None:
    items = load_builtin()["hesteskoen"].items
    assert [item.type for item in items] == ["choice", "text", "text"]
    assert items[0].rating and items[0].codes == tuple(range(1, 11))


def test_guldkorn_has_one_or_two_items_per_nugget_and_a_bipolar_demands_scale() -> None:
    guldkorn = load_builtin()["guldkorn"]
    assert len(guldkorn.scales) == 6
    assert all(1 <= len(scale.items) <= 2 for scale in guldkorn.scales)
    polarity = {scale.id: scale.polarity for scale in guldkorn.scales}
    assert list(polarity.values()).count("bipolar") == 1
    assert guldkorn.authored_by == "project"
    assert all(item.measures is not None for item in guldkorn.items)


def test_risk5_has_five_factors_and_sensitive_items_for_the_last_two() -> None:
    risk5 = load_builtin()["risk5"]
    assert len(risk5.scales) == 5
    sensitive_scales = [s.id for s in risk5.scales if any(risk5.item(n).sensitive for n in s.items)]
    assert sensitive_scales == [s.id for s in risk5.scales[3:]]


def test_ps7_reverse_keys_are_items_1_3_and_5_with_the_seed_points() -> None:
    ps7 = load_builtin()["ps7"]
    assert [item.number for item in ps7.items if item.reverse] == [1, 3, 5]
    item1, item2 = ps7.item(1), ps7.item(2)
    assert [item2.points(code) for code in range(1, 6)] == [10, 7, 4, 2, 0]
    assert [item1.points(code) for code in range(1, 6)] == [0, 2, 4, 7, 10]
    assert ps7.main_scale is not None
    assert (ps7.main_scale.score.min, ps7.main_scale.score.max) == (0, 70)
    assert ps7.main_scale.also is not None and ps7.main_scale.also.max == 100


def test_ps7_hem_is_a_variant_of_ps7_with_all_items_positive() -> None:
    hem = load_builtin()["ps7-hem"]
    assert hem.variant_of == "ps7"
    assert not any(item.reverse for item in hem.items)


def test_vz_maturity_has_dont_know_as_code_0_and_points_1_to_5() -> None:
    vz = load_builtin()["vz-maturity"]
    for item in vz.items:
        assert item.dont_know is not None and item.dont_know.code == 0
        assert [(o.code, o.points) for o in item.scored_options] == [
            (c, float(c)) for c in range(1, 6)
        ]
    total = vz.scale("total")
    assert total.aggregate == "pooled"
    assert [level.value for level in total.levels] == [1, 2, 3, 4, 5]


def test_support4_is_rated_1_to_10_with_points_equal_to_the_code() -> None:
    support4 = load_builtin()["support4"]
    for item in support4.items:
        assert [(o.code, o.points) for o in item.options] == [(c, float(c)) for c in range(1, 11)]
    assert {scale.polarity for scale in support4.scales} == {"need"}


def test_stress_and_tavshed_carry_their_reference_figures() -> None:
    stressed = load_builtin()["stress"].key_figures[0]
    assert stressed.codes == (4, 5)
    assert stressed.reference is not None and stressed.reference.value == pytest.approx(0.177)
    held_back = load_builtin()["tavshed"].key_figures[0]
    assert held_back.reference_range == (0.5, 0.7)


def test_opgavefokus_places_groups_in_zones_with_ps7_and_ps7_hem() -> None:
    zones = load_builtin()["opgavefokus"].zones
    assert zones is not None
    assert zones.focus == "opgavefokus" and set(zones.safety) == {"ps7", "ps7-hem"}
    assert zones.split == 0.5


def test_templates_name_only_builtin_instruments() -> None:
    templates = {t.id: t for t in load_templates()}
    assert len(templates) == 4
    bundles = {t.instruments for t in templates.values()}
    assert ("ps7-hem", "opgavefokus", "tavshed", "hesteskoen") in bundles
    assert ("risk5", "guldkorn", "stress", "support4", "hesteskoen") in bundles
    assert ("vz-maturity",) in bundles
    assert ("amk", "ps7") in bundles


def test_a_template_with_an_unknown_instrument_is_refused_with_its_line() -> None:
    text = (
        "format: 1\ntemplates:\n  - id: x\n    name: {da: X, en: X}\n"
        "    description: {da: X, en: X}\n    instruments: [ps7, copsoq]\n"
    )
    with pytest.raises(InstrumentError) as info:
        parse_templates(text, "templates.yaml", ["ps7"])
    assert info.value.line == 6
    assert "copsoq" in info.value.reason


# --------------------------------------------------------------------------- the good file


def test_the_good_file_loads_with_mirrored_reverse_points() -> None:
    instrument = parse_instrument(GOOD, "demo.yaml")
    assert instrument.item(2).reverse
    assert [instrument.item(2).points(c) for c in (1, 2, 3)] == [0, 5, 10]
    assert instrument.item(1).id == "demo.1"
    assert instrument.fingerprint.startswith("demo@v1#")


def test_without_scales_there_is_one_total_over_every_scored_item() -> None:
    text = GOOD[: GOOD.index("scales:")]
    instrument = parse_instrument(text)
    assert [s.id for s in instrument.scales] == ["total"]
    assert instrument.scales[0].items == (1, 2, 3)
    assert (instrument.scales[0].score.min, instrument.scales[0].score.max) == (0, 10)


def test_a_yes_in_a_text_stays_the_word_yes() -> None:
    text = GOOD.replace("{da: Enig, en: Agree}", "{da: Ja, en: Yes}")
    label = parse_instrument(text).item(1).options[0].label
    assert label is not None and label.en == "Yes"


def test_the_content_hash_ignores_layout_and_notes_but_not_points() -> None:
    base = parse_instrument(GOOD)
    block = (
        GOOD.replace("name: {da: Demo, en: Demo}", "name:\n  da: Demo\n  en: Demo")
        + "notes: why we did it\n"
    )
    assert parse_instrument(block).content_hash == base.content_hash
    changed = GOOD.replace("points: 5}", "points: 6}")
    assert parse_instrument(changed).content_hash != base.content_hash


def test_instruments_are_frozen() -> None:
    instrument = parse_instrument(GOOD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        instrument.version = 2  # type: ignore[misc]
    assert isinstance(instrument, Instrument)


# --------------------------------------------------------------------------- bad files


def test_the_message_names_file_line_and_reason(tmp_path: Path) -> None:
    text = replace_line(GOOD, 10, "  - {code: 1, label: {da: Neutral, en: Neutral}, points: 5}")
    error = refused(text, tmp_path)
    assert str(error) == f"{tmp_path / 'bad.yaml'}:10: options: option code 1 appears twice"


def test_a_duplicate_code_in_an_items_own_options_names_the_item(tmp_path: Path) -> None:
    text = insert_after(
        GOOD,
        19,
        "    options:\n"
        "      - {code: 1, label: {da: A, en: A}, points: 1}\n"
        "      - {code: 2, label: {da: B, en: B}, points: 2}\n"
        "      - {code: 3, label: {da: C, en: C}, points: 3}\n"
        "      - {code: 3, label: {da: D, en: D}, points: 4}",
    )
    error = refused(text, tmp_path)
    assert (error.line, error.reason) == (24, "item 3: option code 3 appears twice")


@pytest.mark.parametrize(
    ("line", "new", "expected_line", "reason"),
    [
        (1, "format: 2", 1, "unsupported format 2"),
        (2, "id: Demo Instrument", 2, "not a valid id"),
        (3, "version: one", 3, "version: must be an integer"),
        (3, "version: 0", 3, "version: must be 1 or more"),
        (4, "name: {da: Demo}", 4, "name: 'en' is required"),
        (4, "name: {da: Demo, en: Demo, de: Demo}", 4, "unknown key 'de'"),
        (5, "description: {da: '', en: x}", 5, "must not be empty"),
        (6, "source: {seed: x.txt}", 6, "source: needs seed and section"),
        (7, "authored_by: somebody", 7, "authored_by: must be one of"),
        (10, "  - {code: 2, label: {da: N, en: N}, points: null}", 11, "3 follows 1"),
        (11, "  - {code: 4, label: {da: U, en: U}, points: 0}", 11, "4 follows 2"),
        (11, "  - {code: 3, label: {da: U, en: U}, points: zero}", 11, "points: must be a number"),
        (
            11,
            "  - {code: 3, label: {da: U, en: U}}",
            11,
            "give points for every option or for none",
        ),
        (13, "  - number: 2", 13, "expected 1, found 2"),
        (14, "    text: {da: Spørgsmål et}", 14, "'en' is required"),
        (16, "    reverse: maybe", 16, "reverse: must be true or false"),
        (17, "    text: {da: To, en: Two}\n    colour: red", 18, "unknown key 'colour'"),
        (23, "    items: [1, 2, 4]", 23, "scale total: item 4 does not exist"),
        (23, "    items: [1, 1, 2]", 23, "item 1 appears twice"),
        (24, "    score: {min: 100, max: 0}", 24, "max must be greater than min"),
        (21, "  - id: total\n    aggregate: mean", 22, "aggregate: must be one of persons, pooled"),
    ],
)
def test_each_bad_line_is_refused_with_its_line(
    tmp_path: Path, line: int, new: str, expected_line: int, reason: str
) -> None:
    error = refused(replace_line(GOOD, line, new), tmp_path)
    assert error.line == expected_line, str(error)
    assert reason in error.reason, str(error)


def test_an_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    error = refused(GOOD + "colour: blue\n", tmp_path)
    assert error.line == 25 and "unknown key 'colour'" in error.reason


def test_a_missing_required_key_is_refused(tmp_path: Path) -> None:
    error = refused(GOOD.replace("version: 1\n", ""), tmp_path)
    assert error.line == 1 and "'version' is required" in error.reason


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    error = refused(insert_after(GOOD, 3, "version: 2"), tmp_path)
    assert error.line == 4 and "'version' appears twice" in error.reason


def test_broken_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refused(replace_line(GOOD, 14, "    text: {da: [unclosed, en: x}"), tmp_path)
    assert error.line in (14, 15) and "not valid YAML" in error.reason


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert "empty" in refused("", tmp_path).reason


def test_an_alias_bomb_is_refused_where_it_grows_too_large(tmp_path: Path) -> None:
    # Ten aliases of ten, nine deep: 10**9 items from a file of under 1,000 characters.
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
    error = refused("\n".join(lines) + "\n", tmp_path)
    assert error.line == 6 and "repeats too much through aliases" in error.reason


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    error = refused(insert_after(GOOD, 1, "notes: &loop [*loop]"), tmp_path)
    assert error.line == 2 and "refers to the list or mapping it stands in" in error.reason


def test_a_text_repeated_through_an_alias_still_loads() -> None:
    text = replace_line(GOOD, 5, "description: &same {da: Et eksempel, en: An example}")
    text = insert_after(text, 5, "topic: *same")
    assert parse_instrument(text).topic == parse_instrument(text).description


def test_lists_nested_too_deeply_are_refused(tmp_path: Path) -> None:
    assert "nested too deeply" in refused("[" * 50_000 + "]" * 50_000, tmp_path).reason


def test_two_dont_know_options_are_refused(tmp_path: Path) -> None:
    text = insert_after(
        GOOD,
        11,
        "  - {code: 8, label: {da: Ved ikke, en: Don't know}, points: null}\n"
        "  - {code: 9, label: {da: Ved ikke 2, en: Don't know 2}, points: null}",
    )
    error = refused(text, tmp_path)
    assert error.line == 13 and "only one option may have points: null" in error.reason


def test_points_reversed_on_the_dont_know_option_is_refused(tmp_path: Path) -> None:
    text = insert_after(
        GOOD,
        11,
        "  - {code: 0, label: {da: Ved ikke, en: Don't know}, points: null, points_reversed: 1}",
    )
    error = refused(text, tmp_path)
    assert error.line == 12 and "no points_reversed" in error.reason


def test_a_scale_may_not_use_an_unscored_item(tmp_path: Path) -> None:
    text = insert_after(GOOD, 19, "    scored: false")
    error = refused(text, tmp_path)
    assert error.line == 24 and "item 3 is not a scored choice item" in error.reason


def test_a_scored_item_needs_points(tmp_path: Path) -> None:
    text = insert_after(
        GOOD,
        19,
        "    options:\n      - {code: 1, label: {da: A, en: A}}\n      - {code: 2, label: {da: B, en: B}}",
    )
    error = refused(text, tmp_path)
    assert error.line == 21 and "a scored item needs points" in error.reason


def test_show_if_must_name_an_earlier_item_and_its_codes(tmp_path: Path) -> None:
    missing = refused(insert_after(GOOD, 19, "    show_if: {item: 9, codes: [1]}"), tmp_path)
    assert missing.line == 20 and "item 9 does not exist" in missing.reason
    bad_code = refused(insert_after(GOOD, 19, "    show_if: {item: 1, codes: [1, 7]}"), tmp_path)
    assert bad_code.line == 20 and "no option with code 7" in bad_code.reason
    later = refused(insert_after(GOOD, 14, "    show_if: {item: 2, codes: [1]}"), tmp_path)
    assert later.line == 15 and "must come before" in later.reason


def test_show_if_is_one_condition(tmp_path: Path) -> None:
    instrument = parse_instrument(insert_after(GOOD, 19, "    show_if: {item: 1, codes: [1, 2]}"))
    condition = instrument.item(3).show_if
    assert condition is not None and (condition.item, condition.codes) == (1, (1, 2))
    listed = "    show_if:\n      - {item: 1, codes: [1]}"
    error = refused(insert_after(GOOD, 19, listed), tmp_path)
    assert error.line == 21 and "must be a mapping" in error.reason


def test_measures_is_required_when_the_project_wrote_the_items(tmp_path: Path) -> None:
    error = refused(GOOD.replace("authored_by: seed", "authored_by: project"), tmp_path)
    assert error.line == 13 and "'measures' is required" in error.reason


def test_bands_may_not_overlap_and_consequences_must_name_a_band(tmp_path: Path) -> None:
    bands = (
        "    bands:\n"
        "      - {id: good, codes: [1], label: {da: G, en: G}}\n"
        "      - {id: bad, codes: [3, 1], label: {da: B, en: B}}"
    )
    overlap = refused(GOOD + bands + "\n", tmp_path)
    assert overlap.line == 27 and "code 1 is in more than one band" in overlap.reason
    fine = bands.replace("[3, 1]", "[3]")
    consequences = "\n    consequences:\n      ugly: {da: U, en: U}\n"
    unknown = refused(GOOD + fine + consequences, tmp_path)
    assert unknown.line == 29 and "'ugly' names no band id" in unknown.reason
    assert (
        parse_instrument(GOOD + fine + consequences.replace("ugly", "bad"))
        .scales[0]
        .consequence("bad")
        is not None
    )


def test_key_figures_are_checked(tmp_path: Path) -> None:
    figure = (
        "key_figures:\n"
        "  - id: agree\n"
        "    label: {da: Enige, en: Agreeing}\n"
        "    items: [1]\n"
        "    codes: [1, 5]\n"
    )
    bad_code = refused(GOOD + figure, tmp_path)
    assert bad_code.line == 29 and "no option with code 5" in bad_code.reason
    fine = figure.replace("[1, 5]", "[1]")
    too_big = refused(fine.join([GOOD, "    reference: {value: 17.7}\n"]), tmp_path)
    assert too_big.line == 30 and "between 0 and 1" in too_big.reason
    no_value = refused(fine.join([GOOD, "    reference: {source: NFA}\n"]), tmp_path)
    assert no_value.line == 30 and "needs a value" in no_value.reason
    both = fine.join([GOOD, "    reference: {value: 0.2}\n    reference_range: [0.5, 0.7]\n"])
    assert "not both" in refused(both, tmp_path).reason


def test_zones_are_checked(tmp_path: Path) -> None:
    zones = "zones:\n  safety: [ps7]\n  focus: demo\n  split: 1.5\n"
    error = refused(GOOD + zones, tmp_path)
    assert error.line == 28 and "split" in error.reason
    other = refused(
        GOOD + zones.replace("focus: demo", "focus: other").replace("1.5", "0.5"), tmp_path
    )
    assert other.line == 27 and "must be one of the axes" in other.reason


def test_an_item_reference_must_name_options_and_not_exceed_one(tmp_path: Path) -> None:
    reference = "    reference:\n      shares: {1: 0.6, 2: 0.5}\n      source: NFA"
    error = refused(insert_after(GOOD, 14, reference), tmp_path)
    assert error.line == 16 and "sum to more than 1" in error.reason
    unknown = refused(insert_after(GOOD, 14, reference.replace("2: 0.5", "7: 0.1")), tmp_path)
    assert unknown.line == 16 and "7 is not an option code" in unknown.reason


def test_level_descriptions_are_read() -> None:
    levels = (
        "    levels:\n"
        "      - {value: 0, label: {da: Lav, en: Low}, description: {da: Lavt, en: Low it is}}\n"
        "      - {value: 100, label: {da: Høj, en: High}}\n"
    )
    by_level = "    consequences:\n      100: {da: Godt, en: Good}\n"
    scale = parse_instrument(GOOD + levels + by_level).scales[0]
    assert scale.consequence("100") is not None  # a consequence may name a level value
    assert scale.levels[0].description is not None
    assert scale.levels[0].description.en == "Low it is"
    assert scale.levels[1].description is None


# --------------------------------------------------------------------------- commands


def test_validate_instrument_says_ok_for_a_good_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["validate-instrument", str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK: demo version 1, 3 items")


def test_validate_instrument_prints_file_line_reason_for_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(replace_line(GOOD, 23, "    items: [1, 2, 4]"), encoding="utf-8")
    assert main(["validate-instrument", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"{path}:23: scale total: item 4 does not exist"


def test_instruments_lists_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instruments"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["id", "version", "name", "items", "authored_by"]
    assert {line.split()[0] for line in lines[1:]} == set(load_builtin())


def test_instruments_shows_one_with_items_and_options_in_english(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["instruments", "ps7", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "ps7.1 (R): If you make a mistake on this team" in out
    assert "    1 Strongly agree -> 0" in out  # item 1 is reverse keyed
    assert "    1 Strongly agree -> 10" in out


def test_instruments_refuses_an_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instruments", "copsoq"]) == 2
    assert "known: amk" in capsys.readouterr().err
