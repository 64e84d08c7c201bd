"""Two-step verification in the browser: set up, sign in with a code, required roles; axe
on every page of it (the crawl cannot reach these: they follow a password or a sign-in)."""

from __future__ import annotations

import re

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.conftest import World
from tests.factories import PASSWORD, grant, make_user, totp_code
from tryghed.orgs.models import Role


def code_for(secret: str) -> str:
    return str(format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time()))))


def test_a_leader_turns_on_two_step_verification(page: Page, login: Login, world: World) -> None:
    login(page, world.leader)
    page.get_by_role("contentinfo").get_by_role("link", name="Totrinsbekræftelse").click()
    expect(page.get_by_role("main")).to_contain_text("frivilligt for din rolle")
    assert_accessible(page, who="leader, about two-step verification")
    page.get_by_role("link", name="Slå totrinsbekræftelse til").click()

    # Changing how one signs in asks for the password again first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekræft, at det er dig")
    assert_accessible(page, who="leader, reauthentication")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Bekræft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Slå totrinsbekræftelse til")
    assert_accessible(page, who="leader, set-up with QR code")
    secret = page.locator("code.totp-secret").inner_text()
    page.get_by_label("Kode fra godkender-appen").fill("000000")
    page.get_by_role("button", name="Slå til").click()
    expect(page.locator(".errorlist")).to_be_visible()
    assert_accessible(page, who="leader, set-up with a wrong code")
    page.get_by_label("Kode fra godkender-appen").fill(code_for(secret))
    page.get_by_role("button", name="Slå til").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gendannelseskoder")
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    assert_accessible(page, who="leader, recovery codes")
    page.get_by_role("link", name="Lav nye gendannelseskoder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nye gendannelseskoder")
    assert_accessible(page, who="leader, new recovery codes")

    page.goto(reverse("mfa_index"))
    expect(page.get_by_role("main")).to_contain_text("er slået til")
    assert_accessible(page, who="leader, two-step overview")
    page.get_by_role("link", name="Slå totrinsbekræftelse fra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slå totrinsbekræftelse fra")
    assert_accessible(page, who="leader, switching it off")


def test_an_administrator_gives_the_code_after_the_password(page: Page, world: World) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mail").fill(world.owner.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Totrinsbekræftelse")
    assert_accessible(page, who="admin, asked for the code")
    page.get_by_label("Kode fra godkender-appen").fill("000000")
    page.get_by_role("button", name="Bekræft", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Forkert kode")
    assert_accessible(page, who="admin, wrong code")
    page.get_by_label("Kode fra godkender-appen").fill(totp_code(world.owner))
    page.get_by_role("button", name="Bekræft", exact=True).click()

    expect(page.get_by_role("button", name="Log ud")).to_be_visible()


def test_an_amo_member_without_it_is_sent_to_set_it_up(page: Page, world: World) -> None:
    amo = make_user("ny-amo@example.test")
    grant(amo, world.org, Role.AMO, mfa=False)
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mail").fill(amo.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()

    page.goto(reverse("orgs:dashboard", args=[world.org.slug]))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:mfa_required")) + "$"))
    expect(page.get_by_role("main")).to_contain_text(
        "Før du kan fortsætte, skal du slå totrinsbekræftelse til."
    )
    assert_accessible(page, who="AMO without two-step verification")
