"""``tryghed purge-responses``: delete what is past its retention period (run daily): the
answers of closed measurements, then the learning log's old entries; then rewrite the
dialogue tables after live sessions ended (``manage.py rewrite_dialogue``)."""

from __future__ import annotations

import argparse
import sys

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    parser.add_argument("--today", help="the date to judge by, YYYY-MM-DD (default: today)")


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import call_command

    from tryghed.table_rewrite import RewriteFailed

    options: dict[str, object] = {"dry_run": args.dry_run}
    if args.today:
        options["today"] = args.today
    failed = False
    # rewrite_dialogue: the placements deleted when live dialogue sessions ended (in a web
    # request, where no VACUUM FULL belongs) leave the tables' pages here, at night.
    for command, given in (
        ("purge_responses", options),
        ("purge_learning", options),
        ("rewrite_dialogue", {"dry_run": args.dry_run}),
    ):
        try:
            call_command(command, **given)
        except RewriteFailed as failure:
            # The rows are deleted; the learning log is still purged; cron sees exit 1.
            print(f"tryghed purge-responses: {failure}", file=sys.stderr)
            failed = True
    return 1 if failed else 0
