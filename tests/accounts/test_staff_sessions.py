"""Staff sessions end when idle and after a fixed lifetime; "Log ud overalt"; a new
password or a removed factor ends the other sessions. Link sessions keep their own rules."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.test_staff_signin import reauthenticated, signed_in, signed_in_as
from tests.conftest import Clock, World
from tests.factories import PASSWORD
from tryghed.accounts.models import SignInLink
from tryghed.accounts.signin_link import new_token
from tryghed.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
MINUTE = 60


def dashboard(world: World) -> str:
    return reverse("orgs:dashboard", args=[world.org.slug])


def test_half_an_hour_without_a_request_signs_a_leader_out(world: World, clock: Clock) -> None:
    client = signed_in(world.leader)
    clock.advance(29 * MINUTE)
    assert client.get(dashboard(world)).status_code == 200
    # Each request starts the half hour again.
    clock.advance(29 * MINUTE)
    assert client.get(dashboard(world)).status_code == 200

    clock.advance(30 * MINUTE)
    response = client.get(dashboard(world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert signed_in_as(client) is None
    expired = AuditEvent.objects.get(action="auth.session_expired")
    assert expired.actor == world.leader and expired.data == {"reason": "idle"}
    login_page = client.get(response["Location"])
    assert "ikke har brugt Tryghed i et stykke tid" in login_page.text


def test_a_busy_session_still_ends_after_its_lifetime(world: World, clock: Clock) -> None:
    client = signed_in(world.leader)
    for _ in range(12 * 3 - 1):  # a request every 20 minutes for just under 12 hours
        clock.advance(20 * MINUTE)
        assert client.get(dashboard(world)).status_code == 200, clock.offset

    clock.advance(20 * MINUTE)

    assert client.get(dashboard(world)).status_code == 302
    assert signed_in_as(client) is None
    assert AuditEvent.objects.get(action="auth.session_expired").data == {"reason": "lifetime"}


def test_the_limits_come_from_the_settings(world: World, clock: Clock, settings: object) -> None:
    settings.TRYGHED_STAFF_SESSION_IDLE = 5 * MINUTE  # type: ignore[attr-defined]
    client = signed_in(world.leader)
    clock.advance(5 * MINUTE + 1)
    assert client.get(dashboard(world)).status_code == 302


def test_the_environment_sets_the_limits() -> None:
    env = {
        **os.environ,
        "TRYGHED_STAFF_SESSION_IDLE": "900",
        "TRYGHED_STAFF_SESSION_MAX": "28800",
        "DJANGO_SETTINGS_MODULE": "tryghed.settings",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s;"
            "print(s.TRYGHED_STAFF_SESSION_IDLE, s.TRYGHED_STAFF_SESSION_MAX)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["900", "28800"]


def test_a_session_without_clocks_is_over(world: World) -> None:
    client = signed_in(world.leader)
    session = client.session
    del session["tryghed_session_started"]
    session.save()
    assert client.get(dashboard(world)).status_code == 302
    assert signed_in_as(client) is None


def test_an_employees_link_session_keeps_its_own_rules(world: World, clock: Clock) -> None:
    token, token_hash = new_token()
    SignInLink.objects.create(
        person=world.person_a,
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )
    client = Client()
    assert client.post(reverse("accounts:link_use"), {"token": token}).status_code == 302
    clock.advance(13 * 60 * MINUTE)

    feedback = client.get(reverse("results:feedback_latest", kwargs={"org": world.org.slug}))

    assert signed_in_as(client) is not None
    assert not feedback.get("Location", "").startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action="auth.session_expired").exists()


def test_sign_out_everywhere_ends_the_other_sessions_only(world: World) -> None:
    here = reauthenticated(signed_in(world.leader))
    phone = signed_in(world.leader)
    other_person = signed_in(world.owner)
    page = here.get(reverse("accounts:sessions"))
    assert "Du er logget ind ét andet sted" in page.text

    response = here.post(reverse("accounts:sessions"))

    assert response["Location"] == reverse("accounts:sessions")
    assert signed_in_as(here) == str(world.leader.pk)
    assert phone.get(dashboard(world))["Location"].startswith(reverse("accounts:login"))
    assert other_person.get(dashboard(world)).status_code == 200
    assert UserSession.objects.filter(user=world.leader).count() == 1
    ended = AuditEvent.objects.get(action="auth.sessions_ended")
    assert ended.actor == world.leader and ended.data == {"count": 1, "why": "user"}
    assert "Du er nu logget ud alle andre steder" in here.get(response["Location"]).text


def test_sign_out_everywhere_asks_for_the_password_first(world: World) -> None:
    here = signed_in(world.leader)
    phone = signed_in(world.leader)

    response = here.post(reverse("accounts:sessions"))

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert phone.get(dashboard(world)).status_code == 200
    # Once the password is given, the request that was asked for is carried out.
    here.post(response["Location"], {"password": PASSWORD})
    assert phone.get(dashboard(world))["Location"].startswith(reverse("accounts:login"))
    assert signed_in_as(here) == str(world.leader.pk)


def test_a_new_password_ends_every_session(world: World) -> None:
    here = signed_in(world.leader)
    world.leader.refresh_from_db()  # the token is made from the sign-in time, among others
    uid = urlsafe_base64_encode(force_bytes(world.leader.pk))
    token = default_token_generator.make_token(world.leader)
    reset = Client()
    form = reset.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
    assert form.status_code == 302  # Django swaps the token for a session marker
    done = reset.post(
        form["Location"], {"new_password1": "EnHeltNyFrase42", "new_password2": "EnHeltNyFrase42"}
    )
    assert done.status_code == 302

    assert here.get(dashboard(world))["Location"].startswith(reverse("accounts:login"))
    assert not UserSession.objects.filter(user=world.leader).exists()
    ended = AuditEvent.objects.get(action="auth.sessions_ended")
    assert ended.data == {"count": 1, "why": "password_reset"}
