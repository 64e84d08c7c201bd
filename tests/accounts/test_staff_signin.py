"""Staff sign-in: throttling and lockout, two-step verification, audit, password reset."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.core import mail
from django.core.management import call_command
from django.tasks import default_task_backend
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.conftest import World, client_for
from tests.factories import PASSWORD, give_totp, grant, make_user, totp_code
from tryghed.accounts import tasks
from tryghed.accounts.models import User
from tryghed.audit.models import AuditEvent
from tryghed.orgs.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from tryghed.orgs.models import Role

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def signed_in(user: User) -> Client:
    """A client signed in through the form (and the code), as a person is: allauth then
    knows how recently they gave their password, and asks for it again only after 5 min."""
    client = Client()
    response = sign_in(client, user.email, PASSWORD)
    if response.get("Location") == reverse("mfa_authenticate"):
        client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert signed_in_as(client) == str(user.pk)
    return client


def reauthenticated(client: Client) -> Client:
    """Changing two-step verification asks for the password again first."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response
    return client


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_forty_wrong_passwords_then_the_right_one_is_refused_for_a_while(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    for _ in range(40):
        sign_in(client, world.leader.email, "forkert-gaet")

    response = sign_in(client, world.leader.email, PASSWORD)

    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert "For mange forsøg" in response.text or "for mange forsøg" in response.text
    assert "Prøv igen om 15 minutter." in response.text

    # When the quarter of an hour has passed, the right password works again.
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr("tryghed.accounts.throttle.time.time", lambda: later)
    response = sign_in(client, world.leader.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(world.leader.pk)


def test_the_wait_counts_down_in_words(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, world.leader.email, "forkert-gaet")
    later = time.time() + 14 * 60 + 30
    monkeypatch.setattr("tryghed.accounts.throttle.time.time", lambda: later)

    response = sign_in(client, world.leader.email, PASSWORD)

    assert "Prøv igen om 30 sekunder." in response.text
    assert signed_in_as(client) is None


def test_one_address_trying_many_accounts_is_stopped(world: World) -> None:
    client = Client()
    for n in range(30):
        sign_in(client, f"gaet{n}@example.test", "forkert-gaet")

    response = sign_in(client, world.leader.email, PASSWORD)

    assert signed_in_as(client) is None
    assert "Prøv igen om 15 minutter." in response.text
    # Another address is not held up by it.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, world.leader.email, PASSWORD).status_code == 302


def test_a_right_password_forgets_the_accounts_earlier_mistakes(world: World) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, world.leader.email, "forkert-gaet")
    assert sign_in(client, world.leader.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, world.leader.email, "forkert-gaet")

    assert sign_in(client, world.leader.email, PASSWORD).status_code == 302


def test_failed_sign_ins_and_the_lockout_are_in_the_audit_log(world: World) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, world.leader.email, "forkert-gaet")
    sign_in(client, "findes-ikke@example.test", "forkert-gaet")

    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() == 6
    on_leader = failed.filter(object_type="User", object_id=str(world.leader.pk))
    assert on_leader.count() == 5
    first = on_leader.first()
    assert first is not None
    assert first.data["ip"] == "127.0.0.1"
    assert world.leader.email not in str(first.data)  # a keyed hash, not the address
    lockout = AuditEvent.objects.get(action="auth.lockout")
    assert lockout.object_id == str(world.leader.pk)
    assert lockout.data["seconds"] == 15 * 60


def test_an_admin_gives_the_code_from_the_app_after_the_password(world: World) -> None:
    client = Client()
    response = sign_in(client, world.owner.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None
    page = client.get(reverse("mfa_authenticate"))
    assert "Kode fra godkender-appen" in page.text

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert signed_in_as(client) is None
    assert "Forkert kode" in wrong.text
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(world.owner)})

    assert response.status_code == 302
    assert signed_in_as(client) == str(world.owner.pk)
    assert AuditEvent.objects.filter(action="auth.login", actor=world.owner).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_failed", actor=world.owner).count() == 1


