"""The respondent's way through: pages of whole instruments (at most ``PAGE_QUESTIONS``
questions a page), the first under the privacy notice, then the thank-you.

These views set no cookie at all: no session, no CSRF cookie, no language cookie. The
link token travels in the POST body after the first visit; the unguessable token is
what a CSRF token would prove (a forged form cannot carry it), so the views are
exempt from the cookie-based CSRF check. Answers given so far are carried in a signed
hidden field; nothing is stored until the final submission.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tryghed.accounts.staff_session import anonymous_page
from tryghed.core.instruments import Instrument
from tryghed.orgs.models import DEFAULT_PRIVACY_LEGAL_BASIS
from tryghed.surveys import questionnaire, retention, services
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.codes import paper_code_display, paper_code_normalise
from tryghed.surveys.models import Measurement

ERROR_STATUS = {"unknown": 404, "used": 200, "closed": 410, "not_open": 200}

# At most this many questions on one page. Whole instruments are packed onto a page in
# their order while it holds no more than this, so a short survey (ps7 + hesteskoen, 10
# questions) is one page under the privacy notice and the walk is two requests: the link,
# then «Send svar». Every page more is a request more (a round trip on a phone's network,
# and server time: issue 14). More than about a dozen questions on one page is a long
# scroll on a phone, where many respondents answer, and a long way back to a skipped one.
# An instrument with more questions than this gets a page of its own; none is split.
PAGE_QUESTIONS = 12

# An instrument's questions with nothing answered or wrong among them yet, rendered once per
# instrument and language: the same HTML for every respondent (no token, state or nonce).
_FRESH_QUESTIONS: dict[tuple[int, str], tuple[Instrument, str]] = {}
_FRESH_QUESTIONS_LIMIT = 64

# The thank-you page, the same for every respondent of a measurement in a language: kept
# under everything it shows, as read with the token in this request (so a changed closing
# date or name shows at once). Rendered without the request, so nothing of one request
# (a nonce, a user) can be in it.
_THANKS: dict[tuple[object, ...], str] = {}
_THANKS_LIMIT = 64

# The page a link opens (the notice above the first questions, nothing answered), the same
# for every respondent of a measurement in a language but for the token and the signed
# empty state: kept with these markers where they go, under everything it shows, as the
# thank-you page is. The empty state is signed for each request: its signature carries the
# time it was made, and a kept one would tell the next respondent when someone else (of a
# small group: the English speakers, the paper codes) opened theirs (red team,
# tests/privacy/test_redteam_walk_cache.py). Rendered without the request, so nothing of
# one request (a nonce, a user) can be in it.
_FIRST_PAGES: dict[tuple[object, ...], tuple[tuple[Instrument, ...], str]] = {}
_FIRST_PAGES_LIMIT = 64
# The pages the answer view shows (the next page, the language switch) while nothing is
# answered or wrong on them yet: kept in the same way, the respondent's own answers so far
# only in the signed state put in for each request. A page with answers or errors on it is
# rendered for the request.
_STEP_PAGES: dict[tuple[object, ...], tuple[tuple[Instrument, ...], str]] = {}
_TOKEN_MARK = "token-" + secrets.token_hex(16)
_STATE_MARK = "state-" + secrets.token_hex(16)


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


def pages(instruments: Sequence[Instrument]) -> list[list[Instrument]]:
    """The instruments in their order, packed into pages of at most ``PAGE_QUESTIONS``
    questions; an instrument longer than that alone on its page."""
    packed: list[list[Instrument]] = []
    count = 0
    for instrument in instruments:
        size = len(instrument.items)
        if packed and count + size <= PAGE_QUESTIONS:
            packed[-1].append(instrument)
            count += size
        else:
            packed.append([instrument])
            count = size
    return packed


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
    language switch (a form posting the token to ``answer``). Kept (``_FIRST_PAGES``)."""
    measurement = entry.measurement
    return _kept_page(
        _FIRST_PAGES,
        token=token,
        lang=_language(measurement, asked),
        entry=entry,
        instruments=survey_selectors.measurement_instruments(measurement),
        step=0,
        state=questionnaire.State(),
        language_links=True,
    )


