"""The organisation report in a real browser: every part of it (heatmap with hidden cells,
scatter, key drivers, trust box) passes axe on a desktop and on a 360 px phone, the page
does not scroll sideways on the phone (the heatmap scrolls in its own region), and the
sort links work without JavaScript."""

from __future__ import annotations

import random

from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.conftest import World
from tests.results.test_org_report import Crafted, answer, ps7, tavshed


def rich_report(world: World) -> str:
    """The crafted organisation of tests/results/test_org_report.py (a team below the
    minimum and its sibling hidden to protect it), with the six golden nuggets answered in
    the larger teams so the key drivers are computed too."""
    crafted = Crafted(world, ("ps7", "tavshed", "guldkorn"))
    rng = random.Random(3)
    for unit in (crafted.team_c, crafted.team_d, crafted.team_e, crafted.team_f):
        for _ in range(8):
            code = rng.randint(1, 5)
            nuggets = {
                f"guldkorn.{n}": max(1, min(5, code + rng.randint(-1, 1))) for n in range(1, 12)
            }
            answers = {**ps7([code]), **tavshed(rng.randint(1, 4)), **nuggets}
            answer(crafted.measurement, unit, 1, answers)
    return crafted.url


def test_the_organisation_report_passes_axe_on_desktop_and_phone(
    new_page: PageFactory, login: Login, world: World
) -> None:
    url = rich_report(world)
    for phone in (False, True):
        page = new_page(phone=phone)
        login(page, world.amo)
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Organisationsrapport")
        # The method figures are folded away last; open them so axe checks every part.
        expect(
            page.get_by_role("heading", name="Hvor meget kan vi stole på tallene?")
        ).to_be_hidden()
        page.locator("details.org-method-details > summary").click()
        for heading in (
            "Hvor meget kan vi stole på tallene?",
            "Heatmap: alle enheder på én gang",
            "Sammenhænge mellem enheder",
            "Hvad hænger sammen med trygheden og stressen?",
        ):
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.locator("table.heatmap td.heat-hidden").first).to_be_visible()
        expect(page.locator("svg circle.point").first).to_be_attached()
        page.locator("details.org-explain").first.locator("summary").click()
        assert_accessible(page, who="amo, phone" if phone else "amo")
        if phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the page scrolls sideways on a phone: {width}px"


def test_the_heatmap_sorts_with_links_alone(
    new_page: PageFactory, login: Login, world: World
) -> None:
    url = rich_report(world)
    page = new_page()
    login(page, world.owner)
    page.goto(url)
    # The page has no script of its own (strict CSP): sorting is a plain link.
    assert page.locator("script").count() == 0
    page.get_by_role("link", name="Sortér efter Psykologisk tryghed, højeste først").click()
    header = page.locator("table.heatmap thead th[aria-sort]")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(header).to_contain_text("Psykologisk tryghed")
    cells = page.locator("table.heatmap tbody tr td:nth-of-type(1)").all_inner_texts()
    shown = [float(c.split()[0].replace(",", ".")) for c in cells[1:] if c[:1].isdigit()]
    assert len(shown) >= 4 and shown == sorted(shown, reverse=True), cells
    assert not cells[-1][:1].isdigit()  # the hidden cells come last
    assert_accessible(page, who="owner, sorted")


def test_long_unit_names_wrap_inside_the_heatmaps_unit_column_on_a_phone(
    new_page: PageFactory, login: Login, world: World
) -> None:
    url = rich_report(world)
    world.team_a.name = "Arbejdsmiljøorganisationen Virksomhedsservice"
    world.team_a.save(update_fields=["name"])
    page = new_page(phone=True)
    login(page, world.amo)
    page.goto(url)
    cell = page.locator("table.heatmap tbody th[scope=row]", has_text="Virksomhedsservice")
    expect(cell).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "da"  # picks the hyphenation
    style = cell.evaluate(
        "th => { const s = getComputedStyle(th); return [s.hyphens, s.overflowWrap]; }"
    )
    assert style == ["auto", "break-word"]
    # The name stays inside its cell (it wraps) instead of running over the numbers.
    overflow = cell.evaluate("th => th.scrollWidth - th.clientWidth")
    assert overflow <= 0, f"the unit name sticks out of its column by {overflow}px"
