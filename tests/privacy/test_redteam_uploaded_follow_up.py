"""Red team, a follow-up question (``show_if``) beside the question it follows (adversary 1
of privacy.md section 0; the file's author chose the follow-up, but risk5's "fra hvem"
items are the same channel).

A follow-up is asked only of those who gave some answers to an earlier item, so its count
in a group is how many gave those answers there: a crossing of the earlier item's
distribution that the engine decides as a count of its own. Område (nine) holds Team A
(three, hidden) and Team B (six). The earlier item is shown for Område, hidden for Team B
(Område minus Team B would be Team A's three). Five in Team B said "Altid" and answered the
follow-up; nobody in Team A did, so the follow-up's Område and Team B differ by 0 and both
are shown. Team B's five beside Område's distribution leave four answers: Team A's three
and Team B's sixth. All four said "Aldrig": Team A's three all said "Aldrig"."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.uploaded import measure, own_file, upload
from tryghed.core import figures

pytestmark = pytest.mark.django_db

NEVER, ALWAYS = 1, 5

FILE = own_file("""\
items:
  - number: 1
    text: {da: "Hvor ofte bliver du overhørt på møder?", en: "How often are you ignored in meetings?"}
    scored: false
  - number: 2
    text: {da: "Hvornår sker det?", en: "When does it happen?"}
    type: multi
    show_if: {item: 1, codes: [5]}
    options:
      - {code: 1, label: {da: Teammøder, en: Team meetings}}
      - {code: 2, label: {da: Personalemøder, en: Staff meetings}}
""")


def test_a_follow_up_does_not_give_away_the_earlier_answers_of_a_hidden_team() -> None:
    place = attack.build_workplace(
        {"Område": (None, 0), "Team A": ("Område", 3), "Team B": ("Område", 6)}
    )
    upload(place, FILE)
    team_b: list[dict[str, int | list[int]]] = [{"egen.1": ALWAYS, "egen.2": [1]}] * 5
    team_b.append({"egen.1": NEVER})
    team_a: list[dict[str, int | list[int]]] = [{"egen.1": NEVER}] * 3
    data = measure(place, ["egen"], {"Team A": team_a, "Team B": team_b})
    area = data.shown_group(place.units["Område"].pk, "subtree")
    b = data.shown_group(place.units["Team B"].pk, "subtree")
    assert area is not None and b is not None, "Område and Team B are shown"
    earlier = figures.shown(area.item("egen", "egen.1"))
    asked_in_b = figures.shown(b.item("egen", "egen.2"))
    assert earlier is not None, "Område shows the earlier item's distribution"
    if asked_in_b is not None:
        codes = data.instruments["egen"].items["egen.1"].codes
        counts = dict(zip(codes, earlier.counts, strict=True))
        # Everyone in Team B who said "Altid" was asked the follow-up (and answered it).
        counts[ALWAYS] -= asked_in_b.n
        rest = {c: k for c, k in counts.items() if k}
        left = sum(rest.values())
        assert not (0 < left < data.minimums.score and len(rest) == 1), (
            f"the {left} others in Område (Team A's three among them) all answered {rest}"
        )
