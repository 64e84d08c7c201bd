"""Meeting kits and the readiness check. Thin: resolve access, check readiness, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import (
    content_disposition_header,
    url_has_allowed_host_and_scheme,
    urlencode,
)
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tryghed.kits import content, selectors, services
from tryghed.kits.readiness import Readiness, readiness
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import Capability, OrgAccess, get_unit, visible_units
from tryghed.orgs.views import org_view, render_org
from tryghed.voice.selectors import visible_cases

NEXT = "next"


class GoOnForm(forms.Form):
    understood = forms.BooleanField(label=_("Jeg har læst det og vil fortsætte"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _lang() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def _readiness(access: OrgAccess, unit: Unit) -> Readiness:
    return readiness(unit, cases=visible_cases(access))


def readiness_url(access: OrgAccess, unit: Unit, next_url: str = "") -> str:
    url = reverse("kits:readiness", kwargs={"org": access.organisation.slug, "unit_id": unit.pk})
    return f"{url}?{urlencode({NEXT: next_url})}" if next_url else url


def _gate(request: HttpRequest, access: OrgAccess, unit: Unit) -> HttpResponse | None:
    """The readiness page first, unless the reader went on knowingly past these findings."""
    result = _readiness(access, unit)
    if selectors.readiness_acknowledged(request.session, result):
        return None
    return HttpResponseRedirect(readiness_url(access, unit, request.path))


def _safe_next(request: HttpRequest, candidate: str, fallback: str) -> str:
    """A page of the same organisation on this site; else the fallback (no open redirect)."""
    match = request.resolver_match
    own = match is not None and candidate.startswith(f"/o/{match.kwargs.get('org')}/")
    if own and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _pdf(request: HttpRequest, template: str, context: dict[str, Any], name: str) -> HttpResponse:
    """An A4 PDF of a print template (WeasyPrint, the reports' stylesheet and page frame)."""
    from weasyprint import HTML

    html = render_to_string(
        template,
        {
            **context,
            "made_at": timezone.localtime(),
            "print_css": render_to_string("results/print/print.css")
            + render_to_string("kits/print/kits.css"),
        },
        request=request,
    )
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{slugify(name) or 'moedekit'}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _content() -> dict[str, Any]:
    return {
        "rules": content.MEETING_RULES,
        "zone_terms": content.ZONE_TERMS,
        "support_terms": content.SUPPORT_TERMS,
        "support_scale": content.SUPPORT_SCALE,
        "phrases": content.PHRASES,
    }


# --------------------------------------------------------------------------- pages


@org_view(Capability.VIEW_STRUCTURE)
def unit_kits(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = get_unit(access, unit_id)
    return render_org(
        request,
        access,
        "kits/unit_kits.html",
        "units",
        {
            "unit": unit,
            "measurements": selectors.kit_measurements(access, unit),
            "readiness": _readiness(access, unit),
        },
    )


@org_view(Capability.VIEW_STRUCTURE)
@require_http_methods(["GET", "POST"])
def readiness_page(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = get_unit(access, unit_id)
    result = _readiness(access, unit)
    fallback = reverse("kits:unit", kwargs={"org": access.organisation.slug, "unit_id": unit.pk})
    candidate = request.POST.get(NEXT) or request.GET.get(NEXT) or ""
    next_url = _safe_next(request, candidate, fallback)
    form = GoOnForm(request.POST or None, initial={NEXT: next_url})
    if request.method == "POST" and not result.ready and form.is_valid():
        services.readiness_acknowledge(access=access, result=result, session=request.session)
        return redirect(next_url)
    return render_org(
        request,
        access,
        "kits/readiness.html",
        "units",
        {
            "unit": unit,
            "readiness": result,
            "form": form,
            "next_url": next_url,
            "acknowledged": selectors.readiness_acknowledged(request.session, result),
        },
    )


@org_view(Capability.VIEW_STRUCTURE)
def readiness_choose(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Which unit to check, keeping the page to go on to."""
    fallback = reverse("orgs:unit_tree", kwargs={"org": access.organisation.slug})
    next_url = _safe_next(request, request.GET.get(NEXT, ""), fallback)
    units = visible_units(access).filter(is_active=True).order_by("path")
    return render_org(
        request,
        access,
        "kits/readiness_choose.html",
        "units",
        {"units": [(u, readiness_url(access, u, next_url)) for u in units]},
    )


def _meeting_context(access: OrgAccess, measurement_id: int, unit_id: int) -> dict[str, Any]:
    measurement, unit = selectors.get_kit_report(access, measurement_id, unit_id)
    kit = selectors.meeting_kit(measurement, unit, _lang())
    return {
        "kit": kit,
        "measurement": measurement,
        "unit": unit,
        "readiness": _readiness(access, unit),
        **_content(),
    }


@org_view(Capability.VIEW_STRUCTURE)
def meeting_kit(
    request: HttpRequest, access: OrgAccess, measurement_id: int, unit_id: int
) -> HttpResponse:
    context = _meeting_context(access, measurement_id, unit_id)
    if (gate := _gate(request, access, context["unit"])) is not None:
        return gate
    return render_org(request, access, "kits/meeting_kit.html", "reports", context)


@org_view(Capability.VIEW_STRUCTURE)
def meeting_kit_pdf(
    request: HttpRequest, access: OrgAccess, measurement_id: int, unit_id: int
) -> HttpResponse:
    context = _meeting_context(access, measurement_id, unit_id)
    if (gate := _gate(request, access, context["unit"])) is not None:
        return gate
    kit: selectors.MeetingKit = context["kit"]
    name = f"moedekit-{kit.unit_name}-{kit.measurement.name}"
    return _pdf(request, "kits/print/meeting_kit.html", {"access": access, **context}, name)


@org_view(Capability.VIEW_STRUCTURE)
def contribution_kit(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = get_unit(access, unit_id)
    if (gate := _gate(request, access, unit)) is not None:
        return gate
    return render_org(
        request,
        access,
        "kits/contribution_kit.html",
        "units",
        {"unit": unit, "readiness": _readiness(access, unit), "days": _days()},
    )


@org_view(Capability.VIEW_STRUCTURE)
def contribution_kit_pdf(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = get_unit(access, unit_id)
    if (gate := _gate(request, access, unit)) is not None:
        return gate
    return _pdf(
        request,
        "kits/print/contribution_kit.html",
        {"access": access, "unit": unit, "days": _days()},
        f"mit-bidrag-{unit.name}",
    )


def _days() -> list[str]:
    return [str(d) for d in (_("Mandag"), _("Tirsdag"), _("Onsdag"), _("Torsdag"), _("Fredag"))]
