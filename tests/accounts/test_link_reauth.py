"""An employee signed in by link confirms who they are by a fresh link before "Log ud
overalt" (accounts.link_reauth); staff keep allauth's password step."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.accounts.test_staff_signin import signed_in, signed_in_as
from tests.conftest import Clock, World
from tryghed.accounts.link_reauth import send_reauth_link
from tryghed.accounts.models import SignInLink
from tryghed.accounts.signin_link import new_token
from tryghed.audit.models import AuditEvent
from tryghed.web.log import RedactSurveyTokens

pytestmark = pytest.mark.django_db
MINUTE = 60
SESSIONS = reverse("accounts:sessions")
CONFIRM_LINK = re.compile(r"https?://[^\s]+(/konto/link/([A-Za-z0-9_\-]+)/bekraeft/)")
FIELD = re.compile(r'name="(token|next)" value="([^"]*)"')
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def link_session(world: World) -> Client:
    """A browser signed in with a sign-in link for Alma (world.person_a), an employee."""
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


def ask_for_confirmation(client: Client, capture: CaptureOnCommit) -> str:
    """ "Log ud overalt", then "Send mig et nyt login-link"; the e-mail's link (path)."""
    asked = client.post(SESSIONS)
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("accounts:link_reauthenticate"))
    mail.outbox.clear()
    with capture(execute=True):
        sent = client.post(asked["Location"])
    assert sent.status_code == 302, sent
    (message,) = mail.outbox
    match = CONFIRM_LINK.search(str(message.body))
    assert match, message.body
    return match.group(1)


def follow(client: Client, link: str) -> Any:
    """Open the e-mail's link and press its button, as the person would."""
    page = client.get(link)
    assert page.status_code == 200
    fields = {name: html.unescape(value) for name, value in FIELD.findall(page.text)}
    token = fields.get("token") or link.split("/")[-3]
    return client.post(
        reverse("accounts:link_reauth_use"), {"token": token, "next": fields.get("next", "")}
    )


