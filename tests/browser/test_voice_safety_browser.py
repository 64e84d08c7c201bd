"""Sig det's safety valves in a real browser (issue 11): a violence case on a 360 px phone
goes to the AMO and shows the procedure; the AMO hides an identifying reply and the
reporter reads why; the administrator makes the channel the whistleblower scheme. Axe on
every new state; screenshots under test-artifacts/voice/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.conftest import World
from tryghed.voice import services
from tryghed.voice.models import Case, Message

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "voice"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_violence_case_goes_to_the_amo_and_a_hidden_reply_is_explained(
    phone_page: Page, new_page: PageFactory, login: Login, world: World
) -> None:
    page = phone_page
    page.goto(f"/o/{world.org.slug}/sig-det/?enhed={world.team_a.pk}")
    expect(page.get_by_text("går altid til AMO/HR, uanset hvem du vælger")).to_be_visible()
    page.get_by_label("Vold eller trusler").check()
    page.get_by_label("Skriv kort, hvad der skete").fill("En pårørende truede en kollega.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak. Din sag er sendt")
    expect(page.get_by_role("heading", name="Krænkende handlinger og vold")).to_be_visible()
    code = page.locator(".receipt-code strong").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert page.evaluate(SCROLL_WIDTH) <= 360
    assert_accessible(page, who="reporter, the receipt of a violence case")
    _shot(page, "violence-receipt-360")
    case = Case.objects.get()
    assert case.receiver == "amo"
    services.reporter_reply(case=case, text="Det var Hansen fra nr. 12.")
    reply = Message.objects.get(case=case)

    # The AMO hides the reply that names a third person.
    staff = new_page()
    login(staff, world.amo)
    staff.goto(f"/o/{world.org.slug}/sig-det/sager/{case.pk}/")
    expect(staff.get_by_role("heading", name="Krænkende handlinger og vold")).to_be_visible()
    assert_accessible(staff, who="AMO, a violence case with the procedure")
    staff.goto(f"/o/{world.org.slug}/sig-det/sager/{case.pk}/?skjul={reply.pk}#skjul")
    expect(staff.get_by_role("heading", name="Skjul beskeden")).to_be_visible()
    assert_accessible(staff, who="AMO, the form that hides a message")
    staff.get_by_label("Kan pege på en bestemt person").check()
    staff.get_by_role("button", name="Skjul beskeden").click()
    expect(staff.get_by_text("Beskeden er skjult af modtageren").first).to_be_visible()
    assert_accessible(staff, who="AMO, a case with a hidden message")
    _shot(staff, "amo-hidden-1280")

    page.goto(f"/o/{world.org.slug}/sig-det/sag/")
    page.get_by_label("Din kode").fill(code)
    page.get_by_role("button", name="Åbn sagen").click()
    expect(
        page.get_by_text("Beskeden er skjult af modtageren: Kan pege på en bestemt person")
    ).to_be_visible()
    expect(page.get_by_text("Hansen")).to_have_count(0)
    assert page.evaluate(SCROLL_WIDTH) <= 360
    assert_accessible(page, who="reporter, a case with a hidden message")
    _shot(page, "reporter-hidden-360")


def test_an_escalated_case_is_flagged_in_the_amo_inbox(
    page: Page, login: Login, world: World
) -> None:
    opened = dt.date.today() - dt.timedelta(days=10)
    case, _ = services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="concern",
        text="Ingen svarer.",
        today=opened,
    )
    Case.objects.filter(pk=case.pk).update(escalated_on=opened + dt.timedelta(days=8))
    login(page, world.amo)
    page.goto(f"/o/{world.org.slug}/sig-det/sager/")
    expect(page.get_by_text("Sendt videre til AMO")).to_be_visible()
    assert_accessible(page, who="AMO, the inbox with an escalated case")


def test_the_administrator_makes_the_channel_the_whistleblower_scheme(
    page: Page, login: Login, world: World
) -> None:
    login(page, world.owner)
    page.goto(f"/o/{world.org.slug}/indstillinger/")
    page.get_by_role("link", name=re.compile("Sig det: procedure")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indstillinger for Sig det")
    assert_accessible(page, who="administrator, the settings of Sig det")
    page.get_by_label("Jeres procedure for krænkende handlinger og vold").fill(
        "Kontakt AMO-formanden på telefon 1234 5678."
    )
    page.get_by_label(re.compile("Sig det er organisationens whistleblowerordning")).check()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Indstillingerne for Sig det er gemt.")).to_be_visible()
    _shot(page, "settings-1280")
    page.goto(f"/o/{world.org.slug}/sig-det/")
    expect(
        page.get_by_text("Sig det er organisationens whistleblowerordning efter")
    ).to_be_visible()
    expect(page.get_by_label("Hvem skal modtage det?")).to_have_count(0)
    assert_accessible(page, who="reporter, the form as the whistleblower scheme")
