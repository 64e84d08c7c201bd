"""The plan and action forms: one owner field that tells namesakes apart, no evaluation
date in the past, and the error summary at the top of the form."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.actions.conftest import first_wave, make_action, make_focus, make_plan
from tests.conftest import World, client_for
from tests.factories import make_person
from tryghed.actions.forms import ActionForm
from tryghed.actions.models import Action, ActionPlan

pytestmark = pytest.mark.django_db
BASE = "/o/testkommune/handleplaner"


@pytest.fixture
def plan(world: World) -> ActionPlan:
    return make_plan(world, make_focus(world, first_wave(world)))


def _action(owner: str, **extra: str) -> dict[str, str]:
    return {
        "what": "Runde om fejl",
        "owner": owner,
        "deadline": "2026-07-01",
        "status": "not_started",
        **extra,
    }


def test_the_action_form_has_one_owner_field_whose_list_names_each_persons_unit(
    world: World, plan: ActionPlan
) -> None:
    page = client_for(world.leader).get(f"{BASE}/{plan.pk}/handlinger/ny/").content.decode()
    assert page.count('name="owner"') == 1
    assert "owner_person" not in page and "owner_name" not in page
    assert '<option value="Alma A (Team A)">' in page
    # The field points at its suggestions, and the suggestions stay within the plan's unit.
    assert re.search(r'<input[^>]*name="owner"[^>]*list="id_owner-forslag"', page)
    assert 'id="id_owner-forslag"' in page and "Bent B" not in page


def test_namesakes_are_told_apart_and_a_bare_shared_name_is_refused(
    world: World, plan: ActionPlan
) -> None:
    twin = make_person(world.team_a, name="Alma A", email="alma2@example.test")
    form = ActionForm(unit=world.team_a)
    labels = sorted(form.people)
    assert labels == sorted(
        [
            f"Alma A (Team A, nr. {world.person_a.employee_id})",
            f"Alma A (Team A, nr. {twin.employee_id})",
        ]
    )
    leader = client_for(world.leader)
    refused = leader.post(f"{BASE}/{plan.pk}/handlinger/ny/", _action("Alma A"))
    assert refused.status_code == 200 and not Action.objects.exists()
    assert "Der er flere, der hedder Alma A" in refused.content.decode()
    chosen = leader.post(
        f"{BASE}/{plan.pk}/handlinger/ny/", _action(f"Alma A (Team A, nr. {twin.employee_id})")
    )
    assert chosen.status_code == 302
    assert Action.objects.get().owner_person == twin


def test_a_name_not_on_the_list_is_kept_as_written(world: World, plan: ActionPlan) -> None:
    response = client_for(world.leader).post(
        f"{BASE}/{plan.pk}/handlinger/ny/", _action("  Karin   Konsulent ")
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.owner_person, action.owner_name) == (None, "Karin Konsulent")


def test_an_owner_is_required_and_the_error_summary_links_to_the_field(
    world: World, plan: ActionPlan
) -> None:
    response = client_for(world.leader).post(f"{BASE}/{plan.pk}/handlinger/ny/", _action(""))
    page = response.content.decode()
    assert response.status_code == 200 and not Action.objects.exists()
    summary = page[page.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert '<div class="error-summary" role="alert"' in page
    assert (
        '<a href="#id_owner">Ansvarlig: Skriv, hvem der er ansvarlig for handlingen.</a>' in summary
    )


def test_editing_an_action_shows_its_owner_in_the_one_field(world: World, plan: ActionPlan) -> None:
    action = make_action(world, plan, deadline=dt.date(2026, 7, 1))  # owned by Alma A
    page = (
        client_for(world.leader).get(f"{BASE}/{plan.pk}/handlinger/{action.pk}/").content.decode()
    )
    assert re.search(r'<input[^>]*name="owner"[^>]*value="Alma A \(Team A\)"', page)


def _plan_data(evaluation_date: str) -> dict[str, str]:
    return {
        "problem": "Vi taler ikke om fejl.",
        "goal": "Fejl bliver taget op.",
        "level": "ledelse",
        "prevention": "primaer",
        "evaluation_date": evaluation_date,
        "status": "planned",
    }


def test_a_plans_evaluation_date_cannot_be_in_the_past(world: World) -> None:
    focus = make_focus(world, first_wave(world))
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = client_for(world.leader).post(
        f"{BASE}/fokusomraader/{focus.pk}/ny-plan/", _plan_data(yesterday)
    )
    assert response.status_code == 200 and not ActionPlan.objects.exists()
    assert "Evalueringsdatoen ligger i fortiden" in response.content.decode()
    today = dt.date.today().isoformat()
    response = client_for(world.leader).post(
        f"{BASE}/fokusomraader/{focus.pk}/ny-plan/", _plan_data(today)
    )
    assert response.status_code == 302


def test_a_plan_whose_evaluation_date_has_passed_can_still_be_edited(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    plan.evaluation_date = dt.date.today() - dt.timedelta(days=30)
    plan.save()
    data = _plan_data(plan.evaluation_date.isoformat())
    data["goal"] = "Fejl bliver taget op på hvert teammøde."
    response = client_for(world.leader).post(f"{BASE}/{plan.pk}/rediger/", data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.goal == "Fejl bliver taget op på hvert teammøde."


def test_the_summary_of_a_focus_area_without_a_result_links_to_the_first_result(
    world: World,
) -> None:
    wave = first_wave(world)
    url = f"{BASE}/enhed/{world.team_a.pk}/maaling/{wave.pk}/fokusomraader/"
    page = client_for(world.leader).post(url, {"has_solution": "yes", "ease": "easy"})
    html = page.content.decode()
    assert page.status_code == 200
    link = re.search(r'<div class="error-summary".*?<a href="#([^"]+)">Resultat:', html, re.S)
    assert link and link.group(1) == "id_figure_0"
    assert re.search(r'<input type="radio" name="figure" value="[^"]+" id="id_figure_0"', html)
