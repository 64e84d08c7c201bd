from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tryghed.command_args import iso_date
from tryghed.learning.retention import due_for_purge, organisation_purge_learning
from tryghed.table_rewrite import rewrite_after_purge


class Command(BaseCommand):
    help = (
        "Delete the learning log's entries (and meeting reviews) older than the shortest "
        "retention period their organisation has had since they were written (default 36 "
        "months). Actions made from them stay. "
        "On PostgreSQL the tables deleted from are then rewritten (VACUUM FULL). "
        "Safe to run twice; `tryghed purge-responses` runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only list what would be deleted"
        )
        parser.add_argument("--today", type=str, help="the date to judge by (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = iso_date(options["today"]) if options["today"] else None
        due = due_for_purge(today=today)
        if not due:
            self.stdout.write("No learning-log entry is due for deletion.")
        tables: set[str] = set()
        for found in due:
            # Each entry by the shortest period in force since it was written, so an
            # older one may stay where the period was cut only after it was written.
            label = (
                f"{found.organisation.name} (entries written up to {found.through}, each "
                "by the shortest period since)"
            )
            if options["dry_run"]:
                self.stdout.write(
                    f"Would delete {found.entries} learning-log entries and "
                    f"{found.reviews} reviews: {label}"
                )
            else:
                done = organisation_purge_learning(organisation=found.organisation, today=today)
                tables |= done.tables
                self.stdout.write(
                    f"Deleted {done.entries} learning-log entries and {done.reviews} reviews: "
                    f"{label}"
                )
        # After every purge has committed, also when nothing was due (a table an earlier
        # run could not rewrite is owed); a failure raises RewriteFailed, the purge stays.
        rewrite_after_purge(tables, dry_run=options["dry_run"], write=self.stdout.write)