def test_wrong_codes_are_limited_too(world: World) -> None:
    client = Client()
    sign_in(client, world.owner.email, PASSWORD)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(world.owner)})

    assert signed_in_as(client) is None
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AMO, Role.TOP_MANAGEMENT])
def test_a_role_that_requires_mfa_opens_nothing_before_it_is_set_up(
    world: World, role: Role
) -> None:
    user = make_user()
    grant(user, world.org, role, mfa=False)
    client = signed_in(user)

    response = client.get(reverse("orgs:dashboard", args=[world.org.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")
    page = client.get(response["Location"])
    assert "Før du kan fortsætte, skal du slå totrinsbekræftelse til." in page.text
    assert reverse("mfa_activate_totp") in page.text
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup["Location"].startswith(reverse("account_reauthenticate"))
    assert reauthenticated(client).get(reverse("mfa_activate_totp")).status_code == 200

    give_totp(user)
    assert client.get(reverse("orgs:dashboard", args=[world.org.slug])).status_code == 200


def test_mfa_is_optional_for_leaders_unless_the_organisation_requires_it(world: World) -> None:
    client = client_for(world.leader)
    dashboard = reverse("orgs:dashboard", args=[world.org.slug])
    assert client.get(dashboard).status_code == 200

    world.org.require_mfa = True
    world.org.save()

    response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")
    # Employees sign in by link, not by password: the organisation's rule does not stop them.
    assert client_for(world.employee).get(dashboard).status_code == 200


def test_setting_up_and_removing_mfa_is_audit_logged(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = reauthenticated(signed_in(world.leader))
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    assert secret in page.text  # for typing into the app, beside the QR code
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=world.leader, type="totp").exists()
    added = AuditEvent.objects.filter(action="auth.mfa_added", actor=world.leader)
    assert {event.data["type"] for event in added} == {"totp", "recovery_codes"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.leader, type="totp").exists()
    assert AuditEvent.objects.filter(action="auth.mfa_removed", actor=world.leader).exists()


def test_whoever_must_use_mfa_cannot_switch_it_off(world: World) -> None:
    client = reauthenticated(signed_in(world.owner))

    page = client.get(reverse("mfa_deactivate_totp"))
    client.post(reverse("mfa_deactivate_totp"))

    assert "Din rolle kræver totrinsbekræftelse" in page.text
    assert Authenticator.objects.filter(user=world.owner, type="totp").exists()
    assert not AuditEvent.objects.filter(action="auth.mfa_removed").exists()


def test_no_one_can_sign_up() -> None:
    with pytest.raises(NoReverseMatch):
        reverse("account_signup")
    assert User.objects.count() == 0


@pytest.fixture
def queued(settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()  # type: ignore[attr-defined]
    return default_task_backend


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(
    world: World, queued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    answers = []
    for email in (world.leader.email, "findes-ikke@example.test"):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(reverse("accounts:password_reset"), {"email": email})
        answers.append((response.status_code, response["Location"], response.content))

    assert answers[0] == answers[1]
    assert answers[0][1] == reverse("accounts:password_reset_done")
    # Nothing was sent or looked up in the request: both went to the queue alike.
    assert mail.outbox == []
    queued_args = [result.args for result in queued.results]
    assert [args[0] for args in queued_args] == [world.leader.email, "findes-ikke@example.test"]
    assert all(result.task.func is tasks.send_password_reset.func for result in queued.results)

    # The worker sends the link to the address that belongs to someone, and nothing else.
    for args in queued_args:
        tasks.send_password_reset.call(*args)
    assert [message.to for message in mail.outbox] == [[world.leader.email]]
    assert "/konto/ny-adgangskode/" in str(mail.outbox[0].body)


def test_password_reset_requests_are_throttled_per_address(world: World, queued: Any) -> None:
    client = Client()
    for _ in range(3):
        client.post(reverse("accounts:password_reset"), {"email": world.leader.email})

    response = client.post(reverse("accounts:password_reset"), {"email": world.leader.email})

    assert response.status_code == 200
    assert "Prøv igen om 60 minutter." in response.text


def test_the_demo_admin_signs_in_with_the_printed_key_and_the_code_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_demo()
    call_command("demo_banner")
    banner = capsys.readouterr().out
    assert DEMO_TOTP_SECRET in banner and "demo_code" in banner
    call_command("demo_code")
    code = capsys.readouterr().out.strip()

    client = Client()
    response = sign_in(client, "admin@demo-kommune.dk", DEMO_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": code})

    admin = User.objects.get(email="admin@demo-kommune.dk")
    assert signed_in_as(client) == str(admin.pk)
    # The leader's role leaves it optional: the password alone signs in.
    leader = Client()
    assert sign_in(leader, "leder@demo-kommune.dk", DEMO_PASSWORD)["Location"] != reverse(
        "mfa_authenticate"
    )


def test_an_administrator_requires_mfa_of_every_leader_in_the_settings(world: World) -> None:
    response = client_for(world.owner).post(
        reverse("orgs:settings", args=[world.org.slug]),
        {
            "min_group_score": world.org.min_group_score,
            "min_group_comment": world.org.min_group_comment,
            "min_group_sensitive": world.org.min_group_sensitive,
            "response_retention_months": world.org.response_retention_months,
            "contact_email": "",
            "require_mfa": "on",
        },
    )

    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.require_mfa is True
    event = AuditEvent.objects.get(action="organisation.settings_changed")
    assert event.data["changed"] == {"require_mfa": [False, True]}
    dashboard = client_for(world.leader).get(reverse("orgs:dashboard", args=[world.org.slug]))
    assert dashboard["Location"] == reverse("accounts:mfa_required")


def test_the_page_asked_for_opens_after_the_password_and_the_code(world: World) -> None:
    client = Client()
    wanted = reverse("orgs:dashboard", args=[world.org.slug])
    form = client.get(LOGIN + f"?next={wanted}")
    assert f'name="next" value="{wanted}"' in form.text

    client.post(LOGIN, {"login": world.owner.email, "password": PASSWORD, "next": wanted})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(world.owner)})

    assert response["Location"] == wanted


def test_authenticator_secrets_are_sealed_in_the_database(world: World, settings: Any) -> None:
    stored = Authenticator.objects.get(user=world.owner, type="totp").data["secret"]
    secret = decrypt(stored)
    assert stored.startswith("sealed1:") and secret not in stored
    seed = Authenticator.objects.get(user=world.owner, type="recovery_codes").data["seed"]
    assert seed.startswith("sealed1:")

    # After a key rotation with the old key kept as a fallback, the code still works.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert decrypt(stored) == secret
    client = Client()
    sign_in(client, world.owner.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(world.owner)})
    assert signed_in_as(client) == str(world.owner.pk)

    # Without the old key the secret cannot be read at all.
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ValueError, match="no longer configured"):
        decrypt(stored)


def test_a_secret_stored_before_sealing_is_still_read(world: World) -> None:
    authenticator = Authenticator.objects.get(user=world.owner, type="totp")
    secret = decrypt(authenticator.data["secret"])
    authenticator.data["secret"] = secret
    authenticator.save()

    client = Client()
    sign_in(client, world.owner.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(world.owner)})
    assert signed_in_as(client) == str(world.owner.pk)
