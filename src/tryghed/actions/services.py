"""Writes for focus areas, action plans and actions.

Every write is one transaction with its audit row (tryghed.audit) and, for a plan, an
entry in the plan's own history, so the plan page shows what changed, who and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tryghed.actions.models import (
    FOCUS_AREA_NUDGE,
    Action,
    ActionPlan,
    ActionStatus,
    Ease,
    FigureKind,
    FocusArea,
    HasSolution,
    PlanEvent,
    PlanHistory,
    PlanStatus,
)
from tryghed.audit.services import audit_record
from tryghed.orgs.models import Membership, Person, Role, Unit
from tryghed.surveys.models import Measurement

if TYPE_CHECKING:
    from tryghed.accounts.models import User

PLAN_FIELDS = (
    "problem",
    "goal",
    "level",
    "prevention",
    "evaluation_criteria",
    "evaluation_date",
    "status",
    "participants_count",
    "participants",
)
ACTION_FIELDS = ("what", "owner_person", "owner_name", "deadline", "status")
EVALUATION_FIELDS = ("learning_evaluation", "effect_evaluation", "evaluated_on")


def _raw(value: Any) -> Any:
    """A value as stored in the history: JSON-friendly, a person by id and name."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Person):
        return {"id": value.pk, "name": value.name}
    return value


