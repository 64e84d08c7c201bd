"""Who may never be told that a case exists (``Case.withheld``): frozen when the case is
raised, sealed so that the operator of the database cannot read it, kept through a key
rotation, and failing closed (docs/voice.md, "No receiver outside the line")."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import uuid

import pytest
from django.apps import apps
from django.db import connection

from tests.conftest import TEST_ANSWER_KEY, World
from tests.factories import grant
from tryghed.orgs.models import Membership, Role
from tryghed.voice import selectors, services
from tryghed.voice.models import Case
from tryghed.voice.withheld import is_current, open_withheld, seal_withheld

DAY = dt.date(2026, 11, 4)
backfill = importlib.import_module("tryghed.voice.migrations.0004_withheld")


def _raise(world: World, unit: object) -> Case:
    case, _code = services.case_raise(
        organisation=world.org,
        unit=unit,  # type: ignore[arg-type]
        receiver="amo",
        kind="concern",
        text="For travlt.",
        today=DAY,
    )
    return Case.objects.get(pk=case.pk)


def test_the_case_keeps_the_leaders_of_its_line_when_raised(world: World) -> None:
    grant(world.owner, world.org, Role.LEADER, world.area)
    grant(world.employee, world.org, Role.LEADER, world.team_b)  # another line
    case = _raise(world, world.team_a)
    assert open_withheld(case.pk, case.withheld) == frozenset({world.leader.pk, world.owner.pk})
    Membership.objects.filter(user=world.owner, role=Role.LEADER).delete()
    grant(world.amo, world.org, Role.LEADER, world.team_a)
    case.refresh_from_db()
    assert open_withheld(case.pk, case.withheld) == frozenset({world.leader.pk, world.owner.pk})
    without_unit = _raise(world, None)
    assert open_withheld(without_unit.pk, without_unit.withheld) == frozenset()


def test_the_operator_reads_neither_the_set_nor_its_size(world: World) -> None:
    grant(world.owner, world.org, Role.LEADER, world.root)
    several = _raise(world, world.team_a)  # world.leader and world.owner
    none = _raise(world, None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT withheld FROM voice_case")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert len(stored) == 2 and len(stored[0]) == len(stored[1])
    assert all(value.startswith(b"test:") for value in stored)  # the key id, nothing more
    # The same set sealed again differs (a random nonce): equal sets are not linkable.
    again = seal_withheld(several.pk, [world.leader.pk, world.owner.pk])
    assert again != several.withheld and len(again) == len(stored[0])
    assert open_withheld(several.pk, again) == frozenset({world.leader.pk, world.owner.pk})
    assert open_withheld(none.pk, none.withheld) == frozenset()


def test_a_set_moved_to_another_case_does_not_open_and_counts_for_no_one(world: World) -> None:
    grant(world.leader, world.org, Role.AMO)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()
    about_b = Case.objects.create(
        organisation=world.org,
        unit=world.team_b,
        receiver="amo",
        kind="concern",
        text="x",
        code_hash=uuid.uuid4().hex,
        opened_on=DAY,
        withheld=seal_withheld(uuid.uuid4(), []),  # sealed for another case
    )
    assert open_withheld(about_b.pk, about_b.withheld) is None
    Membership.objects.filter(user=world.leader, role=Role.LEADER).update(unit=world.area)
    unread = selectors.unread_cases(world.org, DAY + dt.timedelta(days=1))
    assert unread == [about_b]
    assert selectors.unread_count_for(unread, world.owner.pk) == 0  # fails closed
    Case.objects.filter(pk=about_b.pk).update(withheld=seal_withheld(about_b.pk, []))
    unread = selectors.unread_cases(world.org, DAY + dt.timedelta(days=1))
    assert selectors.unread_count_for(unread, world.owner.pk) == 1
    Case.objects.filter(pk=about_b.pk).update(withheld=None)
    unread = selectors.unread_cases(world.org, DAY + dt.timedelta(days=1))
    assert selectors.unread_count_for(unread, world.owner.pk) == 0


def test_the_daily_job_seals_again_under_a_new_key(world: World, settings: object) -> None:
    case = _raise(world, world.team_a)
    closed = _raise(world, world.team_b)
    services.case_close(case=closed)
    new_key = "k2:" + base64.b64encode(bytes(range(32, 64))).decode()
    settings.TRYGHED_ANSWER_KEYS = [new_key, TEST_ANSWER_KEY]  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert not is_current(case.withheld)
    assert services.withheld_reseal() == (1, 0)  # the open case only
    assert services.withheld_reseal() == (0, 0)
    settings.TRYGHED_ANSWER_KEYS = [new_key]  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert is_current(case.withheld)
    assert open_withheld(case.pk, case.withheld) == frozenset({world.leader.pk})
    Case.objects.filter(pk=case.pk).update(withheld=b"gone:" + bytes(40))
    assert services.withheld_reseal() == (0, 1)


def test_the_migration_gives_older_cases_the_leaders_of_today(world: World) -> None:
    grant(world.owner, world.org, Role.LEADER, world.root)
    case = _raise(world, world.team_a)
    without_unit = _raise(world, None)
    Case.objects.update(withheld=None)
    backfill.seal_the_leaders_of_today(apps, None)
    case.refresh_from_db()
    without_unit.refresh_from_db()
    assert open_withheld(case.pk, case.withheld) == frozenset({world.leader.pk, world.owner.pk})
    assert open_withheld(without_unit.pk, without_unit.withheld) == frozenset()


@pytest.mark.parametrize("step", [1023, 1024, 5000])
def test_a_long_line_takes_the_next_size(step: int) -> None:
    case_id = uuid.uuid4()
    ids = list(range(100_000, 100_000 + step // 7))
    assert open_withheld(case_id, seal_withheld(case_id, ids)) == frozenset(ids)
