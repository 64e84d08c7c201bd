"""Single sign-on in a real browser against the real OpenID Connect provider (tests/oidc):
the sign-in page's button, the provider's own forms, back to Tryghed signed in or refused.
Every Tryghed page on the way passes axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.conftest import World
from tests.factories import grant, make_org, make_unit, make_user
from tests.oidc.server import Client as OidcClient
from tests.oidc.server import running_provider
from tryghed.accounts import sso
from tryghed.orgs.models import Role

pytestmark = pytest.mark.browser
SECRET = "acme-browser-secret-0123456789"


@pytest.fixture
def issuer(live_server: LiveServer) -> Iterator[str]:
    callback = f"{live_server.url}/konto/oidc/org-acme/login/callback/"
    with running_provider([OidcClient("tryghed-acme", SECRET, callback)]) as url:
        yield url


@pytest.fixture
def acme_page(new_page: PageFactory, issuer: str) -> Page:
    org = make_org("Acme Kommune", slug="acme")
    admin = make_user("anna.admin@acme.example")
    grant(admin, org, Role.ADMIN)
    grant(make_user("lea.leader@acme.example"), org, Role.LEADER, make_unit(org))
    sso.single_sign_on_configure(
        organisation=org,
        actor=admin,
        name="Acme ID",
        server_url=issuer,
        client_id="tryghed-acme",
        client_secret=SECRET,
        allowed_domains="acme.example",
        enabled=True,
    )
    return new_page()


def through_the_provider(page: Page, login: str) -> None:
    page.goto("/konto/log-ind/")
    page.get_by_role("link", name="Log ind med din organisations konto").click()
    assert_accessible(page, who="anonymous")
    page.get_by_label("Din e-mailadresse på arbejdet").fill("someone@ACME.example")
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("button", name="Log ind med Acme ID")).to_be_visible()
    assert_accessible(page, who="anonymous")
    page.get_by_role("button", name="Log ind med Acme ID").click()
    # The provider's own development forms: any password, then the consent.
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()


def test_a_leader_signs_in_through_the_provider(acme_page: Page) -> None:
    acme_page.goto("/konto/log-ind/?org=acme")
    expect(acme_page.get_by_role("button", name="Log ind med Acme ID")).to_be_visible()
    assert_accessible(acme_page, who="anonymous")
    through_the_provider(acme_page, "lea")
    expect(acme_page.get_by_role("button", name="Log ud")).to_be_visible()
    assert_accessible(acme_page, who="leader")


def test_an_unknown_address_is_refused_on_an_accessible_page(acme_page: Page) -> None:
    through_the_provider(acme_page, "stranger")
    expect(acme_page.get_by_role("heading", name="Du blev ikke logget ind")).to_be_visible()
    assert_accessible(acme_page, who="anonymous")


def test_a_callback_without_the_providers_answer_is_an_accessible_error(acme_page: Page) -> None:
    acme_page.goto("/konto/oidc/org-acme/login/callback/?error=server_error")
    expect(acme_page.get_by_role("heading", name="Log ind mislykkedes")).to_be_visible()
    assert_accessible(acme_page, who="anonymous")


def test_the_settings_page_tells_an_entra_administrator_what_to_add(
    phone_page: Page, login: Login, world: World
) -> None:
    page = phone_page
    login(page, world.owner)
    page.goto(f"/o/{world.org.slug}/indstillinger/log-ind/")
    help_text = page.get_by_text("Bed jeres it-afdeling om")
    expect(help_text).to_be_hidden()
    page.get_by_text("Sådan sætter I Microsoft Entra ID op").click()
    expect(help_text).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="xms_edov")).to_have_count(2)
    assert_accessible(page, who="admin, Entra help open, phone")
    # The issuer's address and the claim names wrap on a 360 px phone.
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 360
