"""The API's publication: for each role exactly the groups its report pages show, read
from the stored publication, the same numbers the page prints, and never a hidden value.

World (tests/conftest.py): root → area → (team_a, team_b); leader leads team_a, employee
works in team_a. ps7 scores: all code 1 → 40, all code 2 → 34, codes 5,1,5,1,5,1,1 → 70.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.helpers import get_json
from tests.conftest import World, client_for
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import TOP, fill, page, url
from tryghed.core import figures
from tryghed.orgs.models import Unit
from tryghed.results.aggregates import publication
from tryghed.results.charts import format_number
from tryghed.surveys.models import Measurement, Status

pytestmark = pytest.mark.django_db


def publication_url(measurement: Measurement) -> str:
    return reverse("api:publication", kwargs={"measurement_id": measurement.pk})


@pytest.fixture
def shown(world: World) -> Measurement:
    """team_a 12 (six score 40, six score 70), team_b 6 (score 34): every group shown."""
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_a, 6, TOP)
    fill(measurement, world.team_b, 6, [2])
    return measurement


def keys(body: Mapping[str, Any]) -> set[tuple[str, int | None]]:
    return {(g["scope"], g["unit"]) for g in body["groups"]}


def find(body: Mapping[str, Any], scope: str, unit: Unit | None) -> dict[str, Any]:
    wanted = unit.pk if unit is not None else None
    found = [g for g in body["groups"] if g["scope"] == scope and g["unit"] == wanted]
    assert len(found) == 1, (scope, wanted, keys(body))
    return dict(found[0])


def every_unit(world: World) -> list[Unit]:
    return [world.root, world.area, world.team_a, world.team_b]


def test_the_owner_and_the_amo_get_every_group_and_the_organisation_wide_statistics(
    world: World, shown: Measurement
) -> None:
    expected = {("organisation", None)} | {
        (scope, u.pk) for u in every_unit(world) for scope in ("unit", "subtree")
    }
    for user in (world.owner, world.amo):
        body = get_json(client_for(user), publication_url(shown))
        assert keys(body) == expected
        assert body["measurement_level"] is not None
        assert body["measurement"]["id"] == shown.pk


def test_a_leader_gets_her_teams_groups_its_parent_and_the_organisation_only(
    world: World, shown: Measurement
) -> None:
    body = get_json(client_for(world.leader), publication_url(shown))
    assert keys(body) == {
        ("unit", world.team_a.pk),
        ("subtree", world.team_a.pk),
        ("subtree", world.area.pk),
        ("organisation", None),
    }
    assert body["measurement_level"] is None  # organisation-wide statistics: not hers


def test_an_employee_gets_her_own_teams_feedback_groups_only(
    world: World, shown: Measurement
) -> None:
    body = get_json(client_for(world.employee), publication_url(shown))
    # The feedback page compares with nothing: no organisation group (red team, see
    # tests/privacy/test_redteam_api_publication.py).
    assert keys(body) == {("unit", world.team_a.pk)}
    assert body["measurement_level"] is None


def test_an_outsider_and_anyone_without_a_report_get_a_404(
    world: World, shown: Measurement
) -> None:
    response = client_for(world.outsider).get(publication_url(shown))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert Client().get(publication_url(shown)).status_code == 401


def test_open_and_draft_measurements_have_no_publication(world: World) -> None:
    for status in (Status.OPEN, Status.DRAFT):
        measurement = make_measurement(world, status=status)
        fill(measurement, world.team_a, 6, [1])
        assert client_for(world.owner).get(publication_url(measurement)).status_code == 404


def test_another_organisations_measurement_is_a_404_like_a_missing_one(
    world: World, shown: Measurement
) -> None:
    # The outsider administers the other organisation: its measurement exists, and the
    # owner of this one is told no more than of an id that was never used.
    other = make_measurement(world)
    Measurement.objects.filter(pk=other.pk).update(organisation=world.other_org)
    owner = client_for(world.owner)
    missing = owner.get(reverse("api:publication", kwargs={"measurement_id": 999_999}))
    foreign = owner.get(publication_url(other))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_the_leaders_numbers_are_the_ones_her_report_page_prints(
    world: World, shown: Measurement
) -> None:
    client = client_for(world.leader)
    body = get_json(client, publication_url(shown))
    html = page(client, url(world, shown, world.team_a))
    typed = publication(shown, units=[world.team_a.pk])
    stored = typed.shown_group(world.team_a.pk, "subtree")
    assert stored is not None
    expected = stored.scale("ps7", "total")
    team = find(body, "subtree", world.team_a)["instruments"]["ps7"]["scales"]["total"]
    assert isinstance(expected, figures.ScaleFigure)
    assert team["hidden"] is False
    assert team["n"] == 12 and team["mean"] == pytest.approx(55.0)
    assert (team["n"], team["mean"], tuple(team["ci95"])) == (
        expected.n,
        expected.mean,
        expected.ci95,
    )
    low, high = (format_number(v, "da") for v in team["ci95"])
    assert f"{format_number(team['mean'], 'da')} på skalaen 0–70" in html
    assert f"95 % sikkerhedsinterval {low}–{high}" in html
    assert f"n = {team['n']} svar" in html
    # The parent it is compared with, on the page and in the API.
    parent = find(body, "subtree", world.area)["instruments"]["ps7"]["scales"]["total"]
    assert parent["mean"] == pytest.approx((12 * 55 + 6 * 34) / 18)
    assert format_number(parent["mean"] / 70 * 100, "da", 0) in html
    # Every item's distribution of the team, as stored.
    items = find(body, "unit", world.team_a)["instruments"]["ps7"]["items"]
    own = typed.shown_group(world.team_a.pk, "unit")
    assert own is not None
    for item_id, record in items.items():
        stored_item = own.item("ps7", item_id)
        assert isinstance(stored_item, figures.ItemFigure)
        assert record["counts"] == list(stored_item.counts)


def hidden_records(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        if value.get("hidden") is True:
            yield value
        for child in value.values():
            yield from hidden_records(child)
    elif isinstance(value, list):
        for child in value:
            yield from hidden_records(child)


def test_a_hidden_group_comes_with_its_reason_and_never_a_value(world: World) -> None:
    """team_a 6 (score 40), team_b 3 (score 70): team_b is below the minimum, team_a's
    figures are hidden too, or the organisation (9) minus team_a (6) would give team_b."""
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 3, TOP)
    body = get_json(client_for(world.amo), publication_url(measurement))
    team_b = find(body, "unit", world.team_b)
    assert team_b["hidden"] is True and team_b["reason"] == "below_minimum"
    assert team_b["reason_text"] == "For få svar – vises først ved mindst 5 svar"
    team_a = find(body, "unit", world.team_a)
    hidden = team_a if team_a["hidden"] else team_a["instruments"]["ps7"]["scales"]["total"]
    assert hidden["hidden"] is True and hidden["reason"] == "complementary"
    assert hidden["reason_text"].startswith("Skjult, så en lille gruppe")
    found = list(hidden_records(body))
    assert len(found) >= 2
    allowed = {"hidden", "reason", "reason_text", "unit", "scope", "name"}
    for record in found:
        assert set(record) <= allowed, record
    # The organisation is shown (9 people, 50 points), as on the page.
    organisation = find(body, "organisation", None)["instruments"]["ps7"]["scales"]["total"]
    assert organisation["n"] == 9 and organisation["mean"] == pytest.approx(50.0)
    # Neither hidden mean (70 and 40) appears in any group's records.
    means = [
        record["mean"]
        for group in body["groups"]
        if not group["hidden"]
        for record in group["instruments"]["ps7"]["scales"].values()
        if not record["hidden"]
    ]
    assert means and all(m == pytest.approx(50.0) for m in means), means


def test_texts_follow_the_callers_language(world: World, shown: Measurement) -> None:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 3, TOP)
    client = client_for(world.amo)
    danish = get_json(client, publication_url(measurement))
    english = get_json(client, publication_url(measurement), HTTP_ACCEPT_LANGUAGE="en")
    assert find(english, "unit", world.team_b)["reason_text"].startswith("Too few")
    assert find(danish, "unit", world.team_b)["reason_text"].startswith("For få svar")
    assert english["measurement"]["status_label"] == "Closed"
    assert danish["measurement"]["status_label"] == "Lukket"
