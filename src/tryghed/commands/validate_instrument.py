"""``tryghed validate-instrument FILE``: the same check an upload gets, from the shell.

Exit 0 with ``OK: ...`` for a valid file, exit 1 with ``FILE:LINE: reason`` otherwise, so
an author can fix a file (for example a licensed COPSOQ version) before importing it.
"""

from __future__ import annotations

import argparse
import sys

from tryghed.core.instruments import InstrumentError, load_instrument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="instrument file (YAML)")


def run(args: argparse.Namespace) -> int:
    try:
        instrument = load_instrument(args.file)
    except InstrumentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    scales = ", ".join(s.id for s in instrument.scales) or "none"
    print(
        f"OK: {instrument.id} version {instrument.version}, {len(instrument.items)} items, "
        f"scales: {scales} ({instrument.fingerprint})"
    )
    return 0
