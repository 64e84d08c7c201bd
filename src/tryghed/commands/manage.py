"""``tryghed manage ...``: Django's management commands with Tryghed's settings."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="command and its arguments")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tryghed manage", *args.arguments])
    return 0
