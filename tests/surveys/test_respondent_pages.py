"""The respondent's pages: whole instruments packed onto pages of at most PAGE_QUESTIONS
questions, each headed with what its questions are about, the 1-10 scale laid out in even
rows, "Send svar" as the main button, and a completely blank survey asked about once before
it is sent."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.surveys.conftest import CaptureOnCommit, Survey, open_survey_of
from tryghed.core.instruments import load_builtin
from tryghed.surveys import respond
from tryghed.surveys.models import PendingAnswer, Response, SubmissionMark

URL = "/s/svar/"


def _state(page: str) -> str:
    found = re.search(r'name="state" value="([^"]*)"', page)
    assert found
    return found.group(1)


def _h1(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert found
    return found.group(1).strip()


def _topics(page: str) -> list[str]:
    """The headings of the page's instruments, when it has several or the notice."""
    return [h.strip() for h in re.findall(r'<h2 id="del-[^"]+">(.*?)</h2>', page, re.S)]


def _next_page(client: Client, token: str, page: str, step: str = "0") -> str:
    """On from a page without answering."""
    return client.post(
        URL,
        {"token": token, "lang": "da", "step": step, "state": _state(page), "action": "next"},
    ).content.decode()


def test_whole_instruments_are_packed_in_order_onto_pages_of_at_most_twelve() -> None:
    builtin = load_builtin()

    def sizes(*ids: str) -> list[list[str]]:
        return [[i.id for i in page] for page in respond.pages([builtin[i] for i in ids])]

    assert respond.PAGE_QUESTIONS == 12
    assert sizes("ps7", "hesteskoen") == [["ps7", "hesteskoen"]]  # 10: one page
    assert sizes("ps7", "hesteskoen", "stress") == [["ps7", "hesteskoen", "stress"]]  # 12
    assert sizes("ps7", "hesteskoen", "stress", "support4") == [
        ["ps7", "hesteskoen", "stress"],
        ["support4"],
    ]
    # In order, never reordered to fill a page; an instrument of 17 alone on its page.
    assert sizes("ps7", "amk", "hesteskoen") == [["ps7"], ["amk", "hesteskoen"]]
    assert sizes("stress", "risk5", "stress") == [["stress"], ["risk5"], ["stress"]]
    assert sizes("risk5") == [["risk5"]]


def test_a_short_survey_is_one_page_under_the_notice_headed_by_topic(
    open_survey: Survey,
) -> None:
    assert reverse("surveys:answer") == URL
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    first = client.get(f"/s/{token}/").content.decode()
    assert _h1(first) == "Efterår"  # the survey's name over the notice, then the topics
    assert _topics(first) == ["Tryghed i jeres team", "Sådan har du det på arbejdet lige nu"]
    assert "Edmondson" not in first and "Hesteskoen" not in first and "7 udsagn" not in first
    assert "<title>Efterår · Tryghed</title>" in first
    # One page: no "Del 1 af 1", no "Næste", no "Tilbage"; sending is the only button.
    assert "Del 1 af" not in first and "<progress" not in first
    assert ">Næste</button>" not in first and ">Tilbage</button>" not in first
    assert 'name="q-ps7.1"' in first and 'name="q-hesteskoen.3"' in first
    english = client.get(f"/s/{token}/?sprog=en").content.decode()
    assert _topics(english) == ["Feeling safe in your team", "How work feels for you right now"]


def test_a_longer_survey_pages_with_del_x_af_y_and_goes_back(long_survey: Survey) -> None:
    token = next(iter(long_survey.tokens.values()))
    client = Client()
    first = client.get(f"/s/{token}/").content.decode()
    assert "Del 1 af 2" in first and '<progress max="2" value="0"' in first
    assert _h1(first) == "Forår" and _topics(first) == ["Tryghed i jeres team"]
    assert "<title>Tryghed i jeres team (1/2) · Tryghed</title>" in first
    assert ">Næste</button>" in first and ">Tilbage</button>" not in first
    answers = {f"q-ps7.{n}": "2" for n in range(1, 8)}
    second = client.post(
        URL,
        {"token": token, "lang": "da", "step": "0", "state": _state(first), **answers},
    ).content.decode()
    assert "Del 2 af 2" in second and "sådan beskytter vi dine svar" not in second
    # Two instruments after the first page: the survey's name heads it, each its own h2.
    assert _h1(second) == "Forår"
    assert _topics(second) == [
        "Sådan arbejder I med arbejdsmiljøet",
        "Sådan har du det på arbejdet lige nu",
    ]
    assert 'name="q-amk.1"' in second and 'name="q-hesteskoen.1"' in second
    assert 'name="q-ps7.1"' not in second and ">Send svar</button>" in second
    back = client.post(
        URL,
        {
            "token": token,
            "lang": "da",
            "step": "1",
            "state": _state(second),
            "action": "back",
            "q-amk.1": "1",
        },
    ).content.decode()
    assert "Del 1 af 2" in back and back.count(" checked") == 7
    again = _next_page(client, token, back)
    # The amk answer given before going back is kept (ps7's were not sent again here).
    assert again.count(" checked") == 1
    assert re.search(r'name="q-amk\.1" value="1" checked', again)


