"""Writes for the APV. Each runs in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tryghed.apv import health, selectors
from tryghed.apv.models import (
    ApvDocument,
    ApvReminder,
    FactorAssessment,
    FullySound,
    IndicatorEntry,
    PreventiveMeasure,
    RiskAssessment,
    RiskFactor,
    SicknessAbsence,
    WellbeingTeamMember,
    WorkChange,
)
from tryghed.apv.tasks import send_apv_reminder
from tryghed.audit.services import audit_record
from tryghed.orgs.models import Organisation, Unit

if TYPE_CHECKING:
    from tryghed.accounts.models import User

REVISION_NOTICE_DAYS = 60


def _same_organisation(organisation: Organisation, unit: Unit | None) -> None:
    if unit is not None and unit.organisation_id != organisation.pk:
        raise ValidationError(_("Enheden hører til en anden organisation."))


@transaction.atomic
def risk_assessment_start(
    *,
    organisation: Organisation,
    unit: Unit,
    actor: User | None,
    work_change: WorkChange | None = None,
    assessed_on: dt.date | None = None,
) -> RiskAssessment:
    """A new risk assessment of the unit, one row per risk factor, on the latest screening."""
    _same_organisation(organisation, unit)
    if work_change is not None and work_change.organisation_id != organisation.pk:
        raise ValidationError(_("Ændringen hører til en anden organisation."))
    assessment = RiskAssessment.objects.create(
        organisation=organisation,
        unit=unit,
        measurement=selectors.latest_screening(unit),
        work_change=work_change,
        assessed_on=assessed_on or timezone.localdate(),
        created_by=actor,
    )
    FactorAssessment.objects.bulk_create(
        FactorAssessment(assessment=assessment, factor=factor) for factor in RiskFactor.values
    )
    audit_record(
        actor=actor,
        action="apv.risk_assessment.started",
        organisation=organisation,
        obj=assessment,
        summary=unit.name,
        data={
            "unit": unit.pk,
            "measurement": assessment.measurement_id,
            "work_change": work_change.pk if work_change is not None else None,
        },
    )
    return assessment


FACTOR_FIELDS = (
    "extent",
    "duration",
    "character",
    "measures",
    "measures_other",
    "combination",
    "fully_sound",
    "actions",
    "action_plan_id",
)


@transaction.atomic
def factor_assessment_update(
    *,
    factor: FactorAssessment,
    actor: User | None,
    extent: str,
    duration: str,
    character: str,
    measures: list[str],
    measures_other: str,
    combination: str,
    fully_sound: str,
    actions: str,
    action_plan_id: int | None,
) -> FactorAssessment:
    """Write the assessment of one risk factor; a plan link must be the unit's own plan."""
    factor = (
        FactorAssessment.objects.select_for_update()
        .select_related("assessment", "assessment__unit")
        .get(pk=factor.pk)
    )
    unknown = set(measures) - set(PreventiveMeasure.values)
    if unknown:
        raise ValidationError(_("Ukendt forebyggende tiltag."))
    if fully_sound not in ("", *FullySound.values):
        # SQLite stored any text here; PostgreSQL refused it with a database error.
        raise ValidationError(_("Ukendt svar på, om arbejdsmiljøet er fuldt forsvarligt."))
    if action_plan_id is not None and action_plan_id not in {
        plan.pk for plan in selectors.unit_plans(factor.assessment.unit)
    }:
        raise ValidationError(_("Handleplanen hører ikke til enheden."))
    before = {name: getattr(factor, name) for name in FACTOR_FIELDS}
    factor.extent = extent
    factor.duration = duration
    factor.character = character
    factor.measures = [m for m in PreventiveMeasure.values if m in measures]
    factor.measures_other = measures_other
    factor.combination = combination
    factor.fully_sound = fully_sound
    factor.actions = actions
    factor.action_plan_id = action_plan_id
    factor.save()
    RiskAssessment.objects.filter(pk=factor.assessment_id).update(updated_at=timezone.now())
    changed = [name for name in FACTOR_FIELDS if before[name] != getattr(factor, name)]
    audit_record(
        actor=actor,
        action="apv.risk_factor.assessed",
        organisation=factor.assessment.unit.organisation,
        obj=factor.assessment,
        summary=f"{factor.assessment.unit.name}: {factor.get_factor_display()}",
        data={"factor": factor.factor, "changed": changed, "fully_sound": factor.fully_sound},
    )
    return factor


@transaction.atomic
def sickness_absence_record(
    *,
    organisation: Organisation,
    unit: Unit,
    actor: User | None,
    period_start: dt.date,
    period_end: dt.date,
    absence_percent: Decimal,
    absence_days: Decimal | None,
    contributes: str,
    assessment: str,
) -> SicknessAbsence:
    _same_organisation(organisation, unit)
    if period_end < period_start:
        raise ValidationError({"period_end": _("Perioden skal slutte efter, den begynder.")})
    if not Decimal(0) <= absence_percent <= Decimal(100):
        raise ValidationError({"absence_percent": _("Angiv en procent mellem 0 og 100.")})
    absence = SicknessAbsence.objects.create(
        organisation=organisation,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        absence_percent=absence_percent,
        absence_days=absence_days,
        contributes=contributes,
        assessment=assessment,
        created_by=actor,
    )
    # The headcount and the decision to show it are frozen now (privacy.md section 3).
    health.freeze(absence)
    audit_record(
        actor=actor,
        action="apv.sickness_absence.recorded",
        organisation=organisation,
        obj=absence,
        summary=f"{unit.name} {period_start}–{period_end}",
        data={"percent": str(absence_percent), "contributes": contributes},
    )
    return absence


