"""Real-browser tests: the system Chromium driven by Playwright against Django's live server.

Everything under tests/browser is marked ``browser`` (the PostgreSQL run leaves it out).
Chromium comes from the Debian packages chromium and chromium-driver; no browser is ever
downloaded. Without it the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.factories import PASSWORD, totp_code
from tryghed.accounts.models import User

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
# made here (fixtures, assertions on the database) as if they came from async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: without the background-networking flags Chromium's own
# connections (updates, sync, field trials) are refused and slow every launch.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)  # before -m "not browser" deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    configured = os.environ.get("CHROMIUM_PATH", "")
    path = configured or DEFAULT_CHROMIUM
    found = (
        shutil.which(path) if os.sep not in path else (path if os.access(path, os.X_OK) else None)
    )
    if found:
        return found
    message = (
        f"Chromium not found at {path}; install the Debian packages chromium and "
        "chromium-driver to run the browser tests (or set CHROMIUM_PATH)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}. CI=true requires the browser tests to run.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    # One browser for the whole session; each test gets fresh contexts (cookies, storage).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageFactory(Protocol):
    def __call__(self, *, phone: bool = False, **options: Any) -> Page: ...


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, transactional_db: None
) -> Iterator[PageFactory]:
    """Open pages in fresh contexts: desktop 1280×900, or a 360×740 touch phone."""
    contexts: list[BrowserContext] = []

    def open_page(*, phone: bool = False, **options: Any) -> Page:
        settings: dict[str, Any] = {
            "base_url": live_server.url,
            # Danish first, as the organisations using Tryghed; LocaleMiddleware reads this.
            "locale": "da-DK",
            "viewport": PHONE if phone else DESKTOP,
        }
        if phone:
            settings |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        context = browser.new_context(**(settings | options))
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()


@pytest.fixture
def phone_page(new_page: PageFactory) -> Page:
    return new_page(phone=True)


Login = Callable[[Page, User], None]


def sign_in(page: Page, user: User) -> None:
    """Sign in through the real login form, as a person would: the password, then the
    code from the authenticator app where two-step verification is on."""
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind", exact=True).click()
    if urlsplit(page.url).path == reverse("mfa_authenticate"):
        page.get_by_label("Kode fra godkender-appen").fill(totp_code(user))
        with page.expect_navigation():
            page.get_by_role("button", name="Bekræft", exact=True).click()
    # Signed in: the header has the sign-out button (on a phone folded under "Menu").
    expect(page.locator(".header-tools button", has_text="Log ud")).to_have_count(1)


@pytest.fixture
def login() -> Login:
    return sign_in


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Settings, live_server: LiveServer) -> None:
    # Invitation e-mails are sent at once, into mail.outbox, with links to the live server.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.TRYGHED_SITE_URL = live_server.url
