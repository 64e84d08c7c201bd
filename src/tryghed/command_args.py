"""Argument parsing shared by the management commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone


def iso_date(value: str, *, option: str = "--today") -> dt.date:
    """A date given on the command line as 2029-12-01; a clear error otherwise."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option}: {value!r} is not a date like 2029-12-01") from error


def date_or_today(value: str | None, *, option: str = "--date") -> dt.date:
    """The date given on the command line (as :func:`iso_date` reads it), or today's local
    date when none was given."""
    return iso_date(value, option=option) if value else timezone.localdate()
