"""The signed-in header on a 360 px phone: one row, the brand and a "Menu" button, with the
navigation and the tools folded under it (a <details>, no script) and opened by keyboard;
on a desktop the navigation is in view with no button. Axe in each state."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.conftest import World

HEADER_HEIGHT = "() => document.querySelector('.site-header').getBoundingClientRect().height"


def test_the_menu_folds_on_a_phone_and_opens_by_keyboard(
    phone_page: Page, login: Login, world: World
) -> None:
    page = phone_page
    login(page, world.amo)
    nav = page.get_by_role("navigation", name="Hovedmenu")
    menu = page.locator(".site-header summary")
    expect(menu).to_have_text("Menu")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Log ud")).to_be_hidden()
    assert page.evaluate(HEADER_HEIGHT) <= 80  # one row, not four
    assert_accessible(page, who="AMO, 360 px, the menu closed")

    menu.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Målinger")).to_be_visible()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 360
    assert_accessible(page, who="AMO, 360 px, the menu open")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("() => document.activeElement.tagName") != "SUMMARY"


def test_the_navigation_is_in_view_on_a_desktop(page: Page, login: Login, world: World) -> None:
    login(page, world.amo)
    expect(page.locator(".site-header summary")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("link", name="Målinger")).to_be_visible()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    nav.get_by_role("link", name="Målinger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Målinger")
    assert_accessible(page, who="AMO, desktop, the navigation in view")
