"""Proactive leading indicators of Vision Zero's 7 golden rules (seed 004).

Computed from the product's own data where it can; where it cannot, the organisation
enters them by hand (``IndicatorEntry``). A computed indicator whose data is not there
says so rather than showing 0 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tryghed.apv.models import GoldenRule, RiskAssessment, WorkChange, WorkChangeKind
from tryghed.apv.selectors import actions_installed
from tryghed.orgs.models import Organisation, Unit
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.participation import response_rates


@dataclass(frozen=True)
class Indicator:
    rule: int
    label: str
    numerator: int | None
    denominator: int | None
    # Why there is no figure, when there is none.
    unavailable: str = ""

    @property
    def available(self) -> bool:
        return not self.unavailable and bool(self.denominator)

    @property
    def percent(self) -> int | None:
        if not self.available or self.numerator is None or not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator)


def _not_available(rule: GoldenRule, label: str, why: str) -> Indicator:
    return Indicator(rule.value, label, None, None, unavailable=why)


def computed_indicators(
    organisation: Organisation, today: dt.date | None = None
) -> list[Indicator]:
    today = today or timezone.localdate()
    units = Unit.objects.filter(organisation=organisation, is_active=True)
    n_units = units.count()
    out: list[Indicator] = []

    # Rule 2: risk assessments of recorded changes, and units with a risk assessment.
    # The changes' counts for rules 2 and 5 in one query (a count per query costs a round
    # trip each, docs/benchmarks.md).
    equipment = Q(kind__in=[WorkChangeKind.IT, WorkChangeKind.PREMISES])
    assessed = Q(risk_assessments__isnull=False)
    changes = WorkChange.objects.filter(organisation=organisation).aggregate(
        total=Count("pk", distinct=True),
        assessed=Count("pk", filter=assessed, distinct=True),
        equipment=Count("pk", filter=equipment, distinct=True),
        equipment_assessed=Count("pk", filter=equipment & assessed, distinct=True),
    )
    label = _("Registrerede ændringer i arbejdet, der er risikovurderet")
    if changes["total"]:
        out.append(Indicator(GoldenRule.HAZARDS, label, changes["assessed"], changes["total"]))
    else:
        out.append(
            _not_available(GoldenRule.HAZARDS, label, _("Der er ikke registreret ændringer."))
        )
    assessed_units = (
        RiskAssessment.objects.filter(organisation=organisation, unit__is_active=True)
        .values("unit")
        .distinct()
        .count()
    )
    out.append(
        Indicator(
            GoldenRule.HAZARDS,
            _("Enheder med en risikovurdering af de fem risikofaktorer"),
            assessed_units,
            n_units,
        )
    )

    # Rules 3 and 4 need the action plans.
    plans_label = _("Enheder med en handleplan")
    on_time_label = _("Handleplaner evalueret til tiden")
    visible_label = _("Handleplaner med en opfølgning, som medarbejderne kan se")
    if actions_installed():
        from tryghed.actions.models import ActionPlan, PlanStatus

        plans = ActionPlan.objects.filter(organisation=organisation)
        with_plans = (
            plans.filter(focus_area__unit__is_active=True)
            .values("focus_area__unit")
            .distinct()
            .count()
        )
        out.append(Indicator(GoldenRule.TARGETS, plans_label, with_plans, n_units))
        due = Q(evaluation_date__isnull=False, evaluation_date__lt=today)
        counted = plans.aggregate(
            total=Count("pk"),
            due=Count("pk", filter=due),
            on_time=Count(
                "pk",
                filter=due & Q(evaluated_on__isnull=False, evaluated_on__lte=F("evaluation_date")),
            ),
            followed=Count(
                "pk",
                filter=Q(status__in=[PlanStatus.DONE, PlanStatus.EVALUATED])
                | Q(evaluated_on__isnull=False),
            ),
        )
        if counted["due"]:
            out.append(
                Indicator(GoldenRule.TARGETS, on_time_label, counted["on_time"], counted["due"])
            )
        else:
            out.append(
                _not_available(
                    GoldenRule.TARGETS,
                    on_time_label,
                    _("Ingen handleplan har passeret sin evalueringsdato endnu."),
                )
            )
        if counted["total"]:
            out.append(
                Indicator(GoldenRule.SYSTEM, visible_label, counted["followed"], counted["total"])
            )
        else:
            out.append(
                _not_available(GoldenRule.SYSTEM, visible_label, _("Der er ingen handleplaner."))
            )
    else:
        why = _("Ikke tilgængelig: handleplanmodulet er ikke installeret.")
        out.append(_not_available(GoldenRule.TARGETS, plans_label, why))
        out.append(_not_available(GoldenRule.TARGETS, on_time_label, why))
        out.append(_not_available(GoldenRule.SYSTEM, visible_label, why))

    # Rule 5: new IT systems and premises risk-assessed before they are taken into use.
    label = _("Nye IT-systemer og lokaler, hvor trivslen er vurderet")
    if changes["equipment"]:
        out.append(
            Indicator(
                GoldenRule.EQUIPMENT, label, changes["equipment_assessed"], changes["equipment"]
            )
        )
    else:
        out.append(
            _not_available(
                GoldenRule.EQUIPMENT,
                label,
                _("Der er ikke registreret nye IT-systemer eller lokaler."),
            )
        )

    # Rule 7: people involved in the mapping: the latest closed measurement's response rate.
    latest = (
        Measurement.objects.filter(organisation=organisation, status=Status.CLOSED)
        .order_by("-closes_on", "-pk")
        .first()
    )
    label = _("Svarprocent i den seneste afsluttede måling")
    total = response_rates(latest)[1] if latest is not None else None
    if total is not None and total.shown:
        out.append(Indicator(GoldenRule.PEOPLE, label, total.responses, total.invited))
    elif total is not None:
        # Suppressed like every participation figure (privacy.md section 4).
        out.append(_not_available(GoldenRule.PEOPLE, label, total.hidden_text))
    else:
        out.append(
            _not_available(GoldenRule.PEOPLE, label, _("Der er ingen afsluttet måling endnu."))
        )
    return out
