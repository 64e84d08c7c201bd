"""``tryghed remind-voice``: enqueue today's Sig det reminders and escalations (cron, daily)."""

from __future__ import annotations

import argparse

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD); default today")


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import call_command

    options = {"date": args.date} if args.date else {}
    call_command("remind_voice", **options)
    return 0