@transaction.atomic
def sickness_absence_delete(*, absence: SicknessAbsence, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="apv.sickness_absence.deleted",
        organisation=absence.organisation,
        obj=absence,
        summary=str(absence),
    )
    absence.delete()


@transaction.atomic
def apv_document_update(
    *,
    organisation: Organisation,
    actor: User | None,
    adopted_on: dt.date | None,
    sickness_summary: str,
    action_plan_text: str,
    follow_up_guidelines: str,
) -> ApvDocument:
    """Write the APV's texts; a new adoption date is a revision and sets the next one."""
    document, _created = ApvDocument.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    revised = adopted_on != document.adopted_on
    document.adopted_on = adopted_on
    document.sickness_summary = sickness_summary
    document.action_plan_text = action_plan_text
    document.follow_up_guidelines = follow_up_guidelines
    document.save()
    due = selectors.revision_due(document)
    audit_record(
        actor=actor,
        action="apv.document.revised" if revised else "apv.document.updated",
        organisation=organisation,
        obj=document,
        summary=_("Næste revision senest %(due)s") % {"due": due} if due else "",
        data={"adopted_on": str(adopted_on) if adopted_on else None},
    )
    return document


@transaction.atomic
def work_change_record(
    *,
    organisation: Organisation,
    actor: User | None,
    unit: Unit | None,
    kind: str,
    description: str,
    changed_on: dt.date,
) -> WorkChange:
    """Record a change in the work (new methods, IT systems, premises): the APV needs a
    revision, and ``remind-apv`` reminds the work-environment organisation."""
    _same_organisation(organisation, unit)
    change = WorkChange.objects.create(
        organisation=organisation,
        unit=unit,
        kind=kind,
        description=description,
        changed_on=changed_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="apv.work_change.recorded",
        organisation=organisation,
        obj=change,
        summary=description[:200],
        data={"kind": kind, "unit": unit.pk if unit is not None else None},
    )
    return change


@transaction.atomic
def team_member_add(
    *, organisation: Organisation, actor: User | None, name: str, function: str, is_manager: bool
) -> WellbeingTeamMember:
    member = WellbeingTeamMember.objects.create(
        organisation=organisation, name=name, function=function, is_manager=is_manager
    )
    audit_record(
        actor=actor,
        action="apv.team.member_added",
        organisation=organisation,
        obj=member,
        summary=name,
        data={"is_manager": is_manager},
    )
    return member


@transaction.atomic
def team_member_remove(*, member: WellbeingTeamMember, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="apv.team.member_removed",
        organisation=member.organisation,
        obj=member,
        summary=member.name,
    )
    member.delete()


@transaction.atomic
def indicator_entry_add(
    *,
    organisation: Organisation,
    actor: User | None,
    rule: int,
    indicator: str,
    value: str,
    period: str,
) -> IndicatorEntry:
    entry = IndicatorEntry.objects.create(
        organisation=organisation,
        rule=rule,
        indicator=indicator,
        value=value,
        period=period,
        entered_by=actor,
    )
    audit_record(
        actor=actor,
        action="apv.indicator.entered",
        organisation=organisation,
        obj=entry,
        summary=f"{indicator}: {value}",
        data={"rule": rule},
    )
    return entry


@transaction.atomic
def indicator_entry_delete(*, entry: IndicatorEntry, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="apv.indicator.deleted",
        organisation=entry.organisation,
        obj=entry,
        summary=entry.indicator,
    )
    entry.delete()


# --------------------------------------------------------------------------- reminders


def reminder_keys(organisation: Organisation, today: dt.date) -> list[str]:
    """Why the organisation should hear about its APV today, one key per reason."""
    document = selectors.document_for(organisation)
    keys: list[str] = []
    due = selectors.revision_due(document)
    if due is not None:
        if today >= due:
            keys.append(f"overdue:{due.isoformat()}")
        elif (due - today).days <= REVISION_NOTICE_DAYS:
            keys.append(f"revision:{due.isoformat()}")
    keys += [
        f"change:{pk}"
        for pk in selectors.pending_changes(organisation, document).values_list("pk", flat=True)
    ]
    return keys


def apv_reminders_send(*, today: dt.date | None = None) -> int:
    """Queue each reminder that is due and not yet sent; safe to run every day.

    A reminder row is created before the e-mail is queued (after commit): the unique key
    makes a second run, or two runs at once, send nothing more."""
    today = today or timezone.localdate()
    organisations = Organisation.objects.filter(
        pk__in=ApvDocument.objects.filter(adopted_on__isnull=False).values("organisation")
    ) | Organisation.objects.filter(pk__in=WorkChange.objects.values("organisation"))
    queued = 0
    for organisation in organisations.distinct().order_by("pk"):
        sent = set(
            ApvReminder.objects.filter(organisation=organisation).values_list("key", flat=True)
        )
        recipients = selectors.reminder_recipients(organisation)
        for key in reminder_keys(organisation, today):
            if key in sent:
                continue
            try:
                with transaction.atomic():
                    reminder = ApvReminder.objects.create(
                        organisation=organisation,
                        key=key,
                        sent_on=today,
                        recipients=len(recipients),
                    )
                    audit_record(
                        actor=None,
                        action="apv.reminder.queued",
                        organisation=organisation,
                        obj=reminder,
                        summary=key,
                        data={"recipients": len(recipients)},
                    )
                    transaction.on_commit(partial(send_apv_reminder.enqueue, reminder.pk))
            except IntegrityError:
                continue  # another run got there first
            queued += 1
    return queued
