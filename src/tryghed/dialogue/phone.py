"""The participants' pages on their phones, without sign-in: the code, then the session.

A phone is told apart from the others only by a random token in a cookie that belongs to
this one session (its path is the session's address, it has no expiry date, so the
browser forgets it when closed, and it is useless once the session ends). The token is
never stored: the database keeps an HMAC of it per exercise (services.placement_id).
Like the survey pages: no caching, no referrer, no other cookie, no CSRF cookie (a
cross-site form cannot send the ``SameSite=Strict`` phone cookie, and a POST without it
stores nothing). Wrong codes are throttled per client address (accounts/throttle.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tryghed.accounts import throttle
from tryghed.accounts.staff_session import anonymous_page
from tryghed.dialogue import selectors, services
from tryghed.dialogue.models import Session
from tryghed.dialogue.presenters import exercise_view

COOKIE = "tryghed_dialog"
JOIN_SCOPE = "dialogue.join"
# Wrong codes per client address in 15 minutes (a whole room may share one address).
throttle.register(JOIN_SCOPE, limit=30, window=15 * 60)
LANGUAGES = ("da", "en")


def phone_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No caching, no referrer, no cookie but the phone's own, no session saved; the
    language asked for with ``?sprog=en`` or a hidden field (no cookie for it either)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        asked = request.POST.get("lang", "") if request.method == "POST" else ""
        asked = asked or request.GET.get("sprog", "")
        with translation.override(asked if asked in LANGUAGES else "da"):
            response = view(request, *args, **kwargs)
        # A signed-in participant's session (a staff member's idle clock, say) is not saved
        # here: its row would be written right after the placement and name its user.
        session = getattr(request, "session", None)
        if session is not None:
            session.modified = False
        kept = response.cookies.get(COOKIE)
        response.cookies.clear()
        if kept is not None:
            response.cookies[COOKIE] = kept
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return anonymous_page(csrf_exempt(wrapper))


def _lang() -> str:
    return (translation.get_language() or "da")[:2]


def _client(request: HttpRequest) -> str:
    return str(get_adapter(request).get_client_ip(request))


def _session_path(session: Session) -> str:
    return reverse("dialogue_phone:session", args=[session.code])


def _page_url(session: Session, flag: str = "") -> str:
    """The session page, in the phone's language, with a one-off flag (saved, moved on)."""
    params = {"sprog": "en"} if _lang() == "en" else {}
    if flag:
        params[flag] = "1"
    return _session_path(session) + (f"?{urlencode(params)}" if params else "")


@phone_page
@require_GET
def join(request: HttpRequest) -> HttpResponse:
    """Type the code from the big screen."""
    typed = request.GET.get("kode", "")
    context: dict[str, Any] = {"lang": _lang(), "typed": typed}
    if not typed:
        return render(request, "dialogue/phone_join.html", context)
    client = _client(request)
    wait = throttle.check(JOIN_SCOPE, client)
    if wait is not None:
        context["error"] = throttle.too_many_attempts(wait)
        return render(request, "dialogue/phone_join.html", context, status=429)
    session = services.session_by_code(typed)
    if session is None:
        throttle.failure(JOIN_SCOPE, client)
        context["error"] = translation.gettext(
            "Vi kan ikke finde en session med den kode. Tjek koden på skærmen."
        )
        return render(request, "dialogue/phone_join.html", context, status=404)
    return redirect(_page_url(session))


def _token(request: HttpRequest) -> str:
    token = request.COOKIES.get(COOKIE, "")
    return token if len(token) >= services.TOKEN_BYTES and token.isascii() else ""


def _set_token(request: HttpRequest, response: HttpResponse, session: Session, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path=_session_path(session),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dialogue/phone_join.html",
        {
            "lang": _lang(),
            "error": translation.gettext(
                "Sessionen findes ikke længere. Den kan være afsluttet, eller koden er forkert."
            ),
        },
        status=404,
    )


@phone_page
@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, code: str) -> HttpResponse:
    """The exercise on the screen: its question, and whether this phone has answered (never
    the answer itself), which the phone can change until the distribution is shown;
    afterwards the distribution itself."""
    session = services.session_by_code(code)
    if session is None:
        return _unknown(request)
    if code != session.code:
        return redirect(_page_url(session))
    token = _token(request)
    exercise = session.current
    assert exercise is not None
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not token or request.POST.get("exercise") != str(exercise.pk):
            # No phone cookie (a cross-site form, or cookies off), or an exercise that has
            # left the screen: nothing is stored; the page shows what is on now.
            return redirect(_page_url(session, "skiftet"))
        posted = {k[2:]: str(request.POST.get(k, "")) for k in request.POST if k.startswith("a-")}
        try:
            services.placement_set(exercise=exercise, token=token, answers=posted)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            return redirect(_page_url(session, "gemt"))
    new_token = "" if token else services.phone_token_new()
    answered = bool(token and services.phone_answers(exercise=exercise, token=token))
    # The phone's stored answer is never filled back in: a colleague who borrows the phone
    # (or glances at it on the table) would read it. Only a form sent with an error shows
    # what was just sent, so it can be corrected.
    mine = posted if errors else {}
    response = render(
        request,
        "dialogue/phone.html",
        {
            "lang": _lang(),
            "session": session,
            "exercise": exercise,
            "shown": exercise_view(exercise, _lang(), count=0),
            "count": selectors.answer_count(exercise),
            "needed": selectors.reveal_minimum(exercise, session),
            "mine": {k: str(v) for k, v in mine.items()},
            "answered": answered,
            "saved": request.GET.get("gemt") == "1" and not errors,
            "moved": request.GET.get("skiftet") == "1",
            "errors": errors,
            "path": _session_path(session),
            "status_url": reverse("dialogue_phone:status", args=[session.code]),
        },
        status=400 if errors else 200,
    )
    if new_token:
        _set_token(request, response, session, new_token)
    return response


@phone_page
@require_GET
def phone_status(request: HttpRequest, code: str) -> HttpResponse:
    """What the phone's script needs to know to reload: the exercise and whether it is
    revealed. No count, nothing about answers."""
    session = services.session_by_code(code)
    if session is None or session.current is None:
        return JsonResponse({"active": False})
    return JsonResponse(
        {
            "active": True,
            "exercise": str(session.current.pk),
            "revealed": session.current.revealed,
        }
    )
