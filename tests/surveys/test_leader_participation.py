"""Leaders see the participation of their own subtree (privacy.md section 4): the rows of
the one suppressed table the AMO sees, for the units they see, and nothing else."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories import grant, make_unit, make_user
from tryghed.orgs.models import Role, Unit
from tryghed.surveys.models import Invitation, Measurement, Response, Status
from tryghed.surveys.participation import response_rates


def _measurement(world: World, name: str = "Trivsel", status: str = Status.OPEN) -> Measurement:
    today = timezone.localdate()
    return Measurement.objects.create(
        organisation=world.org,
        name=name,
        status=status,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )


def _people(measurement: Measurement, unit: Unit, invited: int, answered: int) -> None:
    Invitation.objects.bulk_create(
        Invitation(measurement=measurement, unit=unit) for _ in range(invited)
    )
    Response.objects.bulk_create(
        Response(measurement=measurement, unit=unit, week="2026-W40", answers={"ps7.1": 3})
        for _ in range(answered)
    )


@pytest.fixture
def measurement(world: World) -> Measurement:
    nord = make_unit(world.org, parent=world.area, name="Hjemmeplejen Nord")
    m = _measurement(world)
    # Each shown group has at least five who answered and five who did not.
    _people(m, world.team_a, 12, 7)
    _people(m, world.team_b, 14, 8)
    _people(m, nord, 3, 3)
    _people(m, world.area, 10, 5)  # the area's own staff: no small remainder
    return m


def _detail(client: Client, world: World, m: Measurement) -> Any:
    url = reverse("surveys_admin:detail", kwargs={"org": world.org.slug, "measurement_id": m.pk})
    return client.get(url)


def test_a_team_leader_sees_their_teams_participation_and_no_other(
    world: World, measurement: Measurement
) -> None:
    client = client_for(world.leader)
    for response in (
        client.get(reverse("surveys_admin:list", kwargs={"org": world.org.slug})),
        _detail(client, world, measurement),
    ):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Team A" in html
        assert re.search(
            r'Team A</th><td class="num"[^>]*>12</td><td class="num"[^>]*>7</td>', html
        )
        assert "58 %" in html
        for other in ("Team B", "Hjemmeplejen Nord", ">39<", ">23<", "Testkommune</th>"):
            assert other not in html
    detail = _detail(client, world, measurement).content.decode()
    # No launching, reminding, closing or paper codes for a leader.
    for action in ("luk/", "paamind/", "papirkoder/", "aabn/"):
        assert action not in detail


def test_an_area_leader_sees_the_area_with_small_teams_folded_and_the_same_figures_as_the_amo(
    world: World, measurement: Measurement
) -> None:
    area_leader = make_user("area@example.test")
    grant(area_leader, world.org, Role.LEADER, world.area)
    html = _detail(client_for(area_leader), world, measurement).content.decode()
    assert "Team A" in html and "Team B" in html and "Område" in html
    assert "Hjemmeplejen Nord" in html and "for få inviterede" in html
    assert "Testkommune</th>" not in html  # the organisation's total is not theirs
    amo_html = _detail(client_for(world.amo), world, measurement).content.decode()
    rows, _total = response_rates(measurement)
    for row in rows:
        if row.name == "Testkommune":
            continue
        shown = (
            f'{row.name}</th><td class="num" data-label="Inviterede">{row.invited}</td>'
            f'<td class="num" data-label="Svar">{row.responses}</td>'
        )
        if row.shown:
            assert shown in html and shown in amo_html
        else:
            assert f'{row.name}</th><td class="num"' not in html


def test_a_measurement_outside_the_leaders_subtree_or_a_draft_is_404(
    world: World, measurement: Measurement
) -> None:
    elsewhere = _measurement(world, name="Kun Team B")
    _people(elsewhere, world.team_b, 7, 6)
    draft = _measurement(world, name="Kladden", status=Status.DRAFT)
    client = client_for(world.leader)
    listing = client.get(reverse("surveys_admin:list", kwargs={"org": world.org.slug}))
    assert "Kun Team B" not in listing.content.decode()
    assert "Kladden" not in listing.content.decode()
    assert _detail(client, world, elsewhere).status_code == 404
    assert _detail(client, world, draft).status_code == 404


@pytest.mark.parametrize(("user", "status"), [("employee", 403), ("outsider", 404)])
def test_employees_and_outsiders_see_no_participation(
    world: World, measurement: Measurement, user: str, status: int
) -> None:
    client = client_for(getattr(world, user))
    assert (
        client.get(reverse("surveys_admin:list", kwargs={"org": world.org.slug})).status_code
        == status
    )
    assert _detail(client, world, measurement).status_code == status


def test_the_amo_still_gets_the_full_measurement_pages(
    world: World, measurement: Measurement
) -> None:
    html = _detail(client_for(world.amo), world, measurement).content.decode()
    assert "Testkommune" in html and "Team B" in html
    assert "luk/" in html


_UNIT_CELL = re.compile(r'<th scope="row">(?:<span aria-hidden="true">([^<]*)</span>)?([^<]+)</th>')


def _indents(html: str) -> list[tuple[str, str]]:
    """(indentation, unit) of each participation row, in page order."""
    return [(indent, name) for indent, name in _UNIT_CELL.findall(html)]


def test_the_rows_are_indented_from_the_top_unit_on_the_page(
    world: World, measurement: Measurement
) -> None:
    # A measurement of the area alone, as it froze at launch: the area is its top unit.
    area_units = Unit.objects.filter(path__startswith=world.area.path).order_by("path")
    measurement.frozen_tree = [
        {"id": u.pk, "parent": u.parent_id, "name": u.name, "depth": u.depth, "path": u.path}
        for u in area_units
    ]
    measurement.save(update_fields=["frozen_tree"])
    amo = _indents(_detail(client_for(world.amo), world, measurement).content.decode())
    assert amo[0] == ("", "Område")
    assert sorted(amo[1:]) == [("– ", "Hjemmeplejen Nord"), ("– ", "Team A"), ("– ", "Team B")]
    leader = client_for(world.leader)
    for response in (
        leader.get(reverse("surveys_admin:list", kwargs={"org": world.org.slug})),
        _detail(leader, world, measurement),
    ):
        # The team leader's own team is the top of what they see.
        assert _indents(response.content.decode()) == [("", "Team A")]
