from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # A queued task (sending e-mails, releasing answers, preparing a report) runs as soon
    # as it is enqueued, so the attacks see what a running worker would have produced.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
