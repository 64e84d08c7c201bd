"""Migration 0004 keeps every answer and every "has answered" of old-shape data."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import World
from tryghed.surveys.models import Measurement, Response
from tryghed.surveys.selectors import answered_invitation_ids

BEFORE = [("surveys", "0003_measurement_frozen_tree")]


@pytest.mark.django_db(transaction=True)
def test_used_invitations_become_marks_and_every_response_survives_in_the_new_shape(
    world: World,
) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldMeasurement = old.get_model("surveys", "Measurement")
        OldInvitation = old.get_model("surveys", "Invitation")
        OldResponse = old.get_model("surveys", "Response")
        measurement = OldMeasurement.objects.create(
            organisation_id=world.org.pk,
            name="Før opgraderingen",
            status="open",
            opens_on=dt.date(2026, 11, 2),
            closes_on=dt.date(2026, 11, 20),
        )
        used = []
        for n, person in enumerate([world.person_a, world.person_b]):
            invitation = OldInvitation.objects.create(
                measurement=measurement,
                person_id=person.pk,
                unit_id=person.unit_id,
                job_group="SSA",
                seniority_band="2-5 år",
                used=n == 0,
            )
            if n == 0:
                used.append(invitation.pk)
        for code in (1, 2, 3):
            OldResponse.objects.create(
                measurement=measurement,
                unit_id=world.team_a.pk,
                job_group="SSA",
                seniority_band="2-5 år",
                week="2026-W46",
                language="da",
                answers={"ps7.1": code},
                texts={"hesteskoen.2": f"tekst {code}"},
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    migrated = Measurement.objects.get(pk=measurement.pk)
    assert answered_invitation_ids(migrated) == set(used)
    rows = list(Response.objects.filter(measurement=migrated).values())
    assert Counter(r["answers"]["ps7.1"] for r in rows) == Counter([1, 2, 3])
    assert {r["texts"]["hesteskoen.2"] for r in rows} == {"tekst 1", "tekst 2", "tekst 3"}
    assert set(rows[0]) == {"id", "measurement_id", "unit_id", "week", "answers", "texts", "codes"}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'surveys_response'")
            assert "WITHOUT ROWID" in cursor.fetchone()[0].upper()
