"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol) stands in
for the phone or the security key. Registers a passkey, signs in with it alone and as the
step after the password; axe on every passkey page; no CSP violation on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.conftest import World
from tests.factories import PASSWORD
from tryghed.audit.models import AuditEvent


@pytest.fixture
def authenticator(page: Page) -> Iterator[str]:
    """A platform authenticator with resident keys and user verification (a phone or a
    laptop with a fingerprint reader), which always verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield str(result["authenticatorId"])
    cdp.send("WebAuthn.disable")


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    seen: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", note)
    return seen


def add_a_passkey(page: Page, *, name: str, passwordless: bool) -> None:
    page.goto(reverse("mfa_index"))
    page.get_by_role("link", name="Tilføj en adgangsnøgle").click()
    if page.get_by_role("heading", level=1).inner_text() == "Bekræft, at det er dig":
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilføj en adgangsnøgle")
    assert_accessible(page, who="adding a passkey")
    page.get_by_label("Navn på nøglen").fill(name)
    if passwordless:
        page.get_by_label(re.compile("Brug den som adgangsnøgle")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Tilføj nøglen").click()


def test_a_leader_adds_a_passkey_and_signs_in_with_it_alone(
    page: Page, login: Login, world: World, authenticator: str, csp_violations: list[str]
) -> None:
    login(page, world.leader)
    add_a_passkey(page, name="Min bærbare", passwordless=True)

    # The first factor comes with recovery codes, as an app does.
    expect(page.get_by_role("heading", level=1)).to_have_text("Gendannelseskoder")
    passkey = Authenticator.objects.get(user=world.leader, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().is_passwordless is True
    assert AuditEvent.objects.filter(action="auth.mfa_added", data__type="webauthn").exists()

    page.goto(reverse("mfa_index"))
    expect(page.get_by_role("main")).to_contain_text("Min bærbare")
    assert_accessible(page, who="overview with a passkey")
    page.get_by_role("link", name="Administrér adgangsnøgler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adgangsnøgler")
    expect(page.get_by_role("row", name=re.compile("Min bærbare"))).to_contain_text(
        "uden adgangskode"
    )
    assert_accessible(page, who="list of passkeys")
    page.get_by_role("link", name="Omdøb Min bærbare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Omdøb adgangsnøglen")
    assert_accessible(page, who="renaming a passkey")
    page.get_by_label("Navn på nøglen").fill("Arbejdscomputer")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("row", name=re.compile("Arbejdscomputer"))).to_be_visible()
    page.get_by_role("link", name="Fjern Arbejdscomputer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fjern adgangsnøglen")
    assert_accessible(page, who="removing a passkey")

    # Confirming who one is (before changing how one signs in) works with the passkey too.
    page.goto(reverse("mfa_reauthenticate_webauthn"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekræft, at det er dig")
    assert_accessible(page, who="confirming with a passkey")
    with page.expect_navigation():
        page.get_by_role("button", name="Brug adgangsnøglen").click()
    assert AuditEvent.objects.filter(action="auth.mfa_failed").count() == 0

    page.get_by_role("button", name="Log ud").click()
    page.goto(reverse("accounts:login"))
    assert_accessible(page, who="login page with the passkey button")
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind med adgangsnøgle").click()

    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    assert AuditEvent.objects.filter(action="auth.login", actor=world.leader).count() == 2
    assert csp_violations == []


def test_an_administrator_uses_a_passkey_after_the_password(
    page: Page, login: Login, world: World, authenticator: str, csp_violations: list[str]
) -> None:
    login(page, world.owner)  # password and the app's code
    add_a_passkey(page, name="Sikkerhedsnøgle", passwordless=False)
    page.get_by_role("button", name="Log ud").click()

    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mail").fill(world.owner.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Med adgangsnøgle")).to_be_visible()
    assert_accessible(page, who="second step with a passkey or a code")
    with page.expect_navigation():
        page.get_by_role("button", name="Brug adgangsnøgle").click()

    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    page.goto(reverse("orgs:dashboard", args=[world.org.slug]))
    expect(page).to_have_url(
        re.compile(re.escape(reverse("orgs:dashboard", args=[world.org.slug])))
    )
    assert csp_violations == []


def test_the_sign_out_everywhere_page(page: Page, login: Login, world: World) -> None:
    login(page, world.leader)
    page.goto(reverse("mfa_index"))
    page.get_by_role("link", name=re.compile("log ud overalt")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvor du er logget ind")
    assert_accessible(page, who="sessions page")
    page.get_by_role("button", name="Log ud overalt").click()
    # Ending sessions asks for the password again, then carries on.
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvor du er logget ind")
    expect(page.get_by_role("status")).to_contain_text("ikke logget ind andre steder")


def test_a_refused_passkey_is_said_on_the_page(
    page: Page, login: Login, world: World, authenticator: str, csp_violations: list[str]
) -> None:
    login(page, world.leader)
    add_a_passkey(page, name="Telefon", passwordless=True)
    page.get_by_role("button", name="Log ud").click()

    # The phone no longer recognises its owner: the browser refuses the passkey step.
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    page.goto(reverse("accounts:login"))
    page.get_by_role("button", name="Log ind med adgangsnøgle").click()

    expect(page.get_by_role("alert")).to_contain_text("Det lykkedes ikke at bruge nøglen")
    expect(page.get_by_role("button", name="Log ud")).to_have_count(0)
    assert_accessible(page, who="login page after a refused passkey")
    assert csp_violations == []
