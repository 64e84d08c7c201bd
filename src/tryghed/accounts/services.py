"""Writes for staff accounts."""

from __future__ import annotations

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from tryghed.accounts.models import User


@transaction.atomic
def totp_activate(*, user: User, secret: str) -> None:
    """Give the user an authenticator app with this secret, and recovery codes, as the
    set-up page does (used by the demo, whose secret is printed, and by tests)."""
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
