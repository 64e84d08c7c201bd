"""Reminders before and after an action's deadline: once each, to the owner and the leader."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.actions.conftest import first_wave, make_action, make_focus, make_plan
from tests.conftest import World
from tryghed.actions import services
from tryghed.actions.models import ActionReminder
from tryghed.actions.tasks import (
    send_action_reminders,
    send_due_evaluation_reminders,
    send_due_reminders,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 10)


def test_an_overdue_action_gets_one_reminder_to_its_owner_and_the_leader(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    action = make_action(world, plan, deadline=TODAY - dt.timedelta(days=3))
    mail.outbox.clear()
    assert send_due_reminders(TODAY) == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["alma@example.test", "leader@example.test"]
    assert "Fristen er overskredet" in message.subject
    assert "for 3 dage siden" in message.body
    assert f"/o/testkommune/handleplaner/{plan.pk}/" in message.body
    reminder = ActionReminder.objects.get(action=action)
    assert (reminder.kind, reminder.deadline) == ("after", action.deadline)


def test_running_the_reminders_again_sends_nothing_twice(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    make_action(world, plan, deadline=TODAY + dt.timedelta(days=5))
    make_action(world, plan, deadline=TODAY - dt.timedelta(days=1))
    mail.outbox.clear()
    assert send_due_reminders(TODAY) == 2
    assert send_due_reminders(TODAY) == 0
    assert send_due_reminders(TODAY + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2


def test_an_action_gets_a_reminder_before_and_another_after_its_deadline(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    make_action(world, plan, deadline=TODAY)
    mail.outbox.clear()
    assert send_due_reminders(TODAY - dt.timedelta(days=10)) == 0  # too early
    assert send_due_reminders(TODAY - dt.timedelta(days=7)) == 1
    assert send_due_reminders(TODAY) == 0  # the day itself: "before" was already sent
    assert send_due_reminders(TODAY + dt.timedelta(days=1)) == 1
    assert ["nærmer" in m.subject or "snart frist" in m.subject for m in mail.outbox] == [
        True,
        False,
    ]


def test_a_done_action_gets_no_reminder_and_a_new_deadline_gets_new_ones(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    done = make_action(world, plan, deadline=TODAY - dt.timedelta(days=2), status="done")
    late = make_action(world, plan, deadline=TODAY - dt.timedelta(days=2))
    assert send_due_reminders(TODAY) == 1
    assert not ActionReminder.objects.filter(action=done).exists()
    services.action_update(action=late, actor=world.leader, deadline=TODAY + dt.timedelta(days=3))
    assert send_due_reminders(TODAY) == 1  # "before" the new deadline
    assert ActionReminder.objects.filter(action=late).count() == 2


def test_the_daily_command_enqueues_the_task_for_the_day(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    make_action(world, plan, deadline=TODAY - dt.timedelta(days=1))
    mail.outbox.clear()
    out = io.StringIO()
    call_command("remind_actions", date=TODAY.isoformat(), stdout=out)
    assert "2026-06-10" in out.getvalue()
    assert len(mail.outbox) == 1  # the immediate backend ran it
    call_command("remind_actions", date=TODAY.isoformat(), stdout=out)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("command", ["remind_actions", "remind_voice"])
def test_a_daily_command_refuses_a_day_it_cannot_read_with_a_clear_error(command: str) -> None:
    with pytest.raises(CommandError, match="--date: '10-06-2026' is not a date like"):
        call_command(command, date="10-06-2026", stdout=io.StringIO())


def test_the_task_takes_the_day_as_an_iso_date(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    make_action(world, plan, deadline=TODAY - dt.timedelta(days=1))
    result = send_action_reminders.enqueue(TODAY.isoformat())
    assert result.return_value == 1


def test_a_plan_is_reminded_of_its_evaluation_before_and_after_the_date_once_each(
    world: World,
) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    services.plan_update(plan=plan, actor=world.leader, evaluation_date=TODAY)
    mail.outbox.clear()
    assert send_due_evaluation_reminders(TODAY - dt.timedelta(days=8)) == 0
    assert send_due_evaluation_reminders(TODAY - dt.timedelta(days=3)) == 1
    assert send_due_evaluation_reminders(TODAY - dt.timedelta(days=2)) == 0
    assert send_due_evaluation_reminders(TODAY + dt.timedelta(days=1)) == 1
    assert send_due_evaluation_reminders(TODAY + dt.timedelta(days=2)) == 0
    assert [m.to for m in mail.outbox] == [["leader@example.test"]] * 2
    assert "overskredet" in mail.outbox[1].subject
    assert f"/handleplaner/{plan.pk}/evaluering/" in mail.outbox[1].body


def test_an_evaluated_plan_is_not_reminded(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    services.plan_evaluate(
        plan=plan,
        actor=world.leader,
        learning_evaluation="Godt.",
        effect_evaluation="",
        evaluated_on=TODAY,
    )
    services.plan_update(plan=plan, actor=world.leader, evaluation_date=TODAY)
    assert send_due_evaluation_reminders(TODAY + dt.timedelta(days=3)) == 0


def test_the_tryghed_command_runs_the_daily_reminders(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from tryghed.cli import main

    plan = make_plan(world, make_focus(world, first_wave(world)))
    make_action(world, plan, deadline=TODAY - dt.timedelta(days=1))
    mail.outbox.clear()
    assert main(["remind-actions", "--date", TODAY.isoformat()]) == 0
    assert "Enqueued the action reminders for 2026-06-10" in capsys.readouterr().out
    assert len(mail.outbox) == 1
