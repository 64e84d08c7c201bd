"""Passkeys (WebAuthn) as a second factor and as a sign-in of their own, with a software
key (tests/accounts/softkey.py) that fido2 verifies for real."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.accounts.softkey import SoftKey, js_data
from tests.accounts.test_staff_signin import reauthenticated, sign_in, signed_in, signed_in_as
from tests.conftest import World
from tests.factories import PASSWORD, give_totp, grant, make_user
from tryghed.accounts import api_tokens
from tryghed.accounts.mfa import has_mfa
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Role

pytestmark = pytest.mark.django_db
WEBAUTHN = Authenticator.Type.WEBAUTHN


def add_passkey(client: Client, *, passwordless: bool = False, name: str = "Bærbar") -> SoftKey:
    """Through the pages, as a person does: the password again, then the browser's key."""
    reauthenticated(client)
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    key = SoftKey()
    credential = key.register(js_data(page.text)["creation_options"], resident=passwordless)
    data = {"name": name, "credential": json.dumps(credential)}
    if passwordless:
        data["passwordless"] = "on"
    response = client.post(reverse("mfa_add_webauthn"), data)
    assert response.status_code == 302, response.text
    return key


def second_step_with(client: Client, key: SoftKey, **kwargs: bool) -> Any:
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    credential = key.sign_in(js_data(page.text)["request_options"], **kwargs)
    return client.post(reverse("mfa_authenticate"), {"credential": json.dumps(credential)})


def passkey_login(client: Client, key: SoftKey, **kwargs: bool) -> Any:
    options = client.get(reverse("mfa_login_webauthn"), HTTP_ACCEPT="application/json").json()
    credential = key.sign_in(options["request_options"], **kwargs)
    return client.post(reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)})


def test_a_passkey_satisfies_the_rule_for_a_role_that_must_use_mfa(world: World) -> None:
    amo = make_user("ny-amo@example.test")
    grant(amo, world.org, Role.AMO, mfa=False)
    client = Client()
    sign_in(client, amo.email, PASSWORD)
    dashboard = reverse("orgs:dashboard", args=[world.org.slug])
    assert client.get(dashboard)["Location"] == reverse("accounts:mfa_required")
    # The set-up pages are open to them, the passkey one too.
    assert "Tilføj en adgangsnøgle" in client.get(reverse("accounts:mfa_required")).text

    add_passkey(client)

    assert has_mfa(amo)
    assert Authenticator.objects.filter(user=amo, type=WEBAUTHN).count() == 1
    assert client.get(dashboard).status_code == 200
    added = AuditEvent.objects.get(action="auth.mfa_added", data__type=WEBAUTHN)
    assert added.actor == amo


def test_the_overview_lists_the_passkeys_by_name(world: World) -> None:
    client = signed_in(world.leader)
    add_passkey(client, name="Arbejdscomputer")
    add_passkey(client, name="YubiKey i nøgleringen")

    page = client.get(reverse("mfa_index")).text
    assert "Du har 2 adgangsnøgler" in page
    assert "Arbejdscomputer" in page and "YubiKey i nøgleringen" in page
    listing = client.get(reverse("mfa_list_webauthn")).text
    assert "Arbejdscomputer" in listing and "Omdøb" in listing


def test_password_then_the_passkey_signs_in(world: World) -> None:
    key = add_passkey(signed_in(world.leader))
    client = Client()
    response = sign_in(client, world.leader.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None

    second_step_with(client, key)

    assert signed_in_as(client) == str(world.leader.pk)
    assert AuditEvent.objects.filter(action="auth.login", actor=world.leader).count() == 2


def test_a_passkey_that_is_not_theirs_is_refused_and_logged(world: World) -> None:
    add_passkey(signed_in(world.leader))
    client = Client()
    sign_in(client, world.leader.email, PASSWORD)

    stranger = SoftKey()  # a key never registered to this account
    second_step_with(client, stranger)

    assert signed_in_as(client) is None
    failed = AuditEvent.objects.get(action="auth.mfa_failed")
    assert failed.actor == world.leader and failed.data["type"] == WEBAUTHN


def test_a_passkey_alone_signs_in_and_counts_as_two_steps(world: World) -> None:
    # The administrator must use two-step verification; the passkey is enough for it.
    key = add_passkey(signed_in(world.owner), passwordless=True)
    client = Client()

    response = passkey_login(client, key)

    assert signed_in_as(client) == str(world.owner.pk)
    assert response["Location"] != reverse("mfa_authenticate")  # no code asked
    assert client.get(reverse("orgs:dashboard", args=[world.org.slug])).status_code == 200


def test_a_passkey_alone_without_the_pin_or_finger_is_refused_and_logged(
    world: World,
) -> None:
    key = add_passkey(signed_in(world.owner), passwordless=True)
    client = Client()

    passkey_login(client, key, user_verified=False)

    assert signed_in_as(client) is None
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.data["method"] == "passkey" and failed.actor is None


def test_someone_who_must_use_mfa_keeps_their_last_factor(world: World) -> None:
    amo = make_user("ny-amo@example.test")
    grant(amo, world.org, Role.AMO, mfa=False)
    client = Client()
    sign_in(client, amo.email, PASSWORD)
    add_passkey(client)
    passkey = Authenticator.objects.get(user=amo, type=WEBAUTHN)
    remove = reverse("mfa_remove_webauthn", args=[passkey.pk])

    assert "eneste nøgle" in client.get(remove).text
    client.post(remove)
    assert Authenticator.objects.filter(pk=passkey.pk).exists()

    # With an authenticator app as well, the passkey may go, and the app then may not.
    give_totp(amo)
    client.post(remove)
    assert not Authenticator.objects.filter(pk=passkey.pk).exists()
    assert has_mfa(amo)
    removed = AuditEvent.objects.get(action="auth.mfa_removed", data__type=WEBAUTHN)
    assert removed.actor == amo


def test_removing_a_passkey_signs_out_everywhere_else(world: World) -> None:
    here = signed_in(world.leader)
    key = add_passkey(here)
    elsewhere = Client()
    sign_in(elsewhere, world.leader.email, PASSWORD)
    second_step_with(elsewhere, key)
    assert signed_in_as(elsewhere) == str(world.leader.pk)
    passkey = Authenticator.objects.get(user=world.leader, type=WEBAUTHN)
    token, _ = api_tokens.token_create(user=world.leader, name="Dashboard")

    here.post(reverse("mfa_remove_webauthn", args=[passkey.pk]))

    assert not Authenticator.objects.filter(pk=passkey.pk).exists()
    assert signed_in_as(here) == str(world.leader.pk)
    dashboard = reverse("orgs:dashboard", args=[world.org.slug])
    assert elsewhere.get(dashboard)["Location"].startswith(reverse("accounts:login"))
    ended = AuditEvent.objects.get(action="auth.sessions_ended")
    assert ended.data == {"count": 1, "why": "mfa_removed"}
    # A token made by whoever held the lost factor goes too.
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_passkey_claiming_to_be_someone_else_is_refused(world: World) -> None:
    # The leader's own, valid passkey, but the answer names the administrator's account.
    key = add_passkey(signed_in(world.leader), passwordless=True)
    owners_key = add_passkey(signed_in(world.owner), passwordless=True)
    key.user_handle = owners_key.user_handle  # what allauth put in the owner's passkey
    assert key.user_handle == user_pk_to_url_str(world.owner).encode()
    client = Client()

    passkey_login(client, key)

    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1
