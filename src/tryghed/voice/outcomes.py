"""What a case led to: "Det blev til en handling" (issue 11).

The receiver turns a case into an action in a plan of the case's unit, or into a focus
area of the unit, with one form; the actions app's services write it (with their own
audit rows and plan history). The plan is read by the unit, so nothing of the case's
text goes into it: the receiver writes the wording, from a title suggested by the kind.
The reporter, opening the case with the code, sees the title and its status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tryghed.actions import selectors as action_selectors
from tryghed.actions import services as action_services
from tryghed.actions.models import Action, ActionPlan, FocusArea
from tryghed.actions.selectors import Figure
from tryghed.audit.services import audit_record
from tryghed.orgs.selectors import OrgAccess
from tryghed.surveys.models import Measurement
from tryghed.voice.models import Case, Kind

if TYPE_CHECKING:
    from tryghed.accounts.models import User

# The suggested wording, by kind: general enough for the unit to read, never the case text.
SUGGESTED_TITLES: dict[str, Promise] = {
    Kind.CONCERN: gettext_lazy("Følg op på en bekymring, der er rejst i Sig det"),
    Kind.IDEA: gettext_lazy("Afprøv et forslag fra Sig det"),
    Kind.NEAR_MISS: gettext_lazy("Forebyg, at en nærved-hændelse sker igen"),
    Kind.MISTAKE: gettext_lazy("Lær af en fejl, der er meldt i Sig det"),
    Kind.OFFENSIVE: gettext_lazy("Forebyg krænkende handlinger"),
    Kind.VIOLENCE: gettext_lazy("Forebyg vold og trusler"),
}
# How many of the newest closed measurements are looked through for the unit's figures.
_MEASUREMENTS_LOOKED_AT = 3


def suggested_title(case: Case) -> str:
    found = SUGGESTED_TITLES.get(case.kind)
    return str(found) if found is not None else _("Følg op på en sag fra Sig det")


def has_outcome(case: Case) -> bool:
    return case.focus_area_id is not None or case.action_id is not None


def unit_plans(access: OrgAccess, case: Case) -> list[ActionPlan]:
    """The plans of the case's unit that the receiver may add an action to."""
    if case.unit_id is None or not action_selectors.can_manage_plans(access):
        return []
    return list(action_selectors.plans(access).filter(focus_area__unit_id=case.unit_id))


def unit_figures(
    access: OrgAccess, case: Case, lang: str
) -> tuple[Measurement | None, list[Figure]]:
    """The newest closed measurement with shown figures for the case's unit, and those figures
    (a focus area starts from one shown figure, as on the report)."""
    if case.unit is None or not action_selectors.can_manage_plans(access):
        return None, []
    for measurement in action_selectors.closed_measurements(access)[:_MEASUREMENTS_LOOKED_AT]:
        figures = action_selectors.report_figures(measurement, case.unit, lang)
        if figures:
            return measurement, figures
    return None, []


def _locked(case: Case) -> Case:
    """The case row, locked, so two clicks at once make one action, not two."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if has_outcome(locked):
        raise ValidationError(_("Sagen er allerede blevet til en handling."))
    if locked.unit_id is None:
        raise ValidationError(_("Sagen handler ikke om en bestemt enhed."))
    return locked


def _record(*, case: Case, actor: User, day: dt.date, what: str, obj_id: int) -> None:
    case.outcome_on = case.outcome_on or day
    case.save(update_fields=["focus_area", "action", "outcome_on"])
    audit_record(
        actor=actor,
        action="voice.outcome",
        organisation=case.organisation,
        obj=case,
        data={what: obj_id},
    )


@transaction.atomic
def case_to_action(
    *,
    case: Case,
    actor: User,
    plan: ActionPlan,
    what: str,
    deadline: dt.date,
    owner_name: str,
    today: dt.date,
) -> Action:
    """An action in a plan of the case's unit, worded by the receiver."""
    locked = _locked(case)
    if plan.organisation_id != locked.organisation_id or plan.focus_area.unit_id != locked.unit_id:
        raise ValidationError({"plan": _("Vælg en handleplan for sagens enhed.")})
    action = action_services.action_add(
        plan=plan, actor=actor, what=what, deadline=deadline, owner_name=owner_name
    )
    locked.action = action
    _record(case=locked, actor=actor, day=today, what="action", obj_id=action.pk)
    case.action, case.outcome_on = action, locked.outcome_on
    return action


@transaction.atomic
def case_to_focus_area(
    *,
    case: Case,
    actor: User,
    measurement: Measurement,
    figure: Figure,
    title: str,
    today: dt.date,
) -> FocusArea:
    """A focus area of the case's unit, starting from one shown figure of its report."""
    locked = _locked(case)
    assert locked.unit is not None  # _locked refuses a case without a unit
    focus = action_services.focus_area_create(
        unit=locked.unit,
        measurement=measurement,
        actor=actor,
        kind=figure.kind,
        instrument_id=figure.instrument_id,
        figure_id=figure.figure_id,
        title=title,
        baseline=figure.baseline(),
    )
    locked.focus_area = focus
    _record(case=locked, actor=actor, day=today, what="focus_area", obj_id=focus.pk)
    case.focus_area, case.outcome_on = focus, locked.outcome_on
    return focus


@dataclass(frozen=True)
class Outcome:
    """What the reporter reads: "Det blev til en handling: <title>" and its status."""

    is_action: bool
    title: str
    status: str


def case_outcome(case: Case) -> Outcome | None:
    """The case's action or focus area as its reporter may see it, or None."""
    if case.action_id is not None:
        action = Action.objects.filter(pk=case.action_id).first()
        if action is not None:
            return Outcome(True, action.what, action.get_status_display())
    if case.focus_area_id is not None:
        focus = FocusArea.objects.filter(pk=case.focus_area_id).first()
        if focus is not None:
            plan = focus.plans.order_by("-pk").first()
            status = (
                plan.get_status_display()
                if plan is not None
                else _("Valgt som fokusområde; handleplanen er ikke skrevet endnu")
            )
            return Outcome(False, focus.title, status)
    return None
