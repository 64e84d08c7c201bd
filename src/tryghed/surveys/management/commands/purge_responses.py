from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tryghed.command_args import iso_date
from tryghed.surveys.retention import due_for_purge, measurement_purge_responses
from tryghed.table_rewrite import rewrite_after_purge


class Command(BaseCommand):
    help = (
        "Delete the answers of closed measurements whose retention period has passed "
        "(each organisation's setting, default 36 months after closing). Reports stay. "
        "On PostgreSQL the tables deleted from are then rewritten (VACUUM FULL, which locks "
        "each table while it runs). Safe to run twice; run it daily at a quiet hour."
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
        tables: set[str] = set()
        for outcome in outcomes:
            m = outcome.measurement
            label = f"{m.organisation.name}: {m.name} (closed {m.closes_on}, due {outcome.due_on})"
            if options["dry_run"]:
                self.stdout.write(f"Would delete {outcome.responses} answers: {label}")
            else:
                done = measurement_purge_responses(measurement=m)
                tables |= done.tables
                self.stdout.write(f"Deleted {done.responses} answers: {label}")
        # After every purge has committed, also when nothing was due (a table an earlier
        # run could not rewrite is owed); a failure raises RewriteFailed, the purge stays.
        rewrite_after_purge(tables, dry_run=options["dry_run"], write=self.stdout.write)
