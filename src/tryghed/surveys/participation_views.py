"""Response rates ("svarprocent") for leaders: their own subtree, suppressed like the AMO's.

The measurement pages under /maalinger/ serve both: the AMO and administrators get the
full pages (surveys.views); a leader gets the participation of the units they see, and
nothing about launching, reminders or paper codes. Thin: resolve, read, render.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.surveys import participation, views
from tryghed.surveys.models import Status


@org_view("view_participation")
def measurement_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    if access.can_manage_measurements:
        return views.measurement_list(request, access.organisation.slug)
    entries = [
        (m, participation.from_top(participation.reader_rates(access, m)))
        for m in participation.reader_measurements(access)
    ]
    return render_org(
        request,
        access,
        "surveys/participation_list.html",
        "measurements",
        {"entries": entries, "Status": Status},
    )


@org_view("view_participation")
def measurement_detail(
    request: HttpRequest, access: OrgAccess, measurement_id: int
) -> HttpResponse:
    if access.can_manage_measurements:
        return views.measurement_detail(request, access.organisation.slug, measurement_id)
    measurement = participation.get_reader_measurement(access, measurement_id)
    return render_org(
        request,
        access,
        "surveys/participation_detail.html",
        "measurements",
        {
            "measurement": measurement,
            "rows": participation.from_top(participation.reader_rates(access, measurement)),
            "participation_minimum": participation.PARTICIPATION_MINIMUM,
            "Status": Status,
        },
    )
