"""Report files: ask for one, follow its progress, download it. Thin: parse, call, render."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.results import exports
from tryghed.results import services as results_services
from tryghed.results.models import ExportKind, ExportStatus, ReportExport
from tryghed.results.selectors import report_units

# How often the status page's script asks again, in milliseconds.
POLL_MS = 1500


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=ExportKind.choices)
    unit = forms.IntegerField(required=False, label=_("Enhed"))
    scope = forms.ChoiceField(
        required=False,
        label=_("Svar"),
        choices=[
            ("subtree", _("Enheden og alt under den")),
            ("unit", _("Kun enhedens egne svar")),
        ],
    )
    details = forms.BooleanField(
        required=False, label=_("Med detaljer (hvert spørgsmål, fordelinger, enighed)")
    )


def _status_url(access: OrgAccess, export: ReportExport) -> str:
    return reverse(
        "results:export_status", kwargs={"org": access.organisation.slug, "export_id": export.pk}
    )


@org_view()
def export_panel(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    measurement = exports.get_export_measurement(access, measurement_id)
    units: list[Unit] = list(report_units(access, measurement))
    return render_org(
        request,
        access,
        "results/export_panel.html",
        "reports",
        {
            "measurement": measurement,
            "units": units,
            "whole_organisation": exports.organisation_exports_allowed(access),
            "spreadsheet": exports.spreadsheet_allowed(access),
            "recent": exports.visible_exports(access, measurement),
            "kinds": ExportKind,
        },
    )


@org_view()
@require_POST
def export_request(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    measurement = exports.get_export_measurement(access, measurement_id)
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    kind = form.cleaned_data["kind"]
    unit = None
    if kind == ExportKind.UNIT_PDF:
        unit_id = form.cleaned_data["unit"]
        unit = exports.check_subject(access, measurement, kind, unit_id)
    export = results_services.export_request(
        access=access,
        measurement=measurement,
        kind=kind,
        unit=unit,
        scope=form.cleaned_data["scope"] or "subtree",
        language=get_language() or "da",
        details=form.cleaned_data["details"],
    )
    return redirect(_status_url(access, export))


@org_view()
def export_status(request: HttpRequest, access: OrgAccess, export_id: int) -> HttpResponse:
    export = exports.get_export(access, export_id)
    stale = export.status == ExportStatus.DONE and not exports.is_current(export)
    return render_org(
        request,
        access,
        "results/export_status.html",
        "reports",
        {
            "export": export,
            "measurement": export.measurement,
            "stale": stale,
            "working": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
            "poll_ms": POLL_MS,
            "kinds": ExportKind,
            "statuses": ExportStatus,
        },
    )


@org_view()
def export_download(request: HttpRequest, access: OrgAccess, export_id: int) -> HttpResponse:
    export = exports.get_export(access, export_id)
    # A file not made yet, or made from figures that have changed since, is not served.
    if export.status != ExportStatus.DONE or not exports.is_current(export):
        return redirect(_status_url(access, export))
    response = HttpResponse(bytes(export.content or b""), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export.filename
    )
    response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "private, no-store"
    return response
