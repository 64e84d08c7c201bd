"""A response's choice answers as bytes ("svarkoder"): one signed byte per choice item of
the measurement, in the order its instruments list them, ``NO_ANSWER`` where there is no
code. Written beside the answer JSON when a response is stored, so that the publication
builder reads a measurement's codes with ``numpy.frombuffer`` instead of having the
database extract them from JSON.

The rule is the one the JSON reading follows (``results.answers``): an integer written in
digits is a code (a JSON number, or a string holding one); no value, a bool, a decimal, a
list, a word is no answer. A code that does not fit in a byte, or a number PostgreSQL
might store as an integer (a float of 1e15 or more), gives no bytes at all: such a
response is read from its JSON. Migrations import this module, so the encoding must stay.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

from tryghed.core.instruments import Instrument
from tryghed.core.publication import FloatArray

__all__ = ["NO_ANSWER", "choice_item_ids", "decode", "encode"]

NO_ANSWER = -128
_INTEGER = re.compile(r"-?[0-9]+")
# PostgreSQL's jsonb keeps a number's value, not its spelling: Python writes 1e16 as
# "1e+16", which jsonb gives back as an integer. Below this no float is written that way.
_FLOAT_AS_INTEGER = 1e15


class _Unencodable(Exception):
    pass


def choice_item_ids(instruments: Iterable[Instrument]) -> list[str]:
    """The choice items whose codes the bytes hold, in order."""
    return [item.id for i in instruments for item in i.items if item.type == "choice"]


def _code(value: object) -> int:
    if type(value) is int:
        code = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value):
        code = int(value)
    elif type(value) is float and not (math.isfinite(value) and abs(value) < _FLOAT_AS_INTEGER):
        raise _Unencodable
    else:
        return NO_ANSWER
    if not NO_ANSWER < code <= 127:
        raise _Unencodable
    return code


def encode(answers: object, item_ids: Sequence[str]) -> bytes | None:
    """The bytes of one response's answers (``{"ps7.1": 2, ...}``); None when a value
    cannot be held in them, so the response is read from its JSON."""
    if not isinstance(answers, dict):
        return bytes([NO_ANSWER & 0xFF]) * len(item_ids)
    try:
        codes = [_code(answers.get(item_id)) for item_id in item_ids]
    except _Unencodable:
        return None
    return bytes(code & 0xFF for code in codes)


def decode(stored: Sequence[bytes | memoryview], width: int) -> FloatArray:
    """Rows x items of codes, NaN for no answer, from responses' bytes of ``width`` each."""
    if width == 0:
        return np.zeros((len(stored), 0))
    raw = np.frombuffer(b"".join(stored), dtype=np.int8).reshape(len(stored), width)
    block = raw.astype(np.float64)
    block[raw == NO_ANSWER] = math.nan
    return block
