"""``manage.py remind_measurements``: the automatic reminder round of open measurements
close to their closing day (daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tryghed.command_args import date_or_today
from tryghed.surveys.management.labels import measurement_label
from tryghed.surveys.selectors import AUTOMATIC_REMINDER_DAYS, automatic_reminders_due
from tryghed.surveys.services import measurements_remind_due


class Command(BaseCommand):
    help = (
        f"Send a reminder round, as the button does, for every open measurement with at most "
        f"{AUTOMATIC_REMINDER_DAYS} days left to its closing day, unless a round went out "
        "that week already. Only those who have not answered get an e-mail; nobody is told "
        "who or how many. Safe to run twice; run it daily in the morning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to judge by (YYYY-MM-DD); default today")
        parser.add_argument("--dry-run", action="store_true", help="only list what is due")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_or_today(options["date"])
        if options["dry_run"]:
            due = automatic_reminders_due(today=today)
            for measurement in due:
                self.stdout.write(f"Would remind {measurement_label(measurement)}")
        else:
            due = measurements_remind_due(today=today)
            for measurement in due:
                self.stdout.write(f"Reminded {measurement_label(measurement)}")
        if not due:
            self.stdout.write("No measurement is due for its automatic reminder.")
