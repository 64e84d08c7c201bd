"""Personal API tokens ("API-nøgler") for the read-only API (``tryghed.api``).

A token is 32 random bytes, shown once when it is made; only its SHA-256 is stored, so
neither the database nor its backups can be used to call the API. Making one asks for the
sign-in strength the user's roles ask of pages (``accounts.mfa``): whoever must use
two-step verification must have used it in this session. A session opened with an
employee's sign-in link makes none: a link signs in for minutes, a token lasts months.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from allauth.account.internal.flows.login import get_authentication_records
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tryghed.accounts.link_session import BY_LINK
from tryghed.accounts.link_session import SESSION_KEY as SIGNED_IN_BY
from tryghed.accounts.mfa import has_mfa, mfa_required
from tryghed.accounts.models import ApiToken, User
from tryghed.audit.models import AuditEvent
from tryghed.audit.services import audit_record

DEFAULT_DAYS = 90
MAX_DAYS = 365
# What a token starts with: easy to find in a leaked file or a secret scanner's rules.
PREFIX = "tryghed_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def strong_enough(request: HttpRequest, user: User) -> bool:
    """Whether this session's sign-in may make a token: not a sign-in link, and with a
    second factor used in it when the user's roles require one."""
    if request.session.get(SIGNED_IN_BY) == BY_LINK:
        return False
    if not mfa_required(user):
        return True
    records = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


@transaction.atomic
def token_create(*, user: User, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for the user and the token itself, to be shown once and never again."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token lasts 1..{MAX_DAYS} days, not {days}")
    token = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    row = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit_record(
        actor=user,
        action="api_token.create",
        obj=row,
        summary=name,
        data={"expires_at": row.expires_at.isoformat()},
    )
    return row, token


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; None when they have no such usable token."""
    row = (
        ApiToken.objects.select_for_update()
        .filter(user=user, pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if row is None:
        return None
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    audit_record(actor=user, action="api_token.revoke", obj=row, summary=row.name)
    return row


def revoke_all(user: User, *, why: str) -> int:
    """Revoke every usable token of the user; the number revoked. Called where the user's
    sessions elsewhere end (``staff_session``: "Log ud overalt", a new password by reset
    link, a removed second factor): a token is a way in too, and whoever held the old
    password or the lost factor may have made one."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    if revoked:
        audit_record(
            actor=user,
            action="api_token.revoke_all",
            obj=user,
            summary=f"{revoked} API token(s) revoked ({why})",
            data={"count": revoked, "why": why},
        )
    return revoked


class TokenRefused(Exception):
    """The bearer token is unknown, expired or revoked, or its user may not sign in."""


def token_user(token: str) -> User:
    """The user the bearer token acts as; ``TokenRefused`` otherwise. A refused known token
    is audit-logged (its owner may want to know); an unknown one names no one."""
    row = ApiToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if row is None:
        raise TokenRefused("unknown")
    now = timezone.now()
    why = (
        "revoked"
        if row.revoked_at is not None
        else "expired"
        if row.expires_at <= now
        else "inactive user"
        if not row.user.is_active
        # As pages do (RequireMfaMiddleware): no calls until two-step verification is back.
        else "two-step verification missing"
        if mfa_required(row.user) and not has_mfa(row.user)
        else None
    )
    if why is not None:
        # Once a day per token and reason: whoever holds a revoked key cannot fill the log.
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        logged = AuditEvent.objects.filter(
            action="api_token.denied",
            object_type=type(row).__name__,
            object_id=str(row.pk),
            summary=why,
            at__gte=start,
        )
        if not logged.exists():
            audit_record(actor=row.user, action="api_token.denied", obj=row, summary=why)
        raise TokenRefused(why)
    today = timezone.localdate(now)
    if row.last_used_on != today:
        ApiToken.objects.filter(pk=row.pk).update(last_used_on=today)
    return row.user
