"""``tryghed worker``: run the background tasks (e-mails, report files) stored in the database."""

from __future__ import annotations

import argparse

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch",
        action="store_true",
        help="run the tasks that are due, then stop (for cron or tests)",
    )


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import call_command

    options = {"batch": True} if args.batch else {}
    call_command("db_worker", **options)
    return 0
