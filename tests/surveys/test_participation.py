"""Participation ("svarprocent") is a figure too: counts only for groups of at least 5
invited, under the remainder and difference rules, small units folded into their parent
(privacy.md section 4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories import make_unit
from tryghed.orgs.models import Unit
from tryghed.surveys.models import Invitation, Measurement, Response, Status
from tryghed.surveys.participation import RateRow, response_rates


def _measurement(world: World) -> Measurement:
    today = timezone.localdate()
    return Measurement.objects.create(
        organisation=world.org,
        name="Trivsel",
        status=Status.OPEN,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )


def _people(measurement: Measurement, unit: Unit, invited: int, answered: int) -> None:
    """Invitations for ``invited`` people of the unit, and ``answered`` released responses."""
    Invitation.objects.bulk_create(
        Invitation(measurement=measurement, unit=unit) for _ in range(invited)
    )
    Response.objects.bulk_create(
        Response(measurement=measurement, unit=unit, week="2026-W40", answers={"ps7.1": 3})
        for _ in range(answered)
    )


def _by_name(rows: list[RateRow]) -> dict[str, RateRow]:
    return {row.name: row for row in rows}


def _detail(world: World, measurement: Measurement) -> str:
    return (
        client_for(world.owner)
        .get(
            reverse(
                "surveys_admin:detail",
                kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
            )
        )
        .content.decode()
    )


@pytest.fixture
def nord(world: World) -> Unit:
    return make_unit(world.org, parent=world.area, name="Hjemmeplejen Nord")


def test_a_team_of_three_shows_no_counts_and_is_folded_into_its_parent(
    world: World, nord: Unit
) -> None:
    # Finding 9: "Hjemmeplejen Nord 3 invited, 3 answered, 100 %".
    measurement = _measurement(world)
    _people(measurement, nord, 3, 3)
    _people(measurement, world.team_a, 6, 5)
    _people(measurement, world.team_b, 7, 6)
    _people(measurement, world.area, 10, 2)  # the area's own staff
    rows, total = response_rates(measurement)
    by_name = _by_name(rows)
    small = by_name["Hjemmeplejen Nord"]
    assert (small.invited, small.responses, small.rate) == (None, None, None)
    assert small.reason == "few_invited" and small.hidden_text == "for få inviterede"
    assert small.folded_into in {"Område", "Testkommune"}
    assert total is not None and (total.invited, total.responses) == (26, 16)
    truth = {nord.pk: (3, 3), world.team_a.pk: (6, 5), world.team_b.pk: (7, 6)}
    _assert_no_small_remainder(rows, {**truth, world.area.pk: (10, 2)})


def _assert_no_small_remainder(rows: list[RateRow], truth: dict[int, tuple[int, int]]) -> None:
    """Every shown group minus the shown groups inside it holds 0 or at least 5 invited,
    and 0 or at least 5 answered: nothing smaller can be derived by subtraction."""
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[r.unit_id for r in rows])}
    every = Unit.objects.filter(organisation=next(iter(units.values())).organisation)
    paths = {u.pk: u.path for u in every}
    shown = [r for r in rows if r.shown]
    for row in shown:
        inner = [
            o
            for o in shown
            if o is not row
            and paths[o.unit_id].startswith(paths[row.unit_id])
            and not any(
                m is not o
                and m is not row
                and paths[o.unit_id].startswith(paths[m.unit_id])
                and paths[m.unit_id].startswith(paths[row.unit_id])
                for m in shown
            )
        ]
        for index in (0, 1):
            mine = sum(
                n[index] for pk, n in truth.items() if paths[pk].startswith(paths[row.unit_id])
            )
            assert row.invited is not None and row.responses is not None
            assert (row.invited, row.responses)[index] == mine
            covered = sum((o.invited, o.responses)[index] or 0 for o in inner)
            assert mine - covered == 0 or mine - covered >= 5, (row.name, index)


def test_the_page_shows_only_the_reason_for_a_hidden_group(world: World, nord: Unit) -> None:
    measurement = _measurement(world)
    _people(measurement, nord, 3, 3)
    _people(measurement, world.team_a, 6, 5)
    _people(measurement, world.team_b, 7, 6)
    _people(measurement, world.area, 10, 2)
    html = _detail(world, measurement)
    start = html.index("Hjemmeplejen Nord")
    row = re.sub(r"<[^>]+>", " ", html[start : html.index("</tr>", start)])
    assert "for få inviterede" in row and "indgår i" in row
    assert not any(ch.isdigit() for ch in row)
    assert "100 %" not in html and "3 af 3" not in html
    assert "16 af 26 inviterede har svaret" in html


def test_a_group_with_too_few_answers_shows_no_counts(world: World) -> None:
    measurement = _measurement(world)
    _people(measurement, world.team_a, 12, 2)
    _people(measurement, world.team_b, 12, 8)
    rows, total = response_rates(measurement)
    team_a = _by_name(rows)["Team A"]
    # The reason says nothing about the answers: "for få svar" next to exact figures above
    # it could pin a sibling at "all answered" (surveys.participation, module docstring).
    assert (team_a.invited, team_a.responses, team_a.reason) == (None, None, "complementary")
    assert team_a.hidden_text == "skjult for at beskytte en mindre gruppe"
    # Team B and the area together would give team A's two answers by subtraction.
    assert not (_by_name(rows)["Team B"].shown and _by_name(rows)["Område"].shown)
    _assert_no_small_remainder(rows, {world.team_a.pk: (12, 2), world.team_b.pk: (12, 8)})
    assert total is not None and (total.invited, total.responses, total.percent) == (24, 10, 42)


def test_large_enough_groups_show_counts_and_rate(world: World) -> None:
    measurement = _measurement(world)
    _people(measurement, world.team_a, 12, 7)
    _people(measurement, world.team_b, 10, 5)
    rows, total = response_rates(measurement)
    by_name = _by_name(rows)
    assert (by_name["Team A"].invited, by_name["Team A"].responses) == (12, 7)
    assert by_name["Team A"].percent == 58
    assert (by_name["Team B"].invited, by_name["Team B"].responses) == (10, 5)
    assert (by_name["Område"].invited, by_name["Område"].responses) == (22, 12)
    assert total is not None and total.percent == 55


def test_a_group_needs_the_minimum_who_answered_and_the_minimum_who_did_not(
    world: World,
) -> None:
    # "10 invited, 7 answered" says that only 3 did not: a group of fewer than five.
    measurement = _measurement(world)
    _people(measurement, world.team_a, 10, 7)
    _people(measurement, world.team_b, 10, 5)
    _people(measurement, world.area, 10, 5)
    rows, total = response_rates(measurement)
    by_name = _by_name(rows)
    assert by_name["Team A"].shown is False and by_name["Team A"].reason == "complementary"
    assert (by_name["Team B"].invited, by_name["Team B"].responses) == (10, 5)
    assert total is not None and (total.invited, total.responses) == (30, 17)


def test_a_total_where_almost_everyone_answered_shows_a_band(world: World) -> None:
    measurement = _measurement(world)
    _people(measurement, world.team_a, 12, 12)
    _people(measurement, world.team_b, 10, 9)
    rows, total = response_rates(measurement)
    assert total is not None and total.shown is False
    assert (total.invited, total.responses, total.percent) == (None, None, None)
    # Fewer than five of 22 did not answer: at least 18 of 22, whatever the true count.
    assert total.reason == "nearly_all" and total.hidden_text == "mindst 81 % har svaret"
    assert not any(row.shown for row in rows)
    html = _detail(world, measurement)
    assert "mindst 81 % har svaret" in html and "100 %" not in html and ">21<" not in html


def test_a_measurement_with_fewer_than_five_answers_in_all_shows_no_total(world: World) -> None:
    measurement = _measurement(world)
    _people(measurement, world.team_a, 10, 4)
    _rows, total = response_rates(measurement)
    assert total is not None and total.shown is False
    assert (total.invited, total.responses, total.hidden_text) == (None, None, "for få svar")
    listing = (
        client_for(world.owner)
        .get(reverse("surveys_admin:list", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert "for få svar" in listing and "4 / 10" not in listing and "40 %" not in listing


def test_a_closed_measurement_counts_by_the_tree_frozen_at_closing(
    world: World, nord: Unit
) -> None:
    measurement = _measurement(world)
    _people(measurement, world.team_a, 6, 5)
    _people(measurement, nord, 6, 5)
    tree = [
        {"id": u.pk, "parent": u.parent_id, "path": u.path, "depth": u.depth, "name": u.name}
        for u in Unit.objects.filter(organisation=world.org)
    ]
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED, frozen_tree=tree)
    measurement.refresh_from_db()
    before = response_rates(measurement)
    # A later move of Nord under team A must not change the closed measurement's figures.
    Unit.objects.filter(pk=nord.pk).update(
        parent=world.team_a, path=f"{world.team_a.path}{nord.pk}/"
    )
    assert response_rates(measurement) == before
