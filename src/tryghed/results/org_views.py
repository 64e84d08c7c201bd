"""The organisation report page: the whole organisation, for the AMO, administrators and
top management (results.selectors.get_organisation_report)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.results import selectors
from tryghed.results.aggregates import is_published, paper_codes, participation, publication
from tryghed.results.exports import organisation_exports_allowed, spreadsheet_allowed, unit_names
from tryghed.results.org_presenters import org_report_context
from tryghed.results.views import not_published
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
    data = publication(measurement, units=None)
    names = {int(u): name for u, name in unit_names(measurement, data).items()}
    _rates, total = participation(measurement)  # stored with the publication at closing
    report = org_report_context(
        data=data,
        instruments=measurement_instruments(measurement),
        unit_names=names,
        total=total,
        lang=get_language() or "da",
        params={k: request.GET[k] for k in QUERY_KEYS if k in request.GET},
        # Top management reads no unit reports: its rows lead nowhere.
        unit_url=(
            unit_report_url(access.organisation.slug, measurement.pk)
            if selectors.can_read_unit_reports(access)
            else None
        ),
    )
    return render_org(
        request,
        access,
        "results/org_report.html",
        "reports",
        {
            "measurement": measurement,
            "report": report,
            # How many answers came by paper code (privacy.md section 5), where it may show.
            "paper_codes": paper_codes(measurement),
            "can_export": organisation_exports_allowed(access),
            "can_spreadsheet": spreadsheet_allowed(access),
        },
    )