def test_following_the_fresh_link_finishes_the_sign_out_and_logs_it(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    phone, tablet = link_session(world), link_session(world)
    link = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    assert signed_in_as(tablet) is not None  # asking alone ends nothing

    done = follow(phone, link)

    assert done.status_code == 302 and done["Location"] == SESSIONS
    assert signed_in_as(tablet) is None
    assert signed_in_as(phone) is not None
    user = AuditEvent.objects.get(action="auth.link_reauthenticated").actor
    assert user is not None and user.email == world.person_a.email
    ended = AuditEvent.objects.get(action="auth.sessions_ended")
    assert (ended.actor, ended.data) == (user, {"count": 1, "why": "user"})
    assert "logget ud alle andre steder" in phone.get(SESSIONS).text


def test_the_confirmation_mail_goes_to_the_person_and_names_no_token_in_storage(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    phone = link_session(world)
    link = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    token = link.split("/")[-3]

    assert mail.outbox[0].to == [world.person_a.email]
    for row in Session.objects.all():
        assert token not in row.session_data
        assert token not in json.dumps(row.get_decoded())
    for event in AuditEvent.objects.all():
        assert token not in json.dumps(event.data) and token not in event.summary


def test_the_link_works_once(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    phone = link_session(world)
    link = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    follow(phone, link)
    tablet = link_session(world)

    page = phone.get(link)
    again = phone.post(SESSIONS)

    assert "Linket virker ikke her" in page.text
    # The confirmation still holds for a few minutes, so the new session can be ended...
    assert again.status_code == 302 and signed_in_as(tablet) is None
    # ...but the link itself confirms nothing a second time.
    token = link.split("/")[-3]
    used = phone.post(reverse("accounts:link_reauth_use"), {"token": token})
    assert used.status_code == 400


def test_asking_again_replaces_the_earlier_link(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    phone, tablet = link_session(world), link_session(world)
    first = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    second = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    assert first != second

    refused = follow(phone, first)

    assert refused.status_code == 400
    assert signed_in_as(tablet) is not None
    # The refused attempt spoilt the pending link too: a guess costs the guesser the link.
    assert follow(phone, second).status_code == 400
    assert signed_in_as(tablet) is not None
    reasons = sorted(
        e.data["reason"] for e in AuditEvent.objects.filter(action="auth.link_reauth_failed")
    )
    assert reasons == ["not_asked_here", "unknown"]


def test_an_expired_link_confirms_nothing(
    world: World, clock: Clock, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    phone, tablet = link_session(world), link_session(world)
    link = ask_for_confirmation(phone, django_capture_on_commit_callbacks)
    clock.advance(16 * MINUTE)

    assert "Linket virker ikke her" in phone.get(link).text
    token = link.split("/")[-3]
    refused = phone.post(reverse("accounts:link_reauth_use"), {"token": token})

    assert refused.status_code == 400
    assert signed_in_as(tablet) is not None
    assert AuditEvent.objects.get(action="auth.link_reauth_failed").data["reason"] == "expired"


def test_the_confirmation_lapses_like_a_password_given_again(
    world: World, clock: Clock, django_capture_on_commit_callbacks: CaptureOnCommit, settings: Any
) -> None:
    phone = link_session(world)
    follow(phone, ask_for_confirmation(phone, django_capture_on_commit_callbacks))
    tablet = link_session(world)
    clock.advance(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    asked = phone.post(SESSIONS)

    assert asked["Location"].startswith(reverse("accounts:link_reauthenticate"))
    assert signed_in_as(tablet) is not None


def test_asking_for_links_is_limited_per_person(world: World) -> None:
    phone = link_session(world)
    url = reverse("accounts:link_reauthenticate")
    statuses = [phone.post(url, {"next": SESSIONS}).status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 429]
    assert AuditEvent.objects.filter(action="auth.link_reauth_requested").count() == 3
    assert AuditEvent.objects.get(action="auth.link_throttled").data["step"] == "reauth"


def test_staff_confirm_with_their_password_as_before(world: World) -> None:
    """The link is no way round the password: staff are sent to allauth's step, and its
    page offers them no link."""
    leader = signed_in(world.leader)
    elsewhere = signed_in(world.leader)

    asked = leader.post(SESSIONS)
    to_link = leader.get(reverse("accounts:link_reauthenticate"))
    sent = leader.post(reverse("accounts:link_reauthenticate"), {"next": SESSIONS})

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert to_link["Location"].startswith(reverse("account_reauthenticate"))
    assert sent["Location"].startswith(reverse("account_reauthenticate"))
    assert mail.outbox == []
    assert "login-link" not in leader.get(asked["Location"]).text
    assert signed_in_as(elsewhere) == str(world.leader.pk)


def test_a_link_opened_in_another_browser_confirms_nothing_there(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """Alma's own phone opens the link someone asked for from her tablet: it is not a way
    in, and it does not confirm the phone's session either."""
    tablet, phone = link_session(world), link_session(world)
    link = ask_for_confirmation(tablet, django_capture_on_commit_callbacks)

    page = phone.get(link)
    refused = phone.post(reverse("accounts:link_reauth_use"), {"token": link.split("/")[-3]})
    stranger = Client().post(reverse("accounts:link_reauth_use"), {"token": link.split("/")[-3]})

    assert "Linket virker ikke her" in page.text and "Bekræft</button>" not in page.text
    assert refused.status_code == 400 and stranger.status_code == 400
    assert phone.post(SESSIONS)["Location"].startswith(reverse("accounts:link_reauthenticate"))
    assert signed_in_as(tablet) is not None


def test_the_task_queue_row_holds_no_usable_link(
    world: World, settings: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """The operator reads the queue's rows: they carry the nonce, from which only the
    application's secret makes the link's token (privacy.md section 0, the operator)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    phone = link_session(world)
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(reverse("accounts:link_reauthenticate"), {"next": SESSIONS})
    (row,) = DBTaskResult.objects.filter(task_path__endswith="send_reauth_link")
    assert mail.outbox == []

    send_reauth_link.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])

    match = CONFIRM_LINK.search(str(mail.outbox[0].body))
    assert match
    assert match.group(2) not in json.dumps(row.args_kwargs)


def test_the_confirmation_token_never_reaches_a_log() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /konto/link/%s/bekraeft/ HTTP/1.1" 200',
        ("abcDEF123_-xyz",),
        None,
    )
    RedactSurveyTokens().filter(record)
    assert "abcDEF123" not in record.getMessage()


def test_an_employee_signed_in_by_link_finds_the_sessions_page_from_any_page(
    world: World,
) -> None:
    client = link_session(world)
    landing = client.get(reverse("web:home"), follow=True)
    assert landing.status_code == 200
    footer = landing.text[landing.text.index('<footer class="site-footer">') :]
    assert f'href="{SESSIONS}"' in footer
    assert client.get(SESSIONS).status_code == 200
