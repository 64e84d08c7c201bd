"""Staff sign-in: e-mail and password through django-allauth, then two-step verification.

Failed passwords are throttled and audit-logged in ``adapter``; this module shapes the
forms and pages, queues password-reset mail and explains two-step verification.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.views import LoginView as AllauthLoginView
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import get_language

from tryghed.accounts import sso, tasks, throttle
from tryghed.accounts.adapter import ACCOUNT_SCOPE
from tryghed.accounts.forms import LoginForm
from tryghed.accounts.mfa import has_mfa, mfa_required
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record

RESET_ACCOUNT_SCOPE = "password_reset.account"
RESET_ADDRESS_SCOPE = "password_reset.address"
throttle.register(RESET_ACCOUNT_SCOPE, limit=3, window=60 * 60)
throttle.register(RESET_ADDRESS_SCOPE, limit=20, window=60 * 60)


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
