"""Red team: what a reminder round writes to the logs must not depend on who answered.

The confirmation page tells the AMO "Ingen kan se, hvem eller hvor mange det er"; the
worker's log (kept with times, by whoever runs the servers) must not count the
non-responders either: a count per round, with its time, dates answers finer than the
batches do, and with one answer between two rounds says when someone answered.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

import pytest
from django.core.mail.backends import locmem
from django.test import TestCase

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.surveys import services
from tryghed.surveys.models import InvitationToken

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


class _WitnessBackend(locmem.EmailBackend):
    """Notes, at each e-mail, how many link rows the measurement's invitations have."""

    seen: ClassVar[list[int]] = []

    def send_messages(self, messages: Any) -> int:
        _WitnessBackend.seen.append(InvitationToken.objects.count())
        return super().send_messages(messages)


def test_a_reminder_round_writes_every_row_before_it_sends_an_e_mail(settings: Any) -> None:
    """The operator with the WAL (privacy.md section 0.2) reads each commit's time. If each
    invitation's rows are committed in their own transaction with its e-mail sent inside
    it, a commit that took an SMTP round trip is someone who had not answered, and one that
    took a millisecond someone who had: the token row names the invitation. So a round
    writes the rows of everyone first, answered or not, and sends after."""
    place = attack.build_workplace({"Hjemmeplejen": (None, 6), "Køkkenet": (None, 6)})
    launched = attack.launch(place)
    for token in sorted(launched.tokens.values())[:4]:
        attack.submit(token, ps7([2]))
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}._WitnessBackend"}}
    _WitnessBackend.seen = []
    before = InvitationToken.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_request(measurement=launched.measurement, actor=place.owner)
    after = InvitationToken.objects.count()
    assert after - before == 12  # one row per personal link, answered or not
    assert len(_WitnessBackend.seen) == 8  # e-mails to those who had not answered
    assert set(_WitnessBackend.seen) == {after}, _WitnessBackend.seen
