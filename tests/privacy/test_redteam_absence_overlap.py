"""Sickness-absence figures of overlapping periods subtract too (privacy.md section 0: a
reader who remembers everything and subtracts; section 2: health figures need 10 people).

The red team's attack: Afdelingen has 5 employees of its own and Teamet (10) below it.
Shown: Afdelingen for 2026 (15 people), Afdelingen for 2026H2 and Teamet for 2026H1, each
the only figure of its period, so each passed the same-period check alone. With 129 and 132
weekdays in the two halves, a leader of Afdelingen who knows the headcounts computes

    Afdelingen H1 = (4.85 x 261 - 3.67 x 132) / 129 = 6.06 %
    its own five  = (15 x 6.06 - 10 x 3.10) / 5    = 11.97 %   (true: 12.00 %)

and from the days per employee, which add up over the halves exactly,
(15 x (12.7 - 4.8) - 10 x 4.0) / 5 = 15.7 days each (true: 15.5): the health of five named
colleagues. Now the figures whose periods cover the same days are checked together, so the
last of the three to be entered is hidden; the ones shown before stay shown (read already).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from tests.privacy import attack
from tests.privacy.test_apv_attack import _shown
from tryghed.apv import services as apv_services
from tryghed.apv.models import SicknessAbsence

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
H1 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
H2 = (dt.date(2026, 7, 1), dt.date(2026, 12, 31))

# (unit, period, percent, days per employee): Afdelingen's own five were 12 % absent in H1
# and 4 % in H2, Teamet 3.1 % and 3.5 %; these are the figures an HR system reports.
D_YEAR = ("Afdelingen", YEAR, Decimal("4.85"), Decimal("12.7"))
D_H2 = ("Afdelingen", H2, Decimal("3.67"), Decimal("4.8"))
T_H1 = ("Teamet", H1, Decimal("3.10"), Decimal("4.0"))
Figure = tuple[str, tuple[dt.date, dt.date], Decimal, Decimal | None]


def _workplace() -> attack.Workplace:
    return attack.build_workplace(
        {"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10), "Naboteamet": (None, 12)},
        leaders=["Afdelingen"],
        employees=["Teamet"],
    )


def _record(place: attack.Workplace, figure: Figure) -> None:
    name, (start, end), percent, days = figure
    apv_services.sickness_absence_record(
        organisation=place.org,
        unit=place.units[name],
        actor=place.owner,
        period_start=start,
        period_end=end,
        absence_percent=percent,
        absence_days=days,
        contributes="unknown",
        assessment="",
    )


def _seen(place: attack.Workplace, figures: tuple[Figure, ...]) -> dict[str, set[Figure]]:
    """Per reader, the figures whose percent appears on any APV page or export they open."""
    seen: dict[str, set[Figure]] = {}
    for (role, _url), page in attack.read_all(place, attack.apv_urls(place)).items():
        found = seen.setdefault(role, set())
        found.update(f for f in figures if _shown(page, f[2]))
    return seen


def _own_five_h1(percent: dict[Figure, Decimal]) -> Decimal:
    """The attacker's estimate of Afdelingen's own five in H1, from the three figures."""
    h1 = (percent[D_YEAR] * 261 - percent[D_H2] * 132) / 129
    return (15 * h1 - 10 * percent[T_H1]) / 5


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations((D_YEAR, D_H2, T_H1))),
    ids=lambda order: " then ".join(f"{f[0]} {f[1][0]:%m}-{f[1][1]:%m}" for f in order),
)
def test_no_reader_sees_the_year_its_second_half_and_a_teams_first_half(
    order: tuple[Figure, Figure, Figure],
) -> None:
    place = _workplace()
    for figure in order:
        _record(place, figure)
    figures = (D_YEAR, D_H2, T_H1)
    readers = sorted(role for role, seen in _seen(place, figures).items() if seen == set(figures))
    estimate = _own_five_h1({f: f[2] for f in figures})
    assert not readers, (
        f"{readers} read all three and derive Afdelingen's own five in H1: {estimate:.2f} %"
    )
    # The first figure entered was read before the others existed: it stays shown.
    first = SicknessAbsence.objects.get(
        unit=place.units[order[0][0]], period_start=order[0][1][0], period_end=order[0][1][1]
    )
    assert first.publication == "shown"
    assert SicknessAbsence.objects.filter(publication="shown").count() == 2
    assert SicknessAbsence.objects.filter(publication="complementary").count() == 1


def test_a_figure_whose_period_lies_inside_a_shown_one_is_checked_against_it() -> None:
    """Afdelingen's year (15) is shown; Teamet's first quarter covers days the year covers,
    and the two differ by Afdelingen's own five on those days: hidden. The year stays."""
    place = _workplace()
    _record(place, D_YEAR)
    _record(place, ("Teamet", (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), Decimal("2.22"), None))
    team = SicknessAbsence.objects.get(unit=place.units["Teamet"])
    assert team.publication == "complementary"
    assert SicknessAbsence.objects.get(unit=place.units["Afdelingen"]).publication == "shown"


def test_overlapping_periods_of_unrelated_units_and_separate_periods_stay_shown() -> None:
    """Nothing subtracts between units that share no people, nor between periods that share
    no days: Naboteamet's H1 beside Afdelingen's year, Teamet's H1 beside Afdelingen's H2."""
    place = _workplace()
    _record(place, D_YEAR)
    _record(place, ("Naboteamet", H1, Decimal("5.55"), None))
    place_two = _workplace()
    _record(place_two, D_H2)
    _record(place_two, T_H1)
    assert set(SicknessAbsence.objects.values_list("publication", flat=True)) == {"shown"}
    assert SicknessAbsence.objects.count() == 4
