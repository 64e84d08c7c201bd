"""``tryghed remind-voice``: enqueue today's Sig det reminders and escalations (cron, daily)."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD); default today")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django
    from django.core.management import call_command

    django.setup()
    options = {"date": args.date} if args.date else {}
    call_command("remind_voice", **options)
    return 0
