"""``remind-apv``: run daily, each reminder is sent once to the AMO and the admins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from tests.conftest import World
from tests.factories import grant, make_user
from tryghed.apv import services
from tryghed.apv.models import ApvReminder
from tryghed.audit.models import AuditEvent
from tryghed.cli import COMMANDS
from tryghed.orgs.models import Role

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def send(django_capture_on_commit_callbacks: CaptureOnCommit) -> Callable[[dt.date], int]:
    """apv_reminders_send with its e-mails delivered (the task runs after the commit)."""

    def run(today: dt.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.apv_reminders_send(today=today)

    return run


def _adopt(world: World, day: dt.date) -> None:
    services.apv_document_update(
        organisation=world.org,
        actor=world.amo,
        adopted_on=day,
        sickness_summary="",
        action_plan_text="",
        follow_up_guidelines="",
    )


def test_a_change_in_the_work_sends_one_reminder_however_often_it_runs(
    world: World, send: Callable[[dt.date], int]
) -> None:
    _adopt(world, dt.date(2026, 1, 10))
    services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_a,
        kind="it",
        description="Nyt vagtplanlægningssystem",
        changed_on=dt.date(2026, 11, 1),
    )
    today = dt.date(2026, 11, 20)
    mail.outbox.clear()
    assert send(today) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["amo@example.test", "owner@example.test"]
    assert "ændring i arbejdet" in str(message.subject)
    assert "Nyt vagtplanlægningssystem" in str(message.body)
    assert f"/o/{world.org.slug}/apv/" in str(message.body)
    # The next days: nothing new.
    assert send(today) == 0
    assert send(today + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert ApvReminder.objects.filter(organisation=world.org).count() == 1
    assert AuditEvent.objects.filter(action="apv.reminder.queued").count() == 1


def test_the_revision_is_announced_before_it_is_due_and_again_when_overdue(
    world: World, send: Callable[[dt.date], int]
) -> None:
    _adopt(world, dt.date(2024, 3, 1))  # due 1 March 2027
    mail.outbox.clear()
    assert send(dt.date(2026, 11, 1)) == 0  # four months ahead
    assert send(dt.date(2027, 1, 15)) == 1
    assert send(dt.date(2027, 1, 16)) == 0
    assert send(dt.date(2027, 3, 1)) == 1
    assert send(dt.date(2027, 3, 2)) == 0
    subjects = [str(m.subject) for m in mail.outbox]
    assert subjects == [
        "APV: tid til revision (Testkommune)",
        "APV: revisionen er overskredet (Testkommune)",
    ]
    assert "1. marts 2027" in str(mail.outbox[0].body)


def test_leaders_and_employees_get_no_apv_reminders(
    world: World, send: Callable[[dt.date], int]
) -> None:
    other_amo = make_user("amo2@example.test")
    grant(other_amo, world.other_org, Role.AMO)
    _adopt(world, dt.date(2024, 3, 1))
    mail.outbox.clear()
    send(dt.date(2027, 3, 1))
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {"amo@example.test", "owner@example.test"}


def test_the_management_command_and_the_cli_subcommand_queue_reminders(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=None,
        kind="premises",
        description="Flytning til nyt rådhus",
        changed_on=dt.date(2026, 11, 1),
    )
    out = StringIO()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_apv", stdout=out)
    assert "1 APV reminder(s) queued." in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_apv", stdout=out)
    assert "0 APV reminder(s) queued." in out.getvalue()
    assert len(mail.outbox) == 1
    assert COMMANDS["remind-apv"][0] == "remind_apv"
