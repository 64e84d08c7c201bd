"""Invitations go out on the measurement's opening day and say both dates; a reminder round
that has nobody left this week says so instead of pretending to send."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from tests.conftest import World, draft_of
from tests.surveys.conftest import CaptureOnCommit, Survey, tokens_from_outbox
from tests.surveys.test_anonymity import _submit
from tests.task_worker import run_ready_tasks
from tryghed.surveys import services
from tryghed.surveys.models import Invitation, Measurement
from tryghed.surveys.stamps import INVITATION_HOUR, iso_week

pytestmark = pytest.mark.django_db


def _measurement(world: World, opens_on: dt.date, closes_on: dt.date) -> Measurement:
    return draft_of(world, opens_on=opens_on, closes_on=closes_on)


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.mark.usefixtures("database_queue")
def test_opened_ahead_the_invitations_wait_in_the_queue_until_the_opening_morning(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    today = timezone.localdate()
    opens, closes = today + dt.timedelta(days=1), today + dt.timedelta(days=15)
    measurement = _measurement(world, opens, closes)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    queued = DBTaskResult.objects.get(task_path__endswith="send_invitations")
    assert timezone.localtime(queued.run_after) == timezone.make_aware(
        dt.datetime.combine(opens, dt.time(INVITATION_HOUR))
    )
    run_ready_tasks("schedule")  # the worker runs today: nothing is due
    assert mail.outbox == []
    # The opening morning: the task is due, and the day has come.
    DBTaskResult.objects.filter(pk=queued.pk).update(
        run_after=timezone.now() - dt.timedelta(seconds=1)
    )
    with mock.patch("django.utils.timezone.localdate", return_value=opens):
        run_ready_tasks("schedule")
    assert sorted(m.to[0] for m in mail.outbox) == [world.person_a.email, world.person_b.email]
    body = str(mail.outbox[0].body)
    assert f"fra {date_format(opens)} til og med {date_format(closes)}" in body
    # Stamped with the week they went out in, not the week the measurement was opened.
    assert set(Invitation.objects.values_list("sent_week", flat=True)) == {iso_week(opens)}


def test_a_task_run_before_the_opening_day_sends_nothing(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # The test backend runs a task at once and cannot defer it: the task checks the day.
    today = timezone.localdate()
    measurement = _measurement(world, today + dt.timedelta(days=3), today + dt.timedelta(days=9))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    assert mail.outbox == []
    assert not Invitation.objects.filter(tokens__isnull=False).exists()


@pytest.mark.usefixtures("database_queue")
def test_opening_on_the_opening_day_sends_at_once_with_both_dates(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    today = timezone.localdate()
    measurement = _measurement(world, today, today + dt.timedelta(days=14))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    run_ready_tasks("schedule")  # ready at once: no run_after
    assert len(mail.outbox) == 2
    body = str(mail.outbox[0].body)
    closes = date_format(today + dt.timedelta(days=14))
    assert f"fra {date_format(today)} til og med {closes}" in body
    assert len(tokens_from_outbox()) == 2


def test_the_english_part_of_a_bilingual_invitation_gives_both_dates(
    open_survey: Survey,
) -> None:
    m = open_survey.measurement
    body = str(mail.outbox[0].body)
    assert f"It is open from {m.opens_on:%Y-%m-%d} to {m.closes_on:%Y-%m-%d}" in body


def test_a_second_reminder_round_in_the_same_week_is_refused_with_the_reason(
    open_survey: Survey,
    world: World,
    ps7_answers: dict[str, int],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    _submit(Client(), open_survey.tokens[open_survey.people[0].email], ps7_answers)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_request(measurement=open_survey.measurement, actor=world.owner)
    start = len(mail.outbox)
    # Everyone has had this week's round, answered or not: nothing to send, and it says so.
    with pytest.raises(ValidationError, match="allerede sendt"):
        services.reminders_request(measurement=open_survey.measurement, actor=world.owner)
    assert len(mail.outbox) == start


def test_a_task_backend_that_cannot_wait_for_the_opening_day_is_a_warning(settings: Any) -> None:
    from tryghed.surveys.checks import check_task_backend

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    assert check_task_backend() == []
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert [m.id for m in check_task_backend()] == ["tryghed.W003"]


def test_one_refused_address_keeps_no_other_invitation_back(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """The mail server refuses Alma's address: Bent still gets his invitation, Alma's
    invitation keeps no token, and the next run of the task sends it once the address works."""
    import smtplib

    from django.core.mail.message import EmailMultiAlternatives

    from tryghed.surveys.tasks import send_invitations

    today = timezone.localdate()
    measurement = _measurement(world, today, today + dt.timedelta(days=14))
    real_send = EmailMultiAlternatives.send

    def refuse_alma(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        if world.person_a.email in self.to:
            raise smtplib.SMTPRecipientsRefused({world.person_a.email: (550, b"no such user")})
        return real_send(self, fail_silently)

    mail.outbox.clear()
    with (
        mock.patch.object(EmailMultiAlternatives, "send", refuse_alma),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.measurement_open(measurement=measurement, actor=world.owner)
    assert set(tokens_from_outbox()) == {world.person_b.email}
    alma = Invitation.objects.get(measurement=measurement, person=world.person_a)
    assert not alma.tokens.exists()
    send_invitations.call(measurement.pk)
    assert world.person_a.email in tokens_from_outbox()
    assert alma.tokens.count() == 1
