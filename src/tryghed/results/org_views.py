"""The organisation report page: the whole organisation, for the AMO, administrators and
top management (results.selectors.get_organisation_report)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tryghed.core.figures import Publication
from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.results import selectors
from tryghed.results.aggregates import (
    PageCache,
    is_published,
    paper_codes,
    participation,
    publication_with_pages,
)
from tryghed.results.exports import organisation_exports_allowed, spreadsheet_allowed, unit_names
from tryghed.results.org_presenters import org_report_context, page_query
from tryghed.results.views import not_published
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments
from tryghed.web.links import link_for_ids

QUERY_KEYS = ("sort", "dir", "niveau", "side", "par")


def unit_report_url(org: str, measurement_id: int) -> Callable[[int], str]:
    """The link to a unit's report, for any unit id (the page links up to every unit of
    the organisation: the zones list each team)."""
    return link_for_ids("results:unit_report", "unit_id", org=org, measurement_id=measurement_id)


@org_view()
def org_report(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    measurement = selectors.get_organisation_report(access, measurement_id)
    if not is_published(measurement):
        return not_published(request, access, measurement, _("Organisationsrapport"))
    data, pages = publication_with_pages(measurement, units=None)
    figures = _org_figures(
        pages,
        data,
        measurement,
        lang=get_language() or "da",
        params={k: request.GET[k] for k in QUERY_KEYS if k in request.GET},
        # Top management reads no unit reports: its rows lead nowhere.
        org_slug=access.organisation.slug if selectors.can_read_unit_reports(access) else None,
    )
    return render_org(
        request,
        access,
        "results/org_report.html",
        "reports",
        {
            "measurement": measurement,
            "figures": figures.html,
            "has_figures": figures.has_figures,
            "can_export": organisation_exports_allowed(access),
            "can_spreadsheet": spreadsheet_allowed(access),
        },
    )


@dataclass(frozen=True)
class OrgFigures:
    """The organisation report's figures, rendered (``results/_org_figures.html``)."""

    html: SafeString
    has_figures: bool


def _org_figures(
    pages: PageCache,
    data: Publication,
    measurement: Measurement,
    *,
    lang: str,
    params: Mapping[str, str],
    org_slug: str | None,
) -> OrgFigures:
    """The organisation report's figures, rendered once per publication and process for
    each combination of what else they are made from, which the key names in full: the
    language, the query (sorting, level, page, the method's pairs), whether rows link to
    the units' reports (``org_slug``: the readers who may open them) and the measurement's
    own fields. The participation total and the paper-code line are kept with the
    publication (final at closing) and go in the key too, and so do the units' names now
    where the publication keeps none (one stored before names were kept)."""
    _rates, total = participation(measurement)  # stored with the publication at closing
    codes = paper_codes(measurement)
    instruments = measurement_instruments(measurement)
    # The query as the page reads it: one showing the same page keeps no page of its own,
    # so made-up values cannot crowd the others' kept pages out.
    query = page_query(data, instruments, params)
    names = {int(u): name for u, name in unit_names(measurement, data).items()}
    key = (
        "org_report",
        lang,
        query,
        org_slug,
        measurement.pk,
        measurement.name,
        measurement.status,
        repr(total),
        codes,
        tuple((u, name) for u, name in names.items() if not data.unit_name(u)),
    )
    found = pages.get(key)
    if isinstance(found, OrgFigures):
        return found
    report = org_report_context(
        data=data,
        instruments=instruments,
        unit_names=names,
        total=total,
        lang=lang,
        params=dict(query),
        unit_url=unit_report_url(org_slug, measurement.pk) if org_slug is not None else None,
    )
    # How many answers came by paper code (privacy.md section 5), where it may show.
    html = render_to_string("results/_org_figures.html", {"report": report, "paper_codes": codes})
    made = OrgFigures(
        html=mark_safe(html),  # noqa: S308 - the template's own output, escaped there
        has_figures=report.has_figures,
    )
    pages.keep(key, made, len(html))
    return made