def _kept_page(
    store: dict[tuple[object, ...], tuple[tuple[Instrument, ...], str]],
    *,
    token: str,
    lang: str,
    entry: survey_selectors.Entry,
    instruments: list[Instrument],
    step: int,
    state: questionnaire.State,
    language_links: bool,
) -> HttpResponse:
    """A page with nothing answered or wrong on it (``_fresh``), kept in ``store`` under
    everything it shows with markers for the token and the state, which are put in for
    this request. ``state``: the answers so far, on other pages only."""
    measurement = entry.measurement
    organisation = measurement.organisation
    paper_code = entry.paper_code_id is not None
    key = (
        measurement.pk,
        lang,
        paper_code,
        step,
        language_links,
        measurement.name,
        tuple(measurement.languages),
        measurement.closes_on,
        tuple(_minimums(measurement).values()),
        organisation.name,
        organisation.slug,
        organisation.response_retention_months,
        measurement.response_retention_months,
        organisation.privacy_legal_basis,
        organisation.contact_email,
    )
    kept = store.get(key)
    if (
        kept is None
        or len(kept[0]) != len(instruments)
        # The same objects: the instruments read afresh (another measurement's, or after
        # the per-process read was dropped) make the page again.
        or any(a is not b for a, b in zip(kept[0], instruments, strict=True))
    ):
        context = _page_context(
            token=_TOKEN_MARK,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=step,
            # Nothing of this page is answered: its questions are the same without the rest.
            state=questionnaire.State(),
            language_links=language_links,
        )
        context["state"] = _STATE_MARK
        with translation.override(lang):
            html = render_to_string("surveys/respond/page.html", context)
        # The token goes in hidden fields only (the answer form's and the language
        # switch's), the state in one.
        in_fields = html.count(f'<input type="hidden" name="token" value="{_TOKEN_MARK}">')
        if not 1 <= in_fields == html.count(_TOKEN_MARK) or html.count(_STATE_MARK) != 1:
            raise RuntimeError("a kept page shows its token or state elsewhere")
        if len(store) >= _FIRST_PAGES_LIMIT:
            store.clear()
        kept = store[key] = (tuple(instruments), html)
    page = kept[1].replace(_TOKEN_MARK, escape(token))
    return HttpResponse(page.replace(_STATE_MARK, escape(state.dump())))


def _fresh(instruments: Sequence[Instrument], state: questionnaire.State) -> bool:
    """Whether none of these instruments' questions is answered in ``state``."""
    prefixes = tuple(instrument.id + "." for instrument in instruments)
    return not any(key.startswith(prefixes) for key in (*state.answers, *state.texts))


def _notice(measurement: Measurement, instruments: list[Instrument]) -> dict[str, Any]:
    """What the privacy notice above the first question says (privacy.md section 7)."""
    organisation = measurement.organisation
    return {
        "legal_basis": organisation.privacy_legal_basis.strip() or DEFAULT_PRIVACY_LEGAL_BASIS,
        "contact_email": organisation.contact_email,
        "minimums": _minimums(measurement),
        "item_count": sum(len(i.items) for i in instruments),
        "has_sensitive": any(item.sensitive for i in instruments for item in i.items),
        "has_text": any(item.type == "text" for i in instruments for item in i.items),
        "retention_months": retention.retention_months(measurement),
    }


def _questions_html(
    instrument: Instrument, lang: str, state: questionnaire.State, errors: dict[str, str]
) -> str:
    """One instrument's questions as HTML; kept while none of them is answered or wrong.

    ``errors``: this instrument's. Call with ``lang`` active (the condition texts are
    translated)."""
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


def _page(request: HttpRequest, *, status: int = 200, **page: Any) -> HttpResponse:
    """One page of whole instruments (``_page_context``), rendered for this request."""
    lang = page["lang"]
    with translation.override(lang):
        return render(request, "surveys/respond/page.html", _page_context(**page), status=status)


def _step_page(
    request: HttpRequest,
    *,
    token: str,
    lang: str,
    entry: survey_selectors.Entry,
    instruments: list[Instrument],
    step: int,
    state: questionnaire.State,
    language_links: bool = False,
) -> HttpResponse:
    """A page the answer view shows without errors: kept (``_STEP_PAGES``) while nothing on
    it is answered (as the next page is, the first time it is shown); else rendered."""
    if _fresh(pages(instruments)[step], state):
        return _kept_page(
            _STEP_PAGES,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=step,
            state=state,
            language_links=language_links,
        )
    return _page(
        request,
        token=token,
        lang=lang,
        entry=entry,
        instruments=instruments,
        step=step,
        state=state,
        language_links=language_links,
    )


