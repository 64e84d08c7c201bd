"""``manage.py remind_voice``: enqueue today's Sig det reminders and escalations (daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tryghed.voice.tasks import send_voice_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the Sig det reminders: cases waiting for an acknowledgement or an answer, "
        "deadlines passed; escalate overdue leader cases to the AMO and erase expired hidden "
        "texts. Run it once a day (cron); the worker sends them. A reminder is never sent twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        day = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        result = send_voice_reminders.enqueue(day.isoformat())
        self.stdout.write(f"Enqueued the Sig det reminders for {day.isoformat()} ({result.id}).")
