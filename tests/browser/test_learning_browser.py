"""The learning log end to end on 360 px phones without JavaScript (issue 11): an employee
logs a situation anonymously, the leader sorts it, turns the lesson into an action in the
team's plan, sends it on to the AMO and records the review at the meeting; the leader's
mix page and the AMO's list. Axe needs JavaScript, so each page, exactly as the phone got
it, is served again to a phone with JavaScript at the same address and checked there.
Screenshots under test-artifacts/learning/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import PageFactory, sign_in
from tests.conftest import World
from tests.learning.conftest import make_focus_area, make_plan
from tryghed.actions.models import Action
from tryghed.audit.models import AuditEvent
from tryghed.learning import services
from tryghed.learning.models import Entry, LogSettings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "learning"
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def _check(no_script: Page, axe_page: Page, who: str) -> None:
    """Axe on the page the phone without JavaScript shows, and no sideways scrolling."""
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
    no_script.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_log_a_situation_sort_it_and_turn_the_lesson_into_an_action_without_javascript(
    new_page: PageFactory, world: World
) -> None:
    plan = make_plan(world, make_focus_area(world))
    employee = new_page(phone=True, java_script_enabled=False)
    leader = new_page(phone=True, java_script_enabled=False)
    amo = new_page(phone=True, java_script_enabled=False)
    axe_page = new_page(phone=True)

    # The employee logs a situation anonymously, leaving the kind for the meeting.
    sign_in(employee, world.employee)
    employee.goto(f"/o/{world.org.slug}/laering/")
    expect(employee.get_by_role("heading", level=1)).to_have_text("Det gik ikke som planlagt")
    _check(employee, axe_page, "employee, the empty log")
    employee.get_by_role("link", name="Skriv en situation").click()
    _check(employee, axe_page, "employee, the form")
    employee.get_by_role("button", name="Skriv i loggen").click()
    expect(employee.get_by_text("Dette felt er påkrævet.")).to_be_visible()
    _check(employee, axe_page, "employee, the form with an error")
    employee.get_by_label("Hvad gik ikke, som I havde håbet på?").fill(
        "Efter skiftet til den nye app kom to besøg dobbelt på ruten."
    )
    employee.get_by_label("Hvad kan vi lære af det til næste gang?").fill(
        "Sig det højt på morgenmødet, når noget i appen ser mærkeligt ud."
    )
    expect(employee.get_by_label("Nej, anonymt")).to_be_checked()
    employee.get_by_role("button", name="Skriv i loggen").click()
    expect(employee.get_by_text("Tak. Situationen er skrevet i loggen")).to_be_visible()
    entry = Entry.objects.get()
    assert entry.author is None and entry.author_name == "" and entry.kind == ""
    assert str(entry.pk) not in employee.url
    _check(employee, axe_page, "employee, the log after writing")

    # The leader opens it from the log, sorts it and turns the lesson into an action.
    sign_in(leader, world.leader)
    leader.goto(f"/o/{world.org.slug}/laering/{world.team_a.pk}/")
    expect(leader.get_by_role("button", name="Gennemgået på mødet")).to_be_visible()
    _check(leader, axe_page, "leader, the log before the meeting")
    leader.get_by_role("link", name=re.compile("^Åbn situationen")).click()
    _check(leader, axe_page, "leader, the situation unsorted")
    leader.get_by_label("Kompleks fejl").check()
    leader.get_by_role("button", name="Gem typen").click()
    expect(leader.get_by_text("Situationen er sorteret som Kompleks fejl.")).to_be_visible()
    expect(leader.get_by_text("Åbenhed og dialog så tidligt som muligt").first).to_be_visible()
    _check(leader, axe_page, "leader, the situation sorted")
    expect(leader.locator("#id_handling-what")).to_have_value(
        "Sig det højt på morgenmødet, når noget i appen ser mærkeligt ud."
    )
    expect(leader.get_by_label("Handleplanen")).to_be_checked()
    leader.locator("#id_handling-what").fill(
        "Fælles gennemgang af ruterne på morgenmødet den første måned"
    )
    leader.get_by_label("Ansvarlig").fill("Lise Leder")
    expect(leader.get_by_label("Frist")).not_to_have_value("")
    leader.get_by_label("Frist").fill("2026-09-01")
    leader.get_by_role("button", name="Gør læringen til en handling").click()
    expect(leader.get_by_text("Læringen er blevet til en handling i handleplanen.")).to_be_visible()
    action = Action.objects.get(plan=plan)
    entry.refresh_from_db()
    assert entry.action == action and entry.kind == "complex"
    assert action.what == "Fælles gennemgang af ruterne på morgenmødet den første måned"

    # Sent on to the AMO, then reviewed at the meeting.
    leader.get_by_role("button", name="Send videre til arbejdsmiljøgruppen").click()
    expect(
        leader.get_by_text("Situationen er sendt videre til arbejdsmiljøgruppen.")
    ).to_be_visible()
    _check(leader, axe_page, "leader, the situation after the action")
    leader.get_by_role("link", name="Tilbage til læringsloggen").click()
    leader.get_by_role("button", name="Gennemgået på mødet").click()
    expect(leader.get_by_text("Gennemgangen på mødet er noteret.")).to_be_visible()
    expect(
        leader.get_by_text("Der er ikke kommet noget nyt siden sidste gennemgang.")
    ).to_be_visible()
    entry.refresh_from_db()
    assert entry.reviewed_on is not None
    _check(leader, axe_page, "leader, the log after the meeting")
    leader.get_by_role("link", name="Fordelingen af de tre typer").click()
    expect(
        leader.get_by_role("table", name="Antal situationer pr. type og kvartal")
    ).to_be_visible()
    expect(leader.get_by_text("Ingen intelligente fejl.")).to_be_visible()
    _check(leader, axe_page, "leader, the mix")

    # The AMO reads what was sent on.
    sign_in(amo, world.amo)
    amo.goto(f"/o/{world.org.slug}/laering/")
    _check(amo, axe_page, "amo, the logs")
    amo.get_by_role("link", name="Sendt videre til arbejdsmiljøgruppen").click()
    expect(amo.locator(".learning-entry-text")).to_contain_text("Efter skiftet til den nye app")
    _check(amo, axe_page, "amo, sent on")


def test_the_leader_deletes_a_situation_and_the_admin_sets_how_long_they_are_kept(
    new_page: PageFactory, world: World
) -> None:
    entry = services.entry_write(
        unit=world.team_a,
        writer=world.employee,
        what_happened="Tavlen med dagens opgaver blev ikke opdateret.",
        kind="basic",
    )
    leader = new_page(phone=True, java_script_enabled=False)
    admin = new_page(phone=True, java_script_enabled=False)
    axe_page = new_page(phone=True)

    sign_in(leader, world.leader)
    leader.goto(f"/o/{world.org.slug}/laering/situation/{entry.pk}/")
    leader.get_by_role("link", name="Slet situationen").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Slet situationen?")
    expect(leader.locator(".learning-entry-text")).to_contain_text("Tavlen med dagens opgaver")
    _check(leader, axe_page, "leader, delete a situation")
    leader.get_by_role("link", name="Fortryd").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Det gik ikke som planlagt")
    assert Entry.objects.filter(pk=entry.pk).exists()
    leader.get_by_role("link", name="Slet situationen").click()
    leader.get_by_role("button", name="Slet situationen").click()
    expect(leader.get_by_text("Situationen er slettet.")).to_be_visible()
    expect(leader.get_by_text("Tavlen med dagens opgaver")).to_have_count(0)
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="learning.entry_deleted", actor=world.leader).exists()

    sign_in(admin, world.owner)
    admin.goto(f"/o/{world.org.slug}/indstillinger/")
    admin.get_by_role("link", name="Læringsloggen: hvor længe situationerne gemmes").click()
    expect(admin.get_by_label("Måneder en situation gemmes")).to_have_value("36")
    _check(admin, axe_page, "admin, learning log settings")
    admin.get_by_label("Måneder en situation gemmes").fill("1")
    admin.get_by_role("button", name="Gem").click()
    _check(admin, axe_page, "admin, learning log settings with an error")
    admin.get_by_label("Måneder en situation gemmes").fill("24")
    admin.get_by_role("button", name="Gem").click()
    expect(admin.get_by_text("Indstillingerne for læringsloggen er gemt.")).to_be_visible()
    assert LogSettings.objects.get(organisation=world.org).retention_months == 24
