"""Employees sign in with a one-time link by e-mail (accounts.signin_link)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from tests.factories import grant, make_person, make_user
from tryghed.accounts.models import SignInLink, User
from tryghed.accounts.signin_link import hash_token
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Membership, Person, Role
from tryghed.orgs.selectors import access_for
from tryghed.web.log import RedactSurveyTokens

LINK = re.compile(r"https?://[^\s]+/konto/link/([A-Za-z0-9_\-]+)/(\?next=[^\s]+)?")
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
REQUEST_URL = reverse("accounts:link_request")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


Ask = Callable[..., Any]


@pytest.fixture
def ask(django_capture_on_commit_callbacks: CaptureOnCommit) -> Ask:
    """Ask for a link as a visitor would; the queued task runs after the commit."""

    def post(client: Client, email: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(REQUEST_URL, {"email": email, **extra}, REMOTE_ADDR=ip)

    return post


def token_in(message: Any) -> str:
    match = LINK.search(str(message.body))
    assert match, message.body
    return match.group(1)


def use(client: Client, token: str, next_path: str = "", ip: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("accounts:link_use"), {"token": token, "next": next_path}, REMOTE_ADDR=ip
    )


def test_an_employee_gets_a_link_that_signs_them_in_once(world: World, ask: Ask) -> None:
    client = Client()
    response = ask(client, "Alma@Example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:link_sent")
    (message,) = mail.outbox
    assert message.to == ["alma@example.test"]
    token = token_in(message)
    # Only the hash is stored.
    link = SignInLink.objects.get()
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert link.person == world.person_a
    assert dt.timedelta(minutes=14) < link.expires_at - timezone.now() <= dt.timedelta(minutes=15)

    opened = client.get(reverse("accounts:link_open", kwargs={"token": token}))
    assert opened.status_code == 200 and opened["Cache-Control"] == "no-store"
    assert opened["Referrer-Policy"] == "same-origin"
    assert SignInLink.objects.exists()  # opening the page (or a mail scanner) uses nothing

    signed_in = use(client, token)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse(
        "results:feedback_latest", kwargs={"org": world.org.slug}
    )
    user = User.objects.get(email="alma@example.test")
    assert not user.has_usable_password()
    assert client.session["_auth_user_id"] == str(user.pk)
    # No role row: the administrator's pages must not show who signed in (privacy.md §0).
    assert not Membership.objects.filter(user=user).exists()
    assert access_for(user=user, slug=world.org.slug).employee_unit_ids == (world.team_a.pk,)
    assert not SignInLink.objects.exists()

    again = use(Client(), token)
    assert again.status_code == 400
    assert "Linket er enten brugt, udløbet eller ikke gyldigt" in again.content.decode()


def test_the_page_is_the_same_whether_or_not_the_address_is_known(world: World, ask: Ask) -> None:
    staff_person = make_person(world.team_a, name="Lene Leder", email="leader@example.test")
    assert staff_person.pk
    pages = []
    for address in ("alma@example.test", "nobody@example.test", "leader@example.test"):
        response = ask(Client(), address)
        assert response.status_code == 302
        page = Client().get(response["Location"]).content.decode()
        pages.append((response["Location"], CSRF.sub("", page)))
    assert pages[0] == pages[1] == pages[2]


def test_the_request_does_the_same_queries_for_a_known_and_an_unknown_address(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit, ask: Ask
) -> None:
    # The lookup happens in the task queue, after the response: its timing tells nothing.
    counts = []
    for address in ("alma@example.test", "nobody@example.test"):
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            CaptureQueriesContext(connection) as queries,
        ):
            Client().post(REQUEST_URL, {"email": address}, REMOTE_ADDR="10.0.0.1")
        assert len(callbacks) == 1
        assert not any("orgs_person" in q["sql"] for q in queries.captured_queries)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert not mail.outbox


def test_an_unknown_or_inactive_address_gets_no_e_mail(world: World, ask: Ask) -> None:
    world.person_b.is_active = False
    world.person_b.save()
    ask(Client(), "nobody@example.test")
    ask(Client(), "bent@example.test")
    ask(Client(), "")
    assert mail.outbox == []
    assert not SignInLink.objects.exists()


def test_someone_with_a_staff_role_is_told_by_e_mail_to_use_their_password(
    world: World, ask: Ask
) -> None:
    make_person(world.team_a, name="Lene Leder", email="leader@example.test")
    ask(Client(), "leader@example.test")
    (message,) = mail.outbox
    assert "adgangskode" in message.subject
    assert not LINK.search(str(message.body))
    assert reverse("accounts:login") in str(message.body)
    assert not SignInLink.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AMO, Role.LEADER, Role.TOP_MANAGEMENT])
def test_a_link_issued_before_a_staff_role_was_granted_does_not_sign_in(
    world: World, role: str, ask: Ask
) -> None:
    ask(Client(), "alma@example.test")
    token = token_in(mail.outbox[0])
    user = make_user("alma@example.test")
    grant(user, world.org, role, world.team_a)
    client = Client()
    response = use(client, token)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.link_failed", data__reason="staff").exists()


def test_an_expired_link_does_not_sign_in(world: World, ask: Ask) -> None:
    ask(Client(), "alma@example.test")
    token = token_in(mail.outbox[0])
    SignInLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = Client()
    assert use(client, token).status_code == 400
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="alma@example.test").exists()


def test_the_employee_scope_follows_the_persons_current_unit(world: World, ask: Ask) -> None:
    user = make_user("alma@example.test")
    ask(Client(), "alma@example.test")
    assert use(Client(), token_in(mail.outbox[0])).status_code == 302
    assert access_for(user=user, slug=world.org.slug).employee_unit_ids == (world.team_a.pk,)
    Person.objects.filter(email="alma@example.test").update(unit=world.team_b)
    assert access_for(user=user, slug=world.org.slug).employee_unit_ids == (world.team_b.pk,)
    Person.objects.filter(email="alma@example.test").update(is_active=False)
    with pytest.raises(Http404):
        access_for(user=user, slug=world.org.slug)


def test_a_role_an_administrator_gave_is_left_as_it_was(world: World, ask: Ask) -> None:
    user = make_user("alma@example.test")
    grant(user, world.org, Role.EMPLOYEE, world.team_b)
    ask(Client(), "alma@example.test")
    assert use(Client(), token_in(mail.outbox[0])).status_code == 302
    assert list(Membership.objects.filter(user=user).values_list("role", "unit")) == [
        (Role.EMPLOYEE, world.team_b.pk)
    ]
    access = access_for(user=user, slug=world.org.slug)
    assert set(access.employee_unit_ids) == {world.team_a.pk, world.team_b.pk}


def test_the_link_leads_on_to_a_page_of_this_site_only(world: World, ask: Ask) -> None:
    target = reverse("actions:index", kwargs={"org": world.org.slug})
    ask(Client(), "alma@example.test", next=target)
    match = LINK.search(str(mail.outbox[0].body))
    assert match and match.group(2) == "?next=" + target.replace("/", "%2F")
    assert use(Client(), match.group(1), next_path=target)["Location"] == target

    mail.outbox.clear()
    ask(Client(), "alma@example.test", next="//evil.example/")
    token = token_in(mail.outbox[0])
    assert "evil" not in str(mail.outbox[0].body)
    assert "evil" not in use(Client(), token, next_path="//evil.example/")["Location"]


def test_requests_are_throttled_per_address_with_the_wait_in_words(world: World, ask: Ask) -> None:
    for _ in range(3):
        assert ask(Client(), "alma@example.test").status_code == 302
    refused = ask(Client(), "ALMA@example.test")
    assert refused.status_code == 429
    assert "Prøv igen om 15 minutter" in refused.content.decode()
    assert len(mail.outbox) == 3
    (lockout,) = AuditEvent.objects.filter(action="auth.link_throttled")
    assert lockout.data["step"] == "request" and "alma" not in json.dumps(lockout.data)
    # An unknown address is counted the same way: the throttle tells nothing either.
    for _ in range(3):
        ask(Client(), "nobody@example.test")
    assert ask(Client(), "nobody@example.test").status_code == 429


def test_requests_are_throttled_per_client_address(world: World, ask: Ask) -> None:
    for i in range(60):
        ask(Client(), f"someone{i}@example.test")
    assert ask(Client(), "alma@example.test").status_code == 429
    assert mail.outbox == []
    assert ask(Client(), "alma@example.test", ip="10.0.0.2").status_code == 302


def test_guessing_links_is_throttled_per_client_address(world: World, ask: Ask) -> None:
    ask(Client(), "alma@example.test")
    token = token_in(mail.outbox[0])
    for i in range(10):
        assert use(Client(), f"guess-{i}-xxxxxxxxxxxx").status_code == 400
    refused = use(Client(), token)
    assert refused.status_code == 429
    assert AuditEvent.objects.filter(action="auth.link_throttled", data__step="use").exists()
    assert "Prøv igen om" in refused.content.decode()
    # The real link still works from elsewhere: a guesser cannot burn it.
    assert use(Client(), token, ip="10.0.0.9").status_code == 302


def test_link_events_are_audit_logged_without_the_address(world: World, ask: Ask) -> None:
    ask(Client(), "alma@example.test")
    ask(Client(), "nobody@example.test")
    token = token_in(mail.outbox[0])
    use(Client(), token)
    use(Client(), token)
    events = AuditEvent.objects.filter(action__startswith="auth.link")
    actions = sorted(events.values_list("action", flat=True))
    assert actions == [
        "auth.link_failed",
        "auth.link_requested",
        "auth.link_requested",
        "auth.link_signin",
    ]
    for event in events:
        assert event.organisation_id is None  # not on the organisation's own log
        text = json.dumps(event.data) + event.summary
        assert "alma" not in text and "nobody" not in text
    requested = AuditEvent.objects.filter(action="auth.link_requested")
    assert {e.data["outcome"] for e in requested} == {"sent", "unknown"}
    assert len({e.data["address"] for e in requested}) == 2


def test_the_link_token_never_reaches_a_log() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /konto/link/%s/ HTTP/1.1" 200',
        ("abcDEF123_-xyz",),
        None,
    )
    RedactSurveyTokens().filter(record)
    assert "abcDEF123" not in record.getMessage()
    assert "/konto/link/[token]" in record.getMessage()


def test_the_password_page_shows_employees_the_way_in_by_link(world: World) -> None:
    feedback = reverse("results:feedback_latest", kwargs={"org": world.org.slug})
    page = Client().get(feedback, follow=True)
    html = page.content.decode()
    assert "Log ind med et link på e-mail" in html
    assert f'href="{reverse("accounts:link_request")}?next={feedback}"' in html


def test_a_link_session_ends_when_the_person_is_given_a_staff_role(world: World, ask: Ask) -> None:
    ask(Client(), "alma@example.test")
    client = Client()
    use(client, token_in(mail.outbox[0]))
    dashboard = reverse("orgs:dashboard", kwargs={"org": world.org.slug})
    assert client.get(dashboard).status_code == 200
    user = User.objects.get(email="alma@example.test")
    grant(user, world.org, Role.LEADER, world.team_a)
    response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_password_session_is_left_alone(world: World) -> None:
    client = Client()
    client.force_login(world.leader)
    dashboard = reverse("orgs:dashboard", kwargs={"org": world.org.slug})
    assert client.get(dashboard).status_code == 200
