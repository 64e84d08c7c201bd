"""Sealed secrets (accounts/sealing.py) as the database's operator meets them: the stored
value gives nothing away, it opens only for its own purpose and key, a rotated key still
opens it from SECRET_KEY_FALLBACKS, and secrets stored in clear before sealing get sealed by
the migration."""

from __future__ import annotations

import importlib

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.apps import apps as django_apps
from django.db import connection
from django.test import override_settings

from tests.conftest import World
from tryghed.accounts import sealing, sso

SECRET = "client-secret-Æblegrød-0123456789"


def configure(world: World, secret: str = SECRET) -> SocialApp:
    sso.single_sign_on_configure(
        organisation=world.org,
        actor=world.owner,
        name="Entra ID",
        server_url="https://login.microsoftonline.com/tenant/v2.0",
        client_id="client-1",
        client_secret=secret,
        allowed_domains="testkommune.dk",
        enabled=True,
    )
    return SocialApp.objects.get(provider_id="org-testkommune")


def raw_secrets() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM socialaccount_socialapp")
        return [row[0] for row in cursor.fetchall()]


def test_the_operator_reads_no_client_secret_in_the_table(world: World) -> None:
    configure(world)
    (stored,) = raw_secrets()
    assert stored.startswith(sealing.PREFIX)
    assert SECRET not in stored and SECRET.encode().hex() not in stored
    # Two saves of the same secret store different values (a fresh nonce each time).
    configure(world)
    assert raw_secrets() != [stored]


def test_allauth_gets_the_secret_opened_and_the_row_stays_sealed(world: World) -> None:
    app = configure(world)
    (opened,) = get_adapter().list_apps(None, provider="org-testkommune")
    assert opened.secret == SECRET and opened.client_id == "client-1"
    assert opened is not app
    app.refresh_from_db()
    assert sealing.is_sealed(app.secret)


def test_a_value_opens_only_for_its_own_purpose() -> None:
    stored = sealing.seal(SECRET, sealing.SSO_CLIENT_SECRET)
    assert sealing.unseal(stored, sealing.SSO_CLIENT_SECRET) == SECRET
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(stored, sealing.MFA)


def test_a_rotated_key_opens_from_the_fallbacks_and_a_lost_one_does_not() -> None:
    with override_settings(SECRET_KEY="old-key-" + "x" * 50):
        stored = sealing.seal(SECRET, sealing.SSO_CLIENT_SECRET)
    with override_settings(
        SECRET_KEY="new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=["old-key-" + "x" * 50]
    ):
        assert sealing.unseal(stored, sealing.SSO_CLIENT_SECRET) == SECRET
    lost = override_settings(SECRET_KEY="new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[])
    with lost, pytest.raises(sealing.SealBroken):
        sealing.unseal(stored, sealing.SSO_CLIENT_SECRET)


def test_the_migration_seals_a_secret_stored_in_clear(world: World) -> None:
    app = configure(world)
    SocialApp.objects.filter(pk=app.pk).update(secret=SECRET)  # as stored before sealing
    migration = importlib.import_module("tryghed.accounts.migrations.0003_seal_sso_secrets")
    migration.seal_client_secrets(django_apps, connection.schema_editor())
    (stored,) = raw_secrets()
    assert sealing.is_sealed(stored) and SECRET not in stored
    (opened,) = get_adapter().list_apps(None, provider="org-testkommune")
    assert opened.secret == SECRET
