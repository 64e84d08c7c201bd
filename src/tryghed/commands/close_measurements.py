"""``tryghed close-measurements``: close the measurements past their closing day (cron,
daily, just after midnight). Exit 1 if one could not be closed (the others are)."""

from __future__ import annotations

import argparse
import sys

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the day to judge by (YYYY-MM-DD); default today")
    parser.add_argument("--dry-run", action="store_true", help="only list what would be closed")


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import CommandError, call_command

    options: dict[str, object] = {"dry_run": args.dry_run}
    if args.date:
        options["date"] = args.date
    try:
        call_command("close_measurements", **options)
    except CommandError as error:
        print(f"tryghed close-measurements: {error}", file=sys.stderr)
        return 1
    return 0
