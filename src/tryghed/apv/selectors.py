"""Reads for the APV, scoped to what the acting user may see.

Risk assessments follow the unit tree (a leader sees their subtree); the APV document is
for every member of the organisation; the rest is for the work-environment organisation.
Another organisation's object is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tryghed.apv.health import AbsenceRow, absence_rows
from tryghed.apv.models import (
    ApvDocument,
    FactorAssessment,
    FullySound,
    IndicatorEntry,
    RiskAssessment,
    RiskFactor,
    SicknessAbsence,
    WellbeingTeamMember,
    WorkChange,
)
from tryghed.core.figures import shown
from tryghed.core.instruments import Instrument, load_builtin
from tryghed.orgs.models import Membership, Organisation, Role, Unit
from tryghed.orgs.selectors import OrgAccess, visible_units
from tryghed.results.aggregates import is_published, publication
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments, scope_units

if TYPE_CHECKING:
    from tryghed.actions.models import ActionPlan

REVISION_YEARS = 3


def can_write(access: OrgAccess) -> bool:
    """The work-environment organisation and administrators write the APV."""
    return access.sees_whole_organisation


# --------------------------------------------------------------------------- screening


def _screening_instrument(instruments: Iterable[Instrument]) -> Instrument | None:
    """The APV screening (risk5): the instrument whose file declares ``display:
    risk_factors``, the key figure shown beside each risk factor (instruments.md section 9)."""
    return next((i for i in instruments if i.shown_as.risk_factors), None)


def latest_screening(unit: Unit) -> Measurement | None:
    """The unit's latest closed measurement that asked the screening and covered the unit."""
    screening = _screening_instrument(load_builtin().values())
    if screening is None:
        return None
    candidates = Measurement.objects.filter(
        organisation_id=unit.organisation_id,
        status=Status.CLOSED,
        instruments__instrument_id=screening.id,
    ).order_by("-closes_on", "-pk")
    for measurement in candidates:
        if scope_units(measurement).filter(pk=unit.pk).exists():
            return measurement
    return None


@dataclass(frozen=True)
class ScreeningFigure:
    factor: str
    label: str
    # None when the figure is hidden (too few answered) or missing.
    share: float | None
    n: int | None
    hidden: bool

    @property
    def percent(self) -> int | None:
        return round(self.share * 100) if self.share is not None else None


def screening_figures(measurement: Measurement | None, unit: Unit) -> list[ScreeningFigure]:
    """The screening's key figure per factor for the unit and its subtree, as the report
    shows it.

    Read from the report data only, so the suppression engine decides what is shown
    (krænkende handlinger and vold use the sensitive minimum)."""
    if measurement is None or not is_published(measurement):
        return []  # no live figures while it is open (privacy.md section 3)
    published = publication(measurement, units=[unit.pk])
    screening = _screening_instrument(measurement_instruments(measurement))
    if (
        screening is None
        or not published.has_unit(unit.pk)
        or published.instrument(screening.id) is None
    ):
        return []
    shown_group = published.shown_group(unit.pk, "subtree")
    block = shown_group.instrument(screening.id) if shown_group is not None else None
    declared = dict(screening.shown_as.risk_factors)
    out = []
    for factor in RiskFactor:
        figure_id = declared.get(factor.value)
        figure = (
            shown(block.key_figure(figure_id))
            if block is not None and figure_id is not None
            else None
        )
        out.append(
            ScreeningFigure(
                factor=factor.value,
                label=str(factor.label),
                share=figure.share if figure is not None else None,
                n=figure.n if figure is not None else None,
                hidden=figure is None,
            )
        )
    return out


# --------------------------------------------------------------------------- risk assessments


def risk_assessments(access: OrgAccess) -> QuerySet[RiskAssessment]:
    if not access.can_view_structure:
        return RiskAssessment.objects.none()
    return (
        RiskAssessment.objects.filter(organisation=access.organisation)
        .filter(access.unit_filter("unit__"))
        .select_related("unit", "measurement", "work_change")
    )


def get_risk_assessment(access: OrgAccess, assessment_id: int) -> RiskAssessment:
    try:
        return risk_assessments(access).get(pk=assessment_id)
    except RiskAssessment.DoesNotExist:
        raise Http404 from None


def get_factor(assessment: RiskAssessment, factor: str) -> FactorAssessment:
    try:
        return assessment.factors.get(factor=factor)
    except FactorAssessment.DoesNotExist:
        raise Http404 from None


