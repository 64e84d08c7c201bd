"""The release's plain SQL (issue 14, ``services._release_rows``) stores exactly what the
ORM's ``bulk_create`` stored for the same responses: every column's stored value and type
(the id's hex text on SQLite, JSON text as Django encodes it, the codes as bytes), in the
same physical order (``ctid`` on PostgreSQL). A difference would split the responses of one
measurement into two kinds of rows, one per way of writing them (review)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from unittest import mock

from django.db import connection
from django.utils import timezone

from tests.conftest import World
from tryghed.surveys import sealing, services
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.models import Measurement, PendingAnswer, Response, Status


def _stored_rows(measurement: Measurement) -> list[tuple[Any, ...]]:
    """The measurement's response rows as the database holds them, in physical order on
    PostgreSQL (by id on SQLite, whose table has no row order: WITHOUT ROWID)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id::text, measurement_id, unit_id, week, answers::text, texts::text,"
                " encode(codes, 'hex') FROM surveys_response WHERE measurement_id = %s"
                " ORDER BY ctid",
                [measurement.pk],
            )
        else:
            cursor.execute(
                "SELECT id, typeof(id), measurement_id, typeof(measurement_id), unit_id,"
                " typeof(unit_id), week, typeof(week), answers, typeof(answers), texts,"
                " typeof(texts), hex(codes), typeof(codes) FROM surveys_response"
                " WHERE measurement_id = %s ORDER BY id",
                [measurement.pk],
            )
        return [tuple(row) for row in cursor.fetchall()]


def test_a_release_stores_what_bulk_create_stored_for_the_same_responses(world: World) -> None:
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Lager",
        instrument_ids=["ps7", "hesteskoen"],
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        minimums={"score": 5},
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.OPEN)
    measurement.refresh_from_db()
    size = sealing.sealed_size(survey_selectors.measurement_instruments(measurement))
    for n in range(12):
        payload = {
            "unit": (world.team_a if n % 2 else world.team_b).pk,
            "week": "2026-W01",
            "answers": {"ps7.1": n % 7 + 1, "ps7.2": 2} if n != 3 else {},
            # Non-ASCII, quotes, a backslash and a line break: JSON text as Django encodes it.
            "texts": {"hesteskoen.2": f'Æblet "rødt" \\ {n}\nslut'} if n % 3 == 0 else {},
        }
        PendingAnswer.objects.create(
            measurement=measurement,
            sealed=sealing.seal(measurement_id=measurement.pk, payload=payload, size=size),
        )
    written: list[list[Response]] = []
    real_shuffle = secrets.SystemRandom.shuffle

    def shuffle(self: Any, items: list[Any]) -> None:
        real_shuffle(self, items)
        written.append(list(items))

    with mock.patch.object(secrets.SystemRandom, "shuffle", shuffle):
        assert services.pending_release(measurement=measurement) == 7
    (responses,) = written
    by_release = _stored_rows(measurement)
    assert len(by_release) == 7

    Response.objects.filter(measurement=measurement).delete()
    Response.objects.bulk_create(responses, batch_size=500)  # the ORM's write it replaced
    assert _stored_rows(measurement) == by_release
