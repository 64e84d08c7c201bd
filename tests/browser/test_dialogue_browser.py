"""A whole live dialogue session in a real browser: the leader's big screen and six phones
(five with JavaScript, one without). No reveal at 4 answers, reveal at 5, the pair
interview questions, and a focus point that becomes a focus area. Axe on the facilitator's
and the phones' views; screenshots under test-artifacts/dialogue/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.actions.conftest import first_wave
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.conftest import World
from tryghed.actions.models import FocusArea
from tryghed.dialogue.models import Placement, Session

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dialogue"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _join(phone: Page, code: str) -> None:
    phone.goto("/d/")
    phone.get_by_label("Kode").fill(code.lower())
    phone.get_by_role("button", name="Deltag").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hesteskoen")


def _place(phone: Page, value: int) -> None:
    phone.get_by_text(str(value), exact=True).click()
    phone.get_by_role("button", name="Send mit svar").click()
    expect(phone.get_by_text("Dit svar er gemt.")).to_be_visible()


def test_a_team_runs_a_session_with_a_screen_and_six_phones(
    page: Page, new_page: PageFactory, login: Login, world: World
) -> None:
    measurement = first_wave(world)
    login(page, world.leader)
    page.goto(f"/o/{world.org.slug}/dialog/")
    assert_accessible(page, who="leader, start a session")
    page.get_by_label("Hvilket team holder mødet?").select_option(str(world.team_a.pk))
    page.get_by_role("button", name="Start sessionen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hesteskoen")
    session = Session.objects.get()
    assert session.code is not None
    expect(page.locator(".dialog-join__code")).to_have_text(session.code)
    expect(page.locator(".dialog-join__qr svg")).to_be_visible()
    expect(page.locator("[data-count]")).to_have_text("0")
    assert_accessible(page, who="facilitator screen, waiting")
    _shot(page, "screen-waiting")

    phones = [new_page(phone=True) for _ in range(5)]
    no_script = new_page(phone=True, java_script_enabled=False)
    for phone in [*phones, no_script]:
        _join(phone, session.code)
    assert_accessible(phones[0], who="phone with JavaScript, Hesteskoen")
    # axe runs as a script: not on the phone without JavaScript, whose HTML is the same.
    assert phones[0].evaluate(SCROLL_WIDTH) <= 360
    expect(no_script.get_by_role("button", name="Send mit svar")).to_be_visible()
    _shot(phones[0], "phone-question")

    for phone, value in zip(
        [phones[0], phones[1], phones[2], no_script], [3, 7, 7, 8], strict=True
    ):
        _place(phone, value)
    # The screen learns the count by polling, without a reload; the reveal stays hidden.
    expect(page.locator("[data-count]")).to_have_text("4", timeout=5_000)
    expect(page.get_by_role("button", name="Vis fordelingen")).to_be_hidden()
    expect(page.get_by_text("når mindst 5 har svaret")).to_be_visible()
    assert page.locator(".dialog-chart").count() == 0

    # A phone changes its mind: still four answers.
    phones[0].get_by_text("4", exact=True).click()
    phones[0].get_by_role("button", name="Ret mit svar").click()
    expect(phones[0].get_by_text("Dit svar er gemt.")).to_be_visible()
    assert Placement.objects.count() == 4

    _place(phones[3], 9)
    reveal = page.get_by_role("button", name="Vis fordelingen")
    expect(reveal).to_be_visible(timeout=5_000)
    expect(page.locator("[data-count]")).to_have_text("5")
    reveal.click()
    expect(page.get_by_text("5 har svaret.")).to_be_visible()
    expect(page.locator(".dialog-chart")).to_have_count(1)
    expect(
        page.get_by_text("Hvad gør, at du står netop her og ikke længere nede af skalaen?")
    ).to_be_visible()
    expect(
        page.get_by_text("Hvad ville være hjælpsomt, hvis du skulle bevæge dig et trin op ad?")
    ).to_be_visible()
    counts = page.locator(".dialog-chart table td").all_inner_texts()
    assert counts == ["0", "0", "0", "1", "0", "0", "2", "1", "1", "0"]  # 4, 7, 7, 8, 9
    assert_accessible(page, who="facilitator screen, revealed")
    _shot(page, "screen-revealed")

    # Phones with JavaScript follow by themselves; the one without has a link.
    expect(phones[4].get_by_text("Fordelingen er vist. 5 har svaret.")).to_be_visible(
        timeout=15_000
    )
    no_script.get_by_role("link", name="Opdatér siden").click()
    expect(no_script.get_by_text("Fordelingen er vist. 5 har svaret.")).to_be_visible()
    assert_accessible(phones[4], who="phone, revealed")
    assert phones[4].evaluate(SCROLL_WIDTH) <= 360
    _shot(phones[4], "phone-revealed")

    # The next exercise reaches the phones too.
    page.get_by_role("button", name="Fire former for social støtte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fire former for social støtte")
    expect(phones[1].get_by_role("heading", level=1)).to_have_text(
        "Fire former for social støtte", timeout=15_000
    )
    assert_accessible(phones[1], who="phone, support")

    page.get_by_role("link", name="Afslut og skriv det aftalte").click()
    assert_accessible(page, who="leader, what was agreed")
    page.get_by_label("Noter fra mødet").fill("Vi tager Hesteskoen igen om tre måneder")
    page.get_by_label("Fokuspunkt 1", exact=True).fill("Vi siger det højt, når vi er i tvivl")
    page.get_by_label("Gør fokuspunkt 1 til et fokusområde ud fra").select_option("scale:ps7:total")
    page.get_by_label("Gem fordelingen").check()
    page.get_by_role("button", name="Afslut sessionen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dialog i Team A")
    focus = FocusArea.objects.get()
    assert focus.measurement == measurement and focus.unit == world.team_a
    assert focus.title == "Vi siger det højt, når vi er i tvivl"
    assert not Placement.objects.exists()
    expect(page.get_by_role("link", name="fokusområde i handleplanerne")).to_have_attribute(
        "href", f"/o/{world.org.slug}/handleplaner/fokusomraader/{focus.pk}/"
    )
    assert_accessible(page, who="leader, the session's summary")
    _shot(page, "summary")

    phones[2].reload()
    expect(phones[2].get_by_text("Sessionen findes ikke længere.")).to_be_visible()
