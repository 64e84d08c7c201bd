"""Sickness absence is decided against the headcount of the period it describes, frozen when
the figure is entered (privacy.md sections 2 and 3: health figures need 10 employees, and
no disclosure by subtraction, also after a reorganisation).

The red team's attack: 2026H1 figures for Afdelingen (15 people with Teamet) and Teamet (10)
differ by 5 people, so one of them is hidden. If the decision followed today's organisation,
hiring 5 people into Afdelingen (or swapping teams, or letting its own 5 leave) would show
both, and whoever knew the H1 headcounts would compute the 5 others' absence:
(15 x 6.00 - 10 x 4.50) / 5 = 9.00 %."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from tests.factories import make_person
from tests.privacy import attack
from tests.privacy.test_apv_attack import _shown
from tryghed.apv import services as apv_services
from tryghed.apv.models import SicknessAbsence
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Person

pytestmark = pytest.mark.django_db

DEPT = Decimal("6.00")  # Afdelingen with its team: 15 employees in 2026H1
TEAM = Decimal("4.50")  # Teamet: 10 employees
LATER = Decimal("3.33")  # Afdelingen's 2026H2 figure, entered after the change


def _record(place: attack.Workplace, name: str, value: Decimal, half: int = 1) -> None:
    start, end = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    if half == 2:
        start, end = (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    apv_services.sickness_absence_record(
        organisation=place.org,
        unit=place.units[name],
        actor=place.owner,
        period_start=start,
        period_end=end,
        absence_percent=value,
        absence_days=None,
        contributes="unknown",
        assessment="",
    )


def _shown_to_amo(place: attack.Workplace, values: tuple[Decimal, ...]) -> set[Decimal]:
    """The figures the AMO (who sees every unit) reads on any APV page or export."""
    pages = attack.read_all(place, attack.apv_urls(place))
    amo = [p for (role, _), p in pages.items() if role == "amo"]
    return {value for value in values if any(_shown(p, value) for p in amo)}


def _hire_five(place: attack.Workplace) -> None:
    for i in range(5):
        make_person(place.units["Afdelingen"], name=f"Ny {i}", email=f"ny{i}@example.test")


def _swap_teams(place: attack.Workplace) -> None:
    """Teamet moves out of Afdelingen, Naboteamet (10) moves in: Afdelingen is 15 again,
    now disjoint from Teamet."""
    org_services.unit_move(unit=place.units["Teamet"], actor=place.owner, new_parent=place.root)
    org_services.unit_move(
        unit=place.units["Naboteamet"], actor=place.owner, new_parent=place.units["Afdelingen"]
    )


def _own_five_leave(place: attack.Workplace) -> None:
    """Afdelingen's own 5 leave: its subtree is then exactly Teamet's 10 people."""
    Person.objects.filter(unit=place.units["Afdelingen"]).update(is_active=False)


@pytest.mark.parametrize(
    "change",
    [_hire_five, _swap_teams, _own_five_leave],
    ids=["five hired", "Teamet moved out and another team in", "own five left"],
)
def test_a_change_in_the_organisation_never_shows_the_hidden_figure_of_a_period(
    change: Callable[[attack.Workplace], None],
) -> None:
    place = attack.build_workplace(
        {"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10), "Naboteamet": (None, 10)}
    )
    _record(place, "Afdelingen", DEPT)
    _record(place, "Teamet", TEAM)
    before = _shown_to_amo(place, (DEPT, TEAM))
    assert len(before) == 1, "15 - 10 = 5 < 10: exactly one of the two is shown"

    change(place)

    after = _shown_to_amo(place, (DEPT, TEAM))
    assert after == before  # the decision for 2026H1 did not move, so nothing subtracts
    assert len(after) == 1


def test_the_figure_stores_the_headcount_and_the_units_it_covered_when_entered() -> None:
    place = attack.build_workplace(
        {"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10), "Naboteamet": (None, 10)}
    )
    _record(place, "Afdelingen", DEPT)
    _hire_five(place)
    stored = SicknessAbsence.objects.get(unit=place.units["Afdelingen"])
    assert stored.headcount == 15
    assert stored.unit_headcounts == {
        str(place.units["Afdelingen"].pk): 5,
        str(place.units["Teamet"].pk): 10,
    }


def test_a_figure_entered_after_the_change_is_decided_on_the_new_headcount() -> None:
    place = attack.build_workplace(
        {"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10), "Naboteamet": (None, 10)}
    )
    _record(place, "Afdelingen", DEPT)
    _record(place, "Teamet", TEAM)
    before = _shown_to_amo(place, (DEPT, TEAM))
    _hire_five(place)
    # 2026H2: Afdelingen has 20 people, Teamet has no H2 figure: nothing to subtract.
    _record(place, "Afdelingen", LATER, half=2)
    assert _shown_to_amo(place, (DEPT, TEAM, LATER)) == before | {LATER}


def test_a_later_figure_of_the_same_period_never_shows_one_hidden_before() -> None:
    """Teamet was entered first and read by everyone who sees it. Afdelingen (15) differs
    from it by 5: hiding Teamet now would not unsee it, so the new figure is the one
    hidden (otherwise the two, read at different times, still subtract to 5 people)."""
    place = attack.build_workplace(
        {"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10), "Naboteamet": (None, 10)}
    )
    _record(place, "Teamet", TEAM)
    assert _shown_to_amo(place, (DEPT, TEAM)) == {TEAM}
    _record(place, "Afdelingen", DEPT)
    assert _shown_to_amo(place, (DEPT, TEAM)) == {TEAM}
    # A third figure of the same period can hide more, never show what was hidden.
    _record(place, "Naboteamet", Decimal("2.22"))
    assert _shown_to_amo(place, (DEPT, TEAM, Decimal("2.22"))) == {TEAM, Decimal("2.22")}


def test_a_deleted_figure_that_was_shown_still_counts_for_its_period() -> None:
    """Teamet's H1 figure was read, then deleted; Afdelingen's H1 figure, entered later,
    would subtract to 5 people against what the readers remember."""
    place = attack.build_workplace(
        {"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10), "Naboteamet": (None, 10)}
    )
    _record(place, "Teamet", TEAM)
    assert _shown_to_amo(place, (TEAM,)) == {TEAM}
    apv_services.sickness_absence_delete(
        absence=SicknessAbsence.objects.get(unit=place.units["Teamet"]), actor=place.owner
    )
    _record(place, "Afdelingen", DEPT)
    assert _shown_to_amo(place, (DEPT, TEAM)) == set()
    assert SicknessAbsence.objects.get().publication == "complementary"
