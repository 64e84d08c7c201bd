"""The learning log's pages. Thin: parse, call one service or selector, render.

Everything works without JavaScript: each step on an entry is its own small form.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tryghed.learning import retention, selectors, services
from tryghed.learning.forms import NAMED, ActionForm, EntryForm, LogSettingsForm, SortForm
from tryghed.learning.kinds import BY_KIND, FORWARD_QUOTE, INTRO, KINDS, REFLECTION_QUESTIONS
from tryghed.learning.models import Entry
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.orgs.views import form_errors, org_view, render_org
from tryghed.web.confirm import CONFIRM_FIELD, confirmed

SECTION = "learning"
# "Written": the log says thank you once after an entry. A short-lived cookie, not a flag in
# the address: the browser's history keeps addresses with their times, so "?skrevet=1" on
# a shared or borrowed computer said who wrote the day's anonymous entry, and when. Not a
# message in the session either: that row, saved beside the entry, would name the writer.
WRITTEN_COOKIE = "tryghed_skrevet"
WRITTEN_SECONDS = 120


@org_view(Capability.READ_LEARNING_LOG)
@require_safe
def index(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The logs the user reads; with one team, straight to it."""
    summaries = selectors.log_summaries(access)
    amo = access.can(Capability.RECEIVE_LEARNING)
    if len(summaries) == 1 and not amo:
        return redirect("learning:log", org=access.organisation.slug, unit_id=summaries[0].unit.pk)
    return render_org(
        request, access, "learning/index.html", SECTION, {"summaries": summaries, "amo": amo}
    )


