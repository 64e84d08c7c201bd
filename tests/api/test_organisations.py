"""The API's organisations and measurements: each role sees its own, an outsider nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.helpers import get_json
from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import fill
from tryghed.orgs.models import Role
from tryghed.surveys.models import Measurement, Status

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("api:organisations")


def measurements_url(organisation_id: int) -> str:
    return reverse("api:measurements", kwargs={"organisation_id": organisation_id})


def roles_of(body: list[dict[str, object]], slug: str) -> list[tuple[object, object]]:
    (found,) = (o for o in body if o["slug"] == slug)
    roles = found["roles"]
    assert isinstance(roles, list)
    return [(r["role"], r["unit"]["name"] if r["unit"] else None) for r in roles]


def test_each_role_sees_its_organisation_and_its_roles(world: World) -> None:
    cases = [
        (world.owner, [("admin", None)]),
        (world.amo, [("amo", None)]),
        (world.leader, [("leader", "Team A")]),
        (world.employee, [("employee", "Team A")]),
    ]
    for user, expected in cases:
        body = get_json(client_for(user), ORGANISATIONS)
        assert [o["slug"] for o in body] == ["testkommune"], user
        assert roles_of(body, "testkommune") == expected, user
        assert body[0]["id"] == world.org.pk and body[0]["name"] == "Testkommune"


def test_an_employee_found_by_her_address_holds_the_employees_role(world: World) -> None:
    # Alma signs in by link: no stored role, a person row in team_a with her address.
    alma = make_user("alma@example.test")
    body = get_json(client_for(alma), ORGANISATIONS)
    assert roles_of(body, "testkommune") == [("employee", "Team A")]


def test_an_outsider_sees_only_her_own_organisation(world: World) -> None:
    body = get_json(client_for(world.outsider), ORGANISATIONS)
    assert [o["slug"] for o in body] == ["andenkommune"]


def test_role_labels_follow_the_language(world: World) -> None:
    client = client_for(world.leader)
    danish = get_json(client, ORGANISATIONS)
    english = get_json(client, ORGANISATIONS, HTTP_ACCEPT_LANGUAGE="en")
    assert danish[0]["roles"][0]["label"] == "Leder"
    assert english[0]["roles"][0]["label"] == "Manager"


def test_no_one_signed_in_is_a_401_with_a_json_error(world: World) -> None:
    response = Client().get(ORGANISATIONS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.fixture
def closed(world: World) -> Measurement:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 6, [2])
    return measurement


def test_every_role_lists_the_closed_measurement_and_no_open_or_draft_one(
    world: World, closed: Measurement
) -> None:
    make_measurement(world, status=Status.OPEN)
    make_measurement(world, status=Status.DRAFT)
    for user in (world.owner, world.amo, world.leader, world.employee):
        body = get_json(client_for(user), measurements_url(world.org.pk))
        assert [m["id"] for m in body] == [closed.pk], user
        (found,) = body
        assert found["status"] == "closed" and found["status_label"] == "Lukket"
        assert found["opens_on"] == closed.opens_on.isoformat()
        assert found["closes_on"] == closed.closes_on.isoformat()
        assert [(i["id"], i["version"]) for i in found["instruments"]] == [("ps7", 1)]


def test_top_management_lists_the_measurement_of_the_organisation_report(
    world: World, closed: Measurement
) -> None:
    director = make_user("direktor@example.test")
    grant(director, world.org, Role.TOP_MANAGEMENT)
    body = get_json(client_for(director), measurements_url(world.org.pk))
    assert [m["id"] for m in body] == [closed.pk]


def test_a_leader_of_a_team_outside_the_measurement_lists_nothing(world: World) -> None:
    measurement = make_measurement(world)
    fill(measurement, world.team_b, 6, [2])
    Measurement.objects.filter(pk=measurement.pk).update(frozen_tree=[])
    assert get_json(client_for(world.leader), measurements_url(world.org.pk)) == []


def test_another_organisation_is_a_404_whether_it_exists_or_not(
    world: World, closed: Measurement
) -> None:
    client = client_for(world.outsider)
    existing = client.get(measurements_url(world.org.pk))
    missing = client.get(measurements_url(999_999))
    assert existing.status_code == missing.status_code == 404
    assert existing.content == missing.content
    # Her own organisation answers, with nothing closed in it.
    assert get_json(client, measurements_url(world.other_org.pk)) == []


def test_a_session_without_the_required_two_step_verification_gets_a_json_403(
    world: World,
) -> None:
    # An administrator who has not set it up: pages send her to set it up, the API says so.
    newcomer = make_user("ny-admin@example.test")
    grant(newcomer, world.org, Role.ADMIN, mfa=False)
    response = client_for(newcomer).get(ORGANISATIONS)
    assert response.status_code == 403
    assert response.json() == {"detail": "two-step verification required"}
