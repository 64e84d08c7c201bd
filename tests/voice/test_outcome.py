"""'Det blev til en handling': a case becomes an action or a focus area of its unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.actions.conftest import first_wave, make_focus, make_plan
from tests.conftest import World, client_for
from tryghed.actions.models import Action, ActionPlan, FocusArea
from tryghed.audit.models import AuditEvent
from tryghed.voice import outcomes, services
from tryghed.voice.models import Case


def _new(world: World, **kwargs: object) -> tuple[Case, str]:
    values: dict[str, object] = {
        "organisation": world.org,
        "unit": world.team_a,
        "receiver": "leader",
        "kind": "concern",
        "text": "Vi når ikke pauserne, når Kirsten er på vagt.",
    }
    values.update(kwargs)
    return services.case_raise(**values)  # type: ignore[arg-type]


def _outcome_url(world: World, case: Case) -> str:
    return reverse("voice:outcome", kwargs={"org": world.org.slug, "case_id": case.pk})


def _detail_url(world: World, case: Case) -> str:
    return reverse("voice:case_detail", kwargs={"org": world.org.slug, "case_id": case.pk})


@pytest.fixture
def plan(world: World) -> ActionPlan:
    return make_plan(world, make_focus(world, first_wave(world)))


def _reporter_page(world: World, code: str) -> str:
    response = Client().post(reverse("voice:case", kwargs={"org": world.org.slug}), {"code": code})
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_offers_the_action_pre_filled_from_the_kind_not_the_text(
    world: World, plan: ActionPlan
) -> None:
    case, _code = _new(world)
    page = client_for(world.leader).get(_detail_url(world, case)).content.decode()
    assert "Gør sagen til en handling" in page
    assert "Følg op på en bekymring, der er rejst i Sig det" in page
    # The case text is on the page once (the conversation), never pre-filled into the plan.
    assert page.count("Vi når ikke pauserne") == 1
    assert f'<option value="{plan.pk}" selected>' in page


def test_one_post_turns_the_case_into_an_action_and_the_reporter_sees_it(
    world: World, plan: ActionPlan
) -> None:
    case, code = _new(world)
    response = client_for(world.leader).post(
        _outcome_url(world, case),
        {
            "which": "action",
            "handling-plan": plan.pk,
            "handling-what": "Pauserne lægges fast i vagtplanen",
            "handling-owner_name": "Lederen",
            "handling-deadline": "2027-03-01",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(what="Pauserne lægges fast i vagtplanen")
    case.refresh_from_db()
    assert case.action == action and case.focus_area is None
    assert case.outcome_on == services.local_today()
    assert action.plan == plan and "Kirsten" not in action.what
    audit = AuditEvent.objects.get(action="voice.outcome")
    assert audit.actor == world.leader and audit.object_id == str(case.pk)
    assert audit.data == {"action": action.pk}
    page = _reporter_page(world, code)
    assert "Det blev til en handling:" in page
    assert "Pauserne lægges fast i vagtplanen" in page
    assert "Ikke startet" in page


def test_a_case_becomes_a_focus_area_from_a_shown_figure(world: World) -> None:
    measurement = first_wave(world)
    case, code = _new(world, kind="near_miss")
    response = client_for(world.amo).post(
        _outcome_url(world, case),
        {"which": "focus", "fokus-figure": "scale:ps7:total", "fokus-title": "Sikre overdragelser"},
    )
    assert response.status_code == 302
    focus = FocusArea.objects.get(title="Sikre overdragelser")
    assert focus.unit == world.team_a and focus.measurement == measurement
    case.refresh_from_db()
    assert case.focus_area == focus and case.action is None
    page = _reporter_page(world, code)
    assert "Det blev til et fokusområde:" in page and "Sikre overdragelser" in page
    assert "handleplanen er ikke skrevet endnu" in page


def test_a_case_becomes_one_thing_once(world: World, plan: ActionPlan) -> None:
    case, _code = _new(world)
    outcomes.case_to_action(
        case=case,
        actor=world.leader,
        plan=plan,
        what="Første",
        deadline=dt.date(2027, 1, 1),
        owner_name="Leder",
        today=dt.date(2026, 12, 6),
    )
    with pytest.raises(Exception, match="allerede"):
        outcomes.case_to_action(
            case=Case.objects.get(pk=case.pk),
            actor=world.leader,
            plan=plan,
            what="Anden",
            deadline=dt.date(2027, 1, 1),
            owner_name="Leder",
            today=dt.date(2026, 12, 7),
        )
    assert plan.actions.count() == 1
    # Posting again redirects to the case without writing anything.
    response = client_for(world.leader).post(
        _outcome_url(world, case),
        {
            "which": "action",
            "handling-plan": plan.pk,
            "handling-what": "Tredje",
            "handling-owner_name": "Leder",
            "handling-deadline": "2027-03-01",
        },
    )
    assert response.status_code == 302 and plan.actions.count() == 1


def test_another_units_plan_is_refused(world: World) -> None:
    measurement = first_wave(world)
    other_plan = make_plan(world, make_focus(world, measurement, world.team_b))
    case, _code = _new(world)
    response = client_for(world.amo).post(
        _outcome_url(world, case),
        {
            "which": "action",
            "handling-plan": other_plan.pk,
            "handling-what": "Noget",
            "handling-owner_name": "AMO",
            "handling-deadline": "2027-03-01",
        },
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.action is None and not other_plan.actions.exists()


def test_a_case_to_the_amo_is_not_the_leaders_to_act_on(world: World, plan: ActionPlan) -> None:
    case, _code = _new(world, receiver="amo")
    response = client_for(world.leader).post(
        _outcome_url(world, case),
        {
            "which": "action",
            "handling-plan": plan.pk,
            "handling-what": "Noget",
            "handling-owner_name": "Leder",
            "handling-deadline": "2027-03-01",
        },
    )
    assert response.status_code == 404
    assert not plan.actions.exists()


def test_a_case_without_a_unit_says_it_cannot_become_an_action(world: World) -> None:
    case, _code = _new(world, unit=None, receiver="amo")
    page = client_for(world.amo).get(_detail_url(world, case)).content.decode()
    assert "kan ikke knyttes til en handleplan" in page
    assert "Gør sagen til en handling" not in page


def test_the_reporter_sees_nothing_before_there_is_an_outcome(world: World) -> None:
    _case, code = _new(world)
    assert "Det blev til" not in _reporter_page(world, code)
