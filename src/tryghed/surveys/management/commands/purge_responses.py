from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tryghed.command_args import iso_date
from tryghed.surveys.retention import due_for_purge, measurement_purge_responses


class Command(BaseCommand):
    help = (
        "Delete the answers of closed measurements whose retention period has passed "
        "(each organisation's setting, default 36 months after closing). Reports stay. "
        "Safe to run twice; run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only list what would be deleted"
        )
        parser.add_argument("--today", type=str, help="the date to judge by (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = iso_date(options["today"]) if options["today"] else None
        outcomes = due_for_purge(today=today)
        if not outcomes:
            self.stdout.write("No measurement is due for deletion of its answers.")
            return
        for outcome in outcomes:
            m = outcome.measurement
            label = f"{m.organisation.name}: {m.name} (closed {m.closes_on}, due {outcome.due_on})"
            if outcome.waiting_for:
                self.stdout.write(
                    f"Waiting: {label}: the later wave {outcome.waiting_for!r} is still running."
                )
            elif options["dry_run"]:
                self.stdout.write(f"Would delete {outcome.responses} answers: {label}")
            else:
                deleted = measurement_purge_responses(measurement=m)
                self.stdout.write(f"Deleted {deleted} answers: {label}")
