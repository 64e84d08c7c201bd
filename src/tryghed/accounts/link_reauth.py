"""Confirming who one is without a password: a fresh login-link, followed in this session.

An employee signed in by link (accounts.signin_link) has no password and no second
factor, so allauth's reauthentication has nothing to ask for and answers 403. Before such
a session may end the person's other sessions ("Log ud overalt"), it asks for a new link by
e-mail, and the link must be followed in this same session within its lifetime. That
proves access to the person's mailbox now, not only possession of this session: a session
left open on a shared computer, or a stolen cookie, cannot sign the real person out
everywhere (privacy.md section 0, outsiders and colleagues; docs/security.md).

The confirmation is recorded in the session the way allauth records a password given
again (its authentication records: method "link", reauthenticated) and holds for
``ACCOUNT_REAUTHENTICATION_TIMEOUT``, like the password. Signing in with a link does not
count: only a link asked for from a signed-in session's confirmation page does.

The link's token is an HMAC of a random nonce under the application's secret. The session
keeps the nonce and the task queue carries it to the worker that sends the e-mail, so
neither the stored session nor the queue's rows hold a usable link for someone without the
secret (privacy.md section 0, the operator); only the e-mail holds the token. It works
once, only in the session that asked for it (opened in another browser it confirms
nothing), for ``signin_link.LIFETIME``; asking again replaces it.

Staff never get here: their sessions keep allauth's step (password, code or passkey) as it
is, and a link session of someone who holds a staff role ends at its next request
(``link_session``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from allauth.account import app_settings as allauth_account_settings
from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required as allauth_reauthentication
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.account.internal.flows.reauthentication import suspend_request
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.tasks import task
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from tryghed.accounts import signin_link, throttle
from tryghed.accounts.link_session import BY_LINK, SESSION_KEY
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record

# In the session: the pending link's nonce, when it expires, and where to go on.
PENDING_KEY = "tryghed_link_reauth"
# The method in allauth's authentication records of the session.
METHOD = "link"

# A few links per person; asking again replaces the link, so more would only fill a mailbox.
REQUEST_BY_USER = "signin_link.reauth.user"
throttle.register(REQUEST_BY_USER, limit=3, window=15 * 60)


def applies(request: HttpRequest) -> bool:
    """True for a session opened by link, of an employee for whom allauth has no way to
    confirm (no password, no second factor). Anyone else keeps allauth's reauthentication."""
    user = request.user
    return (
        isinstance(user, User)
        and user.is_active
        and request.session.get(SESSION_KEY) == BY_LINK
        and not signin_link.holds_staff_role(user.email)
        and not get_adapter(request).get_reauthentication_methods(user)
    )


def recently_confirmed(request: HttpRequest) -> bool:
    """This session followed a fresh confirmation link less than the reauthentication
    timeout ago (allauth's ``ACCOUNT_REAUTHENTICATION_TIMEOUT``, as for a password)."""
    if not applies(request):
        return False
    records = get_authentication_records(request, cast(User, request.user))
    confirmed = [r["at"] for r in records if r.get("method") == METHOD and r.get("reauthenticated")]
    return bool(confirmed) and (
        time.time() - confirmed[-1] < allauth_account_settings.REAUTHENTICATION_TIMEOUT
    )


def reauthentication_required[V: Callable[..., HttpResponse]](view: V) -> V:
    """allauth's ``reauthentication_required(allow_get=True)``; but where it would answer
    403 to a link session (``applies``), the request waits in the session (allauth's
    ``suspend_request``) while the person confirms by a fresh link, and is carried out when
    they have (``link_views.reauth_use``)."""
    guarded = cast(V, allauth_reauthentication(allow_get=True)(view))

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" and applies(request):
            if recently_confirmed(request):
                return view(request, *args, **kwargs)
            waiting: HttpResponse = suspend_request(
                request, reverse("accounts:link_reauthenticate")
            )
            return waiting
        return guarded(request, *args, **kwargs)

    return cast(V, wrapper)


def token_for(nonce: str, user_id: int) -> str:
    """The link's token: only whoever holds the application's secret can make it."""
    return salted_hmac(
        "tryghed.accounts.link_reauth", f"{user_id}:{nonce}", algorithm="sha256"
    ).hexdigest()


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    value = request.session.get(PENDING_KEY)
    if not isinstance(value, dict) or not isinstance(value.get("nonce"), str):
        return None
    if not isinstance(value.get("expires"), int) or value["expires"] <= time.time():
        return None
    return value


