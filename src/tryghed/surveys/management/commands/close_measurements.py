"""``manage.py close_measurements``: close the measurements past their closing day (daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tryghed.command_args import date_or_today
from tryghed.surveys.management.labels import measurement_label
from tryghed.surveys.selectors import past_closing_day
from tryghed.surveys.services import measurements_close_due


class Command(BaseCommand):
    help = (
        "Close every open measurement whose closing day has passed, as the 'close' button "
        "does: the last answers are released, the unit tree is frozen, the worker builds the "
        "publication and tells everyone invited that the results are ready. A measurement "
        "closing today stays open until the day is over. Safe to run twice; run it daily "
        "just after midnight."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to judge by (YYYY-MM-DD); default today")
        parser.add_argument("--dry-run", action="store_true", help="only list what would be closed")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_or_today(options["date"])
        if options["dry_run"]:
            due = past_closing_day(today=today)
            for measurement in due:
                self.stdout.write(f"Would close {measurement_label(measurement)}")
            if not due:
                self.stdout.write("No measurement is past its closing day.")
            return
        outcome = measurements_close_due(today=today)
        for measurement in outcome.closed:
            self.stdout.write(f"Closed {measurement_label(measurement)}")
        if not outcome.closed and not outcome.failed:
            self.stdout.write("No measurement is past its closing day.")
        if outcome.failed:
            # The others are closed; cron mails the error, and the next run tries again.
            raise CommandError(
                "Could not close (see the log): "
                + "; ".join(measurement_label(measurement) for measurement in outcome.failed)
            )
