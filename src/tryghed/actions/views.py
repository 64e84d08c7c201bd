"""Focus areas, action plans and "I sagde – vi gjorde". Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tryghed.actions import selectors, services
from tryghed.actions.forms import (
    ActionForm,
    EvaluationForm,
    FocusChoiceForm,
    PlanForm,
    PrioritiesForm,
)
from tryghed.actions.models import (
    FOCUS_AREA_NUDGE,
    OPEN_ACTION_STATUSES,
    Action,
    ActionPlan,
    PlanEvent,
    PlanHistory,
)
from tryghed.orgs.labels import labels_for
from tryghed.orgs.selectors import OrgAccess, get_unit
from tryghed.orgs.views import form_errors, org_view, render_org, save_form

SECTION = "actions"


def _lang() -> str:
    return get_language() or "da"


def _require_manager(access: OrgAccess) -> None:
    if not selectors.can_manage_plans(access):
        raise PermissionDenied


def _to_plan(access: OrgAccess, plan: ActionPlan) -> HttpResponse:
    return redirect("actions:plan_detail", org=access.organisation.slug, plan_id=plan.pk)


# --------------------------------------------------------------------------- overview


@org_view()
def index(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    if not selectors.can_manage_plans(access):
        own = selectors.feedback_units(access)
        if own:
            return redirect("actions:vi_gjorde", org=access.organisation.slug, unit_id=own[0].pk)
        raise PermissionDenied
    # Up to every unit of the organisation: ids and labels only, labelled here in one go
    # (2,000 units as model instances through a label tag took 0.1-0.2 s, docs/benchmarks.md).
    labels = labels_for(request, access.organisation.pk)
    units = [
        (str(pk), labels(pk))
        for pk in selectors.visible_plan_units(access).values_list("pk", flat=True)
    ]
    measurements = selectors.closed_measurements(access)
    unit_id, measurement_id = request.GET.get("enhed"), request.GET.get("maaling")
    if unit_id and measurement_id and unit_id.isdigit() and measurement_id.isdigit():
        return redirect(
            "actions:focus_choose",
            org=access.organisation.slug,
            unit_id=int(unit_id),
            measurement_id=int(measurement_id),
        )
    today = timezone.localdate()
    rows = []
    for plan in selectors.plans(access).prefetch_related("actions"):
        open_actions = [a for a in plan.actions.all() if a.status in OPEN_ACTION_STATUSES]
        rows.append(
            {
                "plan": plan,
                "next_deadline": min((a.deadline for a in open_actions), default=None),
                "overdue": sum(1 for a in open_actions if a.deadline < today),
            }
        )
    return render_org(
        request,
        access,
        "actions/index.html",
        SECTION,
        {
            "rows": rows,
            "units": units,
            "measurements": measurements,
            "own_units": selectors.feedback_units(access),
        },
    )


# --------------------------------------------------------------------------- focus areas


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def focus_choose(
    request: HttpRequest, access: OrgAccess, unit_id: int, measurement_id: int
) -> HttpResponse:
    unit = get_unit(access, unit_id)
    measurement = selectors.get_measurement(access, measurement_id)
    figures = selectors.report_figures(measurement, unit, _lang())
    by_key = {f.key: f for f in figures}
    choices = [(f.key, f"{f.instrument_name}: {f.label}") for f in figures]
    form = FocusChoiceForm(
        request.POST or None,
        choices=choices,
        initial={"has_solution": "unknown", "ease": "moderate"},
    )
    existing = selectors.focus_areas(access).filter(unit=unit, measurement=measurement)
    if request.method == "POST" and form.is_valid():
        figure = by_key[form.cleaned_data["figure"]]
        try:
            focus = services.focus_area_create(
                unit=unit,
                measurement=measurement,
                actor=access.user,
                kind=figure.kind,
                instrument_id=figure.instrument_id,
                figure_id=figure.figure_id,
                title=form.cleaned_data["title"] or figure.label,
                baseline=figure.baseline(),
                has_solution=form.cleaned_data["has_solution"],
                ease=form.cleaned_data["ease"],
                cost_of_ignoring=form.cleaned_data["cost_of_ignoring"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            count = services.focus_area_count(unit=unit, measurement=measurement)
            if services.over_nudge(count):
                messages.warning(
                    request,
                    _(
                        "%(unit)s har nu %(count)s fokusområder fra denne måling. Erfaringen er, "
                        "at få, men vigtige indsatsområder virker bedst – overvej at samle eller "
                        "udskyde nogle af dem."
                    )
                    % {"unit": unit.name, "count": count},
                )
            else:
                messages.success(request, _("Fokusområdet er valgt."))
            return redirect("actions:focus_detail", org=access.organisation.slug, focus_id=focus.pk)
    scales = [f for f in figures if f.kind == "scale"]
    items = [f for f in figures if f.kind == "item"]
    return render_org(
        request,
        access,
        "actions/focus_choose.html",
        SECTION,
        {
            "unit": unit,
            "measurement": measurement,
            "form": form,
            "scales": scales,
            "items": items,
            "existing": existing,
            "nudge": FOCUS_AREA_NUDGE,
            "at_nudge": existing.count() >= FOCUS_AREA_NUDGE,
        },
    )


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def focus_detail(request: HttpRequest, access: OrgAccess, focus_id: int) -> HttpResponse:
    focus = selectors.get_focus_area(access, focus_id)
    form = PrioritiesForm(
        request.POST or None,
        initial={
            "title": focus.title,
            "has_solution": focus.has_solution,
            "ease": focus.ease,
            "cost_of_ignoring": focus.cost_of_ignoring,
        },
    )
    saved = save_form(
        request,
        form,
        lambda data: services.focus_area_update(focus=focus, actor=access.user, **data),
        _("Ændringerne er gemt."),
    )
    if saved is not None:
        return redirect("actions:focus_detail", org=access.organisation.slug, focus_id=focus.pk)
    return render_org(
        request,
        access,
        "actions/focus_detail.html",
        SECTION,
        {
            "focus": focus,
            "figure_label": selectors.figure_label(focus, _lang()),
            "baseline": selectors.shown_baseline(focus, _lang()),
            "form": form,
            "plans": focus.plans.all(),
        },
    )


# --------------------------------------------------------------------------- plans


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, access: OrgAccess, focus_id: int) -> HttpResponse:
    focus = selectors.get_focus_area(access, focus_id)
    form = PlanForm(request.POST or None, initial={"status": "planned"})
    plan = save_form(
        request,
        form,
        lambda data: services.plan_create(focus=focus, actor=access.user, **data),
        _("Handleplanen er oprettet. Tilføj nu handlingerne."),
    )
    if plan is not None:
        return _to_plan(access, plan)
    return render_org(
        request,
        access,
        "actions/plan_form.html",
        SECTION,
        {"form": form, "focus": focus, "plan": None, "title": _("Ny handleplan")},
    )


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, access: OrgAccess, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan(access, plan_id)
    form = PlanForm(
        request.POST or None, initial={name: getattr(plan, name) for name in services.PLAN_FIELDS}
    )
    saved = save_form(
        request,
        form,
        lambda data: services.plan_update(plan=plan, actor=access.user, **data),
        _("Ændringerne er gemt."),
    )
    if saved is not None:
        return _to_plan(access, plan)
    return render_org(
        request,
        access,
        "actions/plan_form.html",
        SECTION,
        {"form": form, "focus": plan.focus_area, "plan": plan, "title": _("Redigér handleplanen")},
    )


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryRow:
    entry: PlanHistory
    changes: list[Change]


def _display(field: models.Field[Any, Any] | None, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = timezone.localtime(dt.datetime.fromisoformat(value))
        return str(formats.date_format(moment, "SHORT_DATETIME_FORMAT"))
    if isinstance(field, models.DateField) and isinstance(value, str):
        return str(formats.date_format(dt.date.fromisoformat(value)))
    return str(value)


def _history_rows(plan: ActionPlan) -> list[HistoryRow]:
    rows = []
    for entry in selectors.plan_history(plan):
        model: type[models.Model] = (
            Action
            if entry.event in (PlanEvent.ACTION_ADDED, PlanEvent.ACTION_UPDATED)
            else ActionPlan
        )
        changes = []
        for change in entry.changes:
            try:
                field: Any = model._meta.get_field(change["field"])
            except FieldDoesNotExist:  # a field removed since; show its stored name
                field = None
            label = str(field.verbose_name) if field is not None else change["field"]
            changes.append(
                Change(
                    label=label[:1].upper() + label[1:],
                    before=_display(field, change.get("before")),
                    after=_display(field, change.get("after")),
                )
            )
        rows.append(HistoryRow(entry, changes))
    return rows


@org_view("view_structure")
def plan_detail(request: HttpRequest, access: OrgAccess, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan(access, plan_id)
    unit = plan.focus_area.unit
    return render_org(
        request,
        access,
        "actions/plan_detail.html",
        SECTION,
        {
            "plan": plan,
            "focus": plan.focus_area,
            "figure_label": selectors.figure_label(plan.focus_area, _lang()),
            "baseline": selectors.shown_baseline(plan.focus_area, _lang()),
            "actions": selectors.plan_actions(plan),
            "history": _history_rows(plan),
            **selectors.remeasurement_context(plan, _lang()),
            "action_form": ActionForm(unit=unit, initial={"status": "not_started"}),
            "can_sign_off": selectors.can_sign_off(access),
            "today": timezone.localdate(),
        },
    )


@org_view("view_structure")
@require_POST
def plan_sign_off(request: HttpRequest, access: OrgAccess, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan(access, plan_id)
    if not selectors.can_sign_off(access):
        raise PermissionDenied
    try:
        services.plan_sign_off(plan=plan, actor=access.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Handleplanen er godkendt af AMO."))
    return _to_plan(access, plan)


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def plan_evaluate(request: HttpRequest, access: OrgAccess, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan(access, plan_id)
    form = EvaluationForm(
        request.POST or None,
        initial={
            "learning_evaluation": plan.learning_evaluation,
            "effect_evaluation": plan.effect_evaluation,
            "evaluated_on": plan.evaluated_on or timezone.localdate(),
        },
    )
    saved = save_form(
        request,
        form,
        lambda data: services.plan_evaluate(plan=plan, actor=access.user, **data),
        _("Evalueringen er gemt."),
    )
    if saved is not None:
        return _to_plan(access, plan)
    return render_org(
        request,
        access,
        "actions/evaluation_form.html",
        SECTION,
        {"form": form, "plan": plan, **selectors.remeasurement_context(plan, _lang())},
    )


# --------------------------------------------------------------------------- actions


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, access: OrgAccess, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan(access, plan_id)
    form = ActionForm(
        request.POST or None, unit=plan.focus_area.unit, initial={"status": "not_started"}
    )
    added = save_form(
        request,
        form,
        lambda data: services.action_add(plan=plan, actor=access.user, **data),
        _("Handlingen er tilføjet."),
    )
    if added is not None:
        return _to_plan(access, plan)
    return render_org(
        request,
        access,
        "actions/action_form.html",
        SECTION,
        {"form": form, "plan": plan, "action": None, "title": _("Ny handling")},
    )


@org_view("view_structure")
@require_http_methods(["GET", "POST"])
def action_edit(
    request: HttpRequest, access: OrgAccess, plan_id: int, action_id: int
) -> HttpResponse:
    plan = selectors.get_plan(access, plan_id)
    action = selectors.get_action(plan, action_id)
    form = ActionForm(
        request.POST or None,
        unit=plan.focus_area.unit,
        action=action,
        initial={"what": action.what, "deadline": action.deadline, "status": action.status},
    )
    saved = save_form(
        request,
        form,
        lambda data: services.action_update(action=action, actor=access.user, **data),
        _("Ændringerne er gemt."),
    )
    if saved is not None:
        return _to_plan(access, plan)
    return render_org(
        request,
        access,
        "actions/action_form.html",
        SECTION,
        {"form": form, "plan": plan, "action": action, "title": _("Redigér handlingen")},
    )


# --------------------------------------------------------------------------- I sagde – vi gjorde


@org_view()
def vi_gjorde(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = selectors.feedback_unit(access, unit_id)
    return render_org(
        request,
        access,
        "actions/vi_gjorde.html",
        SECTION,
        {
            "unit": unit,
            **selectors.vi_gjorde_context(
                unit, _lang(), own_only=not selectors.reads_unit_as_a_whole(access, unit)
            ),
        },
    )
