"""``tryghed remind-apv``: queue the APV reminders that are due. Run it daily (cron)."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("remind_apv")
    return 0
