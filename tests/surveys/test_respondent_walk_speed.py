"""The respondent's walk made cheaper (issue 14) without changing what anyone is told.

A short survey is one page under the privacy notice: the link, then «Send svar», two
requests. An instrument with nothing answered on it yet reuses its questions' HTML, rendered
once per instrument and language: it must never carry one respondent's answers to another,
and it must be the HTML the page would have had anyway. Each request resolves its token once.
"""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

from django.db import connection
from django.db.models.sql.query import Query
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format

from tests.surveys.conftest import CaptureOnCommit, Survey, first_page_afresh, signed_at
from tryghed.surveys import questionnaire, respond
from tryghed.surveys.models import PendingAnswer, SubmissionMark
from tryghed.surveys.selectors import measurement_instruments, resolve_token

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


def test_a_kept_page_never_shows_another_respondents_answers(long_survey: Survey) -> None:
    respond._FRESH_QUESTIONS.clear()
    first, second = list(long_survey.tokens.values())[:2]
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


def test_a_kept_instrument_beside_a_corrected_one_shows_nothing_of_it(
    open_survey: Survey,
) -> None:
    """One page, two instruments: the one with an error is rendered with her answers, the
    untouched one is the kept HTML, and neither reaches the next respondent."""
    respond._FRESH_QUESTIONS.clear()
    first, second = list(open_survey.tokens.values())[:2]
    alma = Client()
    page = _first_page(alma, first)
    wrong = alma.post(
        URL,
        {"token": first, "lang": "da", "step": "0", "state": _state(page), "q-ps7.1": "99"},
    ).content.decode()
    assert "Der er 1 svar, der skal rettes" in wrong
    kept = {instrument.id: html for instrument, html in respond._FRESH_QUESTIONS.values()}
    assert kept["hesteskoen"] in wrong and kept["ps7"] not in wrong
    other = _first_page(Client(), second)
    assert _questions(other) == _questions(page) and "question--error" not in other


def test_a_kept_page_is_the_page_rendered_afresh(open_survey: Survey) -> None:
    token = next(iter(open_survey.tokens.values()))
    for lang in ("da", "en"):
        respond._FRESH_QUESTIONS.clear()
        rendered = _questions(_first_page(Client(), token, lang))
        kept = _questions(_first_page(Client(), token, lang))
        assert kept == rendered
        assert len(respond._FRESH_QUESTIONS) == 2  # one per instrument on the page
    # And it is what the questions make without the cache, in that language.
    page = _questions(_first_page(Client(), token, "en"))
    for instrument in measurement_instruments(open_survey.measurement):
        with translation.override("en"):
            fresh = render_to_string(
                "surveys/respond/_questions.html",
                {"questions": questionnaire.questions(instrument, "en")},
            )
        assert fresh.strip() in page


def test_a_short_survey_is_the_link_and_send_svar(open_survey: Survey) -> None:
    """Two requests: the link opens the notice above every question of ps7 and hesteskoen
    (privacy.md section 7: the notice is read before the first question), and «Send svar»
    on that page stores the answer."""
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    page = client.get(f"/s/{token}/").content.decode()
    notice = page.index("sådan beskytter vi dine svar")
    assert notice < page.index('<div class="question') < page.index('name="q-ps7.1"')
    assert page.index('name="q-ps7.7"') < page.index('name="q-hesteskoen.1"')
    assert "mindst 5 har svaret" in page and "36 måneder" in page
    assert 'name="step" value="0"' in page and ">Send svar</button>" in page
    answers = {f"q-ps7.{n}": "3" for n in range(1, 8)}
    sent = client.post(
        URL,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _state(page),
            "action": "submit",
            **answers,
            "q-hesteskoen.1": "6",
        },
    ).content.decode()
    assert "Tak for dine svar" in sent
    assert SubmissionMark.objects.count() == 1 and PendingAnswer.objects.count() == 1


def test_the_notice_comes_back_with_the_first_page(long_survey: Survey) -> None:
    token = next(iter(long_survey.tokens.values()))
    client = Client()
    page = client.get(f"/s/{token}/").content.decode()
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


def test_each_request_resolves_its_token_once_in_two_queries(long_survey: Survey) -> None:
    token = next(iter(long_survey.tokens.values()))
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


