"""How django-allauth behaves here: no sign-up, throttled passwords, audit rows, queued mail.

Failed passwords are counted per account and per client address (``throttle``); once
either is used up, even the right password is refused until the wait, shown in words,
is over. Every failure and every lockout is written to the audit log. Wrong MFA codes
are limited by allauth's own ``login_failed`` rate per account (settings.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from tryghed.accounts import sealing, tasks, throttle
from tryghed.accounts.mfa import authenticator_removable
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# Per account: five wrong passwords in a quarter of an hour. Per address: more, since a
# whole town hall may reach us from one address.
ACCOUNT_SCOPE = "password.account"
ADDRESS_SCOPE = "password.address"
throttle.register(ACCOUNT_SCOPE, limit=5, window=15 * 60)
throttle.register(ADDRESS_SCOPE, limit=30, window=15 * 60)


def login_digest(login: str) -> str:
    """A keyed hash of what was typed as the e-mail: it tells attempts on one account
    apart in the log without keeping addresses that belong to no one."""
    return salted_hmac(
        "tryghed.accounts.login", login.strip().lower(), algorithm="sha256"
    ).hexdigest()[:32]


def password_wait(login: str, client_ip: str) -> int | None:
    """Seconds before this account or address may try a password again, or None."""
    waits = [
        w
        for w in (throttle.check(ACCOUNT_SCOPE, login), throttle.check(ADDRESS_SCOPE, client_ip))
        if w is not None
    ]
    return max(waits) if waits else None


def _login_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by administrators and imports, never by whoever comes along.
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Replaces allauth's own count of failed passwords (see the module docstring).
        login = _login_of(credentials)
        wait = password_wait(login, self.get_client_ip(request))
        if wait is not None:
            raise ValidationError(throttle.too_many_attempts(wait), code="throttled")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        if user is not None:
            # A success forgets the account's earlier mistakes, never the address's.
            throttle.clear(ACCOUNT_SCOPE, _login_of(credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login = _login_of(credentials)
        client_ip = self.get_client_ip(request)
        throttle.failure(ACCOUNT_SCOPE, login)
        throttle.failure(ADDRESS_SCOPE, client_ip)
        target = User.objects.filter(email__iexact=login).first() if login else None
        data = {"login": login_digest(login), "ip": client_ip}
        audit_record(
            actor=None,
            action="auth.login_failed",
            obj=target,
            summary="wrong password" if target else "sign-in with an unknown address",
            data=data,
        )
        wait = password_wait(login, client_ip)
        if wait is not None:
            audit_record(
                actor=None,
                action="auth.lockout",
                obj=target,
                summary=f"password sign-in locked for {wait} s",
                data={**data, "seconds": wait},
            )

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        # Staff sign-ins are audit-logged (privacy.md section 5); respondents never sign in.
        if isinstance(user, User):
            audit_record(actor=user, action="auth.login", summary="sign-in")

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Written now, sent by the worker: a page never waits for (or reveals) a mail server.
        message = self.render_mail(template_prefix, email, context)
        body = message.body if isinstance(message.body, str) else ""
        tasks.send_email.enqueue(str(message.subject), body, [email])


class MfaAdapter(DefaultMFAAdapter):
    """Authenticator secrets and recovery-code seeds are sealed (accounts/sealing.py), so a
    copy of the database alone cannot make codes."""

    def encrypt(self, text: str) -> str:
        return sealing.seal(text, sealing.MFA)

    def decrypt(self, encrypted_text: str) -> str:
        return sealing.unseal(encrypted_text, sealing.MFA)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Whoever must use two-step verification cannot switch it off (an app goes only
        # while a passkey stays, and the other way round).
        return authenticator_removable(authenticator)

    def get_totp_label(self, user: AbstractBaseUser) -> str:
        return str(getattr(user, "email", "")) or super().get_totp_label(user)
