"""The respondent's pages: headed with what the questions are about, the 1-10 scale laid out
in even rows, "Send svar" as the main button, and a completely blank survey asked about
once before it is sent."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.surveys.conftest import Survey
from tryghed.core.instruments import load_builtin
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


def _topic(page: str) -> str:
    """The heading of the page's questions: under the notice on the first page (below the
    survey's own name), the page's h1 on the others."""
    found = re.search(r"</progress>\s*<h([12])>(.*?)</h\1>", page, re.S)
    assert found
    return found.group(2).strip()


def _to_last_page(client: Client, token: str) -> str:
    """From the link past the first page (notice and ps7) without answering; the
    hesteskoen page."""
    first = client.get(f"/s/{token}/").content.decode()
    return client.post(
        URL,
        {"token": token, "lang": "da", "step": "0", "state": _state(first), "action": "next"},
    ).content.decode()


def test_the_pages_are_headed_with_the_topic_not_the_instruments_name(
    open_survey: Survey,
) -> None:
    assert reverse("surveys:answer") == URL
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    first = client.get(f"/s/{token}/").content.decode()
    assert _h1(first) == "Efterår"  # the survey's name over the notice, then the topic
    assert _topic(first) == "Tryghed i jeres team"
    assert "Edmondson" not in first and "7 udsagn" not in first
    assert "<title>Tryghed i jeres team (1/2) · Tryghed</title>" in first
    english = client.get(f"/s/{token}/?sprog=en").content.decode()
    assert _topic(english) == "Feeling safe in your team"
    last = _to_last_page(client, token)
    assert _h1(last) == _topic(last) == "Sådan har du det på arbejdet lige nu"
    assert "Hesteskoen" not in last


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
    open_survey: Survey,
) -> None:
    token = next(iter(open_survey.tokens.values()))
    last = _to_last_page(Client(), token)
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
    last = _to_last_page(client, token)
    data = {"token": token, "lang": "da", "step": "1", "state": _state(last), "action": "submit"}
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
    assert _topic(back.content.decode()) == "Tryghed i jeres team"
    sent = client.post(URL, {**data, "state": _state(page), "blank": "1"})
    assert "Tak for dine svar" in sent.content.decode()
    assert SubmissionMark.objects.count() == 1


def test_one_answer_is_enough_to_send_without_the_question(open_survey: Survey) -> None:
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    last = _to_last_page(client, token)
    sent = client.post(
        URL,
        {
            "token": token,
            "lang": "da",
            "step": "1",
            "state": _state(last),
            "action": "submit",
            "q-hesteskoen.2": "Godt samarbejde",
        },
    )
    assert "Tak for dine svar" in sent.content.decode()
    blank_text = _to_last_page(Client(), list(open_survey.tokens.values())[1])
    asked = Client().post(
        URL,
        {
            "token": list(open_survey.tokens.values())[1],
            "lang": "da",
            "step": "1",
            "state": _state(blank_text),
            "action": "submit",
            "q-hesteskoen.2": "   ",
        },
    )
    assert "Vil du sende uden" in asked.content.decode()
