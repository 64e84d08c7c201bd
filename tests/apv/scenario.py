"""APV data for the browser crawl: one of each object, and the path values that reach them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.conftest import World
from tryghed.apv import services
from tryghed.apv.models import RiskFactor


def apv_values(world: World) -> dict[str, object]:
    """Path values for the APV pages, with an adopted APV that has content to show."""
    services.apv_document_update(
        organisation=world.org,
        actor=world.amo,
        adopted_on=dt.date(2026, 3, 1),
        sickness_summary="Sygefraværet er på niveau med sidste år.",
        action_plan_text="",
        follow_up_guidelines="Arbejdsmiljøudvalget følger op hvert kvartal.",
    )
    change = services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_a,
        kind="it",
        description="Nyt planlægningssystem",
        changed_on=dt.date(2026, 9, 1),
    )
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo, work_change=change
    )
    services.factor_assessment_update(
        factor=assessment.factors.get(factor=RiskFactor.WORKLOAD),
        actor=world.amo,
        extent="Halvdelen af teamet oplever ofte tidspres.",
        duration="Siden sommeren.",
        character="Pauser springes over.",
        measures=["planning", "support"],
        measures_other="",
        combination="",
        fully_sound="no",
        actions="Ny prioriteringsmodel.",
        action_plan_id=None,
    )
    absence = services.sickness_absence_record(
        organisation=world.org,
        unit=world.team_a,
        actor=world.amo,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        absence_percent=Decimal("5.1"),
        absence_days=Decimal("6.0"),
        contributes="partly",
        assessment="Delvist arbejdsbetinget.",
    )
    member = services.team_member_add(
        organisation=world.org, actor=world.amo, name="Hanne Holm", function="SSA", is_manager=False
    )
    entry = services.indicator_entry_add(
        organisation=world.org,
        actor=world.amo,
        rule=1,
        indicator="Afdelingsmøder med trivsel på dagsordenen",
        value="9 af 12",
        period="2026",
    )
    return {
        "assessment_id": assessment.pk,
        "factor": RiskFactor.WORKLOAD.value,
        "absence_id": absence.pk,
        "change_id": change.pk,
        "member_id": member.pk,
        "entry_id": entry.pk,
    }