@org_view(Capability.READ_LEARNING_LOG)
@require_safe
def log(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    """The team's log: what is new since the last review first, for the meeting."""
    unit = selectors.get_readable_unit(access, unit_id)
    new, reviewed = selectors.unit_log(unit)
    written = request.COOKIES.get(WRITTEN_COOKIE) == "1"
    response = render_org(
        request,
        access,
        "learning/log.html",
        SECTION,
        {
            "unit": unit,
            "new": new,
            "reviewed": reviewed,
            "last_review": selectors.last_review(unit),
            "can_write": selectors.can_write(access, unit),
            "can_lead": selectors.can_lead(access, unit),
            "questions": REFLECTION_QUESTIONS,
            "kinds": KINDS,
            "written": written,
        },
    )
    if written:
        response.delete_cookie(WRITTEN_COOKIE, path=_log_url(access, unit.pk), samesite="Strict")
    return response


@org_view(Capability.WRITE_LEARNING_LOG)
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    """A new situation, named or anonymous, with the seed's questions and kinds."""
    unit = selectors.get_writable_unit(access, unit_id)
    # The period an entry written today is kept: on the day of a raise still the shorter.
    months = retention.months_for_day(access.organisation, services.local_today())
    form = EntryForm(
        request.POST if request.method == "POST" else None, initial={"quoted_months": months}
    )
    valid = form.is_valid()
    # Also when the form has a mistake: the page shown again quotes the new period, so the
    # writer is told now and the corrected page is not refused once more.
    if form.is_bound and _raised_since_opened(form, months):
        form = _quoting_again(request.POST, months)
    elif valid:
        data = form.cleaned_data
        try:
            services.entry_write(
                unit=unit,
                writer=access.user,
                what_happened=data["what_happened"],
                lesson=data["lesson"],
                kind=data["kind"],
                author_name=selectors.writer_name(access) if data["show_name"] == NAMED else "",
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            # No message in the session, no entry id and no flag in the URL: the log says
            # thank you once, told by a short-lived cookie (WRITTEN_COOKIE).
            path = _log_url(access, unit.pk)
            done = redirect(path)
            done.set_cookie(
                WRITTEN_COOKIE,
                "1",
                max_age=WRITTEN_SECONDS,
                path=path,
                secure=request.is_secure(),
                httponly=True,
                samesite="Strict",
            )
            return done
    response = render_org(
        request,
        access,
        "learning/write.html",
        SECTION,
        {
            "unit": unit,
            "form": form,
            "intro": INTRO,
            "questions": REFLECTION_QUESTIONS,
            "kinds": KINDS,
            "retention_months": months,
        },
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


def _raised_since_opened(form: EntryForm, months: int) -> bool:
    """Whether the period was raised since the page was opened: the entry is dated the day
    it is sent, and the purge counts the periods in force from that day on, so one written
    now would be kept longer than the page said (a page sent without a quote is taken as
    it is)."""
    quoted = form.cleaned_data.get("quoted_months")
    return quoted is not None and quoted < months


def _quoting_again(sent: QueryDict, months: int) -> EntryForm:
    """The form as sent, now quoting ``months``, with a note that the period was raised:
    nothing is written until the writer sends it again."""
    again = sent.copy()
    again["quoted_months"] = str(months)
    form = EntryForm(again)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Mens du skrev, har organisationen forlænget den tid, en situation gemmes. Din "
            "situation slettes nu automatisk, når den er %(months)s måneder gammel. Send "
            "den igen, hvis det er i orden."
        )
        % {"months": months},
    )
    return form


def _log_url(access: OrgAccess, unit_id: int) -> str:
    return reverse("learning:log", kwargs={"org": access.organisation.slug, "unit_id": unit_id})


def _action_form(access: OrgAccess, entry: Entry, data: object = None) -> ActionForm:
    today = services.local_today()
    return ActionForm(
        data,
        plans=selectors.unit_plans(access, entry.unit),
        focus_areas=selectors.unit_focus_areas(access, entry.unit),
        initial={
            "what": entry.lesson[:500],
            "owner_name": access.user.get_full_name(),
            "deadline": today + dt.timedelta(days=30),
        },
    )


def _entry_page(
    request: HttpRequest,
    access: OrgAccess,
    entry: Entry,
    *,
    sort_form: SortForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_lead = selectors.can_lead(access, entry.unit)
    if can_lead and sort_form is None:
        sort_form = SortForm(initial={"kind": entry.kind})
    if can_lead and action_form is None and entry.action_id is None:
        action_form = _action_form(access, entry)
    response = render_org(
        request,
        access,
        "learning/entry.html",
        SECTION,
        {
            "entry": entry,
            "unit": entry.unit,
            "kind_text": BY_KIND.get(entry.kind),
            "can_lead": can_lead,
            "sort_form": sort_form,
            "action_form": action_form,
            "forward_quote": FORWARD_QUOTE,
        },
    )
    response.status_code = status
    return response


@org_view(Capability.READ_LEARNING_LOG)
@require_safe
def entry_detail(request: HttpRequest, access: OrgAccess, learning_id: uuid.UUID) -> HttpResponse:
    return _entry_page(request, access, selectors.get_entry(access, learning_id))


def _back(access: OrgAccess, entry: Entry) -> HttpResponse:
    return redirect("learning:entry", org=access.organisation.slug, learning_id=entry.pk)


@org_view(Capability.LEAD_LEARNING_LOG)
@require_POST
def entry_sort(request: HttpRequest, access: OrgAccess, learning_id: uuid.UUID) -> HttpResponse:
    entry = selectors.get_led_entry(access, learning_id)
    form = SortForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, access, entry, sort_form=form, status=400)
    services.entry_sort(entry=entry, actor=access.user, kind=form.cleaned_data["kind"])
    messages.success(
        request, _("Situationen er sorteret som %(kind)s.") % {"kind": entry.get_kind_display()}
    )
    return _back(access, entry)


@org_view(Capability.LEAD_LEARNING_LOG)
@require_POST
def entry_reviewed(request: HttpRequest, access: OrgAccess, learning_id: uuid.UUID) -> HttpResponse:
    entry = selectors.get_led_entry(access, learning_id)
    services.entry_mark_reviewed(entry=entry, actor=access.user)
    messages.success(request, _("Situationen er markeret som gennemgået."))
    return redirect("learning:log", org=access.organisation.slug, unit_id=entry.unit_id)


@org_view(Capability.LEAD_LEARNING_LOG)
@require_POST
def entry_forward(request: HttpRequest, access: OrgAccess, learning_id: uuid.UUID) -> HttpResponse:
    entry = selectors.get_led_entry(access, learning_id)
    services.entry_forward(entry=entry, actor=access.user)
    messages.success(request, _("Situationen er sendt videre til arbejdsmiljøgruppen."))
    return _back(access, entry)


@org_view(Capability.LEAD_LEARNING_LOG)
@require_POST
def entry_action(request: HttpRequest, access: OrgAccess, learning_id: uuid.UUID) -> HttpResponse:
    """One POST: the lesson becomes an action in the unit's current plan or a new plan."""
    entry = selectors.get_led_entry(access, learning_id)
    if entry.action_id is not None:
        return _back(access, entry)
    form = _action_form(access, entry, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.entry_to_action(
                entry=entry,
                actor=access.user,
                plan=form.target_plan(),
                focus=form.target_focus(),
                what=data["what"],
                deadline=data["deadline"],
                owner_name=data["owner_name"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Læringen er blevet til en handling i handleplanen."))
            return _back(access, entry)
    return _entry_page(request, access, entry, action_form=form, status=400)


@org_view(Capability.LEAD_LEARNING_LOG)
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, access: OrgAccess, learning_id: uuid.UUID) -> HttpResponse:
    """The leader deletes a situation of their unit, after a page that asks to confirm.

    Team members cannot: an anonymous writer deleting "their" entry would leave an audit
    row (who, when) beside it (docs/learning.md)."""
    entry = selectors.get_led_entry(access, learning_id)
    if confirmed(request):
        unit_id = entry.unit_id
        services.entry_delete(entry=entry, actor=access.user)
        messages.success(request, _("Situationen er slettet."))
        return redirect("learning:log", org=access.organisation.slug, unit_id=unit_id)
    return render_org(
        request,
        access,
        "learning/entry_delete.html",
        SECTION,
        {"entry": entry, "unit": entry.unit, "confirm_field": CONFIRM_FIELD},
    )


@org_view(Capability.MANAGE_STRUCTURE)
@require_http_methods(["GET", "POST"])
def log_settings(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The administrator's settings for the learning log: how long entries are kept."""
    current = selectors.log_settings(access.organisation)
    form = LogSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"retention_months": current.retention_months},
    )
    if form.is_valid():
        try:
            services.log_settings_update(
                organisation=access.organisation,
                actor=access.user,
                retention_months=form.cleaned_data["retention_months"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Indstillingerne for læringsloggen er gemt."))
            return redirect("learning:settings", org=access.organisation.slug)
    response = render_org(request, access, "learning/settings.html", "settings", {"form": form})
    response.status_code = 400 if request.method == "POST" else 200
    return response


@org_view(Capability.LEAD_LEARNING_LOG)
@require_POST
def log_review(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    """ "Gennemgået på mødet": records the day; the entries listed as new are reviewed."""
    unit = selectors.get_led_unit(access, unit_id)
    ids = []
    for value in request.POST.getlist("entry"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    services.log_review(unit=unit, actor=access.user, entry_ids=ids)
    messages.success(request, _("Gennemgangen på mødet er noteret."))
    return redirect("learning:log", org=access.organisation.slug, unit_id=unit.pk)


@org_view(Capability.LEAD_LEARNING_LOG)
@require_safe
def mix(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    """The leader's page: the three kinds per quarter, with the seed's reading."""
    unit = selectors.get_led_unit(access, unit_id)
    quarters = selectors.kind_mix(unit, today=services.local_today())
    return render_org(
        request,
        access,
        "learning/mix.html",
        SECTION,
        {
            "unit": unit,
            "quarters": quarters,
            "reading": selectors.mix_reading(quarters),
            "kinds": KINDS,
        },
    )


@org_view(Capability.RECEIVE_LEARNING)
@require_safe
def forwarded(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """What teams sent on to the work-environment group."""
    return render_org(
        request,
        access,
        "learning/forwarded.html",
        SECTION,
        {"entries": selectors.forwarded(access), "forward_quote": FORWARD_QUOTE},
    )