def test_the_walk_compiles_no_orm_query_and_the_final_submit_writes_mark_then_answer(
    open_survey: Survey, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """Once the process has read the measurement's instruments, neither the link nor «Send
    svar» compiles an ORM query (each compile cost about 0.1 ms of a request, issue 14):
    the final submit is the resolution (2 queries), the measurement's status, the mark, the
    sealed answer and the count of pending answers, in this order (privacy.md section 1)."""
    first, second = list(open_survey.tokens.values())[:2]
    compiled = mock.patch.object(
        Query, "get_compiler", autospec=True, side_effect=Query.get_compiler
    )

    def walk(token: str) -> tuple[int, int, list[str]]:
        client = Client()
        with compiled as link_compiles:
            page = client.get(f"/s/{token}/").content.decode()
        form = {"token": token, "lang": "da", "step": "0", "state": _state(page)}
        with (
            compiled as submit_compiles,
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),  # the count after the commit
        ):
            sent = client.post(URL, {**form, "action": "submit", "q-ps7.1": "2"})
        assert "Tak for dine svar" in sent.content.decode()
        statements = [
            q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()
        ]
        return link_compiles.call_count, submit_compiles.call_count, statements

    walk(first)  # the measurement's instruments are read once per process
    # The unit tree frozen at opening grows with the organisation; no respondent reads it.
    open_survey.measurement.refresh_from_db()
    assert open_survey.measurement.frozen_tree
    assert {"frozen_tree", "purged_response_counts"} <= (
        resolve_token(second).measurement.get_deferred_fields()
    )
    link_compiles, submit_compiles, statements = walk(second)
    assert (link_compiles, submit_compiles) == (0, 0)
    assert len(statements) == 6, statements
    assert '"surveys_invitationtoken"' in statements[0]
    assert statements[1].startswith('SELECT 1 FROM "surveys_submissionmark"')
    assert statements[2].startswith("SELECT status FROM surveys_measurement")
    assert statements[3].startswith('INSERT INTO "surveys_submissionmark"')
    assert statements[4].startswith('INSERT INTO "surveys_pendinganswer"')
    assert statements[5].startswith("SELECT COUNT(*) FROM surveys_pendinganswer")
    assert SubmissionMark.objects.count() == PendingAnswer.objects.count() == 2


def test_the_kept_thank_you_page_is_the_page_rendered_afresh_and_follows_changes(
    open_survey: Survey,
) -> None:
    """The thank-you page is kept per measurement, language and everything it shows: the
    same page as rendered with the request, and a changed closing date shows at once."""
    respond._THANKS.clear()
    first, second, third = list(open_survey.tokens.values())[:3]

    def thank(token: str) -> str:
        client = Client()
        page = client.get(f"/s/{token}/").content.decode()
        data = {"token": token, "lang": "da", "step": "0", "state": _state(page)}
        sent = client.post(URL, {**data, "action": "submit", "q-ps7.1": "2"})
        assert sent.status_code == 200 and sent.cookies == {}
        return sent.content.decode()

    kept = thank(first)
    assert "Tak for dine svar" in kept and "Din kode er nu brugt" not in kept
    assert thank(second) == kept and len(respond._THANKS) == 1
    measurement = open_survey.measurement
    organisation = measurement.organisation
    with translation.override("da"):
        afresh = render_to_string(
            "surveys/respond/thanks.html",
            {
                "lang": "da",
                "measurement": measurement,
                "organisation": organisation,
                "minimums": respond._minimums(measurement),
                "paper_code": False,
            },
            request=RequestFactory().post(URL),
        )
    assert kept == afresh
    measurement.closes_on += dt.timedelta(days=7)
    measurement.save(update_fields=["closes_on"])
    later = thank(third)
    with translation.override("da"):
        assert later != kept and date_format(measurement.closes_on) in later


