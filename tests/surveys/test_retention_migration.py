"""Migration 0010 gives measurements opened before it the organisation's retention period
(the one their notice showed, unless it changed since); drafts get theirs when they open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import World
from tryghed.audit.models import AuditEvent
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
    # No audit rows of their opening (made outside the services): today's period.
    assert stored == {"draft": None, "open": 24, "closed": 24}
    # A raise afterwards keeps nothing longer; the draft follows the organisation.
    world.org.response_retention_months = 60
    world.org.save(update_fields=["response_retention_months"])
    closed = Measurement.objects.select_related("organisation").get(pk=made["closed"])
    assert retention.retention_months(closed) == 24
    draft = Measurement.objects.select_related("organisation").get(pk=made["draft"])
    assert retention.retention_months(draft) == 60


@pytest.mark.django_db(transaction=True)
def test_the_shortest_period_in_force_since_opening_from_the_audit_history(world: World) -> None:
    """36 at the first opening, cut to 12, raised to 60 (today's), then a second opening:
    the first keeps 12 (quoted to those who answered after the cut), the second 60."""
    world.org.response_retention_months = 60
    world.org.save(update_fields=["response_retention_months"])
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    start = timezone.now() - dt.timedelta(days=30)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldMeasurement = old.get_model("surveys", "Measurement")
        made = []
        for day, name in ((0, "Først"), (20, "Siden")):
            measurement = OldMeasurement.objects.create(
                organisation_id=world.org.pk,
                name=name,
                status="closed",
                opens_on=dt.date(2026, 11, 2),
                closes_on=dt.date(2026, 11, 20),
            )
            AuditEvent.objects.create(
                organisation_id=world.org.pk,
                action="measurement.opened",
                object_type="Measurement",
                object_id=str(measurement.pk),
                at=start + dt.timedelta(days=day),
            )
            made.append(measurement.pk)
        for day, change in ((5, [36, 12]), (10, [12, 60])):
            AuditEvent.objects.create(
                organisation_id=world.org.pk,
                action="organisation.settings_changed",
                object_type="Organisation",
                object_id=str(world.org.pk),
                data={
                    "changed": {
                        "response_retention_months": change,
                        "contact_email": ["", "a@b.dk"],
                    }
                },
                at=start + dt.timedelta(days=day),
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    stored = dict(
        Measurement.objects.filter(pk__in=made).values_list("name", "response_retention_months")
    )
    assert stored == {"Først": 12, "Siden": 60}
