"""Red team finding: the closed measurement's paper-code line ("Papirkoder: 5 af 5 koder
er brugt") crossed with a unit's participation row. Codes are printed per unit; with all
codes printed for Værkstedet, its row minus the code answers is the answered count of its
e-mail invitees (2 here), a group below the minimum. Adversary: a reader (AMO) of the
measurement page, privacy.md section 0.1 and section 4."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_reader_attacks import _row_counts
from tryghed.surveys import services

pytestmark = pytest.mark.django_db


def _workplace(email_answers: int, code_answers: int = 5) -> str:
    place = attack.build_workplace(
        {"Værkstedet": (None, 10), "Kontoret": (None, 20)},
        without_email={"Værkstedet": 10},
    )
    launched = attack.launch(place)
    m = launched.measurement
    codes = services.paper_codes_print(
        measurement=m, unit=place.units["Værkstedet"], count=10, actor=place.amo
    )
    for code in codes[:code_answers]:  # people without e-mail answer on paper
        attack.submit(code, ps7([3]))
    for p in place.people["Kontoret"][:15]:
        attack.submit(launched.tokens[p.pk], ps7([2]))
    for p in place.people["Værkstedet"][:email_answers]:
        attack.submit(launched.tokens[p.pk], ps7([1]))
    attack.close(place, m)
    page = attack.read(attack.client_for(place.amo), attack.rate_urls(place, m)[0]) or ""
    rows = _row_counts(page, list(place.units))
    # The unit row is shown.
    assert list(rows["Værkstedet"][:2]) == [20, code_answers + email_answers]
    return attack.visible_text(page)


def test_the_code_line_is_withheld_when_a_unit_row_minus_it_is_a_small_group() -> None:
    text = _workplace(email_answers=2)
    assert "Papirkoder:" not in text


def test_the_code_line_is_shown_when_nothing_small_follows_from_it() -> None:
    # Five of Værkstedet's e-mail invitees answered too: 10 - 5 = 5, at the minimum.
    text = _workplace(email_answers=5)
    assert "Papirkoder: 5 af 10" in text


def test_the_code_line_is_withheld_when_every_code_holder_answered() -> None:
    # "10 af 10 koder er brugt" would tell each of the ten who got a code that they answered.
    text = _workplace(email_answers=5, code_answers=10)
    assert "Papirkoder:" not in text


def test_the_code_line_is_withheld_when_the_others_of_a_row_all_answered() -> None:
    # Værkstedet 20 invited, 15 answered, beside "5 af 10 koder": its ten with e-mail all
    # answered (15 - 5 of 20 - 10), which nothing smaller than the minimum shows.
    text = _workplace(email_answers=10, code_answers=5)
    assert "Papirkoder:" not in text
