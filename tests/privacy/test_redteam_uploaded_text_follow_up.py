"""Red team, a free-text follow-up (``show_if``) beside the question it follows (adversary
1 of privacy.md section 0; an uploaded file may ask one).

The choice follow-up's channel (tests/privacy/test_redteam_uploaded_follow_up.py) through
comments: a free-text follow-up is asked only of those who gave some answers to the earlier
item, so the number of its comments shown in a group counts at least that many such
answers. Område (15) holds Team A (three, hidden) and Team B (twelve). The earlier item is
shown for Område and hidden for Team B (Område minus Team B would be Team A's three).
Eleven in Team B said "Altid" and wrote a comment; nobody in Team A did, so the comments of
Område and Team B are the same eleven and both were shown. Team B's eleven comments beside
Område's distribution left four answers, Team A's three and Team B's twelfth. All four
said "Aldrig": Team A's three all said "Aldrig". Closed: a follow-up's comments are hidden
wherever the item it follows is hidden (``Report._texts_over_hidden_items``)."""

from __future__ import annotations

import pytest
from django.test import TestCase

from tests.privacy import attack
from tests.privacy.uploaded import own_file, upload
from tryghed.core import figures
from tryghed.results.aggregates import report_data
from tryghed.surveys import services

pytestmark = pytest.mark.django_db

NEVER, ALWAYS = 1, 5

FILE = own_file("""\
items:
  - number: 1
    text: {da: "Hvor ofte bliver du overhørt på møder?", en: "How often are you ignored in meetings?"}
    scored: false
  - number: 2
    text: {da: "Fortæl gerne, hvornår det sker", en: "Tell us when it happens"}
    type: text
    show_if: {item: 1, codes: [5]}
""")


def test_a_text_follow_up_does_not_give_away_the_earlier_answers_of_a_hidden_team() -> None:
    place = attack.build_workplace(
        {"Område": (None, 0), "Team A": ("Område", 3), "Team B": ("Område", 12)}
    )
    upload(place, FILE)
    launched = attack.launch(place, ("egen",))
    given: dict[str, list[tuple[int, str | None]]] = {
        "Team A": [(NEVER, None)] * 3,
        "Team B": [(ALWAYS, f"Ved møde nummer {k}") for k in range(11)] + [(NEVER, None)],
    }
    for unit, answers in given.items():
        for person, (code, text) in zip(place.people[unit], answers, strict=True):
            with TestCase.captureOnCommitCallbacks(execute=True):
                services.response_submit(
                    token=launched.tokens[person.pk],
                    answers={"egen.1": code},
                    texts={"egen.2": text} if text else {},
                )
    attack.close(place, launched.measurement)
    data = figures.load(report_data(launched.measurement))

    area = data.shown_group(place.units["Område"].pk, "subtree")
    b = data.shown_group(place.units["Team B"].pk, "subtree")
    assert area is not None and b is not None, "Område and Team B are shown"
    earlier = figures.shown(area.item("egen", "egen.1"))
    assert earlier is not None, "Område shows the earlier item's distribution"
    assert figures.shown(b.item("egen", "egen.1")) is None, "Team B's is hidden"
    comments = b.comments.get("egen.2")
    written_in_b = len(comments.texts) if isinstance(comments, figures.Comments) else 0
    codes = data.instruments["egen"].items["egen.1"].codes
    counts = dict(zip(codes, earlier.counts, strict=True))
    # Everyone in Team B who wrote a comment said "Altid".
    counts[ALWAYS] -= written_in_b
    rest = {c: k for c, k in counts.items() if k}
    left = sum(rest.values())
    assert not (0 < left < data.minimums.score and len(rest) == 1), (
        f"the {left} others in Område (Team A's three among them) all answered {rest}"
    )
    # The comments stay where the earlier item is shown.
    shown_area = area.comments.get("egen.2")
    assert isinstance(shown_area, figures.Comments) and len(shown_area.texts) == 11
