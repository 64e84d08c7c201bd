"""``tryghed remind-measurements``: the automatic reminder round of open measurements close
to their closing day (cron, daily, in the morning)."""

from __future__ import annotations

import argparse

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the day to judge by (YYYY-MM-DD); default today")
    parser.add_argument("--dry-run", action="store_true", help="only list what is due")


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import call_command

    options: dict[str, object] = {"dry_run": args.dry_run}
    if args.date:
        options["date"] = args.date
    call_command("remind_measurements", **options)
    return 0
