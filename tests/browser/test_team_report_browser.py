"""The team report in a real browser at 360, 768 and 1280 px, and its PDF: the first screen
is short, the details are closed, no chart label is cut, chart text follows the page's type,
and axe finds nothing. Screenshots and the PDFs are kept under test-artifacts/ for review
(not committed); PDF pages become PNGs when pdftoppm is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.conftest import World
from tests.results.team_report_scenario import team_report
from tryghed.results import exports
from tryghed.results.aggregates import report_data
from tryghed.results.models import ExportKind, ReportExport
from tryghed.surveys.models import Measurement

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "team-report"
WIDTHS = (360, 768, 1280)
# The summary (everything above "Detaljer" and the closed details) at 1280 px. The page was
# 23,000 px tall with everything open; the first screen now fits in a few screens.
SUMMARY_MAX_PX = 4200
SUMMARY_MAX_PAGES = 4
BODY_PX = 16.0
PHONE_MIN_CHART_PX = 11.5

# For every SVG text of every chart: its box on the screen against the drawing's (a cut
# label runs past an edge; rotated text is measured as drawn).
CLIPPED_TEXT = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBoundingClientRect();
      if (b.width === 0) continue;
      if (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1
          || b.bottom > box.bottom + 1) {
        out.push({chart: svg.getAttribute('aria-labelledby'), text: text.textContent,
                  left: b.left - box.left, right: b.right - box.left, width: box.width});
      }
    }
  }
  return out;
}"""
CUT_CELLS = """() => Array.from(document.querySelectorAll('.report-areas tbody th, .report-areas tbody td'))
  .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim())"""
CHART_TEXT_PX = """() => Array.from(document.querySelectorAll('svg.chart'))
  .filter(s => s.getBoundingClientRect().width > 0)
  .map(s => 15 * s.getBoundingClientRect().width / s.viewBox.baseVal.width)"""


def report_url(world: World, measurement: Measurement) -> str:
    return reverse(
        "results:unit_report",
        kwargs={
            "org": world.org.slug,
            "measurement_id": measurement.pk,
            "unit_id": world.team_a.pk,
        },
    )


def open_all_details(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def summary_height(page: Page) -> float:
    return float(
        page.evaluate(
            "() => document.getElementById('details-heading').closest('section')"
            ".getBoundingClientRect().bottom + window.scrollY"
        )
    )


@pytest.fixture
def measurement(world: World) -> Measurement:
    return team_report(world, harassed=False)


def test_the_team_report_fits_every_width_with_details_closed_and_nothing_cut(
    new_page: PageFactory, login: Login, world: World, measurement: Measurement
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        phone = width == 360
        page = new_page(phone=True) if phone else new_page(viewport={"width": width, "height": 900})
        login(page, world.leader)
        page.goto(report_url(world, measurement))
        expect(page.get_by_role("heading", name="Sådan står I")).to_be_visible()
        expect(page.get_by_role("heading", name="Det gør I nu")).to_be_visible()
        # The details are one click away and closed until asked for.
        details = page.locator("details.report-more")
        assert details.count() >= 8
        assert all(not d.evaluate("d => d.open") for d in details.all())
        page.screenshot(
            path=str(ARTIFACTS / f"summary-{width}.png"), full_page=True, timeout=90_000
        )
        height = summary_height(page)
        if width == 1280:
            assert height < SUMMARY_MAX_PX, f"the summary is {height:.0f} px tall at 1280 px"
            top = page.get_by_role("heading", name="Sådan står I").bounding_box()
            assert top is not None and top["y"] < 900, "the areas are not on the first screen"
        assert page.evaluate(CUT_CELLS) == []
        assert_accessible(page, who=f"leader, {width} px, summary")

        open_all_details(page)
        page.screenshot(
            path=str(ARTIFACTS / f"details-{width}.png"), full_page=True, timeout=90_000
        )
        clipped: list[dict[str, Any]] = page.evaluate(CLIPPED_TEXT)
        assert clipped == [], clipped
        sizes: list[float] = page.evaluate(CHART_TEXT_PX)
        assert sizes, "no chart on the page"
        if width == 1280:
            assert max(sizes) <= BODY_PX + 0.5, f"chart text {max(sizes):.1f} px > body text"
        if phone:
            assert min(sizes) >= PHONE_MIN_CHART_PX, f"chart text {min(sizes):.1f} px on a phone"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 360, f"the page scrolls sideways on a phone: {scroll}px"
        assert_accessible(page, who=f"leader, {width} px, details open")


def _pdf(world: World, measurement: Measurement, *, details: bool) -> bytes:
    from weasyprint import HTML

    export = ReportExport.objects.create(
        organisation=world.org,
        measurement=measurement,
        kind=ExportKind.UNIT_PDF,
        unit=world.team_a,
        scope="unit",
        fingerprint=exports.export_fingerprint(measurement),
        created_at=timezone.now(),
    )
    data = report_data(measurement)
    with translation.override("da"):
        template, context = exports.print_context(export, data)
        html = render_to_string(template, {**context, "details": details})
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def _keep(pdf: bytes, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:  # our own file and a fixed program: nothing untrusted reaches the command
        subprocess.run(  # noqa: S603
            [pdftoppm, "-png", "-r", "60", str(path), str(ARTIFACTS / name)], check=True
        )


def test_the_team_pdf_is_a_short_summary_unless_details_are_chosen(
    world: World, measurement: Measurement
) -> None:
    summary = _pdf(world, measurement, details=False)
    full = _pdf(world, measurement, details=True)
    _keep(summary, "pdf-summary")
    _keep(full, "pdf-details")
    short = PdfReader(io.BytesIO(summary))
    long = PdfReader(io.BytesIO(full))
    assert len(short.pages) <= SUMMARY_MAX_PAGES, f"summary PDF has {len(short.pages)} pages"
    assert len(long.pages) > len(short.pages)
    text = " ".join(page.extract_text() for page in short.pages)
    assert "Sådan står I" in text and "Spørgsmål for spørgsmål" not in text
    full_text = " ".join(page.extract_text() for page in long.pages)
    assert "Spørgsmål for spørgsmål" in full_text
    # The negatively worded statement is whole and says what a high score means.
    assert "om hjælp" in full_text and "negativt formuleret" in full_text


def test_a_team_exposed_to_offensive_behaviour_is_told_to_deal_with_that_first(
    new_page: PageFactory, login: Login, world: World
) -> None:
    harassed = team_report(world, harassed=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for phone in (False, True):
        page = new_page(phone=phone)
        login(page, world.leader)
        page.goto(report_url(world, harassed))
        alert = page.get_by_role("heading", name="Start her: krænkende handlinger og vold")
        expect(alert).to_be_visible()
        box = alert.bounding_box()
        overview = page.get_by_role("heading", name="Sådan står I").bounding_box()
        assert box is not None and overview is not None and box["y"] < overview["y"]
        assert page.get_by_role("heading", name="Tre spørgsmål til dialogmødet").count() == 0
        page.screenshot(
            path=str(ARTIFACTS / f"harassment-{360 if phone else 1280}.png"),
            full_page=True,
            timeout=90_000,
        )
        assert_accessible(page, who="leader, harassment first")
