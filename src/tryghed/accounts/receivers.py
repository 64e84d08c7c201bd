"""Audit rows for two-step verification changes, from allauth's signals (its only hook);
the session clocks started at every sign-in (Django's signal)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from tryghed.accounts import staff_session
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record


def _record(action: str, summary: str, user: Any, authenticator: Authenticator) -> None:
    if isinstance(user, User):
        audit_record(
            actor=user,
            action=action,
            obj=user,
            summary=summary,
            data={"type": str(authenticator.type)},
        )


def on_added(*, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    _record(
        "auth.mfa_added", f"two-step verification added ({authenticator.type})", user, authenticator
    )


def on_removed(*, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    _record(
        "auth.mfa_removed",
        f"two-step verification removed ({authenticator.type})",
        user,
        authenticator,
    )
    # A removed factor may be a lost one: whoever holds it is signed out everywhere else.
    request = kwargs.get("request")
    if isinstance(user, User) and isinstance(request, HttpRequest):
        staff_session.end_other_sessions(request, user, why="mfa_removed")


def on_reset(*, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    _record("auth.mfa_reset", "new recovery codes", user, authenticator)


def on_failed(*, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    _record("auth.mfa_failed", "wrong two-step verification code", user, authenticator)


def connect() -> None:
    signals.authenticator_added.connect(on_added, dispatch_uid="tryghed.mfa_added")
    signals.authenticator_removed.connect(on_removed, dispatch_uid="tryghed.mfa_removed")
    signals.authenticator_reset.connect(on_reset, dispatch_uid="tryghed.mfa_reset")
    signals.authentication_failed.connect(on_failed, dispatch_uid="tryghed.mfa_failed")
    user_logged_in.connect(staff_session.on_logged_in, dispatch_uid="tryghed.session_clocks")
