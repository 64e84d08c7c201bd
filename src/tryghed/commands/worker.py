"""``tryghed worker``: run the background tasks (e-mails, report files) stored in the database."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch",
        action="store_true",
        help="run the tasks that are due, then stop (for cron or tests)",
    )


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django
    from django.core.management import call_command

    django.setup()
    options = {"batch": True} if args.batch else {}
    call_command("db_worker", **options)
    return 0
