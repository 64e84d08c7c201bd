"""The release and migration 0007 write each response's choice answers also as bytes
(``Response.codes``, core.answer_codes), as the JSON gives them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import World
from tests.results.test_aggregates import make_measurement, ps7
from tryghed.core.answer_codes import choice_item_ids, encode
from tryghed.surveys import sealing, services
from tryghed.surveys.models import Measurement, PendingAnswer, Response, Status
from tryghed.surveys.selectors import measurement_instruments

INSTRUMENTS = ["ps7", "risk5"]
WEEK = "2026-W47"


def test_the_release_writes_the_bytes_of_each_response(world: World) -> None:
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Lager",
        instrument_ids=INSTRUMENTS,
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.OPEN)
    instruments = measurement_instruments(measurement)
    sent: list[dict[str, Any]] = [
        {**ps7([(n + k) % 5 + 1 for k in range(7)]), "risk5.1": n % 3, "risk5.9": [1]}
        for n in range(12)
    ]
    sent[0]["ps7.2"] = "3"
    sent[1]["ps7.3"] = True
    for answers in sent:
        PendingAnswer.objects.create(
            measurement=measurement,
            sealed=sealing.seal(
                measurement_id=measurement.pk,
                payload={"unit": world.team_a.pk, "week": WEEK, "answers": answers, "texts": {}},
                size=sealing.sealed_size(instruments),
            ),
        )
    assert services.pending_release(measurement=measurement) == 7  # 5 held back
    services.measurement_close(measurement=measurement, actor=world.owner)
    item_ids = choice_item_ids(instruments)
    stored = list(Response.objects.filter(measurement=measurement).values_list("answers", "codes"))
    assert len(stored) == len(sent)
    for answers, codes in stored:
        assert codes is not None and bytes(codes) == encode(answers, item_ids)
    assert sorted(bytes(c or b"") for _a, c in stored) == sorted(
        encode(a, item_ids) or b"" for a in sent
    )


BEFORE = [("surveys", "0006_freeze_legacy_trees")]


@pytest.mark.django_db(transaction=True)
def test_migration_0007_gives_old_responses_their_bytes_and_keeps_the_table_without_rowid(
    world: World,
) -> None:
    measurement = make_measurement(world, tuple(INSTRUMENTS))
    item_ids = choice_item_ids(measurement_instruments(measurement))
    written: list[dict[str, Any]] = [
        ps7([1, 2, 3, 4, 5, 1, 2]),
        {"ps7.1": "4", "ps7.2": 2.5, "risk5.9": [1, 2]},
        {"ps7.1": 300},  # no bytes hold it: read from the JSON
        {},
    ]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("surveys", "Response")
        for answers in written:
            old.objects.create(
                measurement_id=measurement.pk, unit_id=world.team_a.pk, week=WEEK, answers=answers
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    stored = list(Response.objects.filter(measurement=measurement).values_list("answers", "codes"))
    assert sorted(map(str, (a for a, _c in stored))) == sorted(map(str, written))
    for answers, codes in stored:
        expected = encode(answers, item_ids)
        assert (None if codes is None else bytes(codes)) == expected
    assert sum(codes is None for _a, codes in stored) == 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'surveys_response'")
            assert "WITHOUT ROWID" in cursor.fetchone()[0].upper()
