"""allauth's sign-in and two-step forms with the product's labels (MFA_FORMS in settings)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


def _plain(field: forms.Field, label: StrOrPromise) -> None:
    field.label = label
    # Placeholders would only repeat the label; autofocus would skip the page's text.
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.pop("autofocus", None)


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self.fields["login"], _("E-mail"))
        _plain(self.fields["password"], _("Adgangskode"))
        # The page links to "Glemt adgangskode?" itself.
        self.fields["password"].help_text = ""


def _code_field(form: forms.Form) -> None:
    field = form.fields["code"]
    _plain(field, _("Kode fra godkender-appen"))
    field.help_text = _("Seks cifre, eller en af dine gendannelseskoder.")
    field.widget.attrs["inputmode"] = "numeric"


class MfaAuthenticateForm(AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self)


class MfaReauthenticateForm(ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self)


class ActivateTotpForm(ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        _plain(field, _("Kode fra godkender-appen"))
        field.help_text = _("De seks cifre, appen viser nu.")
        field.widget.attrs["inputmode"] = "numeric"
