"""``tryghed remind-measurements``: the automatic reminder round of open measurements close
to their closing day (cron, daily, in the morning)."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the day to judge by (YYYY-MM-DD); default today")
    parser.add_argument("--dry-run", action="store_true", help="only list what is due")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django
    from django.core.management import call_command

    django.setup()
    options: dict[str, object] = {"dry_run": args.dry_run}
    if args.date:
        options["date"] = args.date
    call_command("remind_measurements", **options)
    return 0
