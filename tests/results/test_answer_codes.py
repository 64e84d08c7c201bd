"""load_answers reads responses' choice answers from their bytes (``Response.codes``,
issue 14) where they have the right length, and they give exactly the codes the JSON
gives, on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.results.test_aggregates import make_measurement, ps7
from tests.results.test_load_answers import DAMAGED, expected_code, loaded
from tryghed.core.answer_codes import choice_item_ids, encode
from tryghed.surveys.models import Measurement, Response
from tryghed.surveys.selectors import measurement_instruments

INSTRUMENTS = ["ps7", "risk5"]
WEEK = "2026-W47"


def _item_ids(measurement: Measurement) -> list[str]:
    return choice_item_ids(measurement_instruments(measurement))


def _codes_as_json_gives(measurement: Measurement) -> dict[str, np.ndarray]:
    """load_answers with every response read from its JSON."""
    kept = dict(Response.objects.filter(measurement=measurement).values_list("pk", "codes"))
    Response.objects.filter(measurement=measurement).update(codes=None)
    try:
        return dict(loaded(measurement, INSTRUMENTS).codes)
    finally:
        for pk, codes in kept.items():
            Response.objects.filter(pk=pk).update(codes=codes)


# Values a stored answer may hold: good codes, codes a byte cannot hold, and damage.
VALUES = st.one_of(
    st.integers(min_value=-2, max_value=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.from_regex(r"-?0*[0-9]{1,4}", fullmatch=True),
    st.text(max_size=4).filter(lambda s: "\x00" not in s),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e15, -1e16, 2e20, 3.0, -0.0, 1e-05]),
    st.lists(st.integers(min_value=0, max_value=5), max_size=2),
    st.sampled_from(DAMAGED),
)


@pytest.fixture
def measurement(world: World) -> Measurement:
    return make_measurement(world, tuple(INSTRUMENTS))


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_bytes_give_exactly_the_codes_the_json_gives(
    world: World, measurement: Measurement, data: st.DataObject
) -> None:
    Response.objects.filter(measurement=measurement).delete()
    item_ids = _item_ids(measurement)
    keys = st.sampled_from([*item_ids[:10], *item_ids[-3:], "risk5.9", "andet"])
    rows = data.draw(
        st.lists(
            st.tuples(
                st.dictionaries(keys, VALUES, max_size=8),
                # How the row's bytes are: as the release writes them, none (an old row),
                # or the wrong length (written for other instruments): the last two are
                # read from the JSON.
                st.sampled_from(["release", "release", "none", "short"]),
            ),
            min_size=1,
            max_size=12,
        )
    )
    typed_rows = []
    for answers, kind in rows:
        codes = encode(answers, item_ids)
        if kind == "none":
            codes = None
        elif kind == "short" and codes is not None:
            codes = codes[:-1]
        response = Response.objects.create(
            measurement=measurement, unit=world.team_a, week=WEEK, answers=answers, codes=codes
        )
        if codes is not None and len(codes) == len(item_ids):
            typed_rows.append(response.pk)
    found = loaded(measurement, INSTRUMENTS)
    from_json = _codes_as_json_gives(measurement)
    for instrument_id, matrix in found.codes.items():
        assert np.array_equal(matrix, from_json[instrument_id], equal_nan=True)
    # Where the bytes were read, they hold what the rule says of the decoded JSON.
    order = list(
        Response.objects.filter(measurement=measurement).order_by("id").values_list("pk", "answers")
    )
    for i, (pk, answers) in enumerate(order):
        if pk not in typed_rows:
            continue
        for instrument in measurement_instruments(measurement):
            for j, item in enumerate(instrument.items):
                if item.type == "choice":
                    expected = expected_code(answers.get(item.id))
                    assert np.array_equal(
                        found.codes[instrument.id][i, j], expected, equal_nan=True
                    ), (item.id, answers.get(item.id))


@pytest.mark.django_db
def test_load_answers_reads_the_bytes_where_they_have_the_right_length(
    world: World, measurement: Measurement
) -> None:
    item_ids = _item_ids(measurement)
    # The bytes say 5 where the JSON says 1: which one load_answers read shows.
    five = encode(dict.fromkeys(item_ids, 5), item_ids)
    assert five is not None
    right = Response.objects.create(
        measurement=measurement, unit=world.team_a, week=WEEK, answers=ps7([1] * 7), codes=five
    )
    Response.objects.create(
        measurement=measurement,
        unit=world.team_a,
        week=WEEK,
        answers=ps7([1] * 7),
        codes=five[:-1],
    )
    Response.objects.create(
        measurement=measurement, unit=world.team_a, week=WEEK, answers=ps7([1] * 7)
    )
    found = loaded(measurement, INSTRUMENTS).codes["ps7"]
    ids = list(Response.objects.filter(measurement=measurement).order_by("id"))
    for row, response in zip(found, ids, strict=True):
        assert list(row) == [5.0 if response.pk == right.pk else 1.0] * 7
