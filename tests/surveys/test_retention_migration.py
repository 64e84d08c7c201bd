"""Migration 0010 gives measurements opened before it the organisation's retention period
(the one their notice showed, unless it changed since); drafts get theirs when they open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import World
from tryghed.surveys import retention
from tryghed.surveys.models import Measurement

BEFORE = [("surveys", "0009_organisation_instruments")]


@pytest.mark.django_db(transaction=True)
def test_open_and_closed_measurements_keep_the_organisations_period(world: World) -> None:
    world.org.response_retention_months = 24
    world.org.save(update_fields=["response_retention_months"])
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldMeasurement = old.get_model("surveys", "Measurement")
        made = {
            status: OldMeasurement.objects.create(
                organisation_id=world.org.pk,
                name=f"Før opgraderingen ({status})",
                status=status,
                opens_on=dt.date(2026, 11, 2),
                closes_on=dt.date(2026, 11, 20),
            ).pk
            for status in ("draft", "open", "closed")
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    stored = dict(
        Measurement.objects.filter(pk__in=made.values()).values_list(
            "status", "response_retention_months"
        )
    )
    assert stored == {"draft": None, "open": 24, "closed": 24}
    # A raise afterwards keeps nothing longer; the draft follows the organisation.
    world.org.response_retention_months = 60
    world.org.save(update_fields=["response_retention_months"])
    closed = Measurement.objects.select_related("organisation").get(pk=made["closed"])
    assert retention.retention_months(closed) == 24
    draft = Measurement.objects.select_related("organisation").get(pk=made["draft"])
    assert retention.retention_months(draft) == 60
