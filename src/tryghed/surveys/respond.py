"""The respondent's way through: one page per instrument, the first under the privacy
notice, then the thank-you.

These views set no cookie at all: no session, no CSRF cookie, no language cookie. The
link token travels in the POST body after the first visit; the unguessable token is
what a CSRF token would prove (a forged form cannot carry it), so the views are
exempt from the cookie-based CSRF check. Answers given so far are carried in a signed
hidden field; nothing is stored until the final submission.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tryghed.accounts.staff_session import anonymous_page
from tryghed.core.instruments import Instrument
from tryghed.surveys import questionnaire, services
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.codes import paper_code_display, paper_code_normalise
from tryghed.surveys.models import Measurement

ERROR_STATUS = {"unknown": 404, "used": 200, "closed": 410, "not_open": 200}

# The questions of a page with nothing answered on it yet, rendered once per instrument
# and language: the same HTML for every respondent (no token, state or nonce in it).
_FRESH_QUESTIONS: dict[tuple[int, str], tuple[Instrument, str]] = {}
_FRESH_QUESTIONS_LIMIT = 64


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No caching, no referrer (the first URL holds the token), no cookies."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        response.cookies.clear()
        return response

    return anonymous_page(csrf_exempt(wrapper))


def _language(measurement: Measurement | None, asked: str = "") -> str:
    """The respondent's choice when the measurement offers it, else its first language.

    Danish is the default even for an English-speaking browser: the respondent switches
    explicitly on the notice page, so nobody gets a half-translated mix by accident.
    """
    languages = measurement.languages if measurement else ["da", "en"]
    if asked in languages:
        return asked
    return "da" if "da" in languages else languages[0]


def _refused(
    request: HttpRequest, reason: str, lang: str = "da", *, paper_code: bool = False
) -> HttpResponse:
    with translation.override(lang):
        return render(
            request,
            "surveys/respond/refused.html",
            {"reason": reason, "lang": lang, "paper_code": paper_code},
            status=ERROR_STATUS[reason],
        )


def _minimums(measurement: Measurement) -> dict[str, int]:
    return {
        "score": measurement.min_group_score,
        "comment": measurement.min_group_comment,
        "sensitive": measurement.min_group_sensitive,
    }


@private
@require_GET
def start(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail (or a paper code's QR code): the privacy notice above the
    first page of questions, in a form that carries the token on."""
    try:
        entry = survey_selectors.resolve_token(token)
    except services.SubmissionRefused as refused:
        return _refused(
            request,
            refused.reason,
            _language(None, request.GET.get("sprog", "")),
            paper_code=paper_code_normalise(token) is not None,
        )
    return _first_page(request, token, entry, request.GET.get("sprog", ""))


