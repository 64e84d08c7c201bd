"""Staff sign-in: e-mail and password through django-allauth, then two-step verification.

Failed passwords are throttled and audit-logged in ``adapter``; this module shapes the
forms and pages, queues password-reset mail and explains two-step verification.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.views import LoginView as AllauthLoginView
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import RemoveWebAuthnView, login_webauthn
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tryghed.accounts import link_reauth, sso, staff_session, tasks, throttle
from tryghed.accounts.adapter import ACCOUNT_SCOPE
from tryghed.accounts.forms import LoginForm
from tryghed.accounts.mfa import authenticator_removable, has_mfa, mfa_required
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record

RESET_ACCOUNT_SCOPE = "password_reset.account"
RESET_ADDRESS_SCOPE = "password_reset.address"
throttle.register(RESET_ACCOUNT_SCOPE, limit=3, window=60 * 60)
throttle.register(RESET_ADDRESS_SCOPE, limit=20, window=60 * 60)
# Passkey sign-in options per client address (a whole town hall may share one).
PASSKEY_OPTIONS_SCOPE = "passkey_login.options"
throttle.register(PASSKEY_OPTIONS_SCOPE, limit=300, window=15 * 60)


class LoginView(AllauthLoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm

    def get_form_class(self) -> type[forms.Form]:
        return LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        # ?org=<slug>: that organisation's "Log ind med <provider>" (accounts.sso).
        found = sso.enabled_for_slug(self.request.GET.get("org", "")[:60])
        context["sso_providers"] = [found] if found else []
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)
        return sso.allow_form_action(response, [p for _, p in context["sso_providers"]])


class LogoutView(auth_views.LogoutView):
    """Signing out also empties this site's part of the browser's cache, where pages kept
    before their responses said ``no-store`` could still come back on a shared computer."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response


class QueuedPasswordResetForm(PasswordResetForm):
    """Looks no one up: the worker finds the address's users and sends the link."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        email = self.cleaned_data["email"].strip().lower()
        language = get_language() or "da"
        transaction.on_commit(lambda: tasks.send_password_reset.enqueue(email, language))


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        client_ip = get_adapter(self.request).get_client_ip(self.request)
        wait = max(
            (
                w
                for w in (
                    throttle.check(RESET_ACCOUNT_SCOPE, email),
                    throttle.check(RESET_ADDRESS_SCOPE, client_ip),
                )
                if w is not None
            ),
            default=None,
        )
        if wait is not None:
            form.add_error(None, throttle.too_many_attempts(wait))
            return self.form_invalid(form)
        throttle.failure(RESET_ACCOUNT_SCOPE, email)
        throttle.failure(RESET_ADDRESS_SCOPE, client_ip)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        # A new password lifts a lockout of the account (the address's count stays).
        throttle.clear(ACCOUNT_SCOPE, user.email)
        audit_record(actor=user, action="auth.password_reset", obj=user, summary="new password")
        # Whoever knew the old password is signed out wherever they are (ASVS 7.4.3).
        staff_session.end_all_sessions(user, why="password_reset")
        return response


@login_required
def mfa_required_page(request: HttpRequest) -> HttpResponse:
    """Why two-step verification is needed (or offered), and how to set it up."""
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "accounts/mfa_required.html",
        {"required": mfa_required(user), "active": has_mfa(user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
@link_reauth.reauthentication_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    """Where one is signed in besides here, and "Log ud overalt" to end those sessions.
    Ending them asks for the password (or a code) again first (ASVS 7.5.2); an employee
    signed in by link, who has neither, confirms by a fresh link (accounts.link_reauth)."""
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        ended = staff_session.end_other_sessions(request, user, why="user")
        if ended.sessions:
            messages.success(request, _("Du er nu logget ud alle andre steder."))
        else:
            messages.info(request, _("Du var ikke logget ind andre steder."))
        if ended.api_tokens:
            messages.success(
                request,
                ngettext(
                    "Din API-nøgle er tilbagekaldt.",
                    "Dine %(count)d API-nøgler er tilbagekaldt.",
                    ended.api_tokens,
                )
                % {"count": ended.api_tokens},
            )
        return redirect("accounts:sessions")
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": staff_session.other_sessions(request, user),
            "idle_minutes": settings.TRYGHED_STAFF_SESSION_IDLE // 60,
            "max_hours": settings.TRYGHED_STAFF_SESSION_MAX / 3600,
            "by_link": link_reauth.applies(request),
            "confirmed": link_reauth.recently_confirmed(request),
        },
    )


class RemovePasskeyView(RemoveWebAuthnView):
    """allauth's page, but whoever must use two-step verification keeps their last factor
    (allauth asks the adapter only when an app is switched off)."""

    object: Authenticator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["removable"] = authenticator_removable(self.object)
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        if not authenticator_removable(self.get_object()):
            messages.error(
                self.request,
                _(
                    "Din rolle kræver totrinsbekræftelse. Tilføj en anden nøgle eller en "
                    "godkender-app, før du fjerner denne."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_list_webauthn"))
        response: HttpResponse = super().form_valid(form)
        return response


remove_passkey = RemovePasskeyView.as_view()


def passkey_login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """allauth's sign-in with a passkey alone. Asking for its options saves the challenge in
    a new session row, and allauth limits only the answers (POST): the asking is limited
    per address here, so no one fills the session table from outside."""
    if request.method == "GET":
        client_ip = get_adapter(request).get_client_ip(request)
        if throttle.check(PASSKEY_OPTIONS_SCOPE, client_ip) is not None:
            return HttpResponse(status=429)
        throttle.failure(PASSKEY_OPTIONS_SCOPE, client_ip)
    response: HttpResponse = login_webauthn(request, *args, **kwargs)
    return response
