"""Sig det when every AMO member leads the unit (issue 11): the AMO inbox and the
administrators' settings page say the organisation needs a receiver outside the line.
Axe on both."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.conftest import World
from tests.factories import grant
from tryghed.orgs.models import Membership, Role
from tryghed.voice import services
from tryghed.voice.models import Case

HEADING = "Sager til AMO/HR mangler en modtager uden for ledelseslinjen"


def test_the_pages_ask_for_a_receiver_outside_the_line(
    page: Page, login: Login, world: World
) -> None:
    grant(world.leader, world.org, Role.AMO)
    grant(world.leader, world.org, Role.ADMIN)
    services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="offensive",
        text="Grimme ord.",
        today=dt.date.today() - dt.timedelta(days=2),
    )
    # A reorganisation: the AMO member outside the line leaves the role.
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    login(page, world.leader)
    page.goto(f"/o/{world.org.slug}/sig-det/sager/")
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(page.get_by_text("Du er både leder og med i AMO.")).to_be_visible()
    expect(page.get_by_text("Grimme ord.")).to_have_count(0)
    assert_accessible(page, who="AMO member in the line, the inbox")
    page.goto(f"/o/{world.org.slug}/sig-det/indstillinger/")
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    # The case is about their own team: not counted for them (it may be about them).
    expect(page.get_by_text("har ingen, der kan læse")).to_have_count(0)
    expect(page.get_by_text("tælles ikke med her")).to_be_visible()
    assert_accessible(page, who="administrator in the line, settings")


def test_an_administrator_outside_the_line_sees_the_count(
    page: Page, login: Login, world: World
) -> None:
    grant(world.leader, world.org, Role.AMO)
    services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="concern",
        text="Om lederen.",
        today=dt.date.today() - dt.timedelta(days=2),
    )
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    login(page, world.owner)
    page.goto(f"/o/{world.org.slug}/sig-det/indstillinger/")
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(page.get_by_text("1 åben sag har ingen, der kan læse den.")).to_be_visible()
    assert_accessible(page, who="administrator, settings with cases without a receiver")


def test_the_form_refuses_a_case_no_one_may_read_and_the_reporter_is_told_later(
    phone_page: Page, world: World
) -> None:
    page = phone_page
    grant(world.leader, world.org, Role.AMO)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    page.goto(f"/o/{world.org.slug}/sig-det/?enhed={world.team_a.pk}")
    page.get_by_label("AMO/HR").check()
    page.get_by_label("Bekymring").check()
    page.get_by_label("Skriv kort, hvad der skete").fill("Vi bliver talt ned til på møderne.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Ingen kan modtage sagen lige nu")).to_be_visible()
    expect(page.get_by_label("Skriv kort, hvad der skete")).to_have_value(
        "Vi bliver talt ned til på møderne."
    )
    assert not Case.objects.exists()
    assert_accessible(page, who="reporter, a case no one may read is refused")

    # Stored while someone outside the line had the role, then a reorganisation.
    grant(world.amo, world.org, Role.AMO)
    _case, code = services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="concern", text="Hej"
    )
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    page.goto(f"/o/{world.org.slug}/sig-det/sag/")
    page.get_by_label("Din kode").fill(code)
    page.get_by_role("button", name="Åbn sagen").click()
    expect(
        page.get_by_role("heading", name="Din sag er ikke nået frem til nogen endnu")
    ).to_be_visible()
    assert_accessible(page, who="reporter, a case no one may read yet")
