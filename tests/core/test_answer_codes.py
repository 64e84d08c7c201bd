"""The bytes of a response's choice answers (core.answer_codes)."""

from __future__ import annotations

from tryghed.core.answer_codes import NO_ANSWER, encode


def test_encode_keeps_what_a_byte_holds_and_gives_up_on_the_rest() -> None:
    ids = ["a", "b", "c"]
    assert encode({"a": 3, "b": "12", "c": True}, ids) == bytes([3, 12, NO_ANSWER & 0xFF])
    assert encode({"a": -127, "b": 127}, ids) == bytes([0x81, 127, NO_ANSWER & 0xFF])
    assert encode({"a": [1], "b": 2.0, "c": "x"}, ids) == bytes([NO_ANSWER & 0xFF]) * 3
    assert encode({"a": 128}, ids) is None
    assert encode({"a": -128}, ids) is None  # the sentinel is no code
    assert encode({"a": 1e16}, ids) is None  # PostgreSQL stores it as an integer
    assert encode([1, 2], ids) == bytes([NO_ANSWER & 0xFF]) * 3
