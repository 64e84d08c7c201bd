"""Red team (issue 10): the staff sign-in pieces, attacked from outside and from inside
(privacy.md section 0): passkeys, the session clocks, "Log ud overalt", lockout and audit.

Each test is one attack; a passing test means the attack found nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.softkey import SoftKey
from tests.accounts.test_link_reauth import CaptureOnCommit, ask_for_confirmation, follow
from tests.accounts.test_passkeys import add_passkey, passkey_login
from tests.accounts.test_staff_sessions import dashboard
from tests.accounts.test_staff_signin import reauthenticated, sign_in, signed_in, signed_in_as
from tests.conftest import Clock, World
from tests.factories import give_totp
from tryghed.accounts import staff_session
from tryghed.accounts.models import SignInLink, User
from tryghed.accounts.signin_link import new_token
from tryghed.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
MINUTE = 60


def to_login(response: Any) -> bool:
    return bool(response.get("Location", "").startswith(reverse("accounts:login")))


# --- The session clocks ---------------------------------------------------------------


def test_a_fresh_idle_cookie_from_another_session_does_not_revive_an_idle_one(
    world: World, clock: Clock
) -> None:
    """The insider keeps a second, busy session of the same account and copies its fresh
    `tryghed_seen` cookie into the idle one (or an outsider replays a cookie seen earlier)."""
    idle = signed_in(world.leader)
    busy = signed_in(world.leader)
    clock.advance(29 * MINUTE)
    assert busy.get(dashboard(world)).status_code == 200
    fresh = busy.cookies[staff_session.SEEN_COOKIE].value
    clock.advance(2 * MINUTE)

    idle.cookies[staff_session.SEEN_COOKIE] = fresh

    assert to_login(idle.get(dashboard(world)))
    assert signed_in_as(idle) is None


def test_a_forged_or_future_idle_cookie_does_not_revive_a_session(
    world: World, clock: Clock
) -> None:
    client = signed_in(world.leader)
    key = client.session.session_key
    assert key
    clock.advance(31 * MINUTE)
    # Unsigned, or signed with another salt: refused; what the server signed is the only clock.
    later = int(time.time()) + 10 * 365 * 24 * 3600
    client.cookies[staff_session.SEEN_COOKIE] = f"x:{later}"
    assert to_login(client.get(dashboard(world)))


def test_an_idle_session_cannot_sign_out_everywhere_or_post_anything(
    world: World, clock: Clock
) -> None:
    """A POST endpoint meets the same clock as a page: the idle session is ended before
    "Log ud overalt" is carried out."""
    idle = signed_in(world.leader)
    phone = signed_in(world.leader)
    clock.advance(31 * MINUTE)

    response = idle.post(reverse("accounts:sessions"))

    assert to_login(response)
    assert signed_in_as(idle) is None
    assert not AuditEvent.objects.filter(action="auth.sessions_ended").exists()
    assert signed_in_as(phone) == str(world.leader.pk)


def test_an_anonymous_page_neither_revives_nor_stamps_an_idle_session(
    world: World, clock: Clock
) -> None:
    client = signed_in(world.leader)
    clock.advance(20 * MINUTE)
    for _ in range(3):
        # The survey page (anonymous_page) is visited every ten minutes.
        page = client.get(reverse("surveys:start", args=["ingen-saadan-kode"]))
        assert staff_session.SEEN_COOKIE not in page.cookies
        clock.advance(10 * MINUTE)

    assert to_login(client.get(dashboard(world)))


def test_a_missing_page_for_an_expired_session_names_no_one(world: World, clock: Clock) -> None:
    """A URL that resolves to nothing never reaches process_view: the 404 page must not
    show the signed-in person of a session that is over, nor keep it alive."""
    client = signed_in(world.leader)
    clock.advance(31 * MINUTE)

    page = client.get("/findes-ikke-her/")

    assert page.status_code == 404
    assert world.leader.email not in page.text
    assert staff_session.SEEN_COOKIE not in page.cookies
    assert to_login(client.get(dashboard(world)))


# --- Log ud overalt, new passwords ------------------------------------------------------


def _link_session(world: World) -> Client:
    token, token_hash = new_token()
    SignInLink.objects.create(
        person=world.person_a,
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )
    client = Client()
    assert client.post(reverse("accounts:link_use"), {"token": token}).status_code == 302
    assert signed_in_as(client) is not None
    return client


def test_ending_all_sessions_reaches_an_employees_link_sessions(world: World) -> None:
    """A link session has a usersessions row like any other, so ending a user's sessions
    (a new password, a lost phone) reaches it too."""
    client = _link_session(world)
    user_pk = signed_in_as(client)
    assert user_pk is not None
    assert UserSession.objects.filter(user_id=user_pk).exists()

    staff_session.end_all_sessions(User.objects.get(pk=user_pk), why="password_reset")

    assert signed_in_as(client) is None


def test_an_employee_can_end_their_other_link_sessions(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """No password to give again: "Log ud overalt" sends a fresh link to the person's
    e-mail, and following it in this browser finishes the sign-out (accounts.link_reauth)."""
    phone = _link_session(world)
    lost_tablet = _link_session(world)

    link = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    follow(phone, link)

    assert signed_in_as(lost_tablet) is None
    assert signed_in_as(phone) is not None
    assert AuditEvent.objects.get(action="auth.sessions_ended").data == {"count": 1, "why": "user"}


def test_a_link_session_that_did_not_follow_a_fresh_link_cannot_end_the_others(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """The insider holds a link session of Alma's (a shared computer left signed in, a
    copied cookie, a sign-in link she forwarded) but not her mailbox. Signing in with a link
    is no confirmation, asking for one sends it to Alma, and a guessed link spoils it."""
    stolen = _link_session(world)  # freshly signed in by link, like Alma's own
    almas_phone = _link_session(world)

    first = stolen.post(reverse("accounts:sessions"))
    assert first["Location"].startswith(reverse("accounts:link_reauthenticate"))
    link = ask_for_confirmation(stolen, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == [world.person_a.email]
    # Without the e-mail: a made-up token, then the request replayed.
    guessed = stolen.post(reverse("accounts:link_reauth_use"), {"token": "a" * 64})
    again = stolen.post(reverse("accounts:sessions"))
    # The right link is now spoilt for the stolen session too.
    late = stolen.post(reverse("accounts:link_reauth_use"), {"token": link.split("/")[-3]})

    assert guessed.status_code == 400 and late.status_code == 400
    assert again["Location"].startswith(reverse("accounts:link_reauthenticate"))
    assert signed_in_as(almas_phone) is not None
    assert not AuditEvent.objects.filter(action="auth.sessions_ended").exists()
    assert not AuditEvent.objects.filter(action="auth.link_reauthenticated").exists()


# --- Passkeys ---------------------------------------------------------------------------


def test_the_passkey_sign_in_options_are_the_same_for_everyone(world: World) -> None:
    """The outsider asks for the sign-in options: they name no account and list no key."""
    add_passkey(signed_in(world.owner), passwordless=True)
    url = reverse("mfa_login_webauthn")
    options = Client().get(url, HTTP_ACCEPT="application/json").json()["request_options"]
    public = options["publicKey"]
    assert not public.get("allowCredentials")
    assert public["userVerification"] == "required"
    assert world.owner.email not in json.dumps(options)


def test_a_refused_passkey_answers_the_same_for_a_known_and_an_unknown_account(
    world: World,
) -> None:
    """An outsider's own key, presented once as an existing account (by its user handle)
    and once as an account that does not exist: the answers must not tell them apart."""
    real = add_passkey(signed_in(world.owner), passwordless=True)
    known, unknown = SoftKey(), SoftKey()
    known.user_handle = real.user_handle
    unknown.user_handle = b"999999"

    answers = []
    for key in (known, unknown):
        client = Client()
        response = passkey_login(client, key)
        assert signed_in_as(client) is None
        answers.append((response.status_code, response.get("Location")))
    assert answers[0] == answers[1]
    # The audit rows of both name no one, and keep no address typed or claimed.
    failed = list(AuditEvent.objects.filter(action="auth.login_failed"))
    assert len(failed) == 2
    for event in failed:
        assert event.actor is None and event.object_id in (None, "")
        assert set(event.data) == {"method", "ip"}
        assert world.owner.email not in event.summary


def test_a_deactivated_user_cannot_sign_in_with_their_passkey(world: World) -> None:
    key = add_passkey(signed_in(world.owner), passwordless=True)
    world.owner.is_active = False
    world.owner.save(update_fields=["is_active"])
    client = Client()

    passkey_login(client, key)

    assert signed_in_as(client) is None
    assert client.get(dashboard(world)).status_code != 200


def test_passkey_sign_ins_are_limited_per_address(world: World) -> None:
    """docs/security.md: refused passkey sign-ins are limited to 10 a minute per address."""
    statuses = []
    for _ in range(12):
        client = Client()
        statuses.append(passkey_login(client, SoftKey()).status_code)
    assert statuses[-1] == 429
    assert AuditEvent.objects.filter(action="auth.login_failed").count() <= 10


def test_a_password_lockout_does_not_shut_the_owner_out_of_their_passkey(world: World) -> None:
    """The account lockout guards the password; an outsider who locks it (five wrong
    passwords) must not keep the owner from signing in with their passkey (the passkey
    path is limited per address, not per account, so no one can be locked out by it)."""
    key = add_passkey(signed_in(world.owner), passwordless=True)
    attacker = Client()
    for _ in range(6):
        sign_in(attacker, world.owner.email, "forkert-kode")
    assert AuditEvent.objects.filter(action="auth.lockout").exists()

    owner = Client()
    passkey_login(owner, key)

    assert signed_in_as(owner) == str(world.owner.pk)


# --- Sealed secrets, removed factors ------------------------------------------------------


def test_no_app_secret_is_left_readable_in_the_database_after_setting_it_up(
    world: World,
) -> None:
    """The operator reads the database (sessions included) after a leader set up their
    authenticator app: the secret is sealed in its row and gone from the stored session."""
    client = reauthenticated(signed_in(world.leader))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302, response

    stored = Authenticator.objects.get(user=world.leader, type=Authenticator.Type.TOTP)
    assert secret not in json.dumps(stored.data)
    for row in Session.objects.all():
        assert secret not in json.dumps(row.get_decoded())
        assert secret not in row.session_data


def test_switching_off_the_app_ends_the_other_sessions(world: World) -> None:
    give_totp(world.leader)  # optional for a leader: they may switch it off
    here = signed_in(world.leader)
    elsewhere = signed_in(world.leader)

    reauthenticated(here).post(reverse("mfa_deactivate_totp"))

    assert signed_in_as(here) == str(world.leader.pk)
    assert signed_in_as(elsewhere) is None


def test_an_outsider_cannot_fill_the_session_table_through_passkey_options() -> None:
    """Every anonymous GET of the passkey sign-in options saves a session row for the
    challenge, and allauth's webauthn_login limit counts POSTs only: the GETs are limited
    per address (accounts.views.passkey_login)."""
    url = reverse("mfa_login_webauthn")
    statuses = [Client().get(url, HTTP_ACCEPT="application/json").status_code for _ in range(320)]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert Session.objects.count() <= 300
