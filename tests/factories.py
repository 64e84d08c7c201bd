"""Small factories for tests: build exactly the data a test needs, nothing from fixture files."""

from __future__ import annotations

import itertools
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.core.cache import cache

from tryghed.accounts.mfa import MFA_OPTIONAL_ROLES
from tryghed.accounts.models import User
from tryghed.accounts.services import totp_activate
from tryghed.orgs import services
from tryghed.orgs.models import Membership, Organisation, Person, Role, Unit, UnitKind

_counter = itertools.count(1)
PASSWORD = "a-long-test-password"


def make_user(email: str | None = None, *, name: str = "") -> User:
    n = next(_counter)
    return User.objects.create_user(
        email=email or f"user{n}@example.test", password=PASSWORD, full_name=name or f"User {n}"
    )


def make_org(name: str | None = None, *, slug: str | None = None) -> Organisation:
    n = next(_counter)
    return services.organisation_create(
        name=name or f"Org {n}", slug=slug or f"org-{n}", actor=None, root_external_id="root"
    )


def root_of(org: Organisation) -> Unit:
    return Unit.objects.get(organisation=org, parent__isnull=True)


def make_unit(
    org: Organisation,
    *,
    parent: Unit | None = None,
    name: str | None = None,
    kind: str = UnitKind.TEAM,
    external_id: str | None = None,
) -> Unit:
    n = next(_counter)
    return services.unit_create(
        organisation=org,
        actor=None,
        parent=parent or root_of(org),
        name=name or f"Unit {n}",
        kind=kind,
        external_id=external_id or f"u{n}",
    )


def make_person(
    unit: Unit, *, name: str | None = None, email: str = "", employee_id: str | None = None
) -> Person:
    n = next(_counter)
    return Person.objects.create(
        organisation=unit.organisation,
        unit=unit,
        employee_id=employee_id or f"e{n}",
        name=name or f"Person {n}",
        email=email,
    )


def grant(
    user: User, org: Organisation, role: str, unit: Unit | None = None, *, mfa: bool = True
) -> Membership:
    """Give a role. A role that requires two-step verification comes with it set up (as
    it is for everyone who holds one), unless ``mfa=False``."""
    if mfa and role not in MFA_OPTIONAL_ROLES:
        give_totp(user)
    return Membership.objects.create(
        organisation=org,
        user=user,
        role=role,
        unit=None if role in (Role.ADMIN, Role.AMO) else unit,
    )


def give_totp(user: User) -> str:
    """An authenticator app and recovery codes for the user, as the set-up page makes them.
    Returns the app's secret."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return str(decrypt(existing.data["secret"]))
    secret: str = generate_totp_secret()
    totp_activate(user=user, secret=secret)
    return secret


TOTP_PERIOD = 30
TOTP_MARGIN = 8  # seconds


def totp_code(user: User) -> str:
    """The code the user's authenticator app shows now. A code works once; a test that
    signs the same person in twice within its 30 seconds is let use it again. Near the end
    of its 30 seconds it waits for the next code, as a person would: the product accepts
    only the current one, and a busy machine can take seconds to send it."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < TOTP_MARGIN:
        time.sleep(left + 0.2)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    code = str(format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time()))))
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code
