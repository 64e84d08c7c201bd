"""APV pages: the document for everyone, risk assessments, sickness absence, changes in the
work, the wellbeing team and its leading indicators. Thin: parse, call, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tryghed.apv import forms, health, indicators, selectors, services
from tryghed.apv.models import GoldenRule
from tryghed.orgs.labels import labels_for, unit_label
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess, get_unit, visible_units
from tryghed.orgs.views import org_view, render_org, save_form
from tryghed.voice.statistics import voice_statistics
from tryghed.web.confirm import confirm_page, confirmed
from tryghed.web.links import link_for_ids

SECTION = "apv"


def _require_write(access: OrgAccess) -> None:
    if not selectors.can_write(access):
        raise PermissionDenied


def _units(access: OrgAccess) -> Any:
    return visible_units(access).filter(is_active=True).order_by("path")


def _record(
    request: HttpRequest,
    access: OrgAccess,
    form: Any,
    service: Callable[..., object],
    message: str,
) -> bool:
    """Save a valid POSTed form with an organisation-wide service (organisation, actor and
    the form's fields); True when saved."""
    saved = save_form(
        request,
        form,
        lambda data: service(organisation=access.organisation, actor=access.user, **data),
        message,
    )
    return saved is not None


# --------------------------------------------------------------------------- the document


def _document_context(access: OrgAccess, unit: Unit | None) -> dict[str, Any]:
    return {
        "content": selectors.apv_content(access.organisation, unit, access=access),
        "can_write": selectors.can_write(access),
        "today": timezone.localdate(),
    }


@org_view()
def document(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    return render_org(
        request, access, "apv/document.html", SECTION, _document_context(access, None)
    )


@org_view()
def unit_document(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = selectors.get_org_unit(access, unit_id)
    return render_org(
        request, access, "apv/document.html", SECTION, _document_context(access, unit)
    )


def _pdf(request: HttpRequest, access: OrgAccess, unit: Unit | None) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        "apv/document_pdf.html", {"access": access, **_document_context(access, unit)}, request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    name = f"apv-{access.organisation.slug}" + (f"-{unit.pk}" if unit is not None else "")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@org_view()
def document_pdf(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    return _pdf(request, access, None)


@org_view()
def unit_document_pdf(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    return _pdf(request, access, selectors.get_org_unit(access, unit_id))


@org_view()
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_write(access)
    current = selectors.document_for(access.organisation)
    form = forms.DocumentForm(
        request.POST or None,
        initial={
            "adopted_on": current.adopted_on,
            "sickness_summary": current.sickness_summary,
            "action_plan_text": current.action_plan_text,
            "follow_up_guidelines": current.follow_up_guidelines,
        },
    )
    if _record(request, access, form, services.apv_document_update, _("APV'en er gemt.")):
        return redirect("apv:document", org=access.organisation.slug)
    return render_org(request, access, "apv/document_form.html", SECTION, {"form": form})


# --------------------------------------------------------------------------- risk assessments


@org_view("view_structure")
def assessments(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    # Every unit of the organisation is a row: labels, links and words made here once per
    # page, not per row in the template (2,000 rows took 0.3-0.5 s, docs/benchmarks.md).
    labels = labels_for(request, access.organisation.pk)
    org = access.organisation.slug
    assessment_url = link_for_ids("apv:assessment", "assessment_id", org=org)
    start_url = link_for_ids("apv:assessment_start", "unit_id", org=org)
    again, first = _("Ny vurdering"), _("Start vurdering")
    rows = []
    for row in selectors.assessment_overview(access):
        label = labels(row.unit)
        rows.append(
            {
                "row": row,
                "label": label,
                "url": assessment_url(row.assessment.pk) if row.assessment else "",
                "start_url": start_url(row.unit.pk),
                "start": again if row.assessment else first,
                "of_unit": _("af %(unit)s") % {"unit": label},
            }
        )
    return render_org(
        request,
        access,
        "apv/assessment_list.html",
        SECTION,
        {"rows": rows, "can_write": selectors.can_write(access)},
    )


def _assessment_consequences(unit: Unit, previous_exists: bool) -> list[str]:
    screening = selectors.latest_screening(unit)
    lines = [
        _("En ny risikovurdering af %(unit)s oprettes med dagens dato.")
        % {"unit": unit_label(unit)},
        (
            _("Den tager udgangspunkt i screeningen fra målingen %(name)s.")
            % {"name": screening.name}
            if screening is not None
            else _(
                "Der er ingen afsluttet måling med screeningen af risikofaktorerne for enheden, "
                "så I vurderer ud fra jeres egen viden."
            )
        ),
        _("De fem risikofaktorer skal vurderes én for én."),
    ]
    if previous_exists:
        lines.append(
            _(
                "Den bliver enhedens seneste vurdering i oversigten og i APV'en; den tidligere "
                "gemmes, men vises ikke længere som den gældende."
            )
        )
    lines.append(_("En oprettet risikovurdering kan ikke slettes igen."))
    return lines


@org_view()
@require_http_methods(["GET", "POST"])
def assessment_start(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    _require_write(access)
    unit = get_unit(access, unit_id)
    if not confirmed(request):
        return confirm_page(
            request,
            access=access,
            section=SECTION,
            title=_("Start en risikovurdering af %(unit)s?") % {"unit": unit_label(unit)},
            consequences=_assessment_consequences(
                unit, selectors.risk_assessments(access).filter(unit=unit).exists()
            ),
            button=_("Ja, start vurderingen"),
            cancel_url=reverse("apv:assessments", kwargs={"org": access.organisation.slug}),
        )
    assessment = services.risk_assessment_start(
        organisation=access.organisation, unit=unit, actor=access.user
    )
    messages.success(request, _("Risikovurderingen er oprettet."))
    return redirect("apv:assessment", org=access.organisation.slug, assessment_id=assessment.pk)


@org_view("view_structure")
def assessment_detail(request: HttpRequest, access: OrgAccess, assessment_id: int) -> HttpResponse:
    assessment = selectors.get_risk_assessment(access, assessment_id)
    factors = list(assessment.factors.all())
    plans = selectors.plans_by_id([f.action_plan_id for f in factors if f.action_plan_id])
    figures = {
        f.factor: f for f in selectors.screening_figures(assessment.measurement, assessment.unit)
    }
    return render_org(
        request,
        access,
        "apv/assessment_detail.html",
        SECTION,
        {
            "assessment": assessment,
            "rows": [(f, figures.get(f.factor), plans.get(f.action_plan_id or 0)) for f in factors],
            "has_screening": bool(figures),
            "can_write": selectors.can_write(access),
        },
    )


@org_view()
@require_http_methods(["GET", "POST"])
def factor_edit(
    request: HttpRequest, access: OrgAccess, assessment_id: int, factor: str
) -> HttpResponse:
    _require_write(access)
    assessment = selectors.get_risk_assessment(access, assessment_id)
    row = selectors.get_factor(assessment, factor)
    plans = [(p.pk, str(p)) for p in selectors.unit_plans(assessment.unit)]
    form = forms.FactorForm(
        request.POST or None,
        plans=plans,
        initial={
            "extent": row.extent,
            "duration": row.duration,
            "character": row.character,
            "measures": row.measures,
            "measures_other": row.measures_other,
            "combination": row.combination,
            "fully_sound": row.fully_sound,
            "actions": row.actions,
            "action_plan": row.action_plan_id,
        },
    )

    def save(data: dict[str, Any]) -> object:
        data["action_plan_id"] = data.pop("action_plan")
        return services.factor_assessment_update(factor=row, actor=access.user, **data)

    saved = save_form(request, form, save, _("Vurderingen er gemt."))
    if saved is not None:
        return redirect("apv:assessment", org=access.organisation.slug, assessment_id=assessment.pk)
    figure = next(
        (
            f
            for f in selectors.screening_figures(assessment.measurement, assessment.unit)
            if f.factor == factor
        ),
        None,
    )
    return render_org(
        request,
        access,
        "apv/factor_form.html",
        SECTION,
        {
            "assessment": assessment,
            "row": row,
            "form": form,
            "figure": figure,
            "actions_available": selectors.actions_installed(),
        },
    )


# --------------------------------------------------------------------------- sickness absence


@org_view()
@require_http_methods(["GET", "POST"])
def absences(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_write(access)
    small = health.small_units(access.organisation)
    form = forms.SicknessAbsenceForm(request.POST or None, units=_units(access), small=small)
    message = _("Sygefraværet er registreret.")
    if _record(request, access, form, services.sickness_absence_record, message):
        if form.cleaned_data["unit"].pk in small:
            messages.warning(
                request,
                _(
                    "Enheden har færre end %(n)s medarbejdere, så tallet vises ikke nogen steder, "
                    "heller ikke i APV'en. Det indgår kun i jeres egen vurdering."
                )
                % {"n": health.HEALTH_MINIMUM},
            )
        return redirect("apv:absences", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "apv/absences.html",
        SECTION,
        {
            "form": form,
            "absences": health.absence_rows(access, selectors.sickness_absences(access)),
            "health_minimum": health.HEALTH_MINIMUM,
        },
    )


@org_view()
@require_http_methods(["GET", "POST"])
def absence_delete(request: HttpRequest, access: OrgAccess, absence_id: int) -> HttpResponse:
    _require_write(access)
    absence = selectors.get_sickness_absence(access, absence_id)
    if not confirmed(request):
        period = f"{date_format(absence.period_start)}–{date_format(absence.period_end)}"
        return confirm_page(
            request,
            access=access,
            section=SECTION,
            title=_("Slet sygefraværet for %(unit)s, %(period)s?")
            % {"unit": unit_label(absence.unit), "period": period},
            consequences=[
                _("Registreringen og vurderingen af den slettes og kan ikke hentes tilbage."),
                _("Sletningen står i organisationens log."),
            ],
            button=_("Ja, slet registreringen"),
            cancel_url=reverse("apv:absences", kwargs={"org": access.organisation.slug}),
            danger=True,
        )
    services.sickness_absence_delete(absence=absence, actor=access.user)
    messages.success(request, _("Registreringen er slettet."))
    return redirect("apv:absences", org=access.organisation.slug)


# --------------------------------------------------------------------------- changes in the work


@org_view()
@require_http_methods(["GET", "POST"])
def changes(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_write(access)
    form = forms.WorkChangeForm(request.POST or None, units=_units(access))
    message = _("Ændringen er registreret. APV'en skal nu revideres for den.")
    if _record(request, access, form, services.work_change_record, message):
        return redirect("apv:changes", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "apv/changes.html",
        SECTION,
        {
            "form": form,
            "changes": selectors.work_changes(access).prefetch_related("risk_assessments"),
            "revision": selectors.revision_state(access.organisation),
        },
    )


@org_view()
@require_http_methods(["GET", "POST"])
def change_assess(request: HttpRequest, access: OrgAccess, change_id: int) -> HttpResponse:
    _require_write(access)
    change = selectors.get_work_change(access, change_id)
    unit = change.unit or Unit.objects.get(organisation=access.organisation, parent__isnull=True)
    if not confirmed(request):
        return confirm_page(
            request,
            access=access,
            section=SECTION,
            title=_("Risikovurdér ændringen for %(unit)s?") % {"unit": unit_label(unit)},
            lead=f"{change.get_kind_display()}, {date_format(change.changed_on)}: "
            f"{change.description}",
            consequences=_assessment_consequences(
                unit, selectors.risk_assessments(access).filter(unit=unit).exists()
            ),
            button=_("Ja, start vurderingen"),
            cancel_url=reverse("apv:changes", kwargs={"org": access.organisation.slug}),
        )
    assessment = services.risk_assessment_start(
        organisation=access.organisation, unit=unit, actor=access.user, work_change=change
    )
    messages.success(request, _("Risikovurderingen af ændringen er oprettet."))
    return redirect("apv:assessment", org=access.organisation.slug, assessment_id=assessment.pk)


# --------------------------------------------------------------------------- wellbeing team


@org_view()
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_write(access)
    form = forms.TeamMemberForm(request.POST or None)
    message = _("Personen er tilføjet til trivselsteamet.")
    if _record(request, access, form, services.team_member_add, message):
        return redirect("apv:team", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "apv/team.html",
        SECTION,
        {
            "form": form,
            "members": selectors.team_members(access.organisation),
            "balance": selectors.team_balance(access.organisation),
        },
    )


@org_view()
@require_POST
def team_remove(request: HttpRequest, access: OrgAccess, member_id: int) -> HttpResponse:
    services.team_member_remove(
        member=selectors.get_team_member(access, member_id), actor=access.user
    )
    messages.success(request, _("Personen er fjernet fra trivselsteamet."))
    return redirect("apv:team", org=access.organisation.slug)


# --------------------------------------------------------------------------- leading indicators


@org_view()
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    _require_write(access)
    form = forms.IndicatorForm(request.POST or None)
    if _record(request, access, form, services.indicator_entry_add, _("Målet er registreret.")):
        return redirect("apv:dashboard", org=access.organisation.slug)
    computed = indicators.computed_indicators(access.organisation)
    entries = list(selectors.indicator_entries(access.organisation))
    rules = [
        (
            rule,
            [i for i in computed if i.rule == rule.value],
            [e for e in entries if e.rule == rule],
        )
        for rule in GoldenRule
    ]
    return render_org(
        request,
        access,
        "apv/dashboard.html",
        SECTION,
        {
            "form": form,
            "rules": rules,
            "balance": selectors.team_balance(access.organisation),
            "actions_available": selectors.actions_installed(),
            # The voice channel's newest settled half-year, as this reader may see it.
            "voice_figures": next(iter(voice_statistics(access, count=1)), None),
        },
    )


@org_view()
@require_http_methods(["GET", "POST"])
def indicator_delete(request: HttpRequest, access: OrgAccess, entry_id: int) -> HttpResponse:
    entry = selectors.get_indicator_entry(access, entry_id)
    if not confirmed(request):
        return confirm_page(
            request,
            access=access,
            section=SECTION,
            title=_("Slet målet «%(name)s»?") % {"name": entry.indicator},
            consequences=[
                _("Målet og dets værdi slettes og kan ikke hentes tilbage."),
                _("Sletningen står i organisationens log."),
            ],
            button=_("Ja, slet målet"),
            cancel_url=reverse("apv:dashboard", kwargs={"org": access.organisation.slug}),
            danger=True,
        )
    services.indicator_entry_delete(entry=entry, actor=access.user)
    messages.success(request, _("Målet er slettet."))
    return redirect("apv:dashboard", org=access.organisation.slug)
