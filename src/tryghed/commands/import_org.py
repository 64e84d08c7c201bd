"""``tryghed import-org FILE``: import units or people from CSV (dry run unless --apply)."""

from __future__ import annotations

import argparse
import sys

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")
    parser.add_argument("--org", help="the organisation's slug (needed when there are several)")
    parser.add_argument("--apply", action="store_true", help="write the changes")
    parser.add_argument(
        "--deactivate-missing",
        action="store_true",
        help="people files: deactivate people not in the file",
    )


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    options: dict[str, object] = {
        "apply": args.apply,
        "deactivate_missing": args.deactivate_missing,
    }
    if args.org:
        options["org"] = args.org
    try:
        call_command("import_org", args.file, **options)
    except CommandError as error:
        sys.stderr.write(f"tryghed import-org: {error}\n")
        return 1
    return 0
