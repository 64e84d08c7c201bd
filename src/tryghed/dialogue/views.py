"""The facilitator's pages: start a session, the big screen, its status, reveal, end.

The big screen works without JavaScript (it reloads itself every few seconds through a
``<noscript>`` meta refresh); with it, static/dialogue/live.js asks ``status`` every
1.5 s and updates the count, or reloads the page when the exercise or its state changed.
"""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import urlencode

import segno
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tryghed.dialogue import exercises, selectors, services
from tryghed.dialogue.forms import EndForm, StartForm
from tryghed.dialogue.models import Exercise, NoteKind, Session
from tryghed.dialogue.presenters import exercise_view
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.orgs.views import form_errors, org_view, render_org

SECTION = "dialogue"


def _lang() -> str:
    return (translation.get_language() or "da")[:2]


def _screen_url(access: OrgAccess, session: Session) -> str:
    return reverse(
        "dialogue:screen", kwargs={"org": access.organisation.slug, "session_id": session.pk}
    )


def _readiness_url(access: OrgAccess) -> str:
    """The meeting kit's readiness check (kits), back to this page afterwards; empty where
    the kits app is not installed."""
    if not apps.is_installed("tryghed.kits"):
        return ""
    try:
        url = reverse("kits:readiness", kwargs={"org": access.organisation.slug})
    except NoReverseMatch:
        return ""
    back = reverse("dialogue:index", kwargs={"org": access.organisation.slug})
    return f"{url}?{urlencode({'next': back})}"


@org_view(Capability.RUN_DIALOGUE)
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The user's sessions, and the form that starts one."""
    units = selectors.session_units(access)
    form = StartForm(
        request.POST or None,
        units=units,
        organisation=access.organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_start(
                unit=form.cleaned_data["unit"],
                actor=access.user,
                minimum=form.cleaned_data["minimum"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect(_screen_url(access, session))
    return render_org(
        request,
        access,
        "dialogue/index.html",
        SECTION,
        {
            "form": form,
            "sessions": selectors.sessions(access),
            "readiness_url": _readiness_url(access),
        },
    )


def _qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=6,
        border=2,
        xmldecl=False,
        svgns=True,
        title=_("QR-kode til sessionen"),
    )
    return buffer.getvalue().decode()


def _join_url(request: HttpRequest, session: Session) -> str:
    return request.build_absolute_uri(reverse("dialogue_phone:session", args=[session.code]))


@never_cache
@org_view(Capability.RUN_DIALOGUE)
def screen(request: HttpRequest, access: OrgAccess, session_id: uuid.UUID) -> HttpResponse:
    """The big screen: the code and QR, the exercise, the count; after reveal the
    distribution and the pair questions. An ended session shows what was agreed."""
    session = selectors.get_session(access, session_id)
    lang = _lang()
    if not session.is_active:
        return render_org(
            request,
            access,
            "dialogue/summary.html",
            SECTION,
            {
                "session": session,
                "notes": session.notes.filter(kind=NoteKind.NOTE),
                "focus_points": session.notes.filter(kind=NoteKind.FOCUS).select_related(
                    "focus_area"
                ),
                "kept": [
                    exercise_view(e, lang, count=0)
                    for e in session.exercises.all()
                    if e.distribution is not None
                ],
            },
        )
    exercise = session.current or session.exercises.first()
    assert exercise is not None
    join_url = _join_url(request, session)
    count = selectors.answer_count(exercise)
    needed = selectors.reveal_minimum(exercise, session)
    return render_org(
        request,
        access,
        "dialogue/screen.html",
        SECTION,
        {
            "session": session,
            "exercise": exercise,
            "shown": exercise_view(exercise, lang, count=count),
            "exercises": [
                (e, exercises.content(e.kind, lang).title) for e in session.exercises.all()
            ],
            "count": count,
            "can_reveal": count >= needed and not exercise.revealed,
            "needed": needed,
            "join_url": join_url,
            "join_address": request.get_host() + reverse("dialogue_phone:join"),
            "qr_svg": _qr_svg(join_url),
            "status_url": reverse(
                "dialogue:status",
                kwargs={"org": access.organisation.slug, "session_id": session.pk},
            ),
        },
    )


def status_payload(session: Session) -> dict[str, Any]:
    exercise = session.current
    if exercise is None:
        return {"active": session.is_active, "exercise": "", "revealed": False, "count": 0}
    count = selectors.answer_count(exercise)
    needed = selectors.reveal_minimum(exercise, session)
    return {
        "active": session.is_active,
        "exercise": str(exercise.pk),
        "revealed": exercise.revealed,
        "count": count,
        "minimum": needed,
        "can_reveal": not exercise.revealed and count >= needed,
    }


@never_cache
@org_view(Capability.RUN_DIALOGUE)
def status(request: HttpRequest, access: OrgAccess, session_id: uuid.UUID) -> HttpResponse:
    """The screen's state as JSON: the count of answers, never what they are."""
    return JsonResponse(status_payload(selectors.get_session(access, session_id)))


def _exercise(session: Session, request: HttpRequest) -> Exercise | None:
    raw = request.POST.get("exercise", "")
    try:
        return session.exercises.get(pk=uuid.UUID(raw))
    except (ValueError, Exercise.DoesNotExist):
        return None


@org_view(Capability.RUN_DIALOGUE)
@require_POST
def show(request: HttpRequest, access: OrgAccess, session_id: uuid.UUID) -> HttpResponse:
    """Put an exercise on the screen."""
    session = selectors.get_session(access, session_id)
    exercise = _exercise(session, request)
    if exercise is not None and session.is_active:
        services.session_show(session=session, exercise=exercise)
    return redirect(_screen_url(access, session))


@org_view(Capability.RUN_DIALOGUE)
@require_POST
def reveal(request: HttpRequest, access: OrgAccess, session_id: uuid.UUID) -> HttpResponse:
    session = selectors.get_session(access, session_id)
    exercise = _exercise(session, request)
    if exercise is not None:
        try:
            services.exercise_reveal(exercise=exercise, actor=access.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(_screen_url(access, session))


@org_view(Capability.RUN_DIALOGUE)
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, access: OrgAccess, session_id: uuid.UUID) -> HttpResponse:
    """What the team agreed: notes, up to three focus points (each may become a focus
    area from the unit's latest results), and whether to keep the distributions."""
    session = selectors.get_session(access, session_id)
    if not session.is_active:
        return redirect(_screen_url(access, session))
    measurement, figures = selectors.figures_for_focus(session.unit, _lang())
    by_key = {f.key: f for f in figures}
    choices = [(f.key, f"{f.instrument_name}: {f.label}") for f in figures]
    form = EndForm(request.POST or None, figures=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        points = [
            services.FocusPoint(
                text=data.get(f"focus_{n}", ""),
                figure=by_key.get(data.get(f"figure_{n}") or ""),
            )
            for n in range(1, 4)
        ]
        try:
            services.session_end(
                session=session,
                actor=access.user,
                notes=data["notes"].splitlines(),
                focus_points=points,
                keep_distribution=data["keep_distribution"],
                measurement=measurement,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect(_screen_url(access, session))
    return render_org(
        request,
        access,
        "dialogue/end.html",
        SECTION,
        {"session": session, "form": form, "measurement": measurement},
    )
