"""The plans on the results app's pages: the employees' feedback page and the unit report."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.actions.conftest import first_wave, make_action, make_focus, make_plan
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


def test_the_feedback_page_shows_what_is_being_done_for_the_team(world: World) -> None:
    wave = first_wave(world)
    plan = make_plan(world, make_focus(world, wave))
    make_action(world, plan, deadline=dt.date(2026, 9, 1))
    other = make_plan(world, make_focus(world, wave, unit=world.team_b))
    other.goal = "Team B's eget mål"
    other.save()
    page = client_for(world.employee).get("/o/testkommune/rapporter/tilbagemelding/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Vi gjorde" in text and "Alle tør sige fra." in text
    assert "Fast punkt på teammødet" in text and "1. september 2026" in text
    assert "Team B's eget mål" not in text


def test_the_unit_report_links_to_choosing_focus_areas(world: World) -> None:
    wave = first_wave(world)
    url = f"/o/testkommune/rapporter/maaling/{wave.pk}/enhed/{world.team_a.pk}/"
    text = client_for(world.leader).get(url).content.decode()
    target = f"/o/testkommune/handleplaner/enhed/{world.team_a.pk}/maaling/{wave.pk}/fokusomraader/"
    assert f'href="{target}"' in text and "Vælg fokusområder" in text