def test_the_kept_first_page_is_each_respondents_own_and_the_page_rendered_afresh(
    open_survey: Survey,
) -> None:
    """The page a link opens is kept per measurement and language with a marker for the
    token: each respondent's page carries their own token and no one else's, is byte for
    byte the page rendered with the request, and a changed name shows at once."""
    respond._FIRST_PAGES.clear()
    first, second, third = list(open_survey.tokens.values())[:3]

    def opened(token: str, query: str = "") -> str:
        response = Client().get(f"/s/{token}/{query}")
        assert response.status_code == 200 and response.cookies == {}
        assert response["Cache-Control"] == "no-store"
        return response.content.decode()

    for lang, query in (("da", ""), ("en", "?sprog=en")):
        with signed_at(1_800_000_000):  # the signed state carries the time: one clock
            mine, yours = opened(first, query), opened(second, query)
            assert mine == first_page_afresh(first, lang)
            assert yours == first_page_afresh(second, lang)
        assert _token(mine) == first and second not in mine
        assert _token(yours) == second and first not in yours
    assert len(respond._FIRST_PAGES) == 2  # one per language
    measurement = open_survey.measurement
    measurement.name = "Forår på Solsikken"
    measurement.save(update_fields=["name"])
    with signed_at(1_800_000_000):
        renamed = opened(third)
        assert "Forår på Solsikken" in renamed and renamed == first_page_afresh(third, "da")


def test_the_kept_first_page_follows_the_legal_basis_and_the_contact(
    open_survey: Survey,
) -> None:
    """The notice's legal basis and contact are the organisation's settings: a change to
    either shows on the next first page, which is still the page rendered afresh."""
    respond._FIRST_PAGES.clear()
    tokens = list(open_survey.tokens.values())
    organisation = open_survey.measurement.organisation

    def opened(token: str) -> str:
        with signed_at(1_800_000_000):
            page = Client().get(f"/s/{token}/").content.decode()
            assert page == first_page_afresh(token, "da")
        return page

    before = opened(tokens[0])
    organisation.privacy_legal_basis = "Behandlingen sker efter vores egen aftale med DPO."
    organisation.save(update_fields=["privacy_legal_basis"])
    own = opened(tokens[1])
    assert own != before and "vores egen aftale med DPO" in own
    organisation.contact_email = "dpo@testkommune.dk"
    organisation.save(update_fields=["contact_email"])
    asked = opened(tokens[2])
    assert asked != own and 'href="mailto:dpo@testkommune.dk"' in asked


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]*)"', page)
    assert found
    return found.group(1)


def test_the_kept_next_page_is_each_respondents_own_and_the_page_rendered_afresh(
    long_survey: Survey,
) -> None:
    """The second page of a two-page survey, with nothing answered on it yet, is rendered
    once and kept with markers for the token and the state: each respondent's carries their
    own token and their own answers of the first page (in the signed state) and no one
    else's, byte for byte the page rendered with the request. A page with answers on it
    (the way back) is rendered for the request."""
    first, second = list(long_survey.tokens.values())[:2]

    def next_page(token: str, code: str) -> tuple[str, str]:
        client = Client()
        page = client.get(f"/s/{token}/").content.decode()
        answers = {f"q-ps7.{n}": code for n in range(1, 8)}
        form = {"token": token, "lang": "da", "step": "0", "state": _state(page), **answers}
        with signed_at(1_800_000_000):
            shown = client.post(URL, {**form, "action": "next"})
            assert shown.status_code == 200 and shown.cookies == {}
            assert shown["Cache-Control"] == "no-store"
            entry = resolve_token(token)
            afresh = respond._page(
                RequestFactory().post(URL),
                token=token,
                lang="da",
                entry=entry,
                instruments=measurement_instruments(entry.measurement),
                step=1,
                state=questionnaire.State(answers={f"ps7.{n}": int(code) for n in range(1, 8)}),
            ).content.decode()
        return shown.content.decode(), afresh

    mine, mine_afresh = next_page(first, "2")
    yours, yours_afresh = next_page(second, "4")
    assert 'name="q-amk.1"' in mine and mine == mine_afresh
    assert yours == yours_afresh and len(respond._STEP_PAGES) == 1
    assert _token(mine) == first and second not in mine
    assert _token(yours) == second and first not in yours
    assert questionnaire.State.load(_state(yours)).answers == {f"ps7.{n}": 4 for n in range(1, 8)}
    back = Client().post(
        URL,
        {"token": second, "lang": "da", "step": "1", "state": _state(yours), "action": "back"},
    )
    assert back.content.decode().count(" checked") == 7 and len(respond._STEP_PAGES) == 1
