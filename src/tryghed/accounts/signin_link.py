"""Employees sign in without a password: a one-time link by e-mail ("login-link").

Who may get one: a person of an organisation's people register with that e-mail address
who holds no staff role. The link signs them in with employee scope only: on use, a user
is created (or found) for the address and given an employee role for the person's
current unit in each organisation that lists them. Anyone with a staff role (admin,
AMO, leader, top management, Django staff) is told, by e-mail and never on the page,
to sign in the normal way: a link must not stand in for a password and MFA.

No account enumeration: the request page answers the same whatever the address, and the
lookup and the sending happen in the task queue, so not even its timing tells.
The link: 256 random bits, only its SHA-256 stored, 15 minutes, used once (the row is
deleted when used). Requests, uses and failures are audit-logged with a keyed hash of
the address, never the address itself, and without an organisation, so that an
organisation's administrators cannot read when a named employee signed in (it could fall
right after an answer: privacy.md section 0, "whether a named person answered").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from tryghed.accounts import throttle
from tryghed.accounts.models import SignInLink, User
from tryghed.audit.services import audit_record
from tryghed.orgs.models import Membership, Person, Role

LIFETIME = dt.timedelta(minutes=15)
# Every role but the employee's is a staff role: a role added later is staff until
# someone decides otherwise (fails closed).
EMPLOYEE_ROLES = frozenset({Role.EMPLOYEE.value})

TOKEN_BYTES = 32  # 256 bits

# Throttles: a few links per address; more per client address, since a workplace's
# employees often share one (everyone gets "Resultaterne er klar" at once). Failed uses
# are counted per client address, and per e-mail address when the link names one.
REQUEST_BY_ADDRESS = "signin_link.request.address"
REQUEST_BY_IP = "signin_link.request.ip"
REDEEM_BY_IP = "signin_link.redeem.ip"
REDEEM_BY_ADDRESS = "signin_link.redeem.address"
throttle.register(REQUEST_BY_ADDRESS, limit=3, window=15 * 60)
throttle.register(REQUEST_BY_IP, limit=60, window=15 * 60)
throttle.register(REDEEM_BY_IP, limit=10, window=15 * 60)
throttle.register(REDEEM_BY_ADDRESS, limit=5, window=15 * 60)


class LinkInvalid(Exception):
    """The link is unknown, used, expired, or no longer for an employee-only person.

    ``address`` is the link's e-mail address when it had one (for the caller's throttle,
    never shown); ``wait`` the seconds to wait when that address is throttled."""

    def __init__(self, reason: str, address: str = "", wait: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.address = address
        self.wait = wait


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash; only the hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise(email: str) -> str:
    return email.strip().lower()


def address_digest(email: str) -> str:
    """A keyed hash of the address for the audit log: the same address gives the same value,
    and without the application's secret no one can tell whose it is."""
    return salted_hmac(
        "tryghed.signin_link.address", normalise(email), algorithm="sha256"
    ).hexdigest()[:32]


def site_url() -> str:
    return str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


# --------------------------------------------------------------------------- reads


def people_for(email: str) -> list[Person]:
    """Active people with this address, in active units, across organisations."""
    address = normalise(email)
    if not address:
        return []
    return list(
        Person.objects.filter(email__iexact=address, is_active=True, unit__is_active=True)
        .select_related("organisation", "unit")
        .order_by("organisation__name", "pk")
    )


def holds_staff_role(email: str) -> bool:
    """True when the user with this address may do more than an employee anywhere."""
    user = User.objects.filter(email__iexact=normalise(email)).first()
    if user is None:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exclude(role__in=EMPLOYEE_ROLES).exists()


def is_safe_next(path: str) -> bool:
    """A path on this site only: no scheme, no host, no protocol-relative URL."""
    return path.startswith("/") and not path.startswith("//") and "\\" not in path


# --------------------------------------------------------------------------- request


def link_request(*, email: str, next_path: str, client_ip: str, language: str) -> None:
    """Queue the lookup and the e-mail. Does the same work whatever the address."""
    address = normalise(email)
    target = next_path if is_safe_next(next_path) else ""

    def enqueue() -> None:
        send_signin_link.enqueue(address, target, client_ip, language)

    transaction.on_commit(enqueue)


def email_person(to: str, template: str, context: dict[str, object], language: str) -> None:
    """One e-mail from ``accounts/email/<template>``, in the language the request had."""
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[to]).send()


def link_url(token: str, next_path: str = "") -> str:
    url = site_url() + reverse("accounts:link_open", kwargs={"token": token})
    return url + ("?" + urlencode({"next": next_path}) if next_path else "")


