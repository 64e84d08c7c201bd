"""``manage.py remind_actions``: enqueue today's reminders for action plans (run daily)."""

from __future__ import annotations

from tryghed.actions.tasks import send_action_reminders
from tryghed.daily_commands import EnqueueForDayCommand


class Command(EnqueueForDayCommand):
    help = (
        "Enqueue the reminders for actions whose deadline, and plans whose evaluation date, is "
        "near or passed. Run it once a day (cron); the worker sends them. A reminder is never "
        "sent twice."
    )
    task = send_action_reminders
    what = "the action reminders"
