"""Unit reports and the employees' feedback page. Thin: resolve access, build, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from tryghed.actions.selectors import vi_gjorde_context
from tryghed.core.figures import Publication
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.results import selectors
from tryghed.results.aggregates import (
    PageCache,
    is_published,
    publication,
    publication_with_pages,
)
from tryghed.results.presenters import ReportUnit, Scope, unit_report_context
from tryghed.surveys.models import Measurement

SCOPE_PARAMETER = "omfang"
SCOPES: dict[str, Scope] = {"alt": "subtree", "enhed": "unit"}


@org_view()
def report_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    entries = selectors.report_list(access)
    # The newest measurement and the latest closed one (the newest may be open, without
    # figures yet) show their units; the older ones are folded.
    latest_closed = next((e for e in entries if not e.preliminary), None)
    unfolded = {e.measurement.pk for e in (*entries[:1], latest_closed) if e is not None}
    return render_org(
        request,
        access,
        "results/report_list.html",
        "reports",
        {
            "entries": entries,
            "unfolded": unfolded,
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
    asked: Scope = SCOPES.get(request.GET.get(SCOPE_PARAMETER, ""), "subtree")
    context_data, pages = publication_with_pages(measurement, units=[unit.pk])
    if not context_data.has_unit(unit.pk):
        raise Http404  # a unit that was not in the measurement when it closed
    # The units below that the reader may open now (their links, and where the subtree
    # hides a scale, their own figures put together).
    openable = selectors.children_openable(access, measurement, context_data, unit)
    lang = get_language() or "da"
    figures = _unit_figures(pages, context_data, measurement, unit, asked, lang, openable, access)
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
        {
            "measurement": measurement,
            "unit": ReportUnit(pk=unit.pk, name=context_data.unit_name(unit.pk, unit.name)),
            "scope": figures.scope,
            "has_children": figures.has_children,
            "group_hidden": figures.group_hidden,
            "figures": figures.html,
            "children": children,
            "scope_parameter": SCOPE_PARAMETER,
        },
    )


@dataclass(frozen=True)
class UnitFigures:
    """A unit report's figures, rendered (``results/_unit_figures.html``), with what the
    rest of the page needs to know of them."""

    html: SafeString
    scope: Scope
    has_children: bool
    group_hidden: bool


def _unit_figures(
    pages: PageCache,
    data: Publication,
    measurement: Measurement,
    unit: Unit,
    scope: Scope,
    lang: str,
    openable: list[Unit],
    access: OrgAccess,
) -> UnitFigures:
    """The figures of ``unit``'s report, rendered once per publication and process for
    each combination of what else they are made from, which the key names in full: the
    unit and its name, the scope asked for, the language, the units below that this reader
    may open (put together where the subtree hides a scale), whether the reader may open
    the meeting kit and the focus areas, the organisation's address and the measurement's
    own fields the page prints, and the parent's name now where the publication keeps
    none (one stored before names were kept: the page names it as it is called today).
    Everything else comes from the publication, and a new publication has a new cache
    (``aggregates.PageCache``)."""
    can_view_structure = access.can_view_structure
    parent = data.units[str(unit.pk)].parent
    parent_now = (
        Unit.objects.filter(pk=parent).values_list("name", flat=True).first()
        if parent is not None and not data.unit_name(parent)
        else None
    )
    key = (
        "unit_report",
        unit.pk,
        unit.name,
        scope,
        lang,
        tuple((child.pk, child.name) for child in openable),
        can_view_structure,
        access.organisation.slug,
        measurement.status,
        measurement.name,
        measurement.opens_on,
        measurement.closes_on,
        parent_now,
    )
    found = pages.get(key)
    if isinstance(found, UnitFigures):
        return found
    below = selectors.units_below(measurement, data, unit, openable, scope)
    context = unit_report_context(
        data=data,
        measurement=measurement,
        unit=unit,
        scope=scope,
        lang=lang,
        below=below,
    )
    html = render_to_string(
        "results/_unit_figures.html",
        {**context, "can_view_structure": can_view_structure, "org_slug": access.organisation.slug},
    )
    made = UnitFigures(
        html=mark_safe(html),  # noqa: S308 - the template's own output, escaped there
        scope=context["scope"],
        has_children=bool(context["has_children"]),
        group_hidden=bool(context["group_hidden"]),
    )
    pages.keep(key, made, len(html))
    return made


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
