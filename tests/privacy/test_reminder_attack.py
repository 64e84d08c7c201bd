"""Red team: what a reminder round writes to the logs must not depend on who answered.

The confirmation page tells the AMO "Ingen kan se, hvem eller hvor mange det er"; the
worker's log (kept with times, by whoever runs the servers) must not count the
non-responders either: a count per round, with its time, dates answers finer than the
batches do, and with one answer between two rounds says when someone answered.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.test import TestCase

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.surveys import services

pytestmark = pytest.mark.django_db


def _reminder_logs(answered: int, caplog: pytest.LogCaptureFixture) -> tuple[list[str], int]:
    place = attack.build_workplace({"Hjemmeplejen": (None, 6), "Køkkenet": (None, 6)})
    launched = attack.launch(place)
    for token in sorted(launched.tokens.values())[:answered]:
        attack.submit(token, ps7([2]))
    caplog.clear()
    with caplog.at_level(logging.DEBUG), TestCase.captureOnCommitCallbacks(execute=True):
        count = services.reminders_request(measurement=launched.measurement, actor=place.owner)
    pk = str(launched.measurement.pk)
    messages = [
        re.sub(rf"\b{pk}\b", "M", record.getMessage())
        for record in caplog.records
        if record.name.startswith("tryghed")
    ]
    return messages, count


def test_the_reminder_rounds_log_is_the_same_whoever_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    few, unanswered_few = _reminder_logs(1, caplog)
    many, unanswered_many = _reminder_logs(7, caplog)
    assert unanswered_few != unanswered_many  # the two rounds did differ
    assert few == many
    for message in few + many:
        assert str(unanswered_few) not in message and str(unanswered_many) not in message
