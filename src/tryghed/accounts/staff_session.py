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
from dataclasses import dataclass
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tryghed.accounts import api_tokens
from tryghed.accounts.anonymous_pages import anonymous_page as anonymous_page
from tryghed.accounts.anonymous_pages import is_anonymous_page
from tryghed.accounts.link_session import BY_LINK
from tryghed.accounts.link_session import SESSION_KEY as SIGNED_IN_BY
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record

STARTED = "tryghed_session_started"
# The idle clock lives in a signed cookie bound to the session, not in the stored session:
# a request writes nothing to the database to keep a session alive, so no session row is
# saved beside what an anonymous page writes (privacy.md section 0, the operator).
SEEN_COOKIE = "tryghed_seen"
# The last request is noted to the minute: the cookie is set again at most once a minute.
SEEN_STEP = 60
_SALT = "tryghed.accounts.staff_session.seen"


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Django's ``user_logged_in``: every sign-in, whatever the way, starts the lifetime."""
    session = getattr(request, "session", None)
    if session is not None:
        session[STARTED] = int(time.time())


def _bound_to(session_key: str) -> str:
    return salted_hmac(_SALT, session_key, algorithm="sha256").hexdigest()[:32]


def stamp(session_key: str, when: int) -> str:
    """The idle-clock cookie's value: ``when`` signed and bound to this session, so a fresh
    cookie from another session cannot bring an idle one back."""
    return signing.Signer(salt=_SALT).sign(f"{_bound_to(session_key)}:{when}")


def last_seen(request: HttpRequest) -> int | None:
    """When this session last made a request, from its own cookie; None without one."""
    raw, key = request.COOKIES.get(SEEN_COOKIE), request.session.session_key
    if not raw or not key:
        return None
    try:
        bound, _, when = signing.Signer(salt=_SALT).unsign(raw).partition(":")
    except signing.BadSignature:
        return None
    if bound != _bound_to(key) or not when.isdigit():
        return None
    return int(when)


def expired(session: SessionBase, seen: int | None, now: int) -> str | None:
    """Why this staff session is over ("idle", "lifetime"), or None while it lasts. A
    session without its start (opened before it was kept) is over: it fails closed. Without
    an idle cookie the session counts as seen when it started."""
    started = session.get(STARTED)
    if not isinstance(started, int):
        return "unstamped"
    if now - started >= settings.TRYGHED_STAFF_SESSION_MAX:
        return "lifetime"
    if now - max(started, seen or started) >= settings.TRYGHED_STAFF_SESSION_IDLE:
        return "idle"
    return None


def _timed(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.session.get(SIGNED_IN_BY) != BY_LINK)


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_tryghed_session_checked", False) and _timed(request):
            now = int(time.time())
            seen = last_seen(request)
            key = request.session.session_key
            if key and (seen is None or now - seen >= SEEN_STEP):
                response.set_cookie(
                    SEEN_COOKIE,
                    stamp(key, now),
                    max_age=settings.TRYGHED_STAFF_SESSION_IDLE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if is_anonymous_page(view_func) or not _timed(request):
            return None
        user = request.user
        reason = expired(request.session, last_seen(request), int(time.time()))
        if reason is None:
            request._tryghed_session_checked = True  # type: ignore[attr-defined]
            return None
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
        response = redirect_to_login(request.get_full_path())
        response.delete_cookie(SEEN_COOKIE, samesite="Lax")
        return response


@dataclass(frozen=True)
class Ended:
    sessions: int
    api_tokens: int


def end_other_sessions(request: HttpRequest, user: User, *, why: str) -> Ended:
    """End every signed-in session of the user but this one, and revoke their API tokens;
    how many of each."""
    current = request.session.session_key or ""
    return _end(user, UserSession.objects.filter(user_id=user.pk).exclude(session_key=current), why)


def end_all_sessions(user: User, *, why: str) -> Ended:
    """End every signed-in session of the user and revoke their API tokens (after a new
    password set by reset link)."""
    return _end(user, UserSession.objects.filter(user_id=user.pk), why)


@transaction.atomic
def _end(user: User, sessions: QuerySet[UserSession], why: str) -> Ended:
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
    # A token is a way in that outlives every session: it goes with them.
    return Ended(ended, api_tokens.revoke_all(user, why=why))


def other_sessions(request: HttpRequest, user: User) -> list[UserSession]:
    """The user's other sessions that are still alive, oldest first."""
    current = request.session.session_key
    return sorted(
        (s for s in UserSession.objects.purge_and_list(user) if s.session_key != current),
        key=lambda s: s.created_at,
    )
