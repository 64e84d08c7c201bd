"""Red team: leaders' participation of their own subtree (surveys.participation).

A leader reloads the measurement pages while it is open, compares their rows with what
the AMO shows, and keeps reading after a reorganisation. Counts of invited and of answered
people are figures (privacy.md section 4): no derived group may hold 1..min-1 people.
"""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories import grant, make_unit, make_user
from tryghed.core.disclosure import Figure, audit
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import access_for
from tryghed.surveys.models import Invitation, Measurement, Response, Status
from tryghed.surveys.participation import (
    PARTICIPATION_MINIMUM,
    group_members,
    reader_rates,
    response_rates,
)

ROW = re.compile(
    r'([^<>]+)</th><td class="num" data-label="[^"]*">(\d+)</td>'
    r'<td class="num" data-label="[^"]*">(\d+)</td>'
)


def _frozen(measurement: Measurement, world: World) -> None:
    units = Unit.objects.filter(organisation=world.org).order_by("path")
    measurement.frozen_tree = [
        {"id": u.pk, "parent": u.parent_id, "name": u.name, "depth": u.depth, "path": u.path}
        for u in units
    ]
    measurement.save(update_fields=["frozen_tree"])


def _invite(measurement: Measurement, unit: Unit, n: int) -> None:
    Invitation.objects.bulk_create(Invitation(measurement=measurement, unit=unit) for _ in range(n))


def _answer(measurement: Measurement, unit: Unit, n: int) -> None:
    Response.objects.bulk_create(
        Response(measurement=measurement, unit=unit, week="2026-W40", answers={"ps7.1": 3})
        for _ in range(n)
    )


def _setup(world: World) -> tuple[Measurement, dict[str, Unit]]:
    """Område (4 own) → Team A (6), Team B (7), Lille (2 invited: below the minimum)."""
    small = make_unit(world.org, parent=world.area, name="Lille team")
    today = timezone.localdate()
    m = Measurement.objects.create(
        organisation=world.org,
        name="Trivsel",
        status=Status.OPEN,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    units = {"area": world.area, "a": world.team_a, "b": world.team_b, "small": small}
    for key, n in (("area", 4), ("a", 6), ("b", 7), ("small", 2)):
        _invite(m, units[key], n)
    _frozen(m, world)
    return m, units


def _figures(measurement: Measurement, population: str) -> list[Figure]:
    rows, _total = response_rates(measurement)
    members = group_members(measurement)
    return [
        Figure(
            population,
            row.name,
            members[row.unit_id],
            row.invited if population == "invited" else row.responses,  # type: ignore[arg-type]
            PARTICIPATION_MINIMUM,
        )
        for row in rows
        if row.shown
    ]


def test_reloading_while_open_gives_no_small_group_of_invited_or_answered(world: World) -> None:
    """Answers arrive a few at a time in different teams; after each, the reader takes
    every shown count. Invited counts are the same people at every moment, so everything
    shown over time is one family; answered counts are one family per moment."""
    m, units = _setup(world)
    invited_seen: dict[str, Figure] = {}
    arrivals = ["a", "b", "small", "a", "area", "b", "a", "small", "b", "area", "a", "b", "a"]
    arrivals += ["area", "b", "a", "area", "b"]
    for key in arrivals:
        _answer(m, units[key], 1)
        for figure in _figures(m, "invited"):
            invited_seen[figure.label] = figure
        answered = audit(_figures(m, "answered"))
        assert answered.ok, answered.leaks
    result = audit(invited_seen.values())
    assert result.ok, result.leaks
    assert invited_seen  # the attack read something


def test_a_leaders_rows_are_the_amos_rows_before_and_after_a_reorganisation(
    world: World,
) -> None:
    m, units = _setup(world)
    # Five or more did not answer in all, so the area's row is shown (never 100 % or 0 %).
    for key, n in (("a", 5), ("b", 3), ("small", 2), ("area", 2)):
        _answer(m, units[key], n)
    area_leader = make_user("omraade@example.test")
    grant(area_leader, world.org, Role.LEADER, world.area)

    def table(client: Client) -> set[tuple[str, str, str]]:
        url = reverse(
            "surveys_admin:detail", kwargs={"org": world.org.slug, "measurement_id": m.pk}
        )
        response = client.get(url)
        assert response.status_code == 200
        return {tuple(r) for r in ROW.findall(response.content.decode())}

    amo = table(client_for(world.amo))
    before = table(client_for(area_leader)) | table(client_for(world.leader))
    assert before and before <= amo
    # The small team moves under Team A while the measurement is open, and Team B leaves
    # the area: the groups stay those frozen at opening, whatever the leader sees today.
    org_services.unit_move(unit=units["small"], actor=None, new_parent=world.team_a)
    org_services.unit_move(unit=world.team_b, actor=None, new_parent=world.root)
    after = table(client_for(area_leader)) | table(client_for(world.leader))
    assert after <= table(client_for(world.amo)) == amo
    assert not any(name.strip() == "Lille team" for name, _i, _a in after)
    # The leader of Team A now sees the small team's unit, but no row of its own.
    access = access_for(user=world.leader, slug=world.org.slug)
    rows = reader_rates(access, m)
    small_rows = [r for r in rows if r.unit_id == units["small"].pk]
    assert all(not r.shown and r.invited is None and r.responses is None for r in small_rows)


def test_the_participation_rows_of_a_small_team_say_only_why(world: World) -> None:
    m, units = _setup(world)
    _answer(m, units["small"], 2)
    _answer(m, units["a"], 6)
    rows, _total = response_rates(m)
    (small,) = [r for r in rows if r.unit_id == units["small"].pk]
    assert small.invited is None and small.responses is None and small.percent is None
    assert small.reason == "few_invited"