def latest_by_unit(assessments: QuerySet[RiskAssessment]) -> dict[int, RiskAssessment]:
    """The newest assessment of each unit."""
    latest: dict[int, RiskAssessment] = {}
    for assessment in assessments.order_by("unit_id", "-assessed_on", "-pk"):
        latest.setdefault(assessment.unit_id, assessment)
    return latest


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    assessment: RiskAssessment | None
    not_sound: int
    unjudged: int


def assessment_overview(access: OrgAccess) -> list[UnitRow]:
    """Every visible active unit with its latest assessment and how it was judged."""
    latest = latest_by_unit(risk_assessments(access))
    judged: dict[int, list[str]] = {}
    for assessment_id, verdict in FactorAssessment.objects.filter(
        assessment__in=[a.pk for a in latest.values()]
    ).values_list("assessment_id", "fully_sound"):
        judged.setdefault(assessment_id, []).append(verdict)
    rows = []
    for unit in visible_units(access).filter(is_active=True).order_by("path"):
        assessment = latest.get(unit.pk)
        verdicts = judged.get(assessment.pk, []) if assessment is not None else []
        rows.append(
            UnitRow(
                unit=unit,
                assessment=assessment,
                not_sound=verdicts.count(FullySound.NO),
                unjudged=verdicts.count(""),
            )
        )
    return rows


def actions_installed() -> bool:
    return apps.is_installed("tryghed.actions")


def unit_plans(unit: Unit) -> list[ActionPlan]:
    """The actions app's plans for the unit, or none when that app is not installed."""
    if not actions_installed():
        return []
    from tryghed.actions.models import ActionPlan

    return list(ActionPlan.objects.filter(focus_area__unit=unit).select_related("focus_area"))


def plans_by_id(ids: list[int]) -> dict[int, ActionPlan]:
    if not actions_installed() or not ids:
        return {}
    from tryghed.actions.models import ActionPlan

    return ActionPlan.objects.select_related("focus_area").in_bulk(ids)


# --------------------------------------------------------------------------- the APV document


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def document_for(organisation: Organisation) -> ApvDocument:
    """The organisation's APV document; an unsaved empty one before anything is written."""
    return ApvDocument.objects.filter(organisation=organisation).first() or ApvDocument(
        organisation=organisation
    )


def revision_due(document: ApvDocument) -> dt.date | None:
    return add_years(document.adopted_on, REVISION_YEARS) if document.adopted_on else None


def pending_changes(organisation: Organisation, document: ApvDocument) -> QuerySet[WorkChange]:
    """Changes in the work since the APV was adopted: each one calls for a revision."""
    changes = WorkChange.objects.filter(organisation=organisation)
    if document.adopted_on is not None:
        changes = changes.filter(changed_on__gte=document.adopted_on)
    return changes.select_related("unit")


@dataclass(frozen=True)
class Revision:
    due: dt.date | None
    overdue: bool
    changes: list[WorkChange]

    @property
    def needed(self) -> bool:
        return self.due is None or self.overdue or bool(self.changes)


def revision_state(organisation: Organisation, today: dt.date | None = None) -> Revision:
    document = document_for(organisation)
    due = revision_due(document)
    today = today or timezone.localdate()
    return Revision(
        due=due,
        overdue=due is not None and today >= due,
        changes=list(pending_changes(organisation, document)),
    )


@dataclass
class ApvContent:
    """The four legal elements of the APV for an organisation, or for one unit's subtree."""

    organisation: Organisation
    unit: Unit | None
    document: ApvDocument
    revision: Revision
    assessments: list[RiskAssessment] = field(default_factory=list)
    factors: dict[int, list[FactorAssessment]] = field(default_factory=dict)
    plans: dict[int, ActionPlan] = field(default_factory=dict)
    # Each with whether this reader may see its figures (apv.health, privacy.md section 2).
    absences: list[AbsenceRow] = field(default_factory=list)
    action_plans: list[ActionPlan] = field(default_factory=list)
    actions_available: bool = False

    @property
    def assessment_rows(
        self,
    ) -> list[tuple[RiskAssessment, list[tuple[FactorAssessment, ActionPlan | None]]]]:
        return [
            (
                assessment,
                [
                    (f, self.plans.get(f.action_plan_id) if f.action_plan_id else None)
                    for f in self.factors.get(assessment.pk, [])
                ],
            )
            for assessment in self.assessments
        ]


