"""The ``tryghed`` command.

Each sub-command lives in ``tryghed.commands.<module>`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. Only the chosen sub-command's
module is imported, so ``tryghed score`` does not load Django and ``tryghed
import-org`` does not load numpy.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# sub-command name -> (module in tryghed.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "instruments": ("instruments", "list the built-in instruments, or show one"),
    "validate-instrument": ("validate_instrument", "check an instrument file"),
    "score": ("score", "score a CSV of responses for one instrument"),
    "import-org": ("import_org", "import units or people from a CSV file"),
    "worker": ("worker", "run the background tasks (e-mails, report files)"),
    "remind-actions": ("remind_actions", "enqueue reminders for action deadlines (daily)"),
    "close-measurements": (
        "close_measurements",
        "close measurements past their closing day (daily)",
    ),
    "remind-measurements": (
        "remind_measurements",
        "send the automatic reminder before a measurement closes (daily)",
    ),
    "tighten-publications": (
        "tighten_publications",
        "hide in publications stored under earlier rules what the current rules hide",
    ),
    "purge-responses": (
        "purge_responses",
        "delete answers and learning-log entries past their retention periods (daily)",
    ),
    "remind-apv": ("remind_apv", "queue the APV reminders that are due (run daily)"),
    "remind-voice": (
        "remind_voice",
        "enqueue Sig det reminders, escalate overdue cases to the AMO (daily)",
    ),
    "audit-anonymity": (
        "audit_anonymity",
        "check that no reader can derive a group below the minimum (exit 1 if one can)",
    ),
    "manage": ("manage", "run a Django management command (migrate, load_demo, ...)"),
}


def _overview() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: tryghed COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_text}" for name, (_m, help_text) in COMMANDS.items()]
    lines += ["", "Run 'tryghed COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_overview())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"tryghed: unknown command {name!r}\n\n{_overview()}", file=sys.stderr)
        return 2
    module_name, help_text = COMMANDS[name]
    module = importlib.import_module(f"tryghed.commands.{module_name}")
    parser = argparse.ArgumentParser(prog=f"tryghed {name}", description=help_text)
    module.add_arguments(parser)
    try:
        result: int = module.run(parser.parse_args(rest))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`tryghed instruments ps7 | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
