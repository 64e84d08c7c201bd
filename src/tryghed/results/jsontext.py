"""JSON as compact UTF-8 text, by orjson, and a model field that keeps it so.

A publication's groups are written once when a measurement closes and read whole, a slot
at a time; nothing queries inside them. PostgreSQL's ``jsonb`` parsed and re-encoded every
one of them on the way in (0.8 s of the 0.9 s its ``COPY`` of 2,111 groups, 21 MB, took at
200,000 answers) and turned them back into text on the way out; kept as text, with lz4
where the server has it, the same rows went in in 0.12 s (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression


def json_bytes(value: object, *, sort_keys: bool = False) -> bytes:
    """``value`` as compact JSON in UTF-8, by orjson: at closing a publication is 27 MB of
    JSON (200,000 answers), written once for its rows and once for its name, and the
    standard library's encoder took 1.4 s of the 5 s of closing for it (docs/benchmarks.md).
    numpy's scalars and other float or int subclasses are written as their values, as the
    standard library writes a float subclass. A NaN or infinity is written as null (the
    builder gives None for a figure it has no value for, so none is expected)."""
    option = orjson.OPT_SERIALIZE_NUMPY | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    return orjson.dumps(value, default=_json_number, option=option)


def _json_number(value: object) -> float | int:
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class JsonText(models.TextField[Any, Any]):
    """A JSON value kept as its text (``json_bytes``), in the order its keys were given,
    and parsed by orjson when read. For values written once and read whole: it cannot be
    queried inside (no ``data__key`` lookups)."""

    description = "JSON kept as text"
    # What django-stubs takes for the values given and read (as for a JSONField).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        return None if value is None else orjson.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str | bytes):
            return orjson.loads(value)
        return value

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else json_bytes(value).decode()
