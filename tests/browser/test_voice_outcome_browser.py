"""Sig det end to end on 360 px phones without JavaScript (issue 11): a reporter raises a
case and keeps the code, the leader acknowledges and answers, the reporter reads and
replies with the code, the leader turns the case into an action, and the reporter reads
"Det blev til en handling". Axe needs JavaScript, so each page, exactly as the phone got
it, is served again to a phone with JavaScript at the same address and checked there.
Screenshots under test-artifacts/voice/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, Route, expect

from tests.actions.conftest import first_wave, make_focus, make_plan
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PageFactory, sign_in
from tests.conftest import World
from tests.voice.test_statistics import add_cases
from tryghed.actions.models import Action
from tryghed.voice import services, statistics
from tryghed.voice.models import Case

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "voice"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _check(no_script: Page, axe_page: Page, who: str) -> None:
    """Axe on the page the phone without JavaScript shows, and no sideways scrolling.

    The page is served again as it was (no new request to the site, so no sign-in and no
    code is needed); its stylesheets come from the live server."""
    html, url = no_script.content(), no_script.url

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    axe_page.route(url, serve)
    axe_page.goto(url)
    assert_accessible(axe_page, who=who)
    axe_page.unroute(url, serve)
    assert no_script.evaluate(SCROLL_WIDTH) <= 360, who
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", who.lower()).strip("-")
    no_script.screenshot(path=str(ARTIFACTS / f"outcome-{name}.png"), full_page=True)


def _open_with_code(reporter: Page, world: World, code: str) -> None:
    reporter.goto(f"/o/{world.org.slug}/sig-det/sag/")
    reporter.get_by_label("Din kode").fill(code)
    reporter.get_by_role("button", name="Åbn sagen").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Din sag")


def test_a_case_becomes_an_action_and_the_reporter_sees_it_on_phones_without_javascript(
    new_page: PageFactory, world: World
) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    reporter = new_page(phone=True, java_script_enabled=False)
    leader = new_page(phone=True, java_script_enabled=False)
    axe_page = new_page(phone=True)

    # The reporter raises a case and gets the code.
    reporter.goto(f"/o/{world.org.slug}/sig-det/?enhed={world.team_a.pk}")
    _check(reporter, axe_page, "reporter, the form")
    reporter.get_by_label("Bekymring", exact=True).check()
    reporter.get_by_label("Skriv kort, hvad der skete").fill(
        "Vi når ikke at holde pause, når der er sygdom på holdet."
    )
    reporter.get_by_role("button", name="Send", exact=True).click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Tak. Din sag er sendt")
    code = reporter.locator(".receipt-code strong").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    _check(reporter, axe_page, "reporter, the receipt code")
    case = Case.objects.get()

    # The leader acknowledges and answers.
    sign_in(leader, world.leader)
    leader.goto(f"/o/{world.org.slug}/sig-det/sager/")
    _check(leader, axe_page, "leader, the list of cases")
    leader.get_by_role("link", name=re.compile("^Bekymring")).click()
    case_url = leader.url
    leader.get_by_label("Tak, vi har læst det.").check()
    leader.get_by_role("button", name="Send kvittering").click()
    expect(leader.get_by_text("Kvitteret")).to_be_visible()
    leader.locator("#id_svar-text").fill("Tak. Vi tager pauserne op på næste personalemøde.")
    leader.get_by_role("button", name="Send svar").click()
    expect(leader.get_by_text("Tak. Vi tager pauserne op på næste personalemøde.")).to_be_visible()
    case.refresh_from_db()
    assert case.acknowledged_on is not None and case.answered_on is not None

    # The reporter reads the answer with the code and replies.
    _open_with_code(reporter, world, code)
    expect(reporter.get_by_text("Vi tager pauserne op på næste personalemøde.")).to_be_visible()
    expect(reporter.get_by_text("Det blev til")).to_have_count(0)
    reporter.get_by_label("Tekst").fill("Tak. Det gælder også aftenvagten.")
    reporter.get_by_role("button", name="Send", exact=True).click()
    expect(reporter.get_by_text("Tak. Det gælder også aftenvagten.")).to_be_visible()
    _check(reporter, axe_page, "reporter, the case with the answer")

    # The leader turns the case into an action in the team's plan: one click.
    leader.goto(case_url)
    expect(leader.get_by_text("Tak. Det gælder også aftenvagten.")).to_be_visible()
    expect(leader.get_by_label("Handlingen, som enheden kan læse den")).to_have_value(
        "Følg op på en bekymring, der er rejst i Sig det"
    )
    _check(leader, axe_page, "leader, the case before the action")
    leader.goto(f"{case_url}handling/")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Gør sagen til en handling")
    _check(leader, axe_page, "leader, the outcome page")
    leader.goto(case_url)
    leader.get_by_role("button", name="Gør sagen til en handling").click()
    expect(leader.get_by_text("Sagen er blevet til en handling i handleplanen.")).to_be_visible()
    expect(leader.get_by_text("Det blev til en handling:")).to_be_visible()
    action = Action.objects.get(plan=plan)
    assert action.what == "Følg op på en bekymring, der er rejst i Sig det"
    case.refresh_from_db()
    assert case.action == action
    _check(leader, axe_page, "leader, the case after the action")

    # The reporter sees what it led to.
    _open_with_code(reporter, world, code)
    expect(reporter.get_by_role("heading", name="Det blev til en handling")).to_be_visible()
    expect(reporter.get_by_text("Følg op på en bekymring, der er rejst i Sig det")).to_be_visible()
    expect(reporter.get_by_text("Status: Ikke startet")).to_be_visible()
    _check(reporter, axe_page, "reporter, det blev til en handling")


def test_the_figures_page_and_the_dashboard_block_for_an_administrator(
    page: Page, world: World
) -> None:
    period = statistics.settled_periods(services.local_today(), 1)[0]
    add_cases(world, world.team_a, 6, opened=period.start + dt.timedelta(days=3), outcome_days=20)
    add_cases(world, world.team_b, 2, opened=period.start + dt.timedelta(days=5))
    sign_in(page, world.owner)
    page.goto(reverse("voice:figures", kwargs={"org": world.org.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sig det: tal")
    table = page.get_by_role("table", name=f"Sig det, {period.label}")
    expect(
        table.get_by_role("row", name=re.compile("^Team A 6 100 % 100 % 2 100 %"))
    ).to_have_count(1)
    expect(table.get_by_text("Team B")).to_have_count(0)
    expect(page.get_by_text("Hele organisationen: skjult for at beskytte")).to_be_visible()
    assert_accessible(page, who="administrator, the figures")
    page.goto(reverse("apv:dashboard", kwargs={"org": world.org.slug}))
    block = page.get_by_role("region", name="Sig det: bliver medarbejderne hørt?")
    expect(
        block.get_by_text("for få sager til at vise tal for hele organisationen")
    ).to_be_visible()
    assert_accessible(page, who="administrator, the APV dashboard with the Sig det block")
