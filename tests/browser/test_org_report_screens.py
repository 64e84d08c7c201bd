"""The organisation report of the demo in a real browser at 360 and 1280 px, and its PDF:
it reads participation, what stands out, the heatmap with its change column, the four
zones, and the method figures last and closed; the maturity measurement shows its
staircase; top management reads the same page without links into the teams. axe finds
nothing. Screenshots and the PDFs are kept under test-artifacts/org-report/ for review (not
committed); PDF pages become PNGs when pdftoppm is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.factories import grant, make_user
from tryghed.accounts.models import User
from tryghed.orgs.demo import load_demo
from tryghed.orgs.models import Organisation, Role
from tryghed.results import exports
from tryghed.results.aggregates import report_data
from tryghed.results.models import ExportKind, ReportExport
from tryghed.surveys.demo import load_demo_measurements
from tryghed.surveys.models import Measurement

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "org-report"
WIDTHS = (360, 1280)
# The sections in the order a director or the AMO reads them (the h2 ids of the page).
ORDER = (
    "participation-heading",
    "standouts-heading",
    "heatmap-heading",
    "zones-heading",
    "method-heading",
)
# Every SVG text of every chart against its drawing's box: a cut label runs past an edge.
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
        out.push({chart: svg.getAttribute('aria-labelledby'), text: text.textContent});
      }
    }
  }
  return out;
}"""
SECTION_IDS = "() => Array.from(document.querySelectorAll('main h2[id]')).map(h => h.id)"


@pytest.fixture
def demo(db: None) -> Organisation:
    organisation, _ = load_demo()
    load_demo_measurements(organisation)
    return organisation


def reader(demo: Organisation, role: str) -> User:
    user = make_user(f"{role}.browser@example.test")
    grant(user, demo, role)
    return user


def org_url(measurement: Measurement) -> str:
    return reverse(
        "results:org_report",
        kwargs={"org": measurement.organisation.slug, "measurement_id": measurement.pk},
    )


def spring(demo: Organisation) -> Measurement:
    return Measurement.objects.get(organisation=demo, previous__isnull=False, status="closed")


def open_page(new_page: PageFactory, width: int) -> Page:
    if width == 360:
        return new_page(phone=True)
    return new_page(viewport={"width": width, "height": 900})


