"""The outcome block of the case pages: the receiver's pre-filled forms, the reporter's line."""

from __future__ import annotations

from typing import Any

from django import template

from tryghed.actions import selectors as action_selectors
from tryghed.orgs.selectors import OrgAccess
from tryghed.voice import outcomes
from tryghed.voice.models import Case
from tryghed.voice.outcome_forms import outcome_forms

register = template.Library()


@register.inclusion_tag("voice/_outcome_receiver.html", takes_context=True)
def receiver_outcome(context: template.Context, case: Case, access: OrgAccess) -> dict[str, Any]:
    base: dict[str, Any] = {
        "case": case,
        "access": access,
        "csrf_token": context.get("csrf_token"),
        "outcome": outcomes.case_outcome(case),
        "can_plan": action_selectors.can_manage_plans(access),
    }
    if base["outcome"] is None and case.unit_id is not None and base["can_plan"]:
        action_form, focus_form, _found = outcome_forms(access, case)
        base.update(action_form=action_form, focus_form=focus_form)
    return base


@register.inclusion_tag("voice/_outcome_reporter.html")
def reporter_outcome(case: Case) -> dict[str, Any]:
    return {"outcome": outcomes.case_outcome(case)}
