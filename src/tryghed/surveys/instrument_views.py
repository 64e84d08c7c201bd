"""The organisation's own instruments ("egne spørgeskemaer"): upload, list, archive.

For those who make measurements (``manage_measurements``). A file is checked as it is
uploaded (``instrument_files``); a refused file is not stored, and the page says the line
and the reason. Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tryghed.core.instruments import Instrument
from tryghed.orgs.selectors import OrgAccess
from tryghed.orgs.views import org_view, render_org
from tryghed.surveys import selectors, services
from tryghed.surveys.instrument_files import MAX_BYTES, RefusedFile
from tryghed.surveys.models import MeasurementInstrument, OrganisationInstrument
from tryghed.web.confirm import confirm_page, confirmed


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spørgeskemafil (YAML)"),
        help_text=gettext_lazy(
            "Højst 256 KB, i samme format som Trygheds egne spørgeskemaer. Et id, I har "
            "indlæst før, bliver en ny version: målinger, der allerede er oprettet, beholder "
            "den version, de blev oprettet med."
        ),
    )


@dataclass(frozen=True)
class Row:
    """One uploaded version as the list shows it."""

    stored: OrganisationInstrument
    instrument: Instrument
    name: str
    current: bool  # the newest version of its id
    used_in: int  # measurements made with this version

    @property
    def offered(self) -> bool:
        return self.current and self.stored.archived_at is None


def _rows(access: OrgAccess) -> list[Row]:
    stored = list(selectors.own_instruments(access).select_related("uploaded_by"))
    used = dict(
        MeasurementInstrument.objects.filter(
            measurement__organisation=access.organisation,
            instrument_id__in={s.instrument_id for s in stored},
        )
        .values_list("content_hash")
        .annotate(n=Count("measurement", distinct=True))
        .values_list("content_hash", "n")
    )
    lang = get_language() or "da"
    newest: set[str] = set()
    rows = []
    for s in stored:  # newest version of each id first
        instrument = selectors.own_instrument_parsed(s)
        rows.append(
            Row(
                stored=s,
                instrument=instrument,
                name=instrument.name.get(lang),
                current=s.instrument_id not in newest,
                used_in=used.get(s.content_hash, 0),
            )
        )
        newest.add(s.instrument_id)
    return rows


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def instrument_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Read one byte past the limit, so a large file is refused without reading it all.
            raw = upload.read(MAX_BYTES + 1)
            row = services.organisation_instrument_upload(
                organisation=access.organisation,
                actor=access.user,
                filename=upload.name or "",
                raw=raw,
            )
        except RefusedFile as refused:
            form.add_error("file", [problem.as_html() for problem in refused.problems])
        else:
            instrument = selectors.own_instrument_parsed(row)
            messages.success(
                request,
                _(
                    "«%(name)s» version %(version)s er indlæst og kan vælges, når I opretter en "
                    "måling."
                )
                % {"name": instrument.name.get(get_language() or "da"), "version": row.version},
            )
            return redirect("surveys_admin:instruments", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "surveys/instrument_list.html",
        "measurements",
        {"form": form, "rows": _rows(access)},
    )


def _list_url(access: OrgAccess) -> str:
    return reverse("surveys_admin:instruments", kwargs={"org": access.organisation.slug})


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def instrument_archive(request: HttpRequest, access: OrgAccess, instrument_pk: int) -> HttpResponse:
    """GET (or an unconfirmed POST) says what archiving does; the confirmed POST does it."""
    stored = selectors.get_own_instrument(access, instrument_pk)
    name = selectors.own_instrument_parsed(stored).name.get(get_language() or "da")
    if confirmed(request):
        services.organisation_instrument_archive(instrument=stored, actor=access.user)
        messages.success(request, _("«%(name)s» er arkiveret.") % {"name": name})
        return redirect(_list_url(access))
    return confirm_page(
        request,
        access=access,
        section="measurements",
        title=_("Arkivér «%(name)s»?") % {"name": name},
        consequences=[
            _("Spørgeskemaet kan ikke længere vælges, når I opretter en ny måling."),
            _(
                "Målinger, der allerede er oprettet med det, beholder det og viser deres "
                "resultater som før."
            ),
            _("I kan genaktivere det senere."),
        ],
        button=_("Arkivér"),
        cancel_url=_list_url(access),
    )


@org_view("manage_measurements")
@require_http_methods(["GET", "POST"])
def instrument_restore(request: HttpRequest, access: OrgAccess, instrument_pk: int) -> HttpResponse:
    stored = selectors.get_own_instrument(access, instrument_pk)
    name = selectors.own_instrument_parsed(stored).name.get(get_language() or "da")
    if confirmed(request):
        services.organisation_instrument_archive(
            instrument=stored, actor=access.user, archived=False
        )
        messages.success(request, _("«%(name)s» kan vælges igen.") % {"name": name})
        return redirect(_list_url(access))
    return confirm_page(
        request,
        access=access,
        section="measurements",
        title=_("Genaktivér «%(name)s»?") % {"name": name},
        consequences=[
            _("Den nyeste version kan igen vælges, når I opretter en ny måling."),
        ],
        button=_("Genaktivér"),
        cancel_url=_list_url(access),
    )