def test_the_organisation_report_reads_from_participation_to_method_at_360_and_1280(
    new_page: PageFactory, login: Login, demo: Organisation
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    amo = reader(demo, Role.AMO)
    url = org_url(spring(demo))
    for width in WIDTHS:
        page = open_page(new_page, width)
        login(page, amo)
        page.goto(url)
        ids: list[str] = page.evaluate(SECTION_IDS)
        # The old page opened with the reliability table ("trust-heading") before the heatmap.
        assert [i for i in ids if i in ORDER] == list(ORDER), ids
        assert ids.index("trust-heading") > ids.index("method-heading")
        expect(page.get_by_role("heading", name="Deltagelse")).to_be_in_viewport()
        expect(
            page.get_by_role("heading", name="Hvor meget kan vi stole på tallene?")
        ).to_be_hidden()
        method = page.locator("details.org-method-details")
        assert not method.evaluate("d => d.open")
        # The change column against the autumn wave, and sure changes named above it.
        expect(page.locator("table.heatmap th.heat-change-head").first).to_be_visible()
        assert page.locator("table.heatmap td.heat-change").count() > 10
        expect(
            page.get_by_role("heading", name="Største sikre ændringer siden sidste måling")
        ).to_be_visible()
        # The four zones across units: a dot per placed team, listed by zone under it.
        zones = page.locator("#zoner")
        dots = zones.locator("circle.unit-point").count()
        listed = zones.locator(".org-zone-group li").count()
        assert dots == listed and dots >= 10, (dots, listed)
        clipped: list[dict[str, Any]] = page.evaluate(CLIPPED_TEXT)
        assert clipped == [], clipped
        page.screenshot(path=str(ARTIFACTS / f"page-{width}.png"), full_page=True, timeout=90_000)
        if width == 360:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 360, f"the page scrolls sideways on a phone: {scroll}px"
        assert_accessible(page, who=f"amo, {width} px")

        method.locator(":scope > summary").click()
        expect(
            page.get_by_role("heading", name="Hvor meget kan vi stole på tallene?")
        ).to_be_visible()
        page.screenshot(
            path=str(ARTIFACTS / f"page-method-open-{width}.png"), full_page=True, timeout=90_000
        )
        assert_accessible(page, who=f"amo, {width} px, method open")


def test_top_management_reads_the_report_without_links_into_the_teams(
    new_page: PageFactory, login: Login, demo: Organisation
) -> None:
    director = reader(demo, Role.TOP_MANAGEMENT)
    measurement = spring(demo)
    for width in WIDTHS:
        page = open_page(new_page, width)
        login(page, director)
        page.goto(reverse("results:list", kwargs={"org": demo.slug}))
        entry = page.locator("section", has=page.get_by_role("heading", name=measurement.name))
        entry.get_by_role("link", name="Organisationsrapport: alle enheder på én side").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(measurement.name)
        assert page.locator("main a[href*='/enhed/']").count() == 0
        # The organisation report as a PDF, but not the spreadsheet with every unit's items.
        files = page.locator("main form[action*='/filer/']")
        assert files.locator("input[name='kind'][value='organisation_pdf']").count() == 1
        assert files.locator("input[name='kind'][value='excel']").count() == 0
        page.screenshot(
            path=str(ARTIFACTS / f"top-management-{width}.png"), full_page=True, timeout=90_000
        )
        assert_accessible(page, who=f"top management, {width} px")


def test_the_maturity_measurement_shows_the_staircase_and_each_unit(
    new_page: PageFactory, login: Login, demo: Organisation
) -> None:
    director = reader(demo, Role.TOP_MANAGEMENT)
    maturity = Measurement.objects.get(organisation=demo, template="trivselsmodenhed")
    for width in WIDTHS:
        page = open_page(new_page, width)
        login(page, director)
        page.goto(org_url(maturity))
        section = page.locator("#modenhed")
        expect(
            section.get_by_role("heading", name="Modenhed for trivsel (Vision Zero)")
        ).to_be_visible()
        expect(section.locator("svg.chart")).to_be_visible()
        section.locator("details summary").click()
        assert section.locator("tbody tr").count() >= 10
        page.screenshot(
            path=str(ARTIFACTS / f"maturity-{width}.png"), full_page=True, timeout=90_000
        )
        assert_accessible(page, who=f"top management, maturity, {width} px")


def test_the_organisation_pdf_reads_in_the_same_order_and_keeps_the_method_for_last(
    new_page: PageFactory, demo: Organisation
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    measurement = spring(demo)
    export = ReportExport(
        organisation=demo, measurement=measurement, kind=ExportKind.ORGANISATION_PDF
    )
    data = report_data(measurement)
    with translation.override("da"):
        pdf = exports.build_pdf(export, data)
        template, context = exports.print_context(export, data)
        html = render_to_string(template, context)
    path = ARTIFACTS / "organisation.pdf"
    path.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is not None:
        pages = str(ARTIFACTS / "organisation-pdf")
        subprocess.run([pdftoppm, "-png", "-r", "60", str(path), pages], check=True)  # noqa: S603
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    places = [
        text.find(words)
        for words in (
            "Deltagelse",
            "Det skiller sig ud",
            "Heatmap: alle enheder på én gang",
            "De fire zoner på tværs af enheder",
            "Metode: pålidelighed, sammenhænge og drivere",
            "Hvor meget kan vi stole på tallene?",
        )
    ]
    assert -1 not in places and places == sorted(places), places
    # The same print HTML in a browser at both widths, for a reviewer to compare.
    for width in WIDTHS:
        page = open_page(new_page, width)
        page.set_content(html)
        page.emulate_media(media="print")
        page.screenshot(
            path=str(ARTIFACTS / f"pdf-html-{width}.png"), full_page=True, timeout=90_000
        )
