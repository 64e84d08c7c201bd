"""Sig det in a real browser: a reporter on a 360 px phone raises a case, is warned about a
name, keeps the code, and later reads the leader's answer with it and replies; the leader's
list and case pages. Axe on every state; screenshots under test-artifacts/voice/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.conftest import World
from tryghed.voice import services
from tryghed.voice.models import Case

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "voice"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_reporter_raises_a_case_on_a_phone_and_reads_the_answer_with_the_code(
    phone_page: Page, world: World
) -> None:
    page = phone_page
    page.goto(f"/o/{world.org.slug}/sig-det/?enhed={world.team_a.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sig det")
    expect(page.get_by_text("ikke organisationens whistleblowerordning")).to_be_visible()
    expect(page.get_by_label("Hvilken enhed handler det om?")).to_have_value(str(world.team_a.pk))
    assert page.evaluate(SCROLL_WIDTH) <= 360
    assert_accessible(page, who="reporter, the form at 360 px")
    _shot(page, "raise-360")

    page.get_by_label("Nærved-hændelse").check()
    page.get_by_label("Skriv kort, hvad der skete").fill(
        "Jeg og Holm var ved at tabe en borger i liften, fordi den ikke er blevet efterset."
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Kan teksten pege på nogen?")).to_be_visible()
    assert not Case.objects.exists()
    assert_accessible(page, who="reporter, the warning about a name")
    _shot(page, "warning-360")

    page.get_by_role("button", name="Send alligevel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak. Din sag er sendt")
    code = page.locator(".receipt-code strong").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert_accessible(page, who="reporter, the receipt code")
    _shot(page, "receipt-360")

    case = Case.objects.get()
    services.receiver_acknowledge(case=case, actor=world.leader, which="investigating")
    services.receiver_reply(case=case, actor=world.leader, text="Liften er taget ud af drift.")
    page.get_by_role("link", name="Læs svaret på din sag").click()
    assert "code" not in page.url.lower()
    page.get_by_label("Din kode").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Åbn sagen").click()
    expect(page.get_by_text("Liften er taget ud af drift.")).to_be_visible()
    expect(page.get_by_text("Vi undersøger det.")).to_be_visible()
    assert_accessible(page, who="reporter, the case")
    page.get_by_label("Tekst").fill("Tak, det var hurtigt.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Tak, det var hurtigt.")).to_be_visible()
    assert "code" not in page.url.lower()
    assert page.evaluate(SCROLL_WIDTH) <= 360
    _shot(page, "case-360")


def test_the_leader_lists_and_answers_cases(page: Page, login: Login, world: World) -> None:
    case, _ = services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="idea",
        text="Kan vi holde teammøde om morgenen?",
    )
    login(page, world.leader)
    page.goto(f"/o/{world.org.slug}/sig-det/sager/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sig det: sager")
    expect(page.get_by_text("Kvittér senest")).to_be_visible()
    assert_accessible(page, who="leader, the list of cases")
    page.get_by_role("link", name="Idé").click()
    page.get_by_label("Vi tager det op på næste møde.").check()
    page.get_by_role("button", name="Send kvittering").click()
    expect(page.get_by_text("Kvitteret")).to_be_visible()
    page.locator("#id_note-text").fill("Spørg natholdet også.")
    page.get_by_role("button", name="Gem note").click()
    expect(page.get_by_text("Spørg natholdet også.")).to_be_visible()
    assert_accessible(page, who="leader, a case")
    _shot(page, "leader-case-1280")
    case.refresh_from_db()
    assert case.acknowledged_on is not None
