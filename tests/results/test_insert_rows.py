"""aggregates.insert_rows stores a publication's rows (COPY on PostgreSQL, bulk_create on
SQLite) so they read back as the ORM's own bulk_create stores them, and a duplicate key
is Django's IntegrityError."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.results.test_aggregates import make_measurement
from tryghed.results.aggregates import _content_fingerprint, insert_rows
from tryghed.results.models import PublishedGroup, PublishedText
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

# Text as people type it, and the characters COPY's text format escapes (tab, newline,
# carriage return, backslash), PostgreSQL's NUL excepted (no text column holds one).
_texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
) | st.sampled_from(["\\N", "a\tb\nc\rd\\e", "Ærø, Øst og Å ✓", "", "\\."])
_json: Any = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_texts, inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A group is a JSON object (None would be SQL NULL through the ORM).
@given(
    groups=st.lists(st.dictionaries(_texts, _json, max_size=4), max_size=6),
    texts=st.lists(_texts, max_size=8),
)
def test_the_rows_read_back_as_the_orms_own(
    world: World, groups: list[dict[str, Any]], texts: list[str]
) -> None:
    ours, orms = make_measurement(world), make_measurement(world)

    def read(measurement: Measurement) -> tuple[list[Any], list[Any]]:
        return (
            list(
                PublishedGroup.objects.filter(measurement=measurement)
                .order_by("slot")
                .values_list("slot", "data")
            ),
            list(
                PublishedText.objects.filter(measurement=measurement)
                .order_by("index")
                .values_list("index", "text")
            ),
        )

    try:
        with transaction.atomic():
            insert_rows(
                PublishedGroup,
                ("measurement", "slot", "data"),
                ((ours.pk, slot, data) for slot, data in enumerate(groups)),
            )
            insert_rows(
                PublishedText,
                ("measurement", "index", "text"),
                ((ours.pk, index, text) for index, text in enumerate(texts)),
            )
            PublishedGroup.objects.bulk_create(
                PublishedGroup(measurement=orms, slot=slot, data=data)
                for slot, data in enumerate(groups)
            )
            PublishedText.objects.bulk_create(
                PublishedText(measurement=orms, index=index, text=text)
                for index, text in enumerate(texts)
            )
            assert read(ours) == read(orms)
            assert read(ours)[1] == list(enumerate(texts))
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    """Rolls one example's rows back, so the next example starts empty."""


def test_a_second_publication_of_the_same_group_is_an_integrity_error(world: World) -> None:
    measurement = make_measurement(world)
    row = [(measurement.pk, 0, {"n": 5})]
    insert_rows(PublishedGroup, ("measurement", "slot", "data"), row)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(PublishedGroup, ("measurement", "slot", "data"), row)
    assert PublishedGroup.objects.filter(measurement=measurement).count() == 1


def test_numpy_floats_are_stored_and_named_as_the_plain_numbers(world: World) -> None:
    # The builder's figures come out of numpy; the standard library wrote np.float64 as
    # the float it is, and orjson must too (results/jsontext.json_bytes).
    measurement = make_measurement(world)
    plain = {"n": 12, "mean": 53.2, "ci": [48.25, 58.15], "navn": "Ærø"}
    from_numpy = {**plain, "mean": np.float64(53.2), "ci": [np.float64(48.25), 58.15]}
    insert_rows(PublishedGroup, ("measurement", "slot", "data"), [(measurement.pk, 0, from_numpy)])
    stored = PublishedGroup.objects.get(measurement=measurement).data
    assert stored == plain
    assert type(stored["mean"]) is float
    assert _content_fingerprint(from_numpy) == _content_fingerprint(plain)
    assert _content_fingerprint({"b": 1, "a": 2}) == _content_fingerprint({"a": 2, "b": 1})
