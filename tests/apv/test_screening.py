"""The risk assessment is prefilled with the risk5 screening as the report shows it."""

from __future__ import annotations

import datetime as dt

from tests.apv.conftest import answer, risk5_answers, risk5_measurement
from tests.conftest import World, client_for
from tryghed.apv import selectors, services
from tryghed.apv.models import FactorAssessment, RiskFactor
from tryghed.surveys.models import Status


def test_the_screening_shows_the_share_often_exposed_per_factor(world: World) -> None:
    measurement = risk5_measurement(world)
    answer(measurement, world.team_a, [risk5_answers(workload=4)] * 6)
    answer(measurement, world.team_a, [risk5_answers(workload=2, offensive=2)] * 6)
    figures = {f.factor: f for f in selectors.screening_figures(measurement, world.team_a)}
    assert list(figures) == RiskFactor.values
    assert figures["workload"].share == 0.5 and figures["workload"].n == 12
    assert figures["workload"].percent == 50
    assert figures["demands"].share == 0.0
    # Offensive behaviour is sensitive (minimum 10): 12 answered, so it is shown.
    assert figures["offensive"].share == 0.5 and not figures["offensive"].hidden


def test_sensitive_factors_are_hidden_below_ten_answers_while_workload_is_shown(
    world: World,
) -> None:
    measurement = risk5_measurement(world)
    answer(measurement, world.team_a, [risk5_answers(workload=5, offensive=3)] * 7)
    figures = {f.factor: f for f in selectors.screening_figures(measurement, world.team_a)}
    assert figures["workload"].share == 1.0 and not figures["workload"].hidden
    for sensitive in ("offensive", "violence"):
        assert figures[sensitive].hidden
        assert figures[sensitive].share is None and figures[sensitive].n is None


def test_a_new_assessment_uses_the_latest_closed_measurement_and_has_five_factors(
    world: World,
) -> None:
    old = risk5_measurement(world, closes_on=dt.date(2025, 10, 1))
    new = risk5_measurement(world, closes_on=dt.date(2026, 5, 1))
    risk5_measurement(world, status=Status.OPEN, closes_on=dt.date(2026, 12, 1))
    assert old != new
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    assert assessment.measurement == new
    assert sorted(
        FactorAssessment.objects.filter(assessment=assessment).values_list("factor", flat=True)
    ) == sorted(RiskFactor.values)


def test_without_a_closed_screening_the_assessment_starts_empty(world: World) -> None:
    risk5_measurement(world, status=Status.OPEN)
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_b, actor=world.amo
    )
    assert assessment.measurement is None
    assert selectors.screening_figures(None, world.team_b) == []


def test_the_assessment_page_says_too_few_answers_instead_of_a_number(world: World) -> None:
    measurement = risk5_measurement(world)
    answer(measurement, world.team_a, [risk5_answers(workload=4, offensive=2)] * 7)
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    html = (
        client_for(world.amo)
        .get(f"/o/{world.org.slug}/apv/risikovurderinger/{assessment.pk}/")
        .content.decode()
    )
    assert "100 % af 7 svarende" in html  # workload: all seven often or always
    assert html.count("for få svar til at vise et tal") == 2  # offensive and violence
