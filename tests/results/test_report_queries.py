"""The report pages ask the database a fixed number of questions, however many units.

The figures come from the publication (read once, kept parsed); unit names come from it
too. A query per unit (a name, a link, a participation count) would make a page of 2,000
units slow (docs/benchmarks.md, issue 14): the same bound holds for 2 and for 40 teams, so
such a query fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import make_unit
from tests.results.test_org_report import answer, make_measurement, ps7, tavshed
from tryghed.results.aggregates import report_data

#: Session, membership, the measurement, the publication's status and name, participation
#: and the page's own lookups: 13 (organisation) and 16 (unit report) at both sizes, with
#: room for a few more fixed lookups, far below one per unit at 40.
MAX_QUERIES = 20


@pytest.fixture(params=[2, 40], ids=["2-teams", "40-teams"])
def sized(request: Any, world: World) -> tuple[World, Any, list[Any]]:
    teams = [
        make_unit(world.org, parent=world.area, name=f"Hold {i:02d}", external_id=f"H{i}")
        for i in range(request.param)
    ]
    measurement = make_measurement(world, ["ps7", "tavshed"])
    for i, team in enumerate(teams):
        answer(measurement, team, 5, {**ps7([1 + i % 5]), **tavshed(1 + i % 4)})
    report_data(measurement)  # published: the pages read it warm
    return world, measurement, teams


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"niveau": "alle", "sort": "ps7.total", "dir": "asc"}])
def test_the_organisation_report_asks_a_fixed_number_of_queries(
    sized: tuple[World, Any, list[Any]],
    params: dict[str, str],
    django_assert_max_num_queries: Any,
) -> None:
    world, measurement, teams = sized
    client = client_for(world.amo)
    url = reverse("results:org_report", args=[world.org.slug, measurement.pk])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    # Every team is on the page (the zones list each), linked to its own report.
    for team in teams:
        assert (
            reverse("results:unit_report", args=[world.org.slug, measurement.pk, team.pk]) in html
        )


@pytest.mark.django_db
def test_the_unit_report_asks_a_fixed_number_of_queries(
    sized: tuple[World, Any, list[Any]], django_assert_max_num_queries: Any
) -> None:
    world, measurement, teams = sized
    client = client_for(world.amo)
    for unit in (world.area, teams[0]):
        url = reverse("results:unit_report", args=[world.org.slug, measurement.pk, unit.pk])
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200
        assert unit.name in response.content.decode()


@pytest.mark.django_db
def test_the_feedback_page_and_the_report_list_ask_a_fixed_number_of_queries(
    sized: tuple[World, Any, list[Any]], django_assert_max_num_queries: Any
) -> None:
    world, measurement, _teams = sized
    employee = client_for(world.employee)  # an employee of team A
    url = reverse("results:feedback", args=[world.org.slug, measurement.pk])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = employee.get(url)
    assert response.status_code == 200
    assert world.team_a.name in response.content.decode()
    listing = reverse("results:list", args=[world.org.slug])
    amo = client_for(world.amo)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = amo.get(listing)
    assert response.status_code == 200
