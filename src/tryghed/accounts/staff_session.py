"""Staff sessions: how long they last, and ending them everywhere ("Log ud overalt").

A staff session ends after ``TRYGHED_STAFF_SESSION_IDLE`` seconds without a request and
``TRYGHED_STAFF_SESSION_MAX`` seconds after sign-in, however busy (ASVS 7.3.1, 7.3.2).
Sessions opened with an employee's sign-in link are left to their own rules
(``link_session``). allauth's ``usersessions`` keeps a row per signed-in session, which is
what lets one end the others: on request, after a new password and after an authenticator
is removed (ASVS 7.4.3, 7.5.2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tryghed.accounts.link_session import BY_LINK
from tryghed.accounts.link_session import SESSION_KEY as SIGNED_IN_BY
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record

STARTED = "tryghed_session_started"
SEEN = "tryghed_session_seen"
# The last request is noted to the minute: a session write a minute, not one per request.
SEEN_STEP = 60


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Django's ``user_logged_in``: every sign-in, whatever the way, starts the clocks."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[STARTED] = now
        session[SEEN] = now


def expired(session: SessionBase, now: int) -> str | None:
    """Why this staff session is over ("idle", "lifetime"), or None while it lasts. A
    session without clocks (opened before they were kept) is over: it fails closed."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return "unstamped"
    if now - started >= settings.TRYGHED_STAFF_SESSION_MAX:
        return "lifetime"
    if now - seen >= settings.TRYGHED_STAFF_SESSION_IDLE:
        return "idle"
    return None


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        session = request.session
        if user.is_authenticated and session.get(SIGNED_IN_BY) != BY_LINK:
            now = int(time.time())
            reason = expired(session, now)
            if reason is not None:
                audit_record(
                    actor=user if isinstance(user, User) else None,
                    action="auth.session_expired",
                    obj=user,
                    summary=f"session ended ({reason})",
                    data={"reason": reason},
                )
                logout(request)
                messages.info(
                    request,
                    _("Du er blevet logget ud, fordi du ikke har brugt Tryghed i et stykke tid.")
                    if reason == "idle"
                    else _("Du er blevet logget ud. Log ind igen for at fortsætte."),
                )
                return redirect_to_login(request.get_full_path())
            if now - int(session[SEEN]) >= SEEN_STEP:
                session[SEEN] = now
        return self.get_response(request)


def end_other_sessions(request: HttpRequest, user: User, *, why: str) -> int:
    """End every signed-in session of the user but this one; the number ended."""
    current = request.session.session_key or ""
    return _end(user, UserSession.objects.filter(user_id=user.pk).exclude(session_key=current), why)


def end_all_sessions(user: User, *, why: str) -> int:
    """End every signed-in session of the user (after a new password set by reset link)."""
    return _end(user, UserSession.objects.filter(user_id=user.pk), why)


@transaction.atomic
def _end(user: User, sessions: QuerySet[UserSession], why: str) -> int:
    ended = 0
    for user_session in sessions:
        user_session.end()
        ended += 1
    if ended:
        audit_record(
            actor=user,
            action="auth.sessions_ended",
            obj=user,
            summary=f"{ended} session(s) ended ({why})",
            data={"count": ended, "why": why},
        )
    return ended


def other_sessions(request: HttpRequest, user: User) -> list[UserSession]:
    """The user's other sessions that are still alive, oldest first."""
    current = request.session.session_key
    return sorted(
        (s for s in UserSession.objects.purge_and_list(user) if s.session_key != current),
        key=lambda s: s.created_at,
    )
