"""Migration 0006 freezes the unit tree of measurements opened before trees were frozen,
so their participation rows no longer follow a reorganisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import World
from tryghed.orgs import services as org_services
from tryghed.surveys.models import Measurement

BEFORE = [("surveys", "0005_paper_codes")]


@pytest.mark.django_db(transaction=True)
def test_open_and_closed_measurements_get_a_tree_and_drafts_do_not(world: World) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldMeasurement = old.get_model("surveys", "Measurement")
        OldScope = old.get_model("surveys", "MeasurementScope")
        made = {}
        for status in ("draft", "open", "closed"):
            measurement = OldMeasurement.objects.create(
                organisation_id=world.org.pk,
                name=f"Før opgraderingen ({status})",
                status=status,
                opens_on=dt.date(2026, 11, 2),
                closes_on=dt.date(2026, 11, 20),
            )
            OldScope.objects.create(
                measurement=measurement, unit_id=world.area.pk, include_subtree=True
            )
            made[status] = measurement.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    assert Measurement.objects.get(pk=made["draft"]).frozen_tree is None
    open_one = Measurement.objects.get(pk=made["open"])
    tree = {u["id"]: u for u in open_one.frozen_tree or []}
    assert set(tree) == {world.area.pk, world.team_a.pk, world.team_b.pk}
    assert tree[world.team_a.pk]["parent"] == world.area.pk
    assert tree[world.team_a.pk]["name"] == world.team_a.name
    assert Measurement.objects.get(pk=made["closed"]).frozen_tree is not None
    # A later move changes nothing in the stored tree.
    org_services.unit_move(unit=world.team_a, actor=None, new_parent=world.root)
    open_one.refresh_from_db()
    assert {u["id"]: u["parent"] for u in open_one.frozen_tree or []}[world.team_a.pk] == (
        world.area.pk
    )
