"""System checks: the answer keyring (docs/anonymity.md, "Key handling")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from tryghed.surveys.sealing import AnswerKeyError, parse_keys


def check_answer_keys(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """A malformed keyring is always an error; a missing one is an error in production,
    where answers must never be sealed under a key made up on the spot."""
    try:
        keys = parse_keys(list(getattr(settings, "TRYGHED_ANSWER_KEYS", [])))
    except AnswerKeyError as exc:
        return [Error(str(exc), id="tryghed.E002")]
    if not keys and getattr(settings, "TRYGHED_ENV", "development") == "production":
        return [
            Error(
                "No answer key: answers cannot be sealed or marked.",
                hint="Set TRYGHED_ANSWER_KEYS=<key id>:<base64 of 32 bytes> from your secret "
                "store, or write that line to DATA_DIR/answer.key (docs/anonymity.md).",
                id="tryghed.E001",
            )
        ]
    return []
