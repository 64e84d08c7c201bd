"""The paper-code line ("Papirkoder: x af y") beside the participation rows, attacked with
bounds rather than subtraction. A reader knows each unit's invited people and how many
codes were printed for it (the AMO printed them; the audit log says so), so each unit's
people with e-mail are known in number. A unit's e-mail answers cannot exceed its e-mail
invitees, which puts a floor under its code answers; when the floors add up to the code
line, every unit's code answers are pinned. Adversary: a reader of the measurement page
and the report (privacy.md section 0.1; section 4: no reader learns whether a named
person answered)."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_reader_attacks import _row_counts
from tryghed.surveys import services
from tryghed.surveys.models import Measurement
from tryghed.surveys.retention import measurement_purge_responses

pytestmark = pytest.mark.django_db


def _workplace(
    *, j_email: int, j_codes: int, k_email: int, k_codes: int
) -> tuple[str, dict[str, list[int]], attack.Workplace, Measurement]:
    # Lageret: 10 with e-mail, 12 without; Kantinen: 10 with e-mail, 5 without.
    place = attack.build_workplace(
        {"Lageret": (None, 10), "Kantinen": (None, 10)},
        without_email={"Lageret": 12, "Kantinen": 5},
    )
    launched = attack.launch(place)
    m = launched.measurement
    printed = {
        name: services.paper_codes_print(
            measurement=m, unit=place.units[name], count=count, actor=place.amo
        )
        for name, count in (("Lageret", 12), ("Kantinen", 5))
    }
    for name, email, codes in (("Lageret", j_email, j_codes), ("Kantinen", k_email, k_codes)):
        for p in place.people[name][:email]:  # the first ten of each unit have e-mail
            attack.submit(launched.tokens[p.pk], ps7([2]))
        for code in printed[name][:codes]:
            attack.submit(code, ps7([3]))
    attack.close(place, m)
    page = attack.read(attack.client_for(place.amo), attack.rate_urls(place, m)[0]) or ""
    rows = _row_counts(page, list(place.units))
    counts = {name: list(row[:2]) for name, row in rows.items()}
    return attack.visible_text(page), counts, place, m


def _org_report(place: attack.Workplace, m: Measurement) -> str:
    page = attack.read(attack.client_for(place.amo), attack.report_urls(place, m)[1]) or ""
    return attack.visible_text(page)


def test_code_line_is_withheld_when_the_floors_pin_every_units_code_answers() -> None:
    # Lageret 22 invited, 16 answered; Kantinen 15 invited, 5 answered. Both rows are shown
    # (at least 5 answered and 5 not). "Papirkoder: 6 af 17" would say: Lageret's e-mail
    # answers are at most 10, so at least 6 of its answers came by code, which is all 6;
    # so none of Kantinen's five code holders answered, and all ten of Lageret's e-mail
    # invitees did. Each part of the line alone has five who answered and five who did not.
    text, rows, place, m = _workplace(j_email=10, j_codes=6, k_email=5, k_codes=0)
    assert rows["Lageret"] == [22, 16]
    assert rows["Kantinen"] == [15, 5]
    assert "Papirkoder:" not in text
    assert "Papirkoder:" not in _org_report(place, m)


def test_code_line_is_shown_when_the_bounds_leave_room() -> None:
    # Lageret 22 invited, 11 answered (6 by code); Kantinen 15, 5 (none by code). A reader
    # can put between 1 and 6 of the code answers in Lageret and 0 to 5 in Kantinen:
    # nothing about either unit narrows below five.
    text, rows, place, m = _workplace(j_email=5, j_codes=6, k_email=5, k_codes=0)
    assert rows["Lageret"] == [22, 11]
    assert rows["Kantinen"] == [15, 5]
    assert "Papirkoder: 6 af 17" in text
    # The organisation report says it too (privacy.md section 5), kept with the
    # publication at closing: the answers' retention purge does not take it away.
    assert "Papirkoder: 6 af 17" in _org_report(place, m)
    measurement_purge_responses(measurement=m)
    m.refresh_from_db()
    assert m.responses_purged_at is not None
    assert "Papirkoder: 6 af 17" in _org_report(place, m)
