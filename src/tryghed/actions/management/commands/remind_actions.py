"""``manage.py remind_actions``: enqueue today's reminders for action plans (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tryghed.actions.tasks import send_action_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the reminders for actions whose deadline, and plans whose evaluation date, is "
        "near or passed. Run it once a day (cron); the worker sends them. A reminder is never "
        "sent twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        day = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        result = send_action_reminders.enqueue(day.isoformat())
        self.stdout.write(f"Enqueued the action reminders for {day.isoformat()} ({result.id}).")
