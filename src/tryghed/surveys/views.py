"""Measurement pages for the AMO and administrators: create, launch, follow, remind, close."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import form_errors, org_view, render_org
from tryghed.surveys import selectors, services
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.forms import MeasurementForm, PaperCodeForm, follow_up_initial
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.participation import PARTICIPATION_MINIMUM, from_top
from tryghed.surveys.stamps import invitations_send_at
from tryghed.web.confirm import confirm_page, confirmed


@org_view("manage_measurements")
def measurement_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    return render_org(
        request,
        access,
        "surveys/measurement_list.html",
        "measurements",
        {
            # Each with its total participation, suppressed like the detail page's.
            "measurements": [
                (m, selectors.response_rates(m)[1]) for m in selectors.measurements(access)
            ],
        },
    )


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = MeasurementForm(
        request.POST or None, access=access, initial=follow_up_initial(access, request.GET)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measurement = services.measurement_create(
                organisation=access.organisation,
                actor=access.user,
                name=data["name"],
                instrument_ids=form.instrument_ids(),
                scope=[services.ScopeEntry(unit) for unit in data["units"]],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                languages=data["languages"],
                template=data["template"] or "",
                previous=data["previous"],
                minimums={
                    "score": data["min_group_score"],
                    "comment": data["min_group_comment"],
                    "sensitive": data["min_group_sensitive"],
                },
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request, _("Målingen er oprettet som kladde. Tjek den, og åbn den, når I er klar.")
            )
            return redirect(
                "surveys_admin:detail", org=access.organisation.slug, measurement_id=measurement.pk
            )
    return render_org(
        request, access, "surveys/measurement_form.html", "measurements", {"form": form}
    )


def _paper_counts(measurement: Measurement) -> tuple[int, int] | None:
    """The answers-by-code line of a closed measurement as its organisation report shows
    it; None while open (``results.selectors.paper_code_line``)."""
    from tryghed.results.selectors import paper_code_line  # results builds on surveys

    return paper_code_line(measurement)


@org_view("manage_measurements")
def measurement_detail(
    request: HttpRequest, access: OrgAccess, measurement_id: int
) -> HttpResponse:
    measurement = selectors.get_measurement(access, measurement_id)
    rows, total = selectors.response_rates(measurement)
    paper_rows = selectors.paper_code_units(measurement)
    return render_org(
        request,
        access,
        "surveys/measurement_detail.html",
        "measurements",
        {
            "measurement": measurement,
            "instruments": survey_selectors.measurement_instruments(measurement),
            "scope": measurement.scope.select_related("unit"),
            "rows": from_top(rows),
            "total": total,
            "accepting": selectors.is_accepting(measurement),
            "automatic_reminder_days": selectors.AUTOMATIC_REMINDER_DAYS,
            # No count of those who have not answered: it would fall by one with each
            # answer and show when it came (the rate itself moves only in batches).
            "participation_minimum": PARTICIPATION_MINIMUM,
            "paper_rows": paper_rows,
            "paper_counts": _paper_counts(measurement),
            "paper_form": PaperCodeForm(units=_paper_units(paper_rows, with_room=True)),
            "Status": Status,
        },
    )


def _act(request: HttpRequest, access: OrgAccess, measurement_id: int, action: str) -> HttpResponse:
    measurement = selectors.get_measurement(access, measurement_id)
    try:
        if action == "open":
            count = services.measurement_open(measurement=measurement, actor=access.user)
            invited = ngettext(
                "Målingen er åben. %(n)s medarbejder er inviteret.",
                "Målingen er åben. %(n)s medarbejdere er inviteret.",
                count,
            ) % {"n": count}
            send_at = invitations_send_at(measurement.opens_on)
            if send_at is None:
                when = _("Invitationerne med personlige links sendes med e-mail nu.")
            else:
                when = _(
                    "Invitationerne med personlige links sendes med e-mail %(day)s kl. %(time)s, "
                    "når målingen åbner."
                ) % {
                    "day": date_format(measurement.opens_on),
                    "time": time_format(timezone.localtime(send_at)),
                }
            messages.success(request, f"{invited} {when}")
        elif action == "close":
            services.measurement_close(measurement=measurement, actor=access.user)
            messages.success(request, _("Målingen er lukket. Svarene er låst."))
        elif action == "remind":
            services.reminders_request(measurement=measurement, actor=access.user)
            messages.success(
                request,
                _(
                    "Påmindelser sendes til dem, der ikke har svaret endnu. Ingen kan se, hvem eller hvor mange det er."
                ),
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(
        "surveys_admin:detail", org=access.organisation.slug, measurement_id=measurement.pk
    )


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def measurement_open(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    """GET (or an unconfirmed POST) says whom it invites; only the confirmed POST opens."""
    if confirmed(request):
        return _act(request, access, measurement_id, "open")
    measurement = selectors.get_measurement(access, measurement_id)
    invitees = selectors.invitee_counts(measurement)
    consequences = [
        ngettext(
            "%(n)s medarbejder i de valgte enheder bliver inviteret.",
            "%(n)s medarbejdere i de valgte enheder bliver inviteret.",
            invitees.total,
        )
        % {"n": invitees.total},
        _open_email_line(measurement, invitees.with_email),
    ]
    if invitees.without_email:
        consequences.append(
            ngettext(
                "%(n)s har ingen e-mailadresse og skal svare med en papirkode, som du laver på "
                "målingens side.",
                "%(n)s har ingen e-mailadresse og skal svare med en papirkode, som du laver på "
                "målingens side.",
                invitees.without_email,
            )
            % {"n": invitees.without_email}
        )
    consequences += [
        _("Der kan svares fra %(opens)s til og med %(closes)s.")
        % {
            "opens": date_format(measurement.opens_on),
            "closes": date_format(measurement.closes_on),
        },
        _(
            "Invitationerne kan ikke kaldes tilbage, og spørgeskemaer, enheder og mindste antal "
            "svar kan ikke ændres, når målingen er åbnet."
        ),
    ]
    return confirm_page(
        request,
        access=access,
        section="measurements",
        title=_("Åbn %(name)s?") % {"name": measurement.name},
        consequences=consequences,
        button=_("Ja, åbn målingen og send invitationerne"),
        cancel_url=_detail_url(access, measurement.pk),
    )


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def measurement_close(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    """GET (or an unconfirmed POST) says what closing ends; only the confirmed POST closes."""
    if confirmed(request):
        return _act(request, access, measurement_id, "close")
    measurement = selectors.get_measurement(access, measurement_id)
    consequences = [
        _(
            "Der kan ikke længere svares: links og papirkoder holder op med at virke, også for "
            "dem, der er midt i at svare."
        ),
        _("Svarene bliver låst, og rapporterne bliver lavet ud fra dem."),
        _("En lukket måling kan ikke åbnes igen."),
    ]
    today = timezone.localdate()
    if measurement.closes_on >= today:
        consequences.insert(
            1,
            _("Målingen skulle være åben til og med %(date)s.")
            % {"date": date_format(measurement.closes_on)},
        )
    return confirm_page(
        request,
        access=access,
        section="measurements",
        title=_("Luk %(name)s?") % {"name": measurement.name},
        consequences=consequences,
        button=_("Ja, luk målingen"),
        cancel_url=_detail_url(access, measurement.pk),
        danger=True,
    )


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def measurement_delete(
    request: HttpRequest, access: OrgAccess, measurement_id: int
) -> HttpResponse:
    """GET (or an unconfirmed POST) says what goes with the draft; the confirmed POST
    deletes it. Only a draft: an opened measurement has invitations and answers."""
    measurement = selectors.get_measurement(access, measurement_id)
    if measurement.status != Status.DRAFT:
        messages.error(
            request,
            _("Kun en kladde kan slettes. En måling, der er åbnet, bliver gemt med sine svar."),
        )
        return redirect(_detail_url(access, measurement.pk))
    if confirmed(request):
        try:
            services.measurement_delete_draft(measurement=measurement, actor=access.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_detail_url(access, measurement.pk))
        messages.success(request, _("Kladden %(name)s er slettet.") % {"name": measurement.name})
        return redirect("surveys_admin:list", org=access.organisation.slug)
    lang = get_language() or "da"
    instruments = ", ".join(
        i.name.get(lang) for i in survey_selectors.measurement_instruments(measurement)
    )
    units = ", ".join(s.unit.name for s in measurement.scope.select_related("unit"))
    consequences = [
        _(
            "Kladden bliver slettet sammen med de valgte spørgeskemaer (%(instruments)s) og "
            "enheder (%(units)s)."
        )
        % {"instruments": instruments, "units": units},
        _("Ingen er inviteret endnu: der bliver ikke sendt noget ud, og ingen svar går tabt."),
    ]
    if measurement.previous is not None:
        consequences.append(
            _("%(name)s, som kladden skulle sammenlignes med, bliver ikke ændret.")
            % {"name": measurement.previous.name}
        )
    consequences.append(_("Det kan ikke fortrydes, men du kan altid lave en ny måling."))
    return confirm_page(
        request,
        access=access,
        section="measurements",
        title=_("Slet kladden %(name)s?") % {"name": measurement.name},
        consequences=consequences,
        button=_("Ja, slet kladden"),
        cancel_url=_detail_url(access, measurement.pk),
        danger=True,
    )


def _open_email_line(measurement: Measurement, count: int) -> str:
    send_at = invitations_send_at(measurement.opens_on)
    if send_at is None:
        return ngettext(
            "%(n)s får en e-mail med et personligt link med det samme.",
            "%(n)s får en e-mail med et personligt link med det samme.",
            count,
        ) % {"n": count}
    return ngettext(
        "%(n)s får en e-mail med et personligt link %(day)s kl. %(time)s, når målingen åbner.",
        "%(n)s får en e-mail med et personligt link %(day)s kl. %(time)s, når målingen åbner.",
        count,
    ) % {
        "n": count,
        "day": date_format(measurement.opens_on),
        "time": time_format(timezone.localtime(send_at)),
    }


def _detail_url(access: OrgAccess, measurement_id: int) -> str:
    return reverse(
        "surveys_admin:detail",
        kwargs={"org": access.organisation.slug, "measurement_id": measurement_id},
    )


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def measurement_remind(
    request: HttpRequest, access: OrgAccess, measurement_id: int
) -> HttpResponse:
    """A round of reminders cannot be called back, and there is one a week: ask first."""
    if confirmed(request):
        return _act(request, access, measurement_id, "remind")
    measurement = selectors.get_measurement(access, measurement_id)
    return confirm_page(
        request,
        access=access,
        section="measurements",
        title=_("Send påmindelser for %(name)s?") % {"name": measurement.name},
        consequences=[
            _(
                "Alle, der er inviteret med e-mail og ikke har svaret endnu, får en påmindelse "
                "med deres personlige link."
            ),
            _("Ingen kan se, hvem eller hvor mange der får den – heller ikke du."),
            _(
                "Der kan sendes én runde påmindelser om ugen. Sendes den nu, kan den næste "
                "først sendes fra mandag."
            ),
        ],
        button=_("Ja, send påmindelserne"),
        cancel_url=_detail_url(access, measurement.pk),
    )


def _paper_units(rows: list[selectors.PaperCodeRow], *, with_room: bool) -> QuerySet[Unit]:
    """The units to offer (those with room left), or to accept (the service says why a
    unit has no room left)."""
    chosen = [r.unit.pk for r in rows if r.room or not with_room]
    return Unit.objects.filter(pk__in=chosen).order_by("path")


def _qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=4,
        border=2,
        xmldecl=False,
        svgns=True,
        title=_("QR-kode til målingen"),
    )
    return buffer.getvalue().decode()


@org_view("manage_measurements")
@require_POST
def paper_codes_print(request: HttpRequest, access: OrgAccess, measurement_id: int) -> HttpResponse:
    """Make codes for a unit and show them, this once, as slips to print and cut.

    The codes exist only in this response: it is not cached, and no page shows them again.
    """
    measurement = selectors.get_measurement(access, measurement_id)
    rows = selectors.paper_code_units(measurement)
    form = PaperCodeForm(request.POST, units=_paper_units(rows, with_room=False))
    if not form.is_valid():
        messages.error(request, _("Vælg en enhed og et antal koder."))
        return redirect(
            "surveys_admin:detail", org=access.organisation.slug, measurement_id=measurement.pk
        )
    unit = form.cleaned_data["unit"]
    try:
        codes = services.paper_codes_print(
            measurement=measurement, unit=unit, count=form.cleaned_data["count"], actor=access.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            "surveys_admin:detail", org=access.organisation.slug, measurement_id=measurement.pk
        )
    address = request.build_absolute_uri(reverse("surveys:code"))
    slips = []
    for code in codes:
        url = request.build_absolute_uri(reverse("surveys:start", kwargs={"token": code}))
        slips.append({"code": code, "qr_svg": _qr_svg(url)})
    response = render_org(
        request,
        access,
        "surveys/paper_codes.html",
        "measurements",
        {"measurement": measurement, "unit": unit, "slips": slips, "address": address},
    )
    response["Cache-Control"] = "no-store"
    return response