def link_pending(request: HttpRequest) -> bool:
    """A link was asked for in this session and has not expired."""
    return _pending(request) is not None


def pending_next(request: HttpRequest, token: str) -> str | None:
    """Where the confirmation leads on, when ``token`` is this session's live link; None
    when it is not (another browser's, replaced, expired). Reads only: uses nothing up."""
    pending = _pending(request)
    user = request.user
    if pending is None or not isinstance(user, User) or not applies(request):
        return None
    if not constant_time_compare(token_for(pending["nonce"], user.pk), token):
        return None
    return str(pending.get("next") or "")


# --------------------------------------------------------------------------- writes


def link_reauth_request(
    *, request: HttpRequest, next_path: str, client_ip: str, language: str
) -> int | None:
    """Queue a confirmation link for this session; the wait in seconds when throttled."""
    user = request.user
    assert isinstance(user, User) and applies(request)
    wait = throttle.check(REQUEST_BY_USER, str(user.pk))
    if wait is not None:
        signin_link.record_throttled(step="reauth", client_ip=client_ip, email=user.email)
        return wait
    throttle.failure(REQUEST_BY_USER, str(user.pk))
    nonce = secrets.token_urlsafe(signin_link.TOKEN_BYTES)
    request.session[PENDING_KEY] = {
        "nonce": nonce,
        "expires": int(time.time() + signin_link.LIFETIME.total_seconds()),
        "next": next_path if signin_link.is_safe_next(next_path) else "",
    }
    audit_record(
        actor=user,
        action="auth.link_reauth_requested",
        summary="confirmation link asked for by a signed-in employee",
        data={"address": signin_link.address_digest(user.email), "ip": client_ip},
    )
    user_id = user.pk

    def enqueue() -> None:
        send_reauth_link.enqueue(user_id, nonce, language)

    transaction.on_commit(enqueue)
    return None


@task()
def send_reauth_link(user_id: int, nonce: str, language: str) -> None:
    """E-mail the confirmation link, if the person is still an employee and nothing more."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or signin_link.holds_staff_role(user.email):
        return
    people = signin_link.people_for(user.email)
    if not people:
        return
    link = signin_link.site_url() + reverse(
        "accounts:link_reauth_open", kwargs={"token": token_for(nonce, user_id)}
    )
    signin_link.email_person(
        user.email,
        "reauth_link",
        {
            "name": people[0].name.split(" ")[0],
            "minutes": int(signin_link.LIFETIME.total_seconds() // 60),
            "link": link,
            "sessions_url": signin_link.site_url() + reverse("accounts:sessions"),
        },
        language,
    )


def link_reauth_confirm(*, request: HttpRequest, token: str, client_ip: str) -> bool:
    """Use this session's confirmation link: once, here only, within its lifetime. On
    success the session counts as reauthenticated (allauth's records, method "link")."""
    raw = request.session.pop(PENDING_KEY, None)  # used, or spoilt by a wrong token
    pending = raw if isinstance(raw, dict) and isinstance(raw.get("nonce"), str) else None
    user = request.user
    reason = ""
    if not isinstance(user, User) or not applies(request):
        reason = "not_link_session"
    elif pending is None:
        reason = "not_asked_here"
    elif not constant_time_compare(token_for(pending["nonce"], user.pk), token):
        reason = "unknown"
    elif not isinstance(pending.get("expires"), int) or pending["expires"] <= time.time():
        reason = "expired"
    actor = user if isinstance(user, User) else None
    if reason:
        audit_record(
            actor=actor,
            action="auth.link_reauth_failed",
            summary=f"confirmation link refused: {reason}",
            data={"reason": reason, "ip": client_ip},
        )
        return False
    assert isinstance(user, User)
    record_authentication(request, user, method=METHOD, reauthenticated=True)
    audit_record(
        actor=user,
        action="auth.link_reauthenticated",
        summary="confirmed by a fresh sign-in link",
        data={"address": signin_link.address_digest(user.email), "ip": client_ip},
    )
    return True
