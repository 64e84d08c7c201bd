"""The pages: who sees what (404 for another organisation's plan), the forms, both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils.formats import date_format

from tests.actions.conftest import first_wave, make_action, make_focus, make_plan
from tests.conftest import World, client_for
from tryghed.actions.models import Action, ActionPlan, FocusArea, PlanEvent

pytestmark = pytest.mark.django_db
BASE = "/o/testkommune/handleplaner"


@pytest.fixture
def plan(world: World) -> ActionPlan:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    make_action(world, plan, deadline=dt.date(2026, 6, 1))
    return plan


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("amo", 200), ("leader", 200), ("employee", 403), ("outsider", 404)],
)
def test_the_plan_page_is_for_leaders_the_amo_and_admins(
    world: World, plan: ActionPlan, who: str, status: int
) -> None:
    response = client_for(getattr(world, who)).get(f"{BASE}/{plan.pk}/")
    assert response.status_code == status
    if status == 200:
        assert "Fast punkt på teammødet" in response.content.decode()


def test_another_organisations_plan_is_a_404_even_for_its_own_admin(
    world: World, plan: ActionPlan
) -> None:
    outsider = client_for(world.outsider)
    for path in ("", "rediger/", "evaluering/", "handlinger/ny/"):
        assert outsider.get(f"/o/andenkommune/handleplaner/{plan.pk}/{path}").status_code == 404
    focus = plan.focus_area
    assert (
        outsider.get(f"/o/andenkommune/handleplaner/fokusomraader/{focus.pk}/").status_code == 404
    )


def test_a_leader_sees_no_plan_outside_their_subtree(world: World) -> None:
    wave = first_wave(world)
    plan_b = make_plan(world, make_focus(world, wave, unit=world.team_b))
    leader = client_for(world.leader)
    assert leader.get(f"{BASE}/{plan_b.pk}/").status_code == 404
    assert leader.post(f"{BASE}/{plan_b.pk}/rediger/", {"goal": "x"}).status_code == 404
    index = leader.get(f"{BASE}/").content.decode()
    assert "Tryghed i teamet" not in index
    assert client_for(world.amo).get(f"{BASE}/").content.decode().count("Tryghed i teamet") == 1


def test_a_leader_chooses_focus_areas_and_is_warned_at_the_fourth(world: World) -> None:
    wave = first_wave(world)
    leader = client_for(world.leader)
    url = f"{BASE}/enhed/{world.team_a.pk}/maaling/{wave.pk}/fokusomraader/"
    page = leader.get(url).content.decode()
    assert "Psykologisk tryghed" in page and "28,5" in page
    data = {"figure": "scale:ps7:total", "title": "", "has_solution": "yes", "ease": "easy"}
    for n in range(1, 5):
        response = leader.post(url, data, follow=True)
        assert response.status_code == 200
        text = response.content.decode()
        assert ("4 fokusområder" in text) is (n == 4)
    focus = FocusArea.objects.filter(unit=world.team_a).first()
    assert focus is not None and focus.title == "Psykologisk tryghed"
    assert focus.has_solution == "yes" and focus.baseline["mean"] == pytest.approx(28.5)


def test_a_figure_not_shown_in_the_report_cannot_be_posted(world: World) -> None:
    wave = first_wave(world)
    url = f"{BASE}/enhed/{world.team_a.pk}/maaling/{wave.pk}/fokusomraader/"
    response = client_for(world.leader).post(
        url, {"figure": "scale:ps7:nope", "has_solution": "yes", "ease": "easy"}
    )
    assert response.status_code == 200 and not FocusArea.objects.exists()
    other = f"{BASE}/enhed/{world.team_b.pk}/maaling/{wave.pk}/fokusomraader/"
    assert client_for(world.leader).get(other).status_code == 404


def test_a_plan_and_its_actions_are_written_through_the_forms(world: World) -> None:
    focus = make_focus(world, first_wave(world))
    leader = client_for(world.leader)
    response = leader.post(
        f"{BASE}/fokusomraader/{focus.pk}/ny-plan/",
        {
            "problem": "Vi taler ikke om fejl.",
            "goal": "Fejl bliver taget op på teammødet.",
            "level": "ledelse",
            "prevention": "primaer",
            "evaluation_criteria": "",
            "evaluation_date": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
            "status": "planned",
            "participants_count": "9",
            "participants": "Hele teamet",
        },
    )
    plan = ActionPlan.objects.get(focus_area=focus)
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{plan.pk}/"
    assert (plan.level, plan.participants_count) == ("ledelse", 9)
    response = leader.post(
        f"{BASE}/{plan.pk}/handlinger/ny/",
        {
            "what": "Runde om fejl",
            "owner": "Alma A (Team A)",  # chosen from the list, which names the unit
            "deadline": "2026-07-01",
            "status": "not_started",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(plan=plan)
    assert action.owner_person == world.person_a and action.deadline == dt.date(2026, 7, 1)
    response = leader.post(
        f"{BASE}/{plan.pk}/handlinger/{action.pk}/",
        {"what": "Runde om fejl", "owner": "Lene", "deadline": "2026-07-01", "status": "done"},
    )
    changed = Action.objects.get(pk=action.pk)
    assert changed.status == "done" and changed.owner_person is None
    assert changed.owner_name == "Lene"
    page = leader.get(f"{BASE}/{plan.pk}/").content.decode()
    assert "Historik" in page and "Handling ændret" in page
    assert "Ikke startet → Udført" in page  # status shown with its label, before and after


def test_an_action_of_another_plan_is_a_404(world: World, plan: ActionPlan) -> None:
    other = make_plan(world, plan.focus_area)
    action = plan.actions.get()
    response = client_for(world.leader).get(f"{BASE}/{other.pk}/handlinger/{action.pk}/")
    assert response.status_code == 404


def test_the_amo_signs_off_on_the_page_and_a_leader_cannot(world: World, plan: ActionPlan) -> None:
    assert (
        "Godkend som AMO" not in client_for(world.leader).get(f"{BASE}/{plan.pk}/").content.decode()
    )
    assert client_for(world.leader).post(f"{BASE}/{plan.pk}/godkend/").status_code == 403
    amo = client_for(world.amo)
    assert "Godkend som AMO" in amo.get(f"{BASE}/{plan.pk}/").content.decode()
    response = amo.post(f"{BASE}/{plan.pk}/godkend/", follow=True)
    plan.refresh_from_db()
    assert plan.signed_off_by == world.amo
    assert "Godkendt af AMO" in response.content.decode()
    assert plan.history.filter(event=PlanEvent.SIGNED_OFF, actor=world.amo).exists()


def test_the_evaluation_of_learning_and_effect_is_saved(world: World, plan: ActionPlan) -> None:
    response = client_for(world.owner).post(
        f"{BASE}/{plan.pk}/evaluering/",
        {
            "learning_evaluation": "Vi lærte meget.",
            "effect_evaluation": "Bedre møder.",
            "evaluated_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.effect_evaluation) == ("evaluated", "Bedre møder.")


def test_an_employee_sees_what_was_done_for_their_unit_and_the_units_above(
    world: World, plan: ActionPlan
) -> None:
    area_plan = make_plan(world, make_focus(world, plan.focus_area.measurement, unit=world.area))
    area_plan.focus_area.title = "Område-fokus"
    area_plan.focus_area.save()
    employee = client_for(world.employee)
    response = employee.get(f"{BASE}/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/enhed/{world.team_a.pk}/i-sagde-vi-gjorde/"
    page = employee.get(response["Location"]).content.decode()
    assert "I sagde – vi gjorde" in page
    assert "Tryghed i teamet" in page and "Område-fokus" in page
    assert "Fast punkt på teammødet" in page
    assert "28,5" in page  # the team's shown psychological safety score
    assert employee.get(f"{BASE}/enhed/{world.team_b.pk}/i-sagde-vi-gjorde/").status_code == 404
    outsider = client_for(world.outsider)
    assert outsider.get(f"{BASE}/enhed/{world.team_a.pk}/i-sagde-vi-gjorde/").status_code == 404
    for who in (world.owner, world.amo, world.leader):
        seen = client_for(who).get(f"{BASE}/enhed/{world.team_a.pk}/i-sagde-vi-gjorde/")
        assert seen.status_code == 200 and "Område-fokus" in seen.content.decode()
    leader = client_for(world.leader)
    assert leader.get(f"{BASE}/enhed/{world.team_b.pk}/i-sagde-vi-gjorde/").status_code == 404


def test_the_feedback_page_shows_no_results_where_the_unit_is_hidden(world: World) -> None:
    from tests.actions.conftest import answer, make_measurement

    wave = make_measurement(world, opens=dt.date(2026, 3, 2))
    answer(wave, world.team_a, [2], 3)
    answer(wave, world.team_b, [2], 12)
    page = client_for(world.employee).get(f"{BASE}/enhed/{world.team_a.pk}/i-sagde-vi-gjorde/")
    text = page.content.decode()
    assert "Der er endnu ingen resultater" in text
    assert "34,0" not in text


def test_the_pages_render_in_english_with_the_instrument_in_english(
    world: World, plan: ActionPlan
) -> None:
    client: Client = client_for(world.leader)
    client.cookies["django_language"] = "en"
    page = client.get(f"{BASE}/{plan.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert "Psychological safety" in page and "Psykologisk tryghed" not in page
    wave = plan.focus_area.measurement
    chooser = client.get(f"{BASE}/enhed/{world.team_a.pk}/maaling/{wave.pk}/fokusomraader/")
    assert "28.5" in chooser.content.decode()
    danish = client_for(world.leader).get(f"{BASE}/{plan.pk}/").content.decode()
    assert '<html lang="da">' in danish and "Psykologisk tryghed" in danish


def test_the_overview_shows_each_plans_next_deadline_and_overdue_actions(
    world: World, plan: ActionPlan
) -> None:
    plan.actions.update(deadline=dt.date.today() + dt.timedelta(days=9))
    make_action(world, plan, deadline=dt.date.today() - dt.timedelta(days=1))
    make_action(world, plan, deadline=dt.date.today() - dt.timedelta(days=30), status="done")
    page = client_for(world.leader).get(f"{BASE}/").content.decode()
    assert "1 overskredet" in page  # the done action is not overdue
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert date_format(yesterday, "j. F Y") in page  # the earliest open deadline
    assert "Vælg fokusområder" in page and "Team A" in page
    wave = plan.focus_area.measurement
    chosen = client_for(world.leader).get(
        f"{BASE}/", {"enhed": world.team_a.pk, "maaling": wave.pk}
    )
    assert chosen["Location"] == (
        f"{BASE}/enhed/{world.team_a.pk}/maaling/{wave.pk}/fokusomraader/"
    )
