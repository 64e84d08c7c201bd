"""Migration apv 0002 freezes existing sickness-absence rows with the headcounts of the day
it runs and the decision the pages showed until then."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_person
from tests.privacy import attack
from tryghed.apv.models import PublishedAbsence, SicknessAbsence

BEFORE = [("apv", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_existing_figures_keep_the_headcount_and_decision_of_the_migration_day() -> None:
    place = attack.build_workplace({"Afdelingen": (None, 5), "Teamet": ("Afdelingen", 10)})
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldAbsence = old.get_model("apv", "SicknessAbsence")
        for name, percent in (("Afdelingen", "6.00"), ("Teamet", "4.50")):
            OldAbsence.objects.create(
                organisation_id=place.org.pk,
                unit_id=place.units[name].pk,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 6, 30),
                absence_percent=Decimal(percent),
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    dept = SicknessAbsence.objects.get(unit=place.units["Afdelingen"])
    team = SicknessAbsence.objects.get(unit=place.units["Teamet"])
    assert (dept.headcount, team.headcount) == (15, 10)
    assert team.unit_headcounts == {str(place.units["Teamet"].pk): 10}
    # 15 - 10 = 5: the smaller is hidden, as the pages decided before the migration.
    assert (dept.publication, team.publication) == ("shown", "complementary")
    assert list(PublishedAbsence.objects.values_list("unit_headcounts", flat=True)) == [
        dept.unit_headcounts
    ]
    for i in range(5):
        make_person(place.units["Afdelingen"], name=f"Ny {i}")
    dept.refresh_from_db()
    assert dept.headcount == 15  # the snapshot does not follow today's organisation
