"""Report files in a real browser: ask for one, watch it finish without reloading, download it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.browser.scenarios import closed_measurement
from tests.conftest import World
from tryghed.results import export_views, exports
from tryghed.results.models import ExportStatus, ReportExport


def test_the_amo_asks_for_the_spreadsheet_and_downloads_it(
    page: Page, login: Login, world: World
) -> None:
    measurement = closed_measurement(world)
    login(page, world.amo)
    page.goto(reverse("results:export_panel", args=[world.org.slug, measurement.pk]))
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Lav regneark (Excel)").click()
    # The test server runs the task at once, so the file is ready on the status page.
    expect(page.get_by_text("Filen er klar.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent Resultater - Forår").click()
    assert download.value.suggested_filename == "Resultater - Forår 2026-04-13.xlsx"


def test_the_status_page_follows_the_job_to_the_end_without_a_reload(
    page: Page, login: Login, world: World
) -> None:
    measurement = closed_measurement(world)
    export = ReportExport.objects.create(
        organisation=world.org,
        measurement=measurement,
        kind="excel",
        fingerprint="not yet",
        status=ExportStatus.RUNNING,
        progress=45,
    )
    login(page, world.owner)
    page.goto(reverse("results:export_status", args=[world.org.slug, export.pk]))
    expect(page.get_by_role("status")).to_have_text("Filen bliver lavet: 45 % færdig.")
    assert_accessible(page)
    page.evaluate("() => { window.notReloaded = true; }")

    ReportExport.objects.filter(pk=export.pk).update(progress=80)
    expect(page.get_by_role("status")).to_have_text("Filen bliver lavet: 80 % færdig.")
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        progress=100,
        fingerprint=exports.export_fingerprint(measurement),
        filename="Resultater - Forår.xlsx",
        content_type=exports.XLSX,
        content=b"PK",
        size=2,
        finished_at=timezone.now(),
    )
    expect(page.get_by_role("status")).to_have_text("Filen er klar.")
    expect(page.get_by_role("link", name="Hent Resultater - Forår.xlsx")).to_be_visible()
    assert page.evaluate("() => window.notReloaded") is True
    assert_accessible(page)


def _focused(page: Page) -> dict[str, str]:
    """What has keyboard focus: its tag, text and whether it is inside the status panel."""
    info: dict[str, str] = page.evaluate(
        """() => {
            const el = document.activeElement;
            const panel = document.getElementById("export-status");
            return {
                tag: el ? el.tagName : "",
                text: el ? el.textContent.trim() : "",
                inPanel: String(Boolean(el && panel && panel.contains(el))),
            };
        }"""
    )
    return info


def test_the_status_page_keeps_keyboard_focus_while_it_updates(
    page: Page, login: Login, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_views, "POLL_MS", 200)  # several polls within the test
    measurement = closed_measurement(world)
    export = ReportExport.objects.create(
        organisation=world.org,
        measurement=measurement,
        kind="excel",
        fingerprint="not yet",
        status=ExportStatus.RUNNING,
        progress=45,
    )
    status_url = reverse("results:export_status", args=[world.org.slug, export.pk])
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith(status_url) else None)
    login(page, world.owner)
    page.goto(status_url)
    reload_link = page.get_by_role("link", name="Opdater status")
    reload_link.focus()
    expect(reload_link).to_be_focused()

    # Nothing changes on the server: the polls go on, the panel and the focus stay put.
    seen = len(polls)
    deadline = 50
    while len(polls) < seen + 3 and deadline:
        page.wait_for_timeout(200)
        deadline -= 1
    assert len(polls) >= seen + 3, "the page stopped asking for the status"
    assert _focused(page) == {"tag": "A", "text": "Opdater status", "inPanel": "true"}

    # The progress changes: the status is announced anew and focus stays on the link.
    ReportExport.objects.filter(pk=export.pk).update(progress=80)
    expect(page.get_by_role("status")).to_have_text("Filen bliver lavet: 80 % færdig.")
    expect(page.get_by_role("link", name="Opdater status")).to_be_focused()

    # The file is ready: the link is gone, so focus moves to the panel's heading.
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        progress=100,
        fingerprint=exports.export_fingerprint(measurement),
        filename="Resultater - Forår.xlsx",
        content_type=exports.XLSX,
        content=b"PK",
        size=2,
        finished_at=timezone.now(),
    )
    expect(page.get_by_role("status")).to_have_text("Filen er klar.")
    heading = page.locator("#export-status-heading")
    expect(heading).to_be_focused()
    expect(heading).to_have_attribute("tabindex", "-1")
    assert _focused(page)["inPanel"] == "true"
    expect(page.get_by_role("link", name="Hent Resultater - Forår.xlsx")).to_be_visible()
    assert_accessible(page)
