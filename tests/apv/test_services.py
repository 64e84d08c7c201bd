"""Writes check their input and leave an audit row; plans link only within the unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.apv.conftest import risk5_measurement
from tests.conftest import World, client_for
from tryghed.actions.models import ActionPlan, FocusArea, Level, Prevention
from tryghed.apv import services
from tryghed.apv.models import FactorAssessment, SicknessAbsence
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Unit


def _plan(world: World, unit: Unit, title: str) -> ActionPlan:
    focus = FocusArea.objects.create(
        organisation=world.org,
        unit=unit,
        measurement=risk5_measurement(world),
        kind="scale",
        instrument_id="risk5",
        figure_id="workload",
        title=title,
    )
    return ActionPlan.objects.create(
        organisation=world.org,
        focus_area=focus,
        problem="For travlt",
        goal="Pauser hver dag",
        level=Level.GROUP,
        prevention=Prevention.PRIMARY,
    )


def _update(factor: FactorAssessment, world: World, plan_id: int | None) -> FactorAssessment:
    return services.factor_assessment_update(
        factor=factor,
        actor=world.amo,
        extent="",
        duration="",
        character="",
        measures=[],
        measures_other="",
        combination="",
        fully_sound="no",
        actions="",
        action_plan_id=plan_id,
    )


def test_a_factor_links_to_its_units_action_plan_and_not_to_another_units(world: World) -> None:
    own = _plan(world, world.team_a, "Travlhed i Team A")
    foreign = _plan(world, world.team_b, "Travlhed i Team B")
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    factor = assessment.factors.get(factor="workload")
    with pytest.raises(ValidationError):
        _update(factor, world, foreign.pk)
    assert _update(factor, world, own.pk).action_plan_id == own.pk
    page = reverse(
        "apv:factor_edit",
        kwargs={"org": world.org.slug, "assessment_id": assessment.pk, "factor": "workload"},
    )
    html = client_for(world.amo).get(page).content.decode()
    assert "Travlhed i Team A" in html and "Travlhed i Team B" not in html
    document = (
        client_for(world.employee)
        .get(reverse("apv:document", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert "Handleplan: Travlhed i Team A" in document


def test_unknown_preventive_measures_are_refused(world: World) -> None:
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=None
    )
    with pytest.raises(ValidationError):
        services.factor_assessment_update(
            factor=assessment.factors.get(factor="demands"),
            actor=None,
            extent="",
            duration="",
            character="",
            measures=["massage"],
            measures_other="",
            combination="",
            fully_sound="",
            actions="",
            action_plan_id=None,
        )


def test_a_unit_of_another_organisation_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.risk_assessment_start(organisation=world.org, unit=world.other_unit, actor=None)
    with pytest.raises(ValidationError):
        services.sickness_absence_record(
            organisation=world.org,
            unit=world.other_unit,
            actor=None,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 6, 30),
            absence_percent=Decimal("3"),
            absence_days=None,
            contributes="no",
            assessment="",
        )


def test_sickness_absence_is_entered_on_the_page_and_checked(world: World) -> None:
    client = client_for(world.amo)
    page = reverse("apv:absences", kwargs={"org": world.org.slug})
    bad = client.post(
        page,
        {
            "unit": world.team_a.pk,
            "period_start": "2026-06-30",
            "period_end": "2026-01-01",
            "absence_percent": "4.5",
            "contributes": "yes",
        },
    )
    assert bad.status_code == 200
    assert "Perioden skal slutte efter, den begynder." in bad.content.decode()
    good = client.post(
        page,
        {
            "unit": world.team_a.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "absence_percent": "4.5",
            "absence_days": "5.5",
            "contributes": "yes",
            "assessment": "Højt fravær i vinterperioden.",
        },
    )
    assert good.status_code == 302
    absence = SicknessAbsence.objects.get()
    assert absence.absence_percent == Decimal("4.50") and absence.contributes == "yes"
    event = AuditEvent.objects.get(action="apv.sickness_absence.recorded")
    assert event.actor == world.amo and event.object_id == str(absence.pk)
    other_unit = client.post(
        page, {**dict(good.wsgi_request.POST.items()), "unit": world.other_unit.pk}
    )
    assert other_unit.status_code == 200  # not a choice: only the organisation's units
    assert SicknessAbsence.objects.count() == 1


def test_an_unknown_answer_to_fully_sound_is_refused(world: World) -> None:
    """'partly' is no choice: SQLite stored it, PostgreSQL failed with a database error."""
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=None
    )
    factor = assessment.factors.get(factor="demands")
    with pytest.raises(ValidationError, match="fuldt forsvarligt"):
        services.factor_assessment_update(
            factor=factor,
            actor=None,
            extent="",
            duration="",
            character="",
            measures=[],
            measures_other="",
            combination="",
            fully_sound="partly",
            actions="",
            action_plan_id=None,
        )
    factor.refresh_from_db()
    assert factor.fully_sound == ""
