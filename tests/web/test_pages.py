"""The shared page frame: language, landmarks, security headers, the accessibility statement."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import totp_code


def test_pages_are_danish_by_default_with_skip_link_and_landmarks(world: World) -> None:
    html = (
        client_for(world.owner)
        .get(reverse("orgs:dashboard", kwargs={"org": "testkommune"}))
        .content.decode()
    )
    assert '<html lang="da">' in html
    assert '<a class="skip-link" href="#indhold">Spring til indhold</a>' in html
    assert '<main id="indhold"' in html and "<header" in html and "<footer" in html
    assert 'aria-label="Hovedmenu"' in html


def test_the_language_switch_turns_the_pages_english(world: World) -> None:
    client = client_for(world.owner)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("orgs:unit_tree", kwargs={"org": "testkommune"})).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert ">Units<" in html


def test_every_response_carries_a_strict_content_security_policy() -> None:
    response = Client().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_passwords_are_hashed_with_argon2_first() -> None:
    # Read the configured list from the module: tests themselves swap in a fast hasher.
    import tryghed.settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sign_in_works_and_is_audit_logged(world: World) -> None:
    from tryghed.audit.models import AuditEvent

    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"login": "owner@example.test", "password": "a-long-test-password"},
    )
    # An administrator gives the code from the authenticator app next.
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(world.owner)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=world.owner).count() == 1


def test_a_wrong_password_is_refused_with_a_danish_message(world: World) -> None:
    response = Client().post(
        reverse("accounts:login"), {"login": "owner@example.test", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "korrekt" in response.content.decode()


def test_the_accessibility_statement_names_the_organisations_contact(world: World) -> None:
    world.org.contact_email = "web@testkommune.dk"
    world.org.save()
    html = Client().get(reverse("web:accessibility") + "?org=testkommune").content.decode()
    assert "Tilgængelighedserklæring" in html
    assert "mailto:web@testkommune.dk" in html
    assert "Digitaliseringsstyrelsen" in html


def test_the_footer_links_the_accessibility_statement(world: World) -> None:
    html = Client().get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("web:accessibility")}"' in html


def _settings_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TRYGHED_ENV"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; "
            "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','tryghed.settings'); "
            "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "tryghed.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _settings_subprocess({"TRYGHED_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_turns_on_secure_cookies_and_hsts() -> None:
    result = _settings_subprocess({"TRYGHED_ENV": "production", "SECRET_KEY": "x" * 60})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "31536000"]


@pytest.mark.parametrize(
    ("url", "engine", "name"),
    [
        ("postgres://u:p%40ss@db.example:5433/tryghed", "django.db.backends.postgresql", "tryghed"),
        ("sqlite:///relative.sqlite3", "tryghed.sqlite", "relative.sqlite3"),
        ("sqlite:////abs/path.sqlite3", "tryghed.sqlite", "/abs/path.sqlite3"),
    ],
)
def test_database_urls_are_understood(url: str, engine: str, name: str) -> None:
    from tryghed.settings import database_from_url

    config = database_from_url(url)
    assert (config["ENGINE"], config["NAME"]) == (engine, name)
    if engine.endswith("postgresql"):
        assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
            "u",
            "p@ss",
            "db.example",
            "5433",
        )


def test_a_sqlite_url_runs_sqlite_as_the_default_database_does(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    """WAL, secure_delete, IMMEDIATE transactions and the busy timeout, with the URL's
    options on top; ``timeout`` from the query is a number (it arrived as a string, and
    sqlite3.connect refused it)."""
    from django.db.utils import ConnectionHandler

    from tryghed.settings import database_from_url, sqlite_database

    config = database_from_url(f"sqlite:///{tmp_path}/url.sqlite3?timeout=2.5")
    default = sqlite_database(tmp_path / "default.sqlite3")
    options, default_options = config["OPTIONS"], default["OPTIONS"]
    assert isinstance(options, dict) and isinstance(default_options, dict)
    assert options["timeout"] == 2.5
    assert options["transaction_mode"] == default_options["transaction_mode"] == "IMMEDIATE"
    assert options["init_command"] == default_options["init_command"]
    wrapper = ConnectionHandler({"default": config})["default"]
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone() == ("wal",)
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone() == (2500,)
                cursor.execute("PRAGMA secure_delete")
                assert cursor.fetchone() == (1,)
        finally:
            wrapper.close()


def test_the_database_defaults_to_sqlite_under_the_data_folder() -> None:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("this run uses DATABASE_URL")
    assert settings.DATABASES["default"]["ENGINE"] == "tryghed.sqlite"
