"""Browser checks of the form and respondent changes of issue 13: the 1-10 scale in two even
rows at 360 px, the blank-survey question, the unit tree in the measurement form, the error
summary that links to its fields, and the confirmation before opening. Axe on each state;
screenshots under test-artifacts/forms/ for a reviewer."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.browser.scenarios import invitation_link, open_measurement
from tests.conftest import World
from tests.factories import make_unit

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "forms"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_1_to_10_scale_is_two_even_rows_on_a_phone_and_a_blank_survey_asks_first(
    phone_page: Page, world: World
) -> None:
    page = phone_page
    # 7 + 8 + 3 questions: ps7 under the notice, then amk and hesteskoen on one page.
    open_measurement(world, instruments=("ps7", "amk", "hesteskoen"))
    page.goto(invitation_link(world.person_a.email))
    expect(page.get_by_text("Del 1 af 2")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Tryghed i jeres team")).to_be_visible()
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_text("Del 2 af 2")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Efterår")
    expect(page.get_by_role("region", name="Sådan har du det på arbejdet lige nu")).to_be_visible()
    boxes = page.locator(".choices--rating .choice label")
    expect(boxes).to_have_count(10)
    tops = [round(boxes.nth(i).bounding_box()["y"]) for i in range(10)]  # type: ignore[index]
    assert len(set(tops)) == 2 and tops[:5] == [tops[0]] * 5 and tops[5:] == [tops[5]] * 5
    widths = {round(boxes.nth(i).bounding_box()["width"]) for i in range(10)}  # type: ignore[index]
    assert max(widths) - min(widths) <= 1  # even boxes
    assert page.evaluate(SCROLL_WIDTH) <= 360
    send = page.get_by_role("button", name="Send svar")
    back = page.get_by_role("button", name="Tilbage")
    assert send.bounding_box()["width"] > back.bounding_box()["width"]  # type: ignore[index]
    assert_accessible(page, who="respondent, 1-10 scale at 360 px")
    _shot(page, "respondent-scale-360")

    send.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vil du sende uden at have svaret på noget?"
    )
    assert_accessible(page, who="respondent, blank survey question")
    _shot(page, "respondent-blank-360")
    page.get_by_role("button", name="Nej, gå tilbage til spørgsmålene").click()
    expect(page.get_by_role("heading", level=2, name="Tryghed i jeres team")).to_be_visible()


def test_the_measurement_form_has_a_unit_tree_and_an_error_summary_that_links_to_fields(
    page: Page, login: Login, world: World
) -> None:
    # Two units of the same name under different parents.
    make_unit(world.org, parent=world.team_a, name="Dagplejen", external_id="DA")
    make_unit(world.org, parent=world.team_b, name="Dagplejen", external_id="DB")
    login(page, world.amo)
    page.goto(f"/o/{world.org.slug}/maalinger/ny/")
    tree = page.locator(".unit-tree")
    # Team A's sub-unit is in a list nested in Team A's item.
    # (The innermost item holding Team A's checkbox is Team A's own.)
    team_a = tree.locator("li", has=page.get_by_label("Team A", exact=True)).last
    nested = team_a.locator("ul li")
    expect(nested).to_have_count(1)
    expect(page.get_by_role("checkbox", name="Dagplejen (Team A)")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Dagplejen (Team B)")).to_be_visible()
    expect(page.get_by_role("group", name="Enheder", exact=True)).to_be_visible()
    _shot(page, "measurement-form-tree-1280")
    page.get_by_role("button", name="Opret kladde").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # the corrections are where the keyboard starts
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", level=2)).to_have_text(
        "Noget skal rettes, før det kan gemmes"
    )
    assert_accessible(page, who="amo, measurement form with errors")
    _shot(page, "measurement-form-errors-1280")
    summary.get_by_role("link", name="Navn:").click()
    expect(page.get_by_label("Navn")).to_be_focused()


def test_opening_asks_first_and_says_how_many_are_invited(
    page: Page, login: Login, world: World
) -> None:
    from django.utils import timezone

    from tryghed.surveys import services

    today = timezone.localdate()
    draft = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Forår",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today,
        languages=["da"],
    )
    login(page, world.amo)
    page.goto(f"/o/{world.org.slug}/maalinger/{draft.pk}/")
    page.get_by_role("link", name="Åbn målingen og send invitationer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Åbn Forår?")
    expect(page.get_by_role("main")).to_contain_text("bliver inviteret")
    assert_accessible(page, who="amo, confirm opening")
    _shot(page, "confirm-open-1280")
    page.get_by_role("link", name="Fortryd").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forår")
    draft.refresh_from_db()
    assert draft.status == "draft"
