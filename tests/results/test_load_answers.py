"""load_answers reads option codes through the database (issue 14): every stored value
gives the code the Python reading of the stored JSON gives, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from tests.conftest import World
from tests.results.test_aggregates import answer, make_measurement, ps7
from tryghed.core.publication import Answers, build_tree, report_units
from tryghed.results import answers
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments, unit_tree_now


def expected_code(value: object) -> float:
    """The rule, on the decoded JSON: an integer written in digits is a code (a JSON
    number, or a string holding one); a bool, a decimal, a list, a word is not."""
    if type(value) is int:
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return float(int(value))
    return math.nan


def loaded(measurement: Measurement, instrument_ids: list[str]) -> Answers:
    tree = build_tree(report_units(unit_tree_now(measurement)))
    instruments = measurement_instruments(measurement)
    assert [i.id for i in instruments] == instrument_ids
    return answers.load_answers(measurement, instruments, tree, with_texts=True)


DAMAGED: list[Any] = [
    [1, 2],
    "x",
    "2",
    " 2",
    "nan",
    "-",
    "na",
    "1e2",
    True,
    False,
    None,
    2.5,
    3.0,
    -1,
    12345678901234,
    {"a": 1},
    "a\x1fb",
    "",
]


@pytest.mark.django_db
def test_every_damaged_value_reads_as_the_python_rule_says(world: World) -> None:
    measurement = make_measurement(world)
    stored = []
    # One damaged value per row, each in a different item, among good answers.
    for k, value in enumerate(DAMAGED):
        row: dict[str, Any] = {**ps7([2, 3, 1, 4, 2, 3, 1])}
        row[f"ps7.{1 + k % 7}"] = value
        if k % 3 == 0:
            del row[f"ps7.{1 + (k + 1) % 7}"]
        stored.append(answer(measurement, world.team_a, row))
    answer(measurement, world.team_b, {})
    found = loaded(measurement, ["ps7"])
    rows = sorted(stored, key=lambda r: r.pk)
    by_id = {r.pk: r for r in rows}
    order = sorted([*by_id, *(r.pk for r in measurement.responses.exclude(pk__in=by_id))])
    expected = np.full((len(order), 7), np.nan)
    for i, pk in enumerate(order):
        answers = by_id[pk].answers if pk in by_id else {}
        for j in range(7):
            expected[i, j] = expected_code(answers.get(f"ps7.{j + 1}"))
    assert np.array_equal(found.codes["ps7"], expected, equal_nan=True)


@pytest.mark.django_db
def test_a_chunk_of_clean_rows_is_parsed_whole_and_keeps_the_row_order(world: World) -> None:
    measurement = make_measurement(world, ("ps7", "risk5"))
    rows: list[dict[str, Any]] = [
        {**ps7([1, 2, 3, 4, 5, 1, 2]), "risk5.9": [1, 3]},
        {**ps7([5, 4, 3, 2, 1, 5, 4]), "risk5.9": "[1]"},
        {"ps7.3": 4, "risk5.9": [True, 2, 2, "3"]},
    ]
    for unit, row in zip((world.team_a, world.team_b, world.area), rows, strict=True):
        answer(measurement, unit, row)
    found = loaded(measurement, ["ps7", "risk5"])
    order = list(measurement.responses.order_by("id").values_list("answers", flat=True))
    expected = np.array([[expected_code(a.get(f"ps7.{j}")) for j in range(1, 8)] for a in order])
    assert np.array_equal(found.codes["ps7"], expected, equal_nan=True)
    # Multi items: only a stored list counts, and only its integer elements.
    assert int(found.multi_n["risk5.9"].sum()) == 2
    assert int(found.multi_counts["risk5.9"].sum()) == 3


@pytest.mark.django_db
def test_free_texts_are_the_text_items_strings_with_more_than_blanks_in_row_order(
    world: World,
) -> None:
    measurement = make_measurement(world, ("ps7", "hesteskoen"))
    written: list[dict[str, Any]] = [
        {"hesteskoen.2": "  Godt samarbejde ", "hesteskoen.3": "Mere tid"},
        {"hesteskoen.2": "   "},
        {"hesteskoen.2": 5, "hesteskoen.3": ["Ikke en tekst"]},
        {"hesteskoen.3": 'Tak\x1f for "det" ø'},
        {"hesteskoen.1": "Ikke et tekstspørgsmål"},
        {},
    ]
    for k, texts in enumerate(written):
        unit = (world.team_a, world.team_b)[k % 2]
        answer(measurement, unit, ps7([1, 2, 3, 4, 5, 1, 2]), texts)
    found = loaded(measurement, ["ps7", "hesteskoen"])
    stored = list(measurement.responses.order_by("id").values_list("texts", flat=True))
    for item_id in ("hesteskoen.2", "hesteskoen.3"):
        expected = [
            (int(found.atom[i]), value.strip())
            for i, texts in enumerate(stored)
            if isinstance(value := texts.get(item_id), str) and value.strip()
        ]
        assert found.texts[item_id] == expected
    assert sorted(t for item in found.texts.values() for _a, t in item) == [
        "Godt samarbejde",
        "Mere tid",
        'Tak\x1f for "det" ø',
    ]
