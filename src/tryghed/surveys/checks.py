"""System checks: the answer keyring (docs/anonymity.md, "Key handling"); a task queue
that can hold the invitations until a measurement's opening day."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

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


def check_task_backend(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Invitations for a later opening day wait in the queue (``run_after``): a backend that
    cannot hold a task until then would never send them."""
    from django.tasks import task_backends

    if task_backends["default"].supports_defer:
        return []
    return [
        Warning(
            "The task backend cannot run a task later: invitations for a measurement that "
            "opens on a later day would not be sent.",
            hint="Use TASKS_BACKEND=django_tasks_db.DatabaseBackend (the default).",
            id="tryghed.W003",
        )
    ]
