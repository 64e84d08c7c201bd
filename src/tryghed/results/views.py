"""Unit reports and the employees' feedback page. Thin: resolve access, build, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language

from tryghed.actions.selectors import vi_gjorde_context
from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.results import selectors
from tryghed.results.aggregates import is_published, publication
from tryghed.results.presenters import ReportUnit, Scope, unit_report_context
from tryghed.surveys.models import Measurement

SCOPE_PARAMETER = "omfang"
SCOPES: dict[str, Scope] = {"alt": "subtree", "enhed": "unit"}


@org_view()
def report_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    return render_org(
        request,
        access,
        "results/report_list.html",
        "reports",
        {
            "entries": selectors.report_list(access),
            "can_read_reports": selectors.can_read_unit_reports(access),
            "has_feedback": bool(access.employee_unit_ids),
        },
    )


@org_view()
def unit_report(
    request: HttpRequest, access: OrgAccess, measurement_id: int, unit_id: int
) -> HttpResponse:
    measurement, unit = selectors.get_unit_report(access, measurement_id, unit_id)
    if not is_published(measurement):
        return not_published(request, access, measurement, unit.name)
    scope = SCOPES.get(request.GET.get(SCOPE_PARAMETER, ""), "subtree")
    context_data = publication(measurement, units=[unit.pk])
    if not context_data.has_unit(unit.pk):
        raise Http404  # a unit that was not in the measurement when it closed
    # The units below that the reader may open now (their links, and where the subtree
    # hides a scale, their own figures put together).
    openable = selectors.children_openable(access, measurement, context_data, unit)
    below = selectors.units_below(measurement, context_data, unit, openable, scope)
    context = unit_report_context(
        data=context_data,
        measurement=measurement,
        unit=unit,
        scope=scope,
        lang=get_language() or "da",
        below=below,
    )
    # Names as they stood at closing; the links only to units the reader may open now.
    children = [
        ReportUnit(pk=child.pk, name=context_data.unit_name(child.pk, child.name))
        for child in openable
    ]
    return render_org(
        request,
        access,
        "results/unit_report.html",
        "reports",
        {**context, "children": children, "scope_parameter": SCOPE_PARAMETER},
    )


def not_published(
    request: HttpRequest, access: OrgAccess, measurement: Measurement, title: str
) -> HttpResponse:
    """The page of a report whose measurement is still open: no figures, no comments."""
    return render_org(
        request,
        access,
        "results/not_published.html",
        "reports",
        {"measurement": measurement, "title": title},
    )


@org_view()
def feedback(
    request: HttpRequest, access: OrgAccess, measurement_id: int | None = None
) -> HttpResponse:
    found = selectors.get_feedback(access, measurement_id)
    if found is None:
        return render_org(request, access, "results/feedback_empty.html", "feedback", {})
    measurement, unit, others = found
    if not is_published(measurement):
        raise Http404  # only closed measurements are listed; this one was reopened
    data = publication(measurement, units=[unit.pk], own_only=True)
    if not data.has_unit(unit.pk):
        raise Http404  # a unit closed before the measurement: it has no report
    context = unit_report_context(
        data=data,
        measurement=measurement,
        unit=unit,
        scope="unit",
        lang=get_language() or "da",
        audience="employee",
    )
    # "I sagde – vi gjorde": the plans for the unit, from tryghed.actions (results shown above).
    plans = vi_gjorde_context(unit, get_language() or "da", with_results=False)
    return render_org(
        request,
        access,
        "results/feedback.html",
        "feedback",
        {**context, "others": others, **plans},
    )
