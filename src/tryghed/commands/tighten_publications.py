"""``tryghed tighten-publications``: tighten every publication stored under an earlier schema
to the current hiding rules (once after an upgrade; pages do it on their first read too).
Exit 1 if one could not be tightened (the others are)."""

from __future__ import annotations

import argparse
import sys

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="only say what would be hidden; store nothing"
    )


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import CommandError, call_command

    try:
        call_command("tighten_publications", dry_run=args.dry_run)
    except CommandError as error:
        print(f"tryghed tighten-publications: {error}", file=sys.stderr)
        return 1
    return 0
