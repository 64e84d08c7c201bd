"""Red team, the respondent's walk and the stored row (adversary 2 of privacy.md section
0, the operator of the database, who also knows who was invited how).

People without e-mail answer with paper codes, and few people answer in English; both are
small, nameable groups. If the way an answer came in (a personal link or a typed code,
Danish or English, straight through or back and forth between pages) left any trace in
the stored response (the answers' JSON as the database keeps it, the texts, the typed
choice bytes ``codes``, the week), the operator could sort a unit's answers into "the
code holders'" and "the English speaker's" and read them. The attack walks the
respondent's pages through the product in every such way with the same answers and
compares the stored rows byte for byte.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.surveys import services
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

ANSWERS = {**ps7([2, 3, 4, 5, 4, 3, 2]), "hesteskoen.1": 4}
TEXT = "Vi taler ordentligt til hinanden"


def _walk(client: Client, first: Any, *, detour: bool) -> str:
    """From the first page of questions to the thank-you page, answering ``ANSWERS``;
    with ``detour`` the respondent first ticks other answers, goes back and corrects them."""
    page = first.content.decode()
    fields = attack.hidden_fields(page)
    assert "state" in fields and "token" in fields, "not a page of questions"
    answers: dict[str, object] = {f"q-{k}": v for k, v in ANSWERS.items()}
    answers["q-hesteskoen.2"] = TEXT
    if detour:
        wrong = {f"q-{k}": 1 for k in ANSWERS}
        got = client.post(reverse("surveys:answer"), {**fields, **wrong, "action": "back"})
        fields = attack.hidden_fields(got.content.decode())
    for _ in range(10):  # at most as many pages as the survey has
        got = client.post(reverse("surveys:answer"), {**fields, **answers, "action": "submit"})
        assert got.status_code == 200, got.status_code
        page = got.content.decode()
        fields = attack.hidden_fields(page)
        if "state" not in fields:
            return page
    raise AssertionError("the walk never reached the thank-you page")


def _stored_rows(measurement: Measurement) -> list[tuple[Any, ...]]:
    """The response rows as the operator reads them: the raw column values, id aside."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit_id, week, CAST(answers AS TEXT), CAST(texts AS TEXT), codes "
            "FROM surveys_response WHERE measurement_id = %s",
            [measurement.pk],
        )
        return [
            tuple(bytes(v) if isinstance(v, memoryview | bytes) else v for v in row)
            for row in cursor.fetchall()
        ]


def test_a_response_does_not_tell_link_from_code_danish_from_english_or_the_walk() -> None:
    place = attack.build_workplace({"Team A": (None, 6)}, without_email={"Team A": 4})
    launched = attack.launch(place)
    m = launched.measurement
    Measurement.objects.filter(pk=m.pk).update(languages=["da", "en"])
    codes = services.paper_codes_print(
        measurement=m, unit=place.units["Team A"], count=4, actor=place.amo
    )
    assert len(codes) == 4
    tokens = list(launched.tokens.values())
    assert len(tokens) == 6
    ways: list[tuple[str, str, bool]] = [
        ("link", "da", False),
        ("link", "en", False),
        ("link", "da", True),
        ("link", "en", True),
        ("link", "da", False),
        ("link", "da", False),
        ("code", "da", False),
        ("code", "en", False),
        ("code", "da", True),
        ("code", "en", True),
    ]
    for way, lang, detour in ways:
        client = Client()
        if way == "link":
            first = client.get(
                reverse("surveys:start", kwargs={"token": tokens.pop()}), {"sprog": lang}
            )
        else:
            first = client.post(
                reverse("surveys:code") + f"?sprog={lang}", {"code": codes.pop(), "lang": lang}
            )
        assert first.status_code == 200, (way, lang, first.status_code)
        assert f'lang="{lang}"' in first.content.decode()
        with TestCase.captureOnCommitCallbacks(execute=True):
            thanks = _walk(client, first, detour=detour)
        assert 'name="state"' not in thanks
    attack.close(place, m)
    stored = _stored_rows(m)
    assert len(stored) == len(ways), "every walk must have stored one response"
    assert len(set(stored)) == 1, "the stored rows differ by the way the answer came in"
