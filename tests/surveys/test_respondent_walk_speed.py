"""The respondent's walk made cheaper (issue 14) without changing what anyone sees.

A page with nothing answered on it yet reuses its questions' HTML, rendered once per
instrument and language: it must never carry one respondent's answers to another, and it
must be the HTML the page would have had anyway. Each request resolves its token once.
"""

from __future__ import annotations

import re

from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.surveys.conftest import Survey
from tryghed.surveys import questionnaire, respond
from tryghed.surveys.selectors import measurement_instruments

URL = "/s/svar/"


def _state(page: str) -> str:
    found = re.search(r'name="state" value="([^"]*)"', page)
    assert found
    return found.group(1)


def _questions(page: str) -> str:
    """The page's questions: from the first question to the buttons."""
    start = page.index('<div class="question')
    return page[start : page.index('<div class="actions survey-actions">')]


def _first_page(client: Client, token: str, lang: str = "da") -> str:
    return client.post(URL, {"token": token, "lang": lang, "step": "-1"}).content.decode()


def test_a_kept_page_never_shows_another_respondents_answers(open_survey: Survey) -> None:
    respond._FRESH_QUESTIONS.clear()
    first, second = list(open_survey.tokens.values())[:2]
    alma = Client()
    page = _first_page(alma, first)
    assert " checked" not in page
    answers = {f"q-ps7.{n}": "2" for n in range(1, 8)}
    form = {"token": first, "lang": "da", "step": "0", "state": _state(page), **answers}
    last = alma.post(URL, {**form, "action": "next"}).content.decode()
    text = "Min kollega og jeg taler sammen"
    back = alma.post(
        URL,
        {
            "token": first,
            "lang": "da",
            "step": "1",
            "state": _state(last),
            "action": "back",
            "q-hesteskoen.2": text,
        },
    ).content.decode()
    assert back.count(" checked") == 7  # her own answers, on her own page
    # Another respondent's first page, after hers was shown with answers: nothing checked.
    other = _first_page(Client(), second)
    assert " checked" not in other and text not in other
    assert _questions(other) == _questions(page)
    # Her comment comes back to her on the last page, and to nobody else.
    again = alma.post(
        URL, {"token": first, "lang": "da", "step": "0", "state": _state(back), **answers}
    ).content.decode()
    assert text in again
    other_last = Client().post(
        URL,
        {"token": second, "lang": "da", "step": "0", "state": _state(other), "action": "next"},
    )
    assert text not in other_last.content.decode()


def test_a_kept_page_is_the_page_rendered_afresh(open_survey: Survey) -> None:
    token = next(iter(open_survey.tokens.values()))
    for lang in ("da", "en"):
        respond._FRESH_QUESTIONS.clear()
        rendered = _questions(_first_page(Client(), token, lang))
        kept = _questions(_first_page(Client(), token, lang))
        assert kept == rendered
        assert len(respond._FRESH_QUESTIONS) == 1
    # And it is what the questions make without the cache, in that language.
    instrument = measurement_instruments(open_survey.measurement)[0]
    with translation.override("en"):
        fresh = render_to_string(
            "surveys/respond/_questions.html",
            {"questions": questionnaire.questions(instrument, "en")},
        )
    assert _questions(_first_page(Client(), token, "en")).strip() == fresh.strip()


def test_the_link_opens_the_notice_above_the_first_question(open_survey: Survey) -> None:
    """No request of its own for the privacy notice: it heads the first page, before the
    first question (privacy.md section 7), and comes back with that page."""
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    page = client.get(f"/s/{token}/").content.decode()
    notice = page.index("sådan beskytter vi dine svar")
    assert notice < page.index('<div class="question') < page.index('name="q-ps7.1"')
    assert "mindst 5 har svaret" in page and "36 måneder" in page
    assert 'name="step" value="0"' in page and ">Næste</button>" in page
    answers = {f"q-ps7.{n}": "3" for n in range(1, 8)}
    second = client.post(
        URL, {"token": token, "lang": "da", "step": "0", "state": _state(page), **answers}
    ).content.decode()
    assert "sådan beskytter vi dine svar" not in second and 'name="q-hesteskoen.1"' in second
    back = client.post(
        URL, {"token": token, "lang": "da", "step": "1", "state": _state(second), "action": "back"}
    ).content.decode()
    assert back.index("sådan beskytter vi dine svar") < back.index('<div class="question')
    assert back.count(" checked") == 7


def test_each_request_resolves_its_token_once_in_two_queries(open_survey: Survey) -> None:
    token = next(iter(open_survey.tokens.values()))
    client = Client()

    def lookups(method: str, *args: object) -> tuple[int, int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = getattr(client, method)(*args).content.decode()
        captured = [q["sql"] for q in queries.captured_queries]
        return sum(1 for sql in captured if '"surveys_invitationtoken"' in sql), len(captured), page

    client.get(f"/s/{token}/")  # the measurement's instruments are read once per process
    # The link: the invitation with its measurement, then whether it has answered.
    counted, total, page = lookups("get", f"/s/{token}/")
    assert (counted, total) == (1, 2)
    answers = {f"q-ps7.{n}": "3" for n in range(1, 8)}
    counted, total, page = lookups(
        "post", URL, {"token": token, "lang": "da", "step": "0", "state": _state(page), **answers}
    )
    assert (counted, total) == (1, 2)
    counted, total, page = lookups(
        "post",
        URL,
        {
            "token": token,
            "lang": "da",
            "step": "1",
            "state": _state(page),
            "action": "submit",
            "q-hesteskoen.1": "6",
        },
    )
    assert "Tak for dine svar" in page
    assert counted == 1  # the final submit too: the view's resolution is passed on
