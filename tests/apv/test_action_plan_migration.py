"""Migration apv 0003: a factor's plan id (a bare integer before) becomes a foreign key;
ids that name a plan survive the round trip, an id whose plan is gone is dropped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.apv.test_services import _plan, _update
from tests.conftest import World
from tryghed.apv import services
from tryghed.apv.models import FactorAssessment

BEFORE = [("apv", "0002_absence_headcounts")]


@pytest.mark.django_db(transaction=True)
def test_plan_ids_become_a_foreign_key_and_dangling_ids_are_dropped(world: World) -> None:
    plan = _plan(world, world.team_a, "Travlhed i Team A")
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    linked = _update(assessment.factors.get(factor="workload"), world, plan.pk)
    dangling = assessment.factors.get(factor="demands")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        old_factor = old.get_model("apv", "FactorAssessment")
        assert old_factor.objects.get(pk=linked.pk).action_plan_id == plan.pk
        old_factor.objects.filter(pk=dangling.pk).update(action_plan_id=987654)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    assert FactorAssessment.objects.get(pk=linked.pk).action_plan == plan
    assert FactorAssessment.objects.get(pk=dangling.pk).action_plan_id is None
    plan.delete()
    assert FactorAssessment.objects.get(pk=linked.pk).action_plan_id is None