def apv_content(
    organisation: Organisation, unit: Unit | None = None, *, access: OrgAccess | None = None
) -> ApvContent:
    """What the APV document shows. It holds the written assessments and figures entered by
    hand, never survey figures, so every member of the organisation may read it; sickness
    absence shows its figures only for units of at least 10 employees that ``access`` sees
    (none without a reader)."""
    in_tree = Q() if unit is None else Q(unit__path__startswith=unit.path)
    latest = latest_by_unit(
        RiskAssessment.objects.filter(organisation=organisation)
        .filter(in_tree)
        .select_related("unit")  # the document names each assessment's unit
    )
    assessments = sorted(latest.values(), key=lambda a: a.unit.path)
    factors: dict[int, list[FactorAssessment]] = {}
    for factor in FactorAssessment.objects.filter(assessment__in=[a.pk for a in assessments]):
        factors.setdefault(factor.assessment_id, []).append(factor)
    plan_ids = [
        f.action_plan_id for fs in factors.values() for f in fs if f.action_plan_id is not None
    ]
    action_plans: list[ActionPlan] = []
    if actions_installed():
        from tryghed.actions.models import ActionPlan

        plans = ActionPlan.objects.filter(organisation=organisation).select_related(
            "focus_area", "focus_area__unit"
        )
        if unit is not None:
            plans = plans.filter(focus_area__unit__path__startswith=unit.path)
        action_plans = list(plans.prefetch_related("actions"))
    return ApvContent(
        organisation=organisation,
        unit=unit,
        document=document_for(organisation),
        revision=revision_state(organisation),
        assessments=assessments,
        factors=factors,
        plans=plans_by_id(plan_ids),
        absences=absence_rows(
            access,
            SicknessAbsence.objects.filter(organisation=organisation)
            .filter(in_tree)
            .select_related("unit"),
        ),
        action_plans=action_plans,
        actions_available=actions_installed(),
    )


def get_org_unit(access: OrgAccess, unit_id: int) -> Unit:
    """Any unit of the organisation (the APV is for everyone in it); 404 elsewhere."""
    try:
        return Unit.objects.get(organisation=access.organisation, pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None


# --------------------------------------------------------------------------- the rest


def sickness_absences(access: OrgAccess) -> QuerySet[SicknessAbsence]:
    if not can_write(access):
        return SicknessAbsence.objects.none()
    return SicknessAbsence.objects.filter(organisation=access.organisation).select_related("unit")


def get_sickness_absence(access: OrgAccess, absence_id: int) -> SicknessAbsence:
    try:
        return sickness_absences(access).get(pk=absence_id)
    except SicknessAbsence.DoesNotExist:
        raise Http404 from None


def work_changes(access: OrgAccess) -> QuerySet[WorkChange]:
    if not can_write(access):
        return WorkChange.objects.none()
    return WorkChange.objects.filter(organisation=access.organisation).select_related("unit")


def get_work_change(access: OrgAccess, change_id: int) -> WorkChange:
    try:
        return work_changes(access).get(pk=change_id)
    except WorkChange.DoesNotExist:
        raise Http404 from None


def team_members(organisation: Organisation) -> QuerySet[WellbeingTeamMember]:
    return WellbeingTeamMember.objects.filter(organisation=organisation)


def get_team_member(access: OrgAccess, member_id: int) -> WellbeingTeamMember:
    if not can_write(access):
        raise Http404
    try:
        return team_members(access.organisation).get(pk=member_id)
    except WellbeingTeamMember.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class TeamBalance:
    members: int
    managers: int

    @property
    def non_managers(self) -> int:
        return self.members - self.managers

    @property
    def too_few_non_managers(self) -> bool:
        """Seed 004: at least half of the team must be employees outside management."""
        return self.members > 0 and 2 * self.non_managers < self.members


def team_balance(organisation: Organisation) -> TeamBalance:
    counted = team_members(organisation).aggregate(
        members=Count("pk"), managers=Count("pk", filter=Q(is_manager=True))
    )
    return TeamBalance(members=counted["members"], managers=counted["managers"])


def indicator_entries(organisation: Organisation) -> QuerySet[IndicatorEntry]:
    return IndicatorEntry.objects.filter(organisation=organisation)


def get_indicator_entry(access: OrgAccess, entry_id: int) -> IndicatorEntry:
    if not can_write(access):
        raise Http404
    try:
        return indicator_entries(access.organisation).get(pk=entry_id)
    except IndicatorEntry.DoesNotExist:
        raise Http404 from None


def reminder_recipients(organisation: Organisation) -> list[str]:
    """The work-environment organisation and the administrators."""
    return sorted(
        set(
            Membership.objects.filter(organisation=organisation, role__in=[Role.ADMIN, Role.AMO])
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
