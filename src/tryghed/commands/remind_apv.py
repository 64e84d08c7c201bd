"""``tryghed remind-apv``: queue the APV reminders that are due. Run it daily (cron)."""

from __future__ import annotations

import argparse

from tryghed.commands import django_setup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    django_setup.setup()
    from django.core.management import call_command

    call_command("remind_apv")
    return 0
