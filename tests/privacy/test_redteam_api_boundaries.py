"""Red team: the API's boundaries in space and time (commit 242ad7b).

- Outsiders (privacy.md section 0, adversary 4): another organisation's organisation or
  measurement id is answered as an id never used, with the same body and the same work
  (the same database queries, so no timing class tells them apart).
- Readers after a reorganisation (adversary 1, "frozen at closing"): a unit renamed, moved
  or closed after the measurement closed changes nothing in what the API gives of it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.helpers import get_json
from tests.conftest import World, client_for
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import TOP, fill
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Person
from tryghed.surveys.models import Measurement, Status

pytestmark = pytest.mark.django_db


def publication_url(measurement_id: int) -> str:
    return reverse("api:publication", kwargs={"measurement_id": measurement_id})


def measurements_url(organisation_id: int) -> str:
    return reverse("api:measurements", kwargs={"organisation_id": organisation_id})


def answer_and_work(client: Client, path: str) -> tuple[int, bytes, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # The session's own bookkeeping aside, the statements the lookup made.
    statements = [q["sql"] for q in queries if "django_session" not in q["sql"]]
    return response.status_code, response.content, statements


def test_another_organisations_ids_are_answered_as_ids_never_used(world: World) -> None:
    foreign = make_measurement(world)
    fill(foreign, world.team_a, 6, [1])
    Measurement.objects.filter(pk=foreign.pk).update(organisation=world.other_org)
    missing_id = foreign.pk + 1000
    for user in (world.owner, world.leader, world.employee, world.amo):
        client = client_for(user)
        for there, nowhere in (
            (publication_url(foreign.pk), publication_url(missing_id)),
            (measurements_url(world.other_org.pk), measurements_url(world.other_org.pk + 1000)),
        ):
            status, body, work = answer_and_work(client, there)
            status_missing, body_missing, work_missing = answer_and_work(client, nowhere)
            assert status == status_missing == 404
            assert body == body_missing == b'{"detail": "Not Found"}'
            assert len(work) == len(work_missing), (user.email, there, work, work_missing)


def test_a_reorganisation_after_closing_changes_nothing_in_the_answers(world: World) -> None:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_a, 6, TOP)
    fill(measurement, world.team_b, 6, [2])
    path = publication_url(measurement.pk)
    readers = [client_for(world.amo), client_for(world.leader), client_for(world.employee)]
    before = [get_json(client, path) for client in readers]
    area_name = world.area.name
    # The area is renamed, team_a moved up to the root and renamed, team_b closed
    # (its people moved to the area first, as the service asks).
    org_services.unit_update(
        unit=world.area,
        actor=None,
        name="Nyt område",
        kind=world.area.kind,
        external_id=world.area.external_id,
    )
    org_services.unit_update(
        unit=world.team_a,
        actor=None,
        name="Flyttet team",
        kind=world.team_a.kind,
        external_id=world.team_a.external_id,
    )
    org_services.unit_move(unit=world.team_a, actor=None, new_parent=world.root)
    Person.objects.filter(unit=world.team_b).update(unit=world.area)
    org_services.unit_set_active(unit=world.team_b, actor=None, active=False)
    after = [get_json(client, path) for client in readers]
    assert after == before
    leader = before[1]
    parent = [g for g in leader["groups"] if g["unit"] == world.area.pk]
    assert [(g["scope"], g["name"]) for g in parent] == [("subtree", area_name)]


def test_a_measurement_reopened_after_its_publication_was_stored_gives_nothing(
    world: World,
) -> None:
    """No live figures (privacy.md section 3): a closed measurement whose publication was
    read and stored, then reopened, is answered by no one, as an id never used."""
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 6, TOP)
    readers = [client_for(u) for u in (world.owner, world.amo, world.leader, world.employee)]
    for client in readers:
        assert get_json(client, publication_url(measurement.pk))["groups"]
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.OPEN)
    missing = publication_url(measurement.pk + 1000)
    for client in readers:
        reopened = client.get(publication_url(measurement.pk))
        assert reopened.status_code == 404
        assert reopened.content == client.get(missing).content
        assert get_json(client, measurements_url(world.org.pk)) == []