def test_one_instrument_alone_on_a_later_page_heads_it(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    survey = open_survey_of(world, django_capture_on_commit_callbacks, ["ps7", "risk5"])
    token = next(iter(survey.tokens.values()))
    client = Client()
    first = client.get(f"/s/{token}/").content.decode()
    second = _next_page(client, token, first)
    # risk5 (17 questions) alone after ps7: its topic is the page's h1, no h2 under it.
    assert _h1(second) == "Dit arbejde det seneste halve år" and _topics(second) == []
    assert "<title>Dit arbejde det seneste halve år (2/2) · Tryghed</title>" in second
    assert second.count('class="question"') == 17


def test_every_built_in_instrument_has_a_plain_topic_in_both_languages() -> None:
    for instrument in load_builtin().values():
        assert instrument.topic is not None, instrument.id
        assert instrument.topic.da and instrument.topic.en
        assert "(" not in instrument.topic.da, instrument.id  # no "(screening)", no source


def test_a_topic_does_not_change_the_content_hash() -> None:
    import dataclasses

    from tryghed.core.instruments import content_hash

    ps7 = load_builtin()["ps7"]
    assert content_hash(dataclasses.replace(ps7, topic=None)) == ps7.content_hash


def test_the_1_to_10_scale_is_two_rows_of_five_and_send_is_the_main_button(
    long_survey: Survey,
) -> None:
    token = next(iter(long_survey.tokens.values()))
    client = Client()
    last = _next_page(client, token, client.get(f"/s/{token}/").content.decode())
    assert 'class="choices choices--rating choices--half-5"' in last
    assert re.search(
        r'<button type="submit" name="action" value="submit" class="button-send">'
        r"Send svar</button>",
        last,
    )
    # The main button comes first: it is the one Enter presses.
    assert last.index("Send svar") < last.index("Tilbage")


def test_a_completely_blank_survey_asks_before_it_is_sent_and_stores_nothing_until_then(
    open_survey: Survey,
) -> None:
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    only = client.get(f"/s/{token}/").content.decode()
    data = {"token": token, "lang": "da", "step": "0", "state": _state(only), "action": "submit"}
    asked = client.post(URL, data)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert _h1(page) == "Vil du sende uden at have svaret på noget?"
    assert "dit link brugt" in page
    assert not SubmissionMark.objects.exists() and not PendingAnswer.objects.exists()
    assert not Response.objects.exists()
    assert asked.cookies == {} and asked["Cache-Control"] == "no-store"
    # Going back leads to the first page with nothing lost.
    back = client.post(URL, {"token": token, "lang": "da", "step": "-1", "state": _state(page)})
    assert _topics(back.content.decode())[0] == "Tryghed i jeres team"
    sent = client.post(URL, {**data, "state": _state(page), "blank": "1"})
    assert "Tak for dine svar" in sent.content.decode()
    assert SubmissionMark.objects.count() == 1


def test_a_blank_longer_survey_asks_on_its_last_page_and_goes_back_to_the_first(
    long_survey: Survey,
) -> None:
    token = next(iter(long_survey.tokens.values()))
    client = Client()
    last = _next_page(client, token, client.get(f"/s/{token}/").content.decode())
    data = {"token": token, "lang": "da", "step": "1", "state": _state(last), "action": "submit"}
    asked = client.post(URL, data).content.decode()
    assert _h1(asked) == "Vil du sende uden at have svaret på noget?"
    assert not SubmissionMark.objects.exists()
    back = client.post(URL, {"token": token, "lang": "da", "step": "-1", "state": _state(asked)})
    assert "Del 1 af 2" in back.content.decode()


def test_one_answer_is_enough_to_send_without_the_question(open_survey: Survey) -> None:
    first_token, second_token = list(open_survey.tokens.values())[:2]
    client = Client()
    only = client.get(f"/s/{first_token}/").content.decode()
    sent = client.post(
        URL,
        {
            "token": first_token,
            "lang": "da",
            "step": "0",
            "state": _state(only),
            "action": "submit",
            "q-hesteskoen.2": "Godt samarbejde",
        },
    )
    assert "Tak for dine svar" in sent.content.decode()
    blank_text = Client().get(f"/s/{second_token}/").content.decode()
    asked = Client().post(
        URL,
        {
            "token": second_token,
            "lang": "da",
            "step": "0",
            "state": _state(blank_text),
            "action": "submit",
            "q-hesteskoen.2": "   ",
        },
    )
    assert "Vil du sende uden" in asked.content.decode()


def test_a_wrong_answer_on_a_shared_page_keeps_every_answer_and_lists_it(
    open_survey: Survey,
) -> None:
    """Validation across the instruments of one page: the page comes back with all that was
    typed, the error summary names the question, and nothing is stored."""
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    only = client.get(f"/s/{token}/").content.decode()
    answers = {f"q-ps7.{n}": "3" for n in range(1, 8)}
    wrong = client.post(
        URL,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _state(only),
            "action": "submit",
            **answers,
            "q-hesteskoen.1": "7",
            "q-hesteskoen.2": "x" * 2001,
        },
    )
    page = wrong.content.decode()
    assert wrong.status_code == 400 and "Der er 1 svar, der skal rettes" in page
    assert 'href="#q-hesteskoen.2-fejl"' in page and 'id="q-hesteskoen.2-fejl"' in page
    assert page.count(" checked") == 8  # the seven of ps7 and hesteskoen's 7
    assert "sådan beskytter vi dine svar" in page  # still the first page, under the notice
    assert not SubmissionMark.objects.exists() and not PendingAnswer.objects.exists()
    sent = client.post(
        URL,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _state(page),
            "action": "submit",
            **answers,
            "q-hesteskoen.1": "7",
        },
    )
    assert "Tak for dine svar" in sent.content.decode()
    assert SubmissionMark.objects.count() == 1 and PendingAnswer.objects.count() == 1
