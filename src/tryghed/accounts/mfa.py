"""Who must sign in with two-step verification ("totrinsbekræftelse").

Administrators, AMO and top management see organisation-wide, health-adjacent results:
they must use it. Leaders may. An organisation can require it of everyone who signs in
with a password (every role but the employee's, who signs in by a one-time link).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from tryghed.accounts.models import User
from tryghed.orgs.models import Membership, Role

# A role added later is required to use MFA until someone decides otherwise (fails closed).
MFA_OPTIONAL_ROLES = frozenset({Role.LEADER.value, Role.EMPLOYEE.value})
# Employees never sign in with a password, so an organisation's rule does not reach them.
ORGANISATION_RULE_EXEMPT = frozenset({Role.EMPLOYEE.value})


def mfa_required(user: User) -> bool:
    """True when the user must have an authenticator before any organisation page opens."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    memberships = Membership.objects.filter(user=user).values_list(
        "role", "organisation__require_mfa"
    )
    for role, organisation_requires in memberships:
        if role not in MFA_OPTIONAL_ROLES:
            return True
        if organisation_requires and role not in ORGANISATION_RULE_EXEMPT:
            return True
    return False


# What counts as a second factor: an authenticator app or a passkey/security key.
# Recovery codes are a way back in, not a factor one has set up.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_mfa(user: User) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists())


def authenticator_removable(authenticator: Authenticator) -> bool:
    """Whoever must use two-step verification may remove an app or a passkey only while
    another one stays."""
    user = authenticator.user
    if not (isinstance(user, User) and mfa_required(user)):
        return True
    if authenticator.type not in SECOND_FACTORS:
        return False
    others = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exclude(
        pk=authenticator.pk
    )
    return bool(others.exists())