def _apply(obj: Any, fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Set the fields on obj; the list of what actually changed."""
    changes: list[dict[str, Any]] = []
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes.append({"field": name, "before": _raw(before), "after": _raw(value)})
            setattr(obj, name, value)
    return changes


def _history(
    *,
    plan: ActionPlan,
    actor: User | None,
    event: str,
    changes: list[dict[str, Any]],
    action: Action | None = None,
) -> PlanHistory:
    return PlanHistory.objects.create(
        plan=plan,
        event=event,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        changes=changes,
    )


def _audit(
    *, actor: User | None, what: str, plan: ActionPlan | FocusArea, obj: Any, changes: Any
) -> None:
    audit_record(
        actor=actor,
        action=f"actions.{what}",
        organisation=plan.organisation,
        obj=obj,
        summary=str(plan)[:200],
        data={"changes": changes},
    )


# --------------------------------------------------------------------------- focus areas


def focus_area_count(*, unit: Unit, measurement: Measurement) -> int:
    return FocusArea.objects.filter(unit=unit, measurement=measurement).count()


def over_nudge(count: int) -> bool:
    """More focus areas than the product recommends (few but important, seed 003)."""
    return count > FOCUS_AREA_NUDGE


@transaction.atomic
def focus_area_create(
    *,
    unit: Unit,
    measurement: Measurement,
    actor: User | None,
    kind: str,
    instrument_id: str,
    figure_id: str,
    title: str,
    baseline: Mapping[str, Any],
    has_solution: str = HasSolution.UNKNOWN,
    ease: str = Ease.MODERATE,
    cost_of_ignoring: str = "",
) -> FocusArea:
    """A focus area from one shown figure of the unit's report. A fourth one is allowed
    (the caller warns); the product nudges, it does not forbid."""
    if unit.organisation_id != measurement.organisation_id:
        raise ValidationError(_("Målingen hører til en anden organisation."))
    if kind not in FigureKind.values:
        raise ValidationError(_("Vælg en skala eller et spørgsmål."))
    if not title.strip():
        raise ValidationError({"title": _("Giv fokusområdet et navn.")})
    focus = FocusArea.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        measurement=measurement,
        kind=kind,
        instrument_id=instrument_id,
        figure_id=figure_id,
        title=title.strip(),
        baseline=dict(baseline),
        has_solution=has_solution,
        ease=ease,
        cost_of_ignoring=cost_of_ignoring.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="actions.focus_area_created",
        organisation=unit.organisation,
        obj=focus,
        summary=focus.title,
        data={
            "unit": unit.pk,
            "measurement": measurement.pk,
            "figure": f"{kind}:{instrument_id}:{figure_id}",
            "baseline": dict(baseline),
        },
    )
    return focus


@transaction.atomic
def focus_area_update(
    *,
    focus: FocusArea,
    actor: User | None,
    title: str,
    has_solution: str,
    ease: str,
    cost_of_ignoring: str,
) -> FocusArea:
    """The prioritisation answers (seed 004) and the name of a focus area."""
    if not title.strip():
        raise ValidationError({"title": _("Giv fokusområdet et navn.")})
    changes = _apply(
        focus,
        {
            "title": title.strip(),
            "has_solution": has_solution,
            "ease": ease,
            "cost_of_ignoring": cost_of_ignoring.strip(),
        },
    )
    if changes:
        focus.save()
        audit_record(
            actor=actor,
            action="actions.focus_area_updated",
            organisation=focus.organisation,
            obj=focus,
            summary=focus.title,
            data={"changes": changes},
        )
    return focus


# --------------------------------------------------------------------------- plans


@transaction.atomic
def plan_create(
    *,
    focus: FocusArea,
    actor: User | None,
    problem: str,
    goal: str,
    level: str,
    prevention: str,
    evaluation_criteria: str = "",
    evaluation_date: dt.date | None = None,
    status: str = PlanStatus.PLANNED,
    participants_count: int | None = None,
    participants: str = "",
) -> ActionPlan:
    if not problem.strip() or not goal.strip():
        raise ValidationError(_("Beskriv både problemet og målet."))
    plan = ActionPlan(
        organisation_id=focus.organisation_id,
        focus_area=focus,
        created_by=actor,
    )
    fields = {
        "problem": problem.strip(),
        "goal": goal.strip(),
        "level": level,
        "prevention": prevention,
        "evaluation_criteria": evaluation_criteria.strip(),
        "evaluation_date": evaluation_date,
        "status": status,
        "participants_count": participants_count,
        "participants": participants.strip(),
    }
    changes = [
        {"field": name, "before": None, "after": _raw(value)}
        for name, value in fields.items()
        if value not in (None, "")
    ]
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["organisation", "focus_area", "created_by"])
    plan.save()
    _history(plan=plan, actor=actor, event=PlanEvent.CREATED, changes=changes)
    _audit(actor=actor, what="plan_created", plan=plan, obj=plan, changes=changes)
    return plan


@transaction.atomic
def plan_update(*, plan: ActionPlan, actor: User | None, **fields: Any) -> ActionPlan:
    """Change any of the plan's own fields (PLAN_FIELDS); nothing is written if nothing
    changed."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not a plan field: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if not cleaned.get("problem", plan.problem) or not cleaned.get("goal", plan.goal):
        raise ValidationError(_("Beskriv både problemet og målet."))
    changes = _apply(plan, cleaned)
    if not changes:
        return plan
    plan.full_clean(exclude=["organisation", "focus_area", "created_by", "signed_off_by"])
    plan.save()
    _history(plan=plan, actor=actor, event=PlanEvent.UPDATED, changes=changes)
    _audit(actor=actor, what="plan_updated", plan=plan, obj=plan, changes=changes)
    return plan


@transaction.atomic
def plan_sign_off(*, plan: ActionPlan, actor: User) -> ActionPlan:
    """An AMO representative signs the plan off; who and when are recorded."""
    is_amo = Membership.objects.filter(
        organisation_id=plan.organisation_id, user=actor, role=Role.AMO
    ).exists()
    if not is_amo:
        raise ValidationError(_("Kun en arbejdsmiljørepræsentant (AMO) kan godkende planen."))
    now = timezone.now()
    changes = [
        {
            "field": "signed_off_by",
            "before": plan.signed_off_by.email if plan.signed_off_by else None,
            "after": actor.email,
        },
        {"field": "signed_off_at", "before": None, "after": now.isoformat()},
    ]
    plan.signed_off_by = actor
    plan.signed_off_at = now
    plan.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
    _history(plan=plan, actor=actor, event=PlanEvent.SIGNED_OFF, changes=changes)
    _audit(actor=actor, what="plan_signed_off", plan=plan, obj=plan, changes=changes)
    return plan


@transaction.atomic
def plan_evaluate(
    *,
    plan: ActionPlan,
    actor: User | None,
    learning_evaluation: str,
    effect_evaluation: str,
    evaluated_on: dt.date,
) -> ActionPlan:
    """The evaluation of the learning and of the effect (seed 003); the plan is evaluated."""
    if not learning_evaluation.strip() and not effect_evaluation.strip():
        raise ValidationError(_("Skriv evalueringen af læringen og/eller af effekten."))
    changes = _apply(
        plan,
        {
            "learning_evaluation": learning_evaluation.strip(),
            "effect_evaluation": effect_evaluation.strip(),
            "evaluated_on": evaluated_on,
            "status": PlanStatus.EVALUATED,
        },
    )
    if not changes:
        return plan
    plan.save()
    _history(plan=plan, actor=actor, event=PlanEvent.EVALUATED, changes=changes)
    _audit(actor=actor, what="plan_evaluated", plan=plan, obj=plan, changes=changes)
    return plan


# --------------------------------------------------------------------------- actions


def _check_owner(plan: ActionPlan, owner_person: Person | None, owner_name: str) -> None:
    if owner_person is not None and owner_person.organisation_id != plan.organisation_id:
        raise ValidationError({"owner_person": _("Medarbejderen hører til en anden organisation.")})
    if owner_person is None and not owner_name.strip():
        raise ValidationError(
            _("Angiv, hvem der er ansvarlig: vælg en medarbejder eller skriv et navn.")
        )


@transaction.atomic
def action_add(
    *,
    plan: ActionPlan,
    actor: User | None,
    what: str,
    deadline: dt.date,
    owner_person: Person | None = None,
    owner_name: str = "",
    status: str = ActionStatus.NOT_STARTED,
) -> Action:
    if not what.strip():
        raise ValidationError({"what": _("Beskriv handlingen.")})
    _check_owner(plan, owner_person, owner_name)
    action = Action.objects.create(
        plan=plan,
        what=what.strip(),
        owner_person=owner_person,
        owner_name=owner_name.strip(),
        deadline=deadline,
        status=status,
    )
    changes = [
        {"field": name, "before": None, "after": _raw(getattr(action, name))}
        for name in ACTION_FIELDS
        if getattr(action, name) not in (None, "")
    ]
    _history(plan=plan, actor=actor, event=PlanEvent.ACTION_ADDED, changes=changes, action=action)
    _audit(actor=actor, what="action_added", plan=plan, obj=action, changes=changes)
    return action


@transaction.atomic
def action_update(*, action: Action, actor: User | None, **fields: Any) -> Action:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"not an action field: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if "what" in cleaned and not cleaned["what"]:
        raise ValidationError({"what": _("Beskriv handlingen.")})
    plan = action.plan
    owner_person: Person | None = cleaned.get("owner_person", action.owner_person)
    owner_name: str = cleaned.get("owner_name", action.owner_name)
    _check_owner(plan, owner_person, owner_name)
    changes = _apply(action, cleaned)
    if not changes:
        return action
    action.save()
    _history(plan=plan, actor=actor, event=PlanEvent.ACTION_UPDATED, changes=changes, action=action)
    _audit(actor=actor, what="action_updated", plan=plan, obj=action, changes=changes)
    return action
