"""The voice channel's pages: the reporter's (no sign-in, no cookies) and the receiver's.

The reporter's pages are built like the survey pages (surveys/respond.py): no session,
no CSRF cookie, no caching, no referrer. The receipt code travels only in POST bodies,
never in a URL, and is never logged. Throttling counts per client address in the cache
(accounts/throttle.py: a hash of the address that expires), never in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tryghed.accounts import throttle
from tryghed.orgs.models import Organisation, Role
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.orgs.views import form_errors, org_view, render_org
from tryghed.surveys.codes import paper_code_display
from tryghed.surveys.respond import private
from tryghed.voice import selectors, services
from tryghed.voice.forms import (
    AcknowledgeForm,
    ChannelSettingsForm,
    HideForm,
    RaiseForm,
    TextForm,
)
from tryghed.voice.models import HIDDEN_KEEP_DAYS, Receiver

RAISE_SCOPE = "voice.raise"
CODE_SCOPE = "voice.code"
# Cases raised per client address in an hour; wrong receipt codes per address in 15 minutes.
throttle.register(RAISE_SCOPE, limit=5, window=60 * 60)
throttle.register(CODE_SCOPE, limit=10, window=15 * 60)


LANGUAGES = ("da", "en")


def reporter_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Danish, or English when the reporter chose it: ``?sprog=en``, then a hidden field.

    The choice travels in the page, like the survey pages' (no cookie is set here)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        asked = request.POST.get("lang", "") if request.method == "POST" else ""
        asked = asked or request.GET.get("sprog", "")
        current = (translation.get_language() or "da")[:2]
        with translation.override(asked if asked in LANGUAGES else current):
            return view(request, *args, **kwargs)

    return wrapper


def session_untouched(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Whatever a middleware changed in the session (a staff member's idle clock, say), a
    reporter's page does not save it: a session row written by the request that raises or
    answers a case would sit beside the case (on PostgreSQL the next ``xmin``) and name
    the person signed in with that browser; nor is its cookie set again."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        session = getattr(request, "session", None)
        if session is not None:
            session.modified = False
        return response

    return wrapper


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def _client(request: HttpRequest) -> str:
    return str(get_adapter(request).get_client_ip(request))


def _throttled(
    request: HttpRequest, organisation: Organisation, wait: int | None = None
) -> HttpResponse:
    message = (
        throttle.too_many_attempts(wait)
        if wait is not None
        else _(
            "Der er kommet usædvanligt mange sager til organisationen i dag, så der kan ikke "
            "sendes flere før i morgen. Haster det, så kontakt AMO/HR direkte."
        )
    )
    return render(
        request,
        "voice/throttled.html",
        {"organisation": organisation, "message": message},
        status=429,
    )


@private
@session_untouched
@reporter_language
@require_http_methods(["GET", "POST"])
def raise_case(request: HttpRequest, org: str) -> HttpResponse:
    """Raise a case: the form, a warning about identifying details, then the receipt code."""
    organisation = _organisation(org)
    channel = selectors.channel_settings(organisation)
    hints = services.IdentifyingHints()
    if request.method == "POST":
        form = RaiseForm(request.POST, organisation=organisation, channel=channel)
        if form.is_valid():
            data = form.cleaned_data
            hints = services.identifying_hints(organisation=organisation, text=data["text"])
            if not hints or data["confirmed"]:
                wait = throttle.check(RAISE_SCOPE, _client(request))
                if wait is not None:
                    return _throttled(request, organisation, wait)
                if services.organisation_limit_reached(organisation, services.local_today()):
                    return _throttled(request, organisation)
                try:
                    case, code = services.case_raise(
                        organisation=organisation,
                        unit=data["unit"],
                        receiver=data["receiver"],
                        kind=data["kind"],
                        text=data["text"],
                    )
                except ValidationError as error:
                    form_errors(form, error)
                else:
                    throttle.failure(RAISE_SCOPE, _client(request))
                    return render(
                        request,
                        "voice/receipt.html",
                        {
                            "organisation": organisation,
                            "channel": channel,
                            "case": case,
                            "code": paper_code_display(code),
                        },
                    )
            else:
                # Shown once more with the warning; sending again goes through.
                form = RaiseForm(
                    {**request.POST.dict(), "confirmed": "on"},
                    organisation=organisation,
                    channel=channel,
                )
                form.is_valid()
    else:
        initial: dict[str, Any] = {}
        unit_id = request.GET.get("enhed", "")
        if unit_id.isdigit():
            initial["unit"] = selectors.reporter_units(organisation).filter(pk=int(unit_id)).first()
        form = RaiseForm(initial=initial, organisation=organisation, channel=channel)
    return render(
        request,
        "voice/raise.html",
        {"organisation": organisation, "channel": channel, "form": form, "hints": hints},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@private
@session_untouched
@reporter_language
@require_http_methods(["GET", "POST"])
def reporter_case(request: HttpRequest, org: str) -> HttpResponse:
    """The reporter opens their case with the receipt code: reads, replies, closes.

    A mistyped code, an unknown code and another organisation's code give the same page.
    """
    organisation = _organisation(org)
    context: dict[str, Any] = {
        "organisation": organisation,
        "channel": selectors.channel_settings(organisation),
    }
    if request.method != "POST":
        return render(request, "voice/code.html", context)
    client = _client(request)
    wait = throttle.check(CODE_SCOPE, client)
    if wait is not None:
        return _throttled(request, organisation, wait)
    typed = request.POST.get("code", "")
    case = services.case_for_code(organisation=organisation, code=typed)
    if case is None:
        throttle.failure(CODE_SCOPE, client)
        return render(request, "voice/code.html", {**context, "error": True}, status=404)
    form = TextForm()
    action = request.POST.get("action", "")
    try:
        if action == "reply":
            form = TextForm(request.POST)
            if form.is_valid():
                services.reporter_reply(case=case, text=form.cleaned_data["text"])
                form = TextForm()
        elif action == "close":
            services.case_close(case=case)
    except ValidationError as error:
        form_errors(form, error)
    readers = selectors.Readers(organisation)
    return render(
        request,
        "voice/reporter_case.html",
        {
            **context,
            "case": case,
            "code": paper_code_display(services.receipt_code_normalised(typed)),
            "messages_shown": selectors.case_messages(case, for_reporter=True),
            "form": form,
            "no_reader": not case.is_closed and not readers.reads_case(case),
            "amo_exists": bool(readers.lines),
        },
    )


@org_view(Capability.HANDLE_VOICE)
def inbox(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    is_amo = Role.AMO in access.roles
    return render_org(
        request,
        access,
        "voice/inbox.html",
        "voice",
        {
            "cases": selectors.inbox(access),
            "today": services.local_today(),
            "channel": selectors.channel_settings(access.organisation),
            "is_amo": is_amo,
            "amo_leads": is_amo and bool(access.leader_paths),
            "units_without_receiver": (
                selectors.units_without_amo_receiver(access.organisation) if is_amo else []
            ),
        },
    )


@org_view(Capability.HANDLE_VOICE)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, access: OrgAccess, case_id: uuid.UUID) -> HttpResponse:
    case = selectors.get_case(access, case_id)
    ack_form, reply_form, note_form, hide_form = (
        AcknowledgeForm(),
        TextForm(prefix="svar"),
        TextForm(prefix="note"),
        HideForm(prefix="skjul"),
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "hide":
                hide_form = HideForm(request.POST, prefix="skjul")
                if hide_form.is_valid():
                    target = hide_form.cleaned_data["target"]
                    message = None if target == "case" else selectors.reporter_message(case, target)
                    services.reporter_text_hide(
                        case=case,
                        actor=access.user,
                        reason=hide_form.cleaned_data["reason"],
                        message=message,
                    )
                    messages.success(request, _("Beskeden er skjult."))
                    return redirect(request.path)
            elif action == "ack":
                ack_form = AcknowledgeForm(request.POST)
                if ack_form.is_valid():
                    services.receiver_acknowledge(
                        case=case, actor=access.user, which=ack_form.cleaned_data["which"]
                    )
                    return redirect(request.path)
            elif action == "reply":
                reply_form = TextForm(request.POST, prefix="svar")
                if reply_form.is_valid():
                    services.receiver_reply(
                        case=case, actor=access.user, text=reply_form.cleaned_data["text"]
                    )
                    return redirect(request.path)
            elif action == "note":
                note_form = TextForm(request.POST, prefix="note")
                if note_form.is_valid():
                    services.receiver_note(
                        case=case, actor=access.user, text=note_form.cleaned_data["text"]
                    )
                    return redirect(request.path)
        except ValidationError as error:
            form_errors(reply_form, error)
    # "?skjul=case" or "?skjul=<message id>" opens the form that hides that text.
    hide_target = request.POST.get("skjul-target", "") or request.GET.get("skjul", "")
    hide_item: Any = None
    if hide_target == "case":
        hide_item = case
    elif hide_target:
        hide_item = selectors.reporter_message(case, hide_target)
    if hide_item is not None and not hide_form.is_bound:
        hide_form = HideForm(prefix="skjul", initial={"target": hide_target})
    channel = selectors.channel_settings(access.organisation)
    return render_org(
        request,
        access,
        "voice/case_detail.html",
        "voice",
        {
            "case": case,
            "messages_shown": selectors.case_messages(case, for_reporter=False),
            "ack_form": ack_form,
            "reply_form": reply_form,
            "note_form": note_form,
            "hide_form": hide_form,
            "hide_item": hide_item if hide_item is not None and not hide_item.is_hidden else None,
            "today": services.local_today(),
            "to_amo": case.receiver == Receiver.AMO,
            "channel": channel,
            "sees_hidden": selectors.sees_hidden_texts(access),
            "keep_days": HIDDEN_KEEP_DAYS,
        },
    )


@org_view(Capability.MANAGE_STRUCTURE)
@require_http_methods(["GET", "POST"])
def channel_settings(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The administrator's settings for Sig det: the procedure, the whistleblower scheme."""
    current = selectors.channel_settings(access.organisation)
    form = ChannelSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_settings_update(
                organisation=access.organisation, actor=access.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Indstillingerne for Sig det er gemt."))
            return redirect("voice:settings", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "voice/settings.html",
        "settings",
        {
            "form": form,
            "channel": current,
            "units_without_receiver": selectors.units_without_amo_receiver(access.organisation),
            "no_amo_member": not selectors.amo_members(access.organisation),
            "unread_cases": selectors.unread_cases_count(access, services.local_today()),
        },
    )
