"""``tryghed audit-anonymity``: the subtraction audit of an organisation's publication.

The same as ``tryghed manage audit_anonymity``; exit code 1 when a reader could derive a
group below the minimum.
"""

from __future__ import annotations

import argparse
import sys

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True, help="the organisation's slug")
    parser.add_argument("--measurement", type=int, help="only this measurement (id)")
    parser.add_argument(
        "--role", help="only this reader: admin, amo, leader:<e-mail> or employee:<e-mail>"
    )


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import CommandError, call_command

    options: dict[str, object] = {"org": args.org}
    if args.measurement is not None:
        options["measurement"] = args.measurement
    if args.role:
        options["role"] = args.role
    try:
        call_command("audit_anonymity", **options)
    except SystemExit as stop:
        return int(stop.code or 0)
    except CommandError as error:
        print(f"tryghed audit-anonymity: {error}", file=sys.stderr)
        return 2
    return 0
