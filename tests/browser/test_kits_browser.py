"""The meeting kit, the readiness check and "Mit bidrag" in a real browser, on a desktop and
a 360 px phone: a leader of a team where many report offensive behaviour meets the readiness
check from the team report, goes on knowingly, reads the kit and reaches the focus areas.
Axe on every page; screenshots under test-artifacts/kits/."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.conftest import World
from tests.results.team_report_scenario import team_report
from tryghed.audit.models import AuditEvent

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "kits"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, timeout=90_000)


def test_a_leader_goes_from_the_report_through_the_readiness_check_to_the_kit(
    new_page: PageFactory, login: Login, world: World
) -> None:
    measurement = team_report(world, harassed=True)
    report = reverse(
        "results:unit_report",
        kwargs={
            "org": world.org.slug,
            "measurement_id": measurement.pk,
            "unit_id": world.team_a.pk,
        },
    )
    for phone in (False, True):
        width = 360 if phone else 1280
        page = new_page(phone=phone)
        login(page, world.leader)
        page.goto(report)
        page.get_by_role("link", name="Åbn mødekittet").click()
        expect(page.get_by_role("heading", name="Arbejdsmiljøet kommer først")).to_be_visible()
        expect(
            page.get_by_role("heading", name="Krænkende handlinger i screeningen")
        ).to_be_visible()
        assert page.evaluate(SCROLL_WIDTH) <= width
        assert_accessible(page, who=f"readiness check at {width} px")
        _shot(page, f"readiness-{width}")
        # Without the tick the browser itself refuses; with it the kit opens.
        page.get_by_label("Jeg har læst det og vil fortsætte").check()
        page.get_by_role("button", name="Fortsæt til mødekittet").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mødekit: Team A")
        for heading in ("Dagsorden", "Mødets regler", "Jeres nøgletal", "Det taler I om"):
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate(SCROLL_WIDTH) <= width
        assert_accessible(page, who=f"meeting kit at {width} px")
        _shot(page, f"kit-{width}")
        page.get_by_role("link", name="Mit bidrag til arbejdsfællesskabet").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Mit bidrag til arbejdsfællesskabet"
        )
        assert_accessible(page, who=f"Mit bidrag at {width} px")
        _shot(page, f"contribution-{width}")
        page.go_back()
        page.get_by_role("link", name="Gør aftalerne til fokusområder").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert "/fokusomraader/" in page.url
    assert AuditEvent.objects.filter(action="kits.readiness_acknowledged").count() == 2


def test_the_units_kit_page_and_a_calm_readiness_check_are_accessible(
    new_page: PageFactory, login: Login, world: World
) -> None:
    team_report(world)
    page = new_page()
    login(page, world.amo)
    page.goto(
        reverse("orgs:unit_detail", kwargs={"org": world.org.slug, "unit_id": world.team_b.pk})
    )
    page.get_by_role("link", name="Mødekit og parathedstjek til enheden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mødekit til Team B")
    assert_accessible(page, who="the unit's kits")
    page.goto(reverse("kits:readiness", kwargs={"org": world.org.slug, "unit_id": world.team_b.pk}))
    expect(page.get_by_role("heading", name="Det ved Tryghed ikke")).to_be_visible()
    assert_accessible(page, who="a readiness check without findings")
    page.goto(reverse("kits:readiness", kwargs={"org": world.org.slug}))
    assert_accessible(page, who="the choice of unit to check")