@private
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Answering with a paper code: the respondent types the code from the slip.

    The code arrives in the POST body, never in the URL; from here on it travels like an
    invitation token.
    """
    lang = _language(None, request.GET.get("sprog", "") or request.POST.get("lang", ""))
    typed = request.POST.get("code", "") if request.method == "POST" else ""
    error = ""
    if request.method == "POST":
        normalised = paper_code_normalise(typed)
        try:
            if normalised is None:
                raise services.SubmissionRefused("unknown")
            entry = survey_selectors.resolve_token(normalised)
        except services.SubmissionRefused as refused:
            if refused.reason != "unknown":
                return _refused(request, refused.reason, lang, paper_code=True)
            error = "unknown"
        else:
            return _first_page(request, paper_code_display(normalised), entry, lang)
    with translation.override(lang):
        return render(
            request,
            "surveys/respond/code.html",
            {"lang": lang, "typed": typed, "error": error},
            status=404 if error else 200,
        )


def _first_page(
    request: HttpRequest, token: str, entry: survey_selectors.Entry, asked: str
) -> HttpResponse:
    """The page a link or a typed code opens: the notice and the first questions, with the
    language switch (a link back to this same address)."""
    measurement = entry.measurement
    return _page(
        request,
        token=token,
        lang=_language(measurement, asked),
        entry=entry,
        instruments=survey_selectors.measurement_instruments(measurement),
        step=0,
        state=questionnaire.State(),
        language_links=True,
    )


def _notice(measurement: Measurement, instruments: list[Instrument]) -> dict[str, Any]:
    """What the privacy notice above the first question says (privacy.md section 7)."""
    return {
        "minimums": _minimums(measurement),
        "item_count": sum(len(i.items) for i in instruments),
        "has_sensitive": any(item.sensitive for i in instruments for item in i.items),
        "has_text": any(item.type == "text" for i in instruments for item in i.items),
    }


def _questions_html(
    instrument: Instrument, lang: str, state: questionnaire.State, errors: dict[str, str] | None
) -> str:
    """The page's questions as HTML; kept for a page with no answers and no errors yet.

    Call with ``lang`` active (the condition texts are translated)."""
    prefix = instrument.id + "."
    fresh = not errors and not any(key.startswith(prefix) for key in (*state.answers, *state.texts))
    key = (id(instrument), lang)
    if fresh:
        kept = _FRESH_QUESTIONS.get(key)
        if kept is not None and kept[0] is instrument:  # an id is only unique while alive
            return kept[1]
    html = render_to_string(
        "surveys/respond/_questions.html",
        {
            "questions": questionnaire.questions(
                instrument, lang, state.answers, state.texts, errors
            )
        },
    )
    if fresh:
        if len(_FRESH_QUESTIONS) >= _FRESH_QUESTIONS_LIMIT:
            _FRESH_QUESTIONS.clear()
        _FRESH_QUESTIONS[key] = (instrument, html)
    return html


def _page(
    request: HttpRequest,
    *,
    token: str,
    lang: str,
    entry: survey_selectors.Entry,
    instruments: list[Instrument],
    step: int,
    state: questionnaire.State,
    errors: dict[str, str] | None = None,
    status: int = 200,
    language_links: bool = False,
) -> HttpResponse:
    """One instrument's page; the first one under the privacy notice, so the notice is
    read before the first question without a request of its own."""
    instrument = instruments[step]
    measurement = entry.measurement
    with translation.override(lang):
        return render(
            request,
            "surveys/respond/page.html",
            {
                "token": token,
                "lang": lang,
                "measurement": measurement,
                "notice": _notice(measurement, instruments) if step == 0 else None,
                "paper_code": entry.paper_code_id is not None,
                "language_links": language_links,
                "step": step,
                "step_number": step + 1,
                "steps": len(instruments),
                "instrument": instrument,
                # What the questions are about, in plain words; not the instrument's name.
                "instrument_name": instrument.heading.get(lang),
                # The error summary lists the questions; the page itself shows their HTML.
                "questions": questionnaire.questions(
                    instrument, lang, state.answers, state.texts, errors
                )
                if errors
                else [],
                "questions_html": _questions_html(instrument, lang, state, errors),
                "state": state.dump(),
                "is_last": step == len(instruments) - 1,
                "error_count": len(errors or {}),
                "progress_percent": round(100 * step / len(instruments)),
            },
            status=status,
        )


@private
@require_POST
def answer(request: HttpRequest) -> HttpResponse:
    """Every step after the notice: read this page's answers, then go back, on, or submit."""
    token = request.POST.get("token", "")
    try:
        entry = survey_selectors.resolve_token(token)
    except services.SubmissionRefused as refused:
        return _refused(
            request,
            refused.reason,
            _language(None, request.POST.get("lang", "")),
            paper_code=paper_code_normalise(token) is not None,
        )
    measurement = entry.measurement
    lang = _language(measurement, request.POST.get("lang", ""))
    instruments = survey_selectors.measurement_instruments(measurement)
    state = questionnaire.State.load(request.POST.get("state", ""))
    try:
        step = int(request.POST.get("step", "-1"))
    except ValueError:
        step = -1
    action = request.POST.get("action", "next")
    if step < 0 or step >= len(instruments):
        # The first page again (an address from before the notice was folded into it, or
        # a tampered step).
        return _page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=0,
            state=state,
        )
    answers, texts, errors = questionnaire.read_answers(instruments[step], request.POST)
    state.replace(instruments[step], answers, texts)
    if errors:
        return _page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=step,
            state=state,
            errors=errors,
            status=400,
        )
    if action == "back":
        return _page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=max(0, step - 1),
            state=state,
        )
    if action != "submit" or step < len(instruments) - 1:
        return _page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=step + 1,
            state=state,
        )
    final = questionnaire.only_known(instruments, state)
    blank = not final.answers and not any(text.strip() for text in final.texts.values())
    if blank and request.POST.get("blank") != "1":
        # Nothing answered at all: ask once before the link is used up. Only another page
        # with the same hidden fields; nothing is stored or logged until the answer is sent.
        with translation.override(lang):
            return render(
                request,
                "surveys/respond/blank.html",
                {
                    "token": token,
                    "lang": lang,
                    "measurement": measurement,
                    "step": step,
                    "state": state.dump(),
                    "paper_code": entry.paper_code_id is not None,
                },
            )
    try:
        # The entry resolved above, in this request: resolved once per request.
        services.response_submit(token=token, answers=final.answers, texts=final.texts, entry=entry)
    except services.SubmissionRefused as refused:
        return _refused(request, refused.reason, lang, paper_code=entry.paper_code_id is not None)
    with translation.override(lang):
        return render(
            request,
            "surveys/respond/thanks.html",
            {
                "lang": lang,
                "measurement": measurement,
                "organisation": measurement.organisation,
                "minimums": _minimums(measurement),
                "paper_code": entry.paper_code_id is not None,
            },
        )
