"""The voice channel's figures attacked by a reader of results (privacy.md section 0).

The reader sees the figures page as their role allows, remembers it, comes back the next
day, and subtracts: the organisation's total minus the units shown, minus what they read
in their own inbox (an administrator who also leads a unit). No set of 1 to min-1 cases
may come out, and nothing shown may move because a case was raised, or when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from itertools import combinations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_unit
from tests.voice.test_statistics import H1, add_cases
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import OrgAccess, access_for
from tryghed.voice import selectors, services, statistics
from tryghed.voice.models import Case

MIN = 5  # the organisation's minimum for a figure (min_group_score, the default)


def _derived_sizes(access: OrgAccess, figures: statistics.PeriodFigures) -> set[int]:
    """Every number of cases the reader can derive by subtraction from what they see.

    What they see: the total (if shown), the unit rows, and their own inbox's cases of the
    period by unit. Each of those is a set of cases; the derivable sets are the total minus
    any combination of the others (the unit rows and inbox units are disjoint)."""
    if figures.organisation is None:
        return set()
    period = figures.period
    inbox: Counter[int] = Counter(
        c.unit_id
        for c in selectors.visible_cases(access)
        if period.start <= c.opened_on <= period.end
        and c.receiver == "leader"
        and c.unit_id is not None
    )
    # A unit's row and the same unit's cases in the inbox are the same set of cases.
    parts = list({**inbox, **{row.unit.pk: row.figures.cases for row in figures.units}}.values())
    sizes = set()
    for k in range(len(parts) + 1):
        for chosen in combinations(parts, k):
            sizes.add(figures.organisation.cases - sum(chosen))
    return sizes


def _leaks(sizes: set[int]) -> set[int]:
    return {n for n in sizes if 0 < n < MIN}


def test_the_total_minus_the_shown_unit_does_not_reveal_a_small_unit(world: World) -> None:
    add_cases(world, world.team_a, 6)
    add_cases(world, world.team_b, 2)
    access = access_for(user=world.owner, slug=world.org.slug)
    figures = statistics.period_figures(access, H1)
    assert [r.unit for r in figures.units] == [world.team_a]
    assert figures.organisation is None  # 8 - 6 = 2 would be team B's two cases
    assert not _leaks(_derived_sizes(access, figures))


def test_a_parent_and_a_child_never_difference_out_a_hidden_child(world: World) -> None:
    # Rows count the cases sent to a unit's own leader, not its subtree: the area's row
    # does not contain team B's, so area minus team A is not team B.
    add_cases(world, world.area, 6)
    add_cases(world, world.team_a, 6)
    add_cases(world, world.team_b, 1)
    access = access_for(user=world.owner, slug=world.org.slug)
    figures = statistics.period_figures(access, H1)
    rows = {r.unit: r.figures.cases for r in figures.units}
    assert rows == {world.area: 6, world.team_a: 6}
    assert figures.organisation is None
    assert not _leaks(_derived_sizes(access, figures))
    # With enough hidden cases between them, the total is shown and reveals no small group.
    add_cases(world, world.team_b, 4)
    figures = statistics.period_figures(access, H1)
    assert figures.organisation is not None and figures.organisation.cases == 17
    assert not _leaks(_derived_sizes(access, figures))


def test_an_administrator_who_leads_a_team_cannot_count_the_cases_sent_to_the_amo(
    world: World,
) -> None:
    # Team A's leader is also an administrator: they read team A's 4 cases in their inbox.
    # Two colleagues went to the AMO/HR instead (perhaps about them).
    add_cases(world, world.team_b, 5)
    add_cases(world, world.team_a, 4)
    add_cases(world, world.team_a, 2, receiver="amo")
    plain_admin = access_for(user=world.owner, slug=world.org.slug)
    shown = statistics.period_figures(plain_admin, H1)
    # The plain administrator knows neither part: 11 - 5 = 6 hides two groups together.
    assert shown.organisation is not None and shown.organisation.cases == 11
    assert not _leaks(_derived_sizes(plain_admin, shown))

    grant(world.leader, world.org, Role.ADMIN)
    access = access_for(user=world.leader, slug=world.org.slug)
    assert access.is_admin and access.leader_paths
    figures = statistics.period_figures(access, H1)
    assert [(r.unit, r.figures.cases) for r in figures.units] == [(world.team_b, 5)]
    # 11 - 5 (team B's row) - 4 (own inbox) = 2, the AMO cases: the total must not show.
    assert figures.organisation is None
    assert not _leaks(_derived_sizes(access, figures))
    # Had the page shown the plain administrator's total, the attack would have worked.
    assert _leaks(_derived_sizes(access, shown)) == {2}


def test_a_leader_cannot_open_the_figures_at_all(world: World) -> None:
    add_cases(world, world.team_a, 6)
    url = reverse("voice:figures", kwargs={"org": world.org.slug})
    assert client_for(world.leader).get(url).status_code == 403


def _page(client: Client, world: World) -> str:
    html = client.get(reverse("voice:figures", kwargs={"org": world.org.slug})).content.decode()
    # The page as the reader remembers it: every figure, without the per-request token.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("receiver", ["leader", "amo"])
def test_a_case_raised_today_changes_nothing_shown_today_or_tomorrow(
    world: World, receiver: str
) -> None:
    today = services.local_today()
    settled = statistics.settled_periods(today, 1)[0]
    for unit in (world.team_a, world.team_b):
        add_cases(world, unit, 6, opened=settled.start + dt.timedelta(days=10))
    client = client_for(world.owner)
    before = _page(client, world)
    assert "Team A" in before and "Hele organisationen</th>" in before
    services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver=receiver,
        kind="concern",
        text="I dag skete der noget.",
        today=today,
    )
    assert _page(client, world) == before
    # And a day later, with the new case acknowledged and a settled case acted on late.
    late = Case.objects.filter(opened_on__lte=settled.end).first()
    assert late is not None
    Case.objects.filter(pk=late.pk).update(
        outcome_on=today, acknowledged_on=late.acknowledged_on or today
    )
    Case.objects.filter(opened_on=today).update(acknowledged_on=today)
    assert _page(client, world) == before


def test_when_in_the_half_year_a_case_was_raised_does_not_show(world: World) -> None:
    # Timing: the same cases raised on other days of the half-year, with the same delays,
    # give the same figures, so the figures cannot date anyone's case.
    add_cases(world, world.team_a, 3, opened=dt.date(2026, 1, 5))
    add_cases(world, world.team_a, 3, opened=dt.date(2026, 6, 1), ack_days=8)
    access = access_for(user=world.owner, slug=world.org.slug)
    first = statistics.period_figures(access, H1)
    for case in Case.objects.all():
        shift = dt.timedelta(days=30 if case.opened_on.month == 1 else -60)
        Case.objects.filter(pk=case.pk).update(
            opened_on=case.opened_on + shift,
            acknowledged_on=case.acknowledged_on + shift if case.acknowledged_on else None,
            answered_on=case.answered_on + shift if case.answered_on else None,
        )
    assert statistics.period_figures(access, H1) == first


def test_a_reorganisation_moves_no_case_between_rows(world: World) -> None:
    add_cases(world, world.team_a, 6)
    add_cases(world, world.area, 6)
    access = access_for(user=world.owner, slug=world.org.slug)
    before = statistics.period_figures(access, H1)
    new_area = make_unit(world.org, name="Nyt område", kind="omraade", external_id="NEW")
    Unit.objects.filter(pk=world.team_a.pk).update(
        parent=new_area, path=f"{new_area.path}{world.team_a.pk}/"
    )
    after = statistics.period_figures(access, H1)
    assert [(r.unit.pk, r.figures) for r in after.units] == [
        (r.unit.pk, r.figures) for r in before.units
    ]
