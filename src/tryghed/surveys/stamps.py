"""What a survey row may carry of time and of tokens: ISO weeks, never a finer time, and
hashes of random tokens, never the tokens (privacy.md section 1). No database access."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

TOKEN_BYTES = 32  # 256 bits; privacy.md asks for at least 128
# The local hour at which the invitations of a measurement opening on a later day go out.
INVITATION_HOUR = 7


def iso_week(day: dt.date | None = None) -> str:
    """The ISO week of a day as "2026-W47": the finest time a response or invitation keeps."""
    year, week, _weekday = (day or timezone.localdate()).isocalendar()
    return f"{year}-W{week:02d}"


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash. Only the hash is ever stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitations_send_at(opens_on: dt.date) -> dt.datetime | None:
    """When a measurement's invitation e-mails go out: None (now) once its opening day has
    come, else at ``INVITATION_HOUR`` on the opening day, local time."""
    if opens_on <= timezone.localdate():
        return None
    return timezone.make_aware(dt.datetime.combine(opens_on, dt.time(INVITATION_HOUR)))
