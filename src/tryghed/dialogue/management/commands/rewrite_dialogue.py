"""``manage.py rewrite_dialogue``: rewrite the dialogue tables after sessions ended (nightly,
from ``tryghed purge-responses``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tryghed.dialogue.rewrite import TABLES, placements_on_disk, rewrite_after_sessions


class Command(BaseCommand):
    help = (
        "On PostgreSQL, rewrite the dialogue tables (VACUUM FULL) when placements were written "
        "since the last rewrite, so the placements deleted when sessions ended leave the "
        "database's files. `tryghed purge-responses` runs it nightly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only say whether it would rewrite"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            if placements_on_disk():
                self.stdout.write(f"Would rewrite on disk (VACUUM FULL): {', '.join(TABLES)}")
            return
        # A failure raises RewriteFailed: what failed and the statement to run by hand.
        rewritten = rewrite_after_sessions()
        if rewritten:
            self.stdout.write(f"Rewrote on disk (VACUUM FULL): {', '.join(rewritten)}")
