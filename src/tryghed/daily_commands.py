"""What the daily (cron) management commands of one kind share: the reminder commands that
enqueue one task for a day (remind_actions, remind_voice) and the purges by retention
period (purge_responses, purge_learning). Each command keeps its own help, texts and
options' meaning; only the steps are here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.tasks import Task

from tryghed.command_args import date_or_today, iso_date
from tryghed.table_rewrite import rewrite_after_purge


class EnqueueForDayCommand(BaseCommand):
    """Enqueue ``task`` for the day given by ``--date`` (default today) and say so; the
    worker does the rest."""

    task: Task[[str | None], int]
    #: What the task sends, as the output names it ("the action reminders").
    what: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        day = date_or_today(options["date"])
        result = self.task.enqueue(day.isoformat())
        self.stdout.write(f"Enqueued {self.what} for {day.isoformat()} ({result.id}).")


class PurgeCommand[Found](BaseCommand):
    """Delete what is past its retention period (``--today`` to judge by another day;
    ``--dry-run`` only lists it), one ``Found`` (what :meth:`due` lists) at a time, then
    rewrite the tables deleted from (``table_rewrite.rewrite_after_purge``)."""

    #: The line printed when nothing is due.
    nothing_due: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only list what would be deleted"
        )
        parser.add_argument("--today", type=str, help="the date to judge by (default: today)")

    def due(self, today: dt.date | None) -> Sequence[Found]:
        """What is due for deletion on ``today`` (None: today); nothing is changed."""
        raise NotImplementedError

    def would(self, found: Found) -> str:
        """The dry run's line for ``found``."""
        raise NotImplementedError

    def purge(self, found: Found, today: dt.date | None) -> tuple[str, frozenset[str]]:
        """Delete ``found``: the line saying what was deleted, and the tables deleted from."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        today = iso_date(options["today"]) if options["today"] else None
        due = self.due(today)
        if not due:
            self.stdout.write(self.nothing_due)
        tables: set[str] = set()
        for found in due:
            if options["dry_run"]:
                self.stdout.write(self.would(found))
            else:
                said, deleted_from = self.purge(found, today)
                tables |= deleted_from
                self.stdout.write(said)
        # After every purge has committed, also when nothing was due (a table an earlier
        # run could not rewrite is owed); a failure raises RewriteFailed, the purge stays.
        rewrite_after_purge(tables, dry_run=options["dry_run"], write=self.stdout.write)
