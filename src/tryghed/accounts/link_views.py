"""Sign-in by link for employees: ask for a link, open it, use it. Thin: parse, call, render.

The token is in the link's path once; the page it opens posts it back in the body, so a
mail scanner that follows links does not use it up, and it is never in a later URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.internal.flows.reauthentication import resume_request
from allauth.usersessions.models import UserSession
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tryghed.accounts import link_reauth, signin_link, throttle
from tryghed.accounts.link_session import BY_LINK, SESSION_KEY

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Din e-mailadresse"),
        max_length=254,
        help_text=_("Den adresse, din arbejdsplads har registreret dig med."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)


def client_ip(request: HttpRequest) -> str:
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy sets X-Real-IP.
    return str(request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "")


def _safe_next(value: str) -> str:
    return value if signin_link.is_safe_next(value) else ""


@never_cache
@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(
        request.POST or None, initial={"next": _safe_next(request.GET.get("next", ""))}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        address = signin_link.normalise(form.cleaned_data["email"])
        ip = client_ip(request)
        wait = max(
            throttle.check(signin_link.REQUEST_BY_ADDRESS, address) or 0,
            throttle.check(signin_link.REQUEST_BY_IP, ip) or 0,
        )
        if wait:
            # Every address is counted, known or not, so this says nothing about it.
            signin_link.record_throttled(step="request", client_ip=ip, email=address)
            form.add_error(None, throttle.too_many_attempts(wait))
            status = 429
        else:
            throttle.failure(signin_link.REQUEST_BY_ADDRESS, address)
            throttle.failure(signin_link.REQUEST_BY_IP, ip)
            signin_link.link_request(
                email=address,
                next_path=_safe_next(form.cleaned_data.get("next") or ""),
                client_ip=ip,
                language=get_language() or "da",
            )
            return redirect("accounts:link_sent")
    return render(request, "accounts/link_request.html", {"form": form}, status=status)


@require_GET
def link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/link_sent.html",
        {"minutes": int(signin_link.LIFETIME.total_seconds() // 60)},
    )


def _private(response: HttpResponse) -> HttpResponse:
    # The site's Referrer-Policy (same-origin) keeps the token's URL from other sites;
    # "no-referrer" would make the browser send "Origin: null" and fail the CSRF check.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    """The page the e-mail's link opens: one button that uses the link."""
    return _private(
        render(
            request,
            "accounts/link_open.html",
            {"token": token, "next": _safe_next(request.GET.get("next", ""))},
        )
    )


def _invalid(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _private(
        render(request, "accounts/link_invalid.html", {"message": message}, status=status)
    )


@require_POST
def link_use(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    wait = throttle.check(signin_link.REDEEM_BY_IP, ip)
    if wait is not None:
        signin_link.record_throttled(step="use", client_ip=ip)
        return _invalid(request, throttle.too_many_attempts(wait), 429)
    try:
        signed_in = signin_link.link_redeem(token=request.POST.get("token", "")[:200], client_ip=ip)
    except signin_link.LinkInvalid as refused:
        throttle.failure(signin_link.REDEEM_BY_IP, ip)
        if refused.address:
            throttle.failure(signin_link.REDEEM_BY_ADDRESS, refused.address)
        if refused.wait is not None:
            return _invalid(request, throttle.too_many_attempts(refused.wait), 429)
        return _invalid(request, "", 400)
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", [MODEL_BACKEND]))
    login(
        request,
        signed_in.user,
        backend=MODEL_BACKEND if MODEL_BACKEND in backends else backends[0],
    )
    # How this session was opened: with employee scope only, by link (link_session.py).
    request.session[SESSION_KEY] = BY_LINK
    # Django's login() does not send allauth's signal: without this row "Log ud overalt"
    # and the ending of every session after a new password would not reach this one.
    UserSession.objects.create_from_request(request)
    throttle.clear(signin_link.REDEEM_BY_IP, ip)
    target = _safe_next(request.POST.get("next", ""))
    if target:
        return redirect(target)
    if len({p.organisation_id for p in signed_in.people}) == 1:
        return redirect(
            reverse(
                "results:feedback_latest",
                kwargs={"org": signed_in.people[0].organisation.slug},
            )
        )
    return redirect("web:home")


# --------------------------------------------------------------------------- confirming by link


def _with_next(url: str, next_path: str) -> str:
    return url + "?" + urlencode({"next": next_path})


def _minutes() -> int:
    return int(signin_link.LIFETIME.total_seconds() // 60)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reauth_request(request: HttpRequest) -> HttpResponse:
    """The page "Bekræft, at det er dig": a link session asks for a fresh link."""
    next_path = _safe_next(request.POST.get("next") or request.GET.get("next", "")) or reverse(
        "accounts:sessions"
    )
    if not link_reauth.applies(request):
        # Staff, and anyone with a password or a second factor, confirm as allauth asks.
        return redirect(_with_next(reverse("account_reauthenticate"), next_path))
    status, error = 200, ""
    if request.method == "POST":
        wait = link_reauth.link_reauth_request(
            request=request,
            next_path=next_path,
            client_ip=client_ip(request),
            language=get_language() or "da",
        )
        if wait is None:
            return redirect(_with_next(reverse("accounts:link_reauthenticate"), next_path))
        status, error = 429, throttle.too_many_attempts(wait)
    return render(
        request,
        "accounts/link_reauth.html",
        {
            "next": next_path,
            "sent": link_reauth.link_pending(request),
            "error": error,
            "minutes": _minutes(),
        },
        status=status,
    )


@require_GET
def reauth_open(request: HttpRequest, token: str) -> HttpResponse:
    """The page the confirmation e-mail's link opens: one button, in the session that asked
    for it; anywhere else it says why it does not work here. Uses nothing up."""
    next_path = link_reauth.pending_next(request, token[:200])
    return _private(
        render(
            request,
            "accounts/link_reauth_open.html",
            {
                "token": token,
                "next": next_path or "",
                "usable": next_path is not None,
                "minutes": _minutes(),
            },
        )
    )


@require_POST
def reauth_use(request: HttpRequest) -> HttpResponse:
    confirmed = link_reauth.link_reauth_confirm(
        request=request, token=request.POST.get("token", "")[:200], client_ip=client_ip(request)
    )
    if not confirmed:
        return _private(
            render(
                request,
                "accounts/link_reauth_open.html",
                {"usable": False, "minutes": _minutes()},
                status=400,
            )
        )
    # Carry out what waited for the confirmation ("Log ud overalt"), as allauth does after a
    # password given again; without one, go on to the page it was asked from.
    resumed: HttpResponse | None = resume_request(request)
    if resumed is not None:
        return resumed
    messages.success(request, _("Tak. Du har bekræftet, at det er dig."))
    return redirect(_safe_next(request.POST.get("next", "")) or reverse("accounts:sessions"))
