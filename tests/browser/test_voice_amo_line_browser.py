"""Sig det when every AMO member leads the unit (issue 11): the AMO inbox and the
administrators' settings page say the organisation needs a receiver outside the line.
Axe on both."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.conftest import World
from tests.factories import grant
from tryghed.orgs.models import Membership, Role
from tryghed.voice import services

HEADING = "Sager til AMO/HR mangler en modtager uden for ledelseslinjen"


def test_the_pages_ask_for_a_receiver_outside_the_line(
    page: Page, login: Login, world: World
) -> None:
    grant(world.leader, world.org, Role.AMO)
    grant(world.leader, world.org, Role.ADMIN)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="offensive",
        text="Grimme ord.",
    )
    login(page, world.leader)
    page.goto(f"/o/{world.org.slug}/sig-det/sager/")
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(page.get_by_text("Du er både leder og med i AMO.")).to_be_visible()
    expect(page.get_by_text("Grimme ord.")).to_have_count(0)
    assert_accessible(page, who="AMO member in the line, the inbox")
    page.goto(f"/o/{world.org.slug}/sig-det/indstillinger/")
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(page.get_by_text("1 åben sag til AMO/HR har ingen, der kan læse den.")).to_be_visible()
    assert_accessible(page, who="administrator, settings with cases without a receiver")
