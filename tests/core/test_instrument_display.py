"""``display:`` in the instrument file: how a report shows an instrument is declared there,
validated by the loader, kept out of the fingerprint, and never switched on an id in Python."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from tests.core.test_instruments import GOOD
from tryghed.core.instruments import (
    BUILTIN_DIR,
    DISPLAY_KINDS,
    Display,
    InstrumentError,
    load_builtin,
    parse_instrument,
    with_builtin_display,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "tryghed"
# Modules allowed to name a built-in instrument: the loader, and demo data (its answers
# name the instruments they answer).
ALLOWED = re.compile(r"(^core/instruments\.py$|(^|/)demo[^/]*\.py$)")

STAIRS_SCALE = """\
scales:
  - id: total
    name: {da: I alt, en: Total}
    items: [1, 2, 3]
    score: {min: 1, max: 3}
    levels:
      - {value: 1, label: {da: Lav, en: Low}}
      - {value: 2, label: {da: Middel, en: Middle}}
      - {value: 3, label: {da: Høj, en: High}}
"""

KEY_FIGURE = """\
key_figures:
  - id: agree
    label: {da: Enige, en: Agree}
    items: [1]
    codes: [1]
"""


def with_display(display: str, text: str = GOOD) -> str:
    return text + "display:\n" + "".join(f"  {line}\n" for line in display.splitlines())


def refused(text: str) -> InstrumentError:
    with pytest.raises(InstrumentError) as info:
        parse_instrument(text, "x.yaml")
    return info.value


def quoted_builtin_ids(source: str) -> list[tuple[int, str]]:
    """String literals (not comments, not docstrings) that name a built-in instrument,
    alone or as the start of an item, scale or figure key ("ps7", "ps7.3", "ps7/total")."""
    ids = "|".join(re.escape(i) for i in sorted(load_builtin(), key=len, reverse=True))
    pattern = re.compile(rf"(?:{ids})(?:[./][A-Za-z0-9_.-]*)?")
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and pattern.fullmatch(node.value)
    ]


def test_no_python_outside_the_loader_and_demo_data_names_a_builtin_instrument() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if ALLOWED.search(relative) or "/migrations/" in f"/{relative}":
            continue
        for line, value in quoted_builtin_ids(path.read_text(encoding="utf-8")):
            found.append(f"{relative}:{line}: {value!r}")
    assert found == [], "declare it under display: in the instrument file instead"


def test_the_id_check_sees_a_quoted_id_and_ignores_comments_and_docstrings() -> None:
    source = (
        '"""About ps7."""\n'
        'MATURITY = "vz-maturity"  # "guldkorn" in a comment\n'
        'KEY = "ps7.total"\n'
        'TEXT = "ps7 is a questionnaire"\n'
    )
    assert quoted_builtin_ids(source) == [(2, "vz-maturity"), (3, "ps7.total")]


def test_every_builtin_declares_what_the_reports_did_by_id() -> None:
    shown = {iid: i.shown_as for iid, i in load_builtin().items()}
    assert shown["vz-maturity"].kind == "staircase"
    assert shown["support4"].kind == "support_chart"
    assert shown["guldkorn"].kind == "nuggets" and shown["guldkorn"].driver == "predictor"
    assert {i for i, d in shown.items() if d.kind == "key_figure_reading"} == {
        "stress",
        "tavshed",
    }
    assert {i for i, d in shown.items() if d.driver == "outcome"} == {"ps7", "ps7-hem", "stress"}
    assert shown["amk"].lead == 1 and shown["ps7"].lead == shown["ps7-hem"].lead == 2
    assert dict(shown["risk5"].risk_factors)["violence"] == "violence-exposed"
    note = shown["stress"].note
    assert note is not None and "17,7 %" in note.da and "17.7%" in note.en
    # The plain block in reports; the file holds the dialogue's Hesteskoen exercise.
    assert shown["hesteskoen"] == Display(exercise="horseshoe")
    assert shown["support4"].exercise == "support"
    assert {i for i, d in shown.items() if d.exercise} == {"hesteskoen", "support4"}


def test_display_is_not_part_of_the_fingerprint() -> None:
    plain = parse_instrument(GOOD)
    shown = parse_instrument(with_display("kind: key_figure_reading", GOOD + KEY_FIGURE))
    assert plain.display is None and shown.display is not None
    assert parse_instrument(GOOD + KEY_FIGURE).fingerprint == shown.fingerprint


def test_a_copy_frozen_before_display_was_declared_shows_as_the_file_says_now() -> None:
    text = (BUILTIN_DIR / "vz-maturity.yaml").read_text(encoding="utf-8")
    frozen = parse_instrument(text.replace("display:\n  kind: staircase\n", ""))
    assert frozen.display is None
    assert with_builtin_display(frozen).shown_as.kind == "staircase"
    # An organisation's own instrument is never given a built-in's display by its id.
    own = dataclasses.replace(frozen, authored_by="organisation")
    assert with_builtin_display(own).display is None


def test_a_valid_display_is_read() -> None:
    text = with_display(
        "kind: staircase\ndriver: outcome\nlead: 3\n"
        "note: {da: Til sammenligning, en: For comparison}\n"
        "risk_factors: {workload: agree}",
        GOOD.replace(GOOD[GOOD.index("scales:") :], STAIRS_SCALE) + KEY_FIGURE,
    )
    display = parse_instrument(text).shown_as
    assert display.kind == "staircase" and display.driver == "outcome" and display.lead == 3
    assert display.note is not None and display.note.en == "For comparison"
    assert display.risk_factors == (("workload", "agree"),)


@pytest.mark.parametrize(
    ("display", "extra", "reason"),
    [
        ("kind: chart", "", "display: kind: must be one of " + ", ".join(DISPLAY_KINDS)),
        ("colour: red", "", "display: unknown key 'colour'"),
        ("kind: staircase", "", "display: kind: staircase needs at least two levels"),
        ("kind: support_chart", "", "needs one to three bands on every scale; 'total' has 0"),
        ("kind: key_figure_reading", "", "key_figure_reading needs key_figures"),
        ("note: {da: Note, en: Note}", "", "display: note: is shown under key figures"),
        ("note: {da: Note}", KEY_FIGURE, "display: note: "),
        ("driver: cause", "", "display: driver: must be one of outcome, predictor"),
        ("lead: 0", "", "display: lead: must be 1 or more"),
        ("risk_factors: {workload: nope}", KEY_FIGURE, "workload: no key figure 'nope'"),
        ("risk_factors: [agree]", KEY_FIGURE, "must map each risk factor to a key figure id"),
    ],
)
def test_a_bad_display_is_refused_with_the_line_and_the_reason(
    display: str, extra: str, reason: str
) -> None:
    text = with_display(display, GOOD + extra)
    error = refused(text)
    assert reason in error.reason
    assert error.line > text[: text.index("display:")].count("\n")


def test_an_exercise_needs_a_choice_item_and_a_known_name() -> None:
    with pytest.raises(InstrumentError, match="display: exercise:"):
        parse_instrument(with_display("exercise: fishbowl", GOOD))
    shown = parse_instrument(with_display("exercise: support", GOOD))
    assert shown.shown_as.exercise == "support"