def _page_context(
    *,
    token: str,
    lang: str,
    entry: survey_selectors.Entry,
    instruments: list[Instrument],
    step: int,
    state: questionnaire.State,
    errors: dict[str, str] | None = None,
    language_links: bool = False,
) -> dict[str, Any]:
    """One page of whole instruments, each under its own heading; the first page under the
    privacy notice, so the notice is read before the first question without a request of
    its own. ``step``: the page's index in ``pages(instruments)``."""
    paged = pages(instruments)
    errors = errors or {}
    measurement = entry.measurement
    with translation.override(lang):
        sections = []
        to_correct: list[questionnaire.Question] = []
        for instrument in paged[step]:
            prefix = instrument.id + "."
            own = {k: v for k, v in errors.items() if k.startswith(prefix)}
            if own:
                # The error summary lists the questions; the page itself shows their HTML.
                to_correct.extend(
                    q
                    for q in questionnaire.questions(
                        instrument, lang, state.answers, state.texts, own
                    )
                    if q.error
                )
            sections.append(
                {
                    "id": instrument.id,
                    # What the questions are about, in plain words; not the instrument's name.
                    "heading": instrument.heading.get(lang),
                    "questions_html": _questions_html(instrument, lang, state, own),
                }
            )
        return {
            "token": token,
            "lang": lang,
            "measurement": measurement,
            "notice": _notice(measurement, instruments) if step == 0 else None,
            "paper_code": entry.paper_code_id is not None,
            "language_links": language_links,
            "step": step,
            "step_number": step + 1,
            "steps": len(paged),
            "sections": sections,
            # One instrument on a page after the first heads it (h1); otherwise the
            # survey's name does, and each instrument has an h2.
            "title": sections[0]["heading"] if len(sections) == 1 else measurement.name,
            "to_correct": to_correct,
            "state": state.dump(),
            "is_last": step == len(paged) - 1,
            "error_count": len(errors),
            "progress_percent": round(100 * step / len(paged)),
        }


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
    paged = pages(instruments)
    switch = request.POST.get("sprog", "")
    if switch and 0 <= step < len(paged):
        # The first page's language switch: a small form of its own (token, language, step),
        # not a link, so the token is in no further address (history, address bar) and a
        # typed paper code is kept. The same page in the other language.
        return _step_page(
            request,
            token=token,
            lang=_language(measurement, switch),
            entry=entry,
            instruments=instruments,
            step=step,
            state=state,
            language_links=True,
        )
    if step < 0 or step >= len(paged):
        # The first page again (the blank confirmation's way back, an address from before
        # the pages changed, or a tampered step).
        return _step_page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=0,
            state=state,
        )
    errors: dict[str, str] = {}
    for instrument in paged[step]:
        answers, texts, own_errors = questionnaire.read_answers(instrument, request.POST)
        state.replace(instrument, answers, texts)
        errors.update(own_errors)
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
    last = len(paged) - 1
    if action == "back":
        return _step_page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=max(0, step - 1),
            state=state,
        )
    if action != "submit" or step < last:
        return _step_page(
            request,
            token=token,
            lang=lang,
            entry=entry,
            instruments=instruments,
            step=min(step + 1, last),
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
    thanks = HttpResponse(
        _thanks_html(measurement, lang, paper_code=entry.paper_code_id is not None)
    )
    # A shared computer: the next user's Back must not bring the filled-in pages back from
    # the browser's back/forward cache, which may keep no-store pages (Chrome may where no
    # cookie changed, and these pages set none). Ignored by browsers over plain HTTP.
    thanks["Clear-Site-Data"] = '"cache"'
    return thanks


@private
@require_http_methods(["GET", "POST"])
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /s/ (a link a mail client mangled): "Linket virker ikke",
    as private as the survey's own pages, not the site's 404 page (which sets a cookie)."""
    return _refused(request, "unknown", _language(None, request.GET.get("sprog", "")))


def _thanks_html(measurement: Measurement, lang: str, *, paper_code: bool) -> str:
    """The thank-you page's HTML, kept (``_THANKS``) under all it shows."""
    organisation = measurement.organisation
    minimums = _minimums(measurement)
    key = (
        measurement.pk,
        lang,
        paper_code,
        measurement.closes_on,
        tuple(minimums.values()),
        organisation.name,
        organisation.slug,
    )
    html = _THANKS.get(key)
    if html is None:
        with translation.override(lang):
            html = render_to_string(
                "surveys/respond/thanks.html",
                {
                    "lang": lang,
                    "measurement": measurement,
                    "organisation": organisation,
                    "minimums": minimums,
                    "paper_code": paper_code,
                },
            )
        if len(_THANKS) >= _THANKS_LIMIT:
            _THANKS.clear()
        _THANKS[key] = html
    return html
