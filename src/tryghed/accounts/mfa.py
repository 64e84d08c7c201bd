"""Who must sign in with two-step verification ("totrinsbekræftelse").

Administrators, AMO and top management see organisation-wide, health-adjacent results:
they must use it. Leaders may. An organisation can require it of everyone who signs in
with a password (every role but the employee's, who signs in by a one-time link).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator

from tryghed.orgs.models import Membership, Role

if TYPE_CHECKING:
    from tryghed.accounts.models import User

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


def has_mfa(user: User) -> bool:
    return bool(
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    )