@task()
def send_signin_link(email: str, next_path: str, client_ip: str, language: str) -> None:
    """Look the address up and send what it should get: a link, a "use your password"
    note, or nothing. Returns nothing: a result would tell the queue's readers which."""
    address = normalise(email)
    now = timezone.now()
    SignInLink.objects.filter(expires_at__lte=now).delete()  # no dead rows kept
    digest = address_digest(address)
    people = people_for(address)
    if not people:
        audit_record(
            actor=None,
            action="auth.link_requested",
            summary="sign-in link asked for an unknown address",
            data={"address": digest, "ip": client_ip, "outcome": "unknown"},
        )
        return
    context: dict[str, object] = {
        "name": people[0].name.split(" ")[0],
        "organisations": sorted({p.organisation.name for p in people}),
        "minutes": int(LIFETIME.total_seconds() // 60),
        "login_url": site_url() + reverse("accounts:login"),
    }
    if holds_staff_role(address):
        audit_record(
            actor=None,
            action="auth.link_requested",
            summary="sign-in link refused: the address holds a staff role",
            data={"address": digest, "ip": client_ip, "outcome": "staff"},
        )
        email_person(address, "signin_staff", context, language)
        return
    token, token_hash = new_token()
    with transaction.atomic():
        SignInLink.objects.create(
            person=people[0], token_hash=token_hash, expires_at=now + LIFETIME
        )
        audit_record(
            actor=None,
            action="auth.link_requested",
            summary="sign-in link sent",
            data={"address": digest, "ip": client_ip, "outcome": "sent"},
        )
    email_person(address, "signin_link", {**context, "link": link_url(token, next_path)}, language)


def record_throttled(*, step: str, client_ip: str, email: str = "") -> None:
    """A refused attempt ("lockout") in the audit log: which step, from where, for which
    address as a keyed hash (the same for every address, known or not)."""
    data: dict[str, object] = {"step": step, "ip": client_ip}
    if email:
        data["address"] = address_digest(email)
    audit_record(
        actor=None,
        action="auth.link_throttled",
        summary=f"sign-in link {step} throttled",
        data=data,
    )


# --------------------------------------------------------------------------- use


@dataclass(frozen=True)
class SignedIn:
    user: User
    people: list[Person]


def _fail(reason: str, client_ip: str, address: str = "", wait: int | None = None) -> LinkInvalid:
    data: dict[str, object] = {"reason": reason, "ip": client_ip}
    if address:
        data["address"] = address_digest(address)
    audit_record(
        actor=None, action="auth.link_failed", summary=f"sign-in link refused: {reason}", data=data
    )
    return LinkInvalid(reason, address, wait)


def link_redeem(*, token: str, client_ip: str) -> SignedIn:
    """Use a link: delete it (so it works once), then sign its person in as an employee.

    Raises LinkInvalid (audit-logged) when the link is unknown, used or expired, when its
    address has failed too often, or when the address now holds a staff role or belongs
    to a disabled account."""
    link = SignInLink.objects.select_related("person").filter(token_hash=hash_token(token)).first()
    if link is None:
        raise _fail("unknown", client_ip)
    address = normalise(link.person.email)
    wait = throttle.check(REDEEM_BY_ADDRESS, address)
    if wait is not None:
        raise _fail("throttled", client_ip, address, wait)  # the link stays usable later
    # Deleting is the use: of two concurrent uses only one deletes the row.
    if SignInLink.objects.filter(pk=link.pk).delete()[0] != 1:
        raise _fail("used", client_ip, address)
    if link.expires_at <= timezone.now():
        raise _fail("expired", client_ip, address)
    refused = ""
    with transaction.atomic():
        people = people_for(address)
        user = User.objects.filter(email__iexact=address).first()
        if not people:
            refused = "no_longer_employed"
        elif holds_staff_role(address):
            refused = "staff"
        elif user is not None and not user.is_active:
            refused = "inactive"
        else:
            if user is None:
                user = User.objects.create_user(
                    email=address, password=None, full_name=people[0].name
                )
            # No role is stored, and none is changed: a role row appearing or changing on
            # the administrator's pages would tell who signed in, and when. The employee's
            # scope follows from their person rows (orgs.selectors.employee_people).
            audit_record(
                actor=user,
                action="auth.link_signin",
                summary="signed in with a sign-in link",
                data={"address": address_digest(address), "ip": client_ip},
            )
    if refused or user is None:
        raise _fail(refused or "unknown", client_ip, address)
    throttle.clear(REDEEM_BY_ADDRESS, address)
    return SignedIn(user=user, people=people)
