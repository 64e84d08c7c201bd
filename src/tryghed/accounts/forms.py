"""allauth's sign-in and two-step forms with the product's labels (MFA_FORMS in settings)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    EditWebAuthnForm,
    LoginWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tryghed.accounts.models import User
from tryghed.audit.services import audit_record


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


def _client_ip() -> str:
    return str(get_adapter().get_client_ip(context.request))


def _passkey_failed(user: Any) -> None:
    # allauth signals a wrong code but not a refused passkey: the audit row is written here.
    if isinstance(user, User):
        audit_record(
            actor=user,
            action="auth.mfa_failed",
            obj=user,
            summary="two-step verification with a passkey refused",
            data={"type": str(Authenticator.Type.WEBAUTHN), "ip": _client_ip()},
        )


class MfaAuthenticateWebAuthnForm(AuthenticateWebAuthnForm):
    """The passkey as the second step after the password."""

    def clean_credential(self) -> Authenticator:
        try:
            authenticator: Authenticator = super().clean_credential()
        except ValidationError:
            _passkey_failed(self.user)
            raise
        return authenticator


class MfaReauthenticateWebAuthnForm(ReauthenticateWebAuthnForm):
    def clean_credential(self) -> Authenticator:
        try:
            authenticator: Authenticator = super().clean_credential()
        except ValidationError:
            _passkey_failed(self.user)
            raise
        return authenticator


class PasskeyLoginForm(LoginWebAuthnForm):
    """Signing in with a passkey alone. Who it claims to be comes from the browser, so the
    refusal is logged as a failed sign-in without naming anyone (and locks no one out)."""

    def clean_credential(self) -> Authenticator:
        try:
            authenticator: Authenticator = super().clean_credential()
        except ValidationError:
            audit_record(
                actor=None,
                action="auth.login_failed",
                summary="sign-in with a passkey refused",
                data={"method": "passkey", "ip": _client_ip()},
            )
            raise
        return authenticator


def _name_field(form: forms.Form) -> None:
    field = form.fields["name"]
    _plain(field, _("Navn på nøglen"))
    field.help_text = _("Så du kan kende dine nøgler fra hinanden, fx “Arbejdscomputer”.")
    field.validators.append(MaxLengthValidator(100))
    field.widget.attrs["maxlength"] = "100"


class AddPasskeyForm(AddWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_field(self)
        passwordless = self.fields.get("passwordless")
        if passwordless is not None:
            passwordless.label = _(
                "Brug den som adgangsnøgle, så du kan logge ind uden adgangskode"
            )
            passwordless.help_text = _(
                "Nøglen skal så spørge efter din PIN-kode, dit fingeraftryk eller dit ansigt, "
                "hver gang du logger ind."
            )


class EditPasskeyForm(EditWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_field(self)


class ApiTokenForm(forms.Form):
    """A new personal API token: a name to know it by and how long it lasts."""

    name = forms.CharField(
        label=_("Navn"),
        max_length=100,
        help_text=_("Så du kan kende nøglen igen, fx det program, der skal bruge den."),
    )
    days = forms.IntegerField(
        label=_("Gyldig i antal dage"),
        min_value=1,
        max_value=365,
        initial=90,
        help_text=_("Højst 365 dage. Derefter holder nøglen op med at virke."),
    )
