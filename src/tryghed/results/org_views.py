"""The organisation report page: the whole organisation, for those who see all of it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.results.aggregates import is_published, report_data
from tryghed.results.exports import unit_names
from tryghed.results.org_presenters import org_report_context
from tryghed.results.views import not_published
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.participation import response_rates
from tryghed.surveys.selectors import measurement_instruments

QUERY_KEYS = ("sort", "dir", "niveau", "side", "par")


@org_view()
def org_report(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    # A leader or employee reads the unit report; this page does not confirm it exists.
    if not access.sees_whole_organisation:
        raise Http404
    measurement = survey_selectors.get_measurement(access, measurement_id)
    if not is_published(measurement):
        return not_published(request, access, measurement, _("Organisationsrapport"))
    data = report_data(measurement)
    names = {int(u): name for u, name in unit_names(measurement, data).items()}
    _rates, total = response_rates(measurement)
    report = org_report_context(
        data=data,
        instruments=measurement_instruments(measurement),
        unit_names=names,
        total=total,
        lang=get_language() or "da",
        params={k: request.GET[k] for k in QUERY_KEYS if k in request.GET},
        unit_url=lambda unit_id: reverse(
            "results:unit_report",
            kwargs={
                "org": access.organisation.slug,
                "measurement_id": measurement.pk,
                "unit_id": unit_id,
            },
        ),
    )
    return render_org(
        request,
        access,
        "results/org_report.html",
        "reports",
        {"measurement": measurement, "report": report},
    )
