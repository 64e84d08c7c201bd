"""The APV and plan pages ask the database a fixed number of questions, however many units.

They read the publication's slice for one unit (``aggregates.publication(m, units=[...])``)
and the unit's own assessments and plans. A query per unit, per assessment, per plan or
per action (a name, a link, a factor's plan) would make them slow in an organisation of
2,000 units (docs/benchmarks.md, issue 14): the same bound holds for 2 and for 40 teams,
each with a risk assessment, a focus area, a plan and an action, so such a query fails here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from tests.apv.conftest import risk5_answers
from tests.conftest import World, client_for
from tests.factories import make_unit
from tryghed.actions import services as action_services
from tryghed.actions.models import ActionPlan, FocusArea
from tryghed.apv import services as apv_services
from tryghed.apv.models import RiskAssessment, RiskFactor
from tryghed.orgs.models import Unit
from tryghed.results.aggregates import report_data
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement, Response, Status

#: Session, membership, the measurement, the publication's status, name and slice, and each
#: page's own lookups: 9 to 19 at both sizes (19 the indicators dashboard); a query per team
#: would add 40 at 40 teams.
MAX_QUERIES = 25


@dataclass
class Sized:
    world: World
    measurement: Measurement
    teams: list[Unit]
    assessment: RiskAssessment
    focus: FocusArea
    plan: ActionPlan


def _measurement(world: World) -> Measurement:
    opens = dt.date(2026, 10, 5)
    measurement = survey_services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Efterår 2026",
        instrument_ids=["ps7", "risk5"],
        scope=[survey_services.ScopeEntry(world.root)],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=14),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    measurement.refresh_from_db()
    return measurement


def _plan_for(world: World, measurement: Measurement, team: Unit) -> ActionPlan:
    focus = action_services.focus_area_create(
        unit=team,
        measurement=measurement,
        actor=world.amo,
        kind="scale",
        instrument_id="ps7",
        figure_id="total",
        title="Tryghed i teamet",
        baseline={},
    )
    plan = action_services.plan_create(
        focus=focus,
        actor=world.amo,
        problem="Vi taler sjældent om fejl.",
        goal="Fejl bliver taget op på teammødet.",
        level="gruppe",
        prevention="primaer",
        evaluation_date=dt.date(2027, 3, 1),
    )
    action_services.action_add(
        plan=plan,
        actor=world.amo,
        what="Fast punkt på teammødet",
        owner_name="Teamlederen",
        deadline=dt.date(2026, 12, 1),
        status="in_progress",
    )
    return plan


def _assessment_for(world: World, team: Unit, plan: ActionPlan) -> RiskAssessment:
    assessment = apv_services.risk_assessment_start(
        organisation=world.org, unit=team, actor=world.amo
    )
    apv_services.factor_assessment_update(
        factor=assessment.factors.get(factor=RiskFactor.WORKLOAD),
        actor=world.amo,
        extent="Halvdelen af teamet oplever ofte tidspres.",
        duration="Siden sommeren.",
        character="Pauser springes over.",
        measures=["planning"],
        measures_other="",
        combination="",
        fully_sound="no",
        actions="Ny prioriteringsmodel.",
        action_plan_id=plan.pk,
    )
    return assessment


@pytest.fixture(params=[2, 40], ids=["2-teams", "40-teams"])
def sized(request: Any, world: World) -> Sized:
    teams = [
        make_unit(world.org, parent=world.area, name=f"Hold {i:02d}", external_id=f"H{i}")
        for i in range(request.param)
    ]
    measurement = _measurement(world)
    ps7 = {f"ps7.{n}": 2 for n in range(1, 8)}
    Response.objects.bulk_create(
        Response(
            measurement=measurement,
            unit=team,
            week="2026-W42",
            answers={**ps7, **risk5_answers(workload=1 + (i + k) % 4)},
        )
        for i, team in enumerate(teams)
        for k in range(6)
    )
    report_data(measurement)  # published: the pages read it warm
    plans = [_plan_for(world, measurement, team) for team in teams]
    assessments = [
        _assessment_for(world, team, plan) for team, plan in zip(teams, plans, strict=True)
    ]
    apv_services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=teams[0],
        kind="it",
        description="Nyt planlægningssystem",
        changed_on=dt.date(2026, 9, 1),
    )
    return Sized(world, measurement, teams, assessments[0], plans[0].focus_area, plans[0])


def _get(sized: Sized, url: str, assert_max: Any, text: str) -> None:
    client = client_for(sized.world.amo)
    client.get(url)  # the first read of the publication in this process is not the subject
    with assert_max(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200, url
    assert text in response.content.decode(), url


# --------------------------------------------------------------------------- APV pages


@pytest.mark.django_db
def test_the_apv_document_asks_a_fixed_number_of_queries(
    sized: Sized, django_assert_max_num_queries: Any
) -> None:
    org = sized.world.org.slug
    team = sized.teams[0]
    # The whole organisation's APV lists every team's assessment and its linked plan.
    _get(sized, reverse("apv:document", args=[org]), django_assert_max_num_queries, team.name)
    _get(
        sized,
        reverse("apv:unit_document", args=[org, team.pk]),
        django_assert_max_num_queries,
        "Halvdelen af teamet oplever ofte tidspres.",
    )


@pytest.mark.django_db
def test_the_risk_assessment_pages_ask_a_fixed_number_of_queries(
    sized: Sized, django_assert_max_num_queries: Any
) -> None:
    org = sized.world.org.slug
    assessment = sized.assessment
    _get(
        sized,
        reverse("apv:assessments", args=[org]),
        django_assert_max_num_queries,
        sized.teams[-1].name,
    )
    _get(
        sized,
        reverse("apv:assessment", args=[org, assessment.pk]),
        django_assert_max_num_queries,
        "Tryghed i teamet",  # the plan linked to the workload factor
    )
    _get(
        sized,
        reverse("apv:factor_edit", args=[org, assessment.pk, RiskFactor.WORKLOAD.value]),
        django_assert_max_num_queries,
        "Halvdelen af teamet oplever ofte tidspres.",
    )


@pytest.mark.django_db
def test_the_indicators_dashboard_asks_a_fixed_number_of_queries(
    sized: Sized, django_assert_max_num_queries: Any
) -> None:
    url = reverse("apv:dashboard", args=[sized.world.org.slug])
    _get(sized, url, django_assert_max_num_queries, "Enheder med en handleplan")


# --------------------------------------------------------------------------- plan pages


@pytest.mark.django_db
def test_the_plan_pages_ask_a_fixed_number_of_queries(
    sized: Sized, django_assert_max_num_queries: Any
) -> None:
    org = sized.world.org.slug
    team = sized.teams[0]
    assert_max = django_assert_max_num_queries
    # The index lists every team's plan, and every unit in its picker.
    last = sized.teams[-1]
    _get(sized, reverse("actions:index", args=[org]), assert_max, last.name)
    _get(
        sized,
        reverse("actions:index", args=[org]),
        assert_max,
        f'<option value="{last.pk}">{last.name}</option>',
    )
    _get(sized, reverse("actions:plan_detail", args=[org, sized.plan.pk]), assert_max, team.name)
    _get(
        sized,
        reverse("actions:focus_detail", args=[org, sized.focus.pk]),
        assert_max,
        "Tryghed i teamet",
    )
    _get(
        sized,
        reverse("actions:focus_choose", args=[org, team.pk, sized.measurement.pk]),
        assert_max,
        team.name,
    )
    _get(
        sized,
        reverse("actions:vi_gjorde", args=[org, team.pk]),
        assert_max,
        "Fejl bliver taget op på teammødet.",
    )
