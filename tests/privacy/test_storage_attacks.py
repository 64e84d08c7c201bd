"""Findings 1 and 2 of issue 15: the operator of the database (privacy.md section 0,
adversary 2) links answers to people through the database's own bookkeeping, or singles
people out by attributes stored next to their answers.

Every attack works on raw SQL over every table, so it holds whatever the tables are
called: a table "names a person" when it has a ``person_id`` or ``invitation_id`` column;
a table "holds answers" when a respondent's secret comment can be read in it.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from django.db import connection

from tests.privacy import attack
from tryghed.surveys.models import Invitation

PEOPLE = 8  # submitters; a pairing of all 8 by chance is 1 in 40,320


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid exist only on PostgreSQL (CI runs this on PostgreSQL too)")


class Scene:
    """Eight people of one team answer, in an order unrelated to their invitations."""

    def __init__(self) -> None:
        self.place = attack.build_workplace({"Team": (None, PEOPLE), "Andet team": (None, 2)})
        self.launched = attack.launch(self.place)
        people = list(self.place.people["Team"])
        random.Random(15).shuffle(people)
        self.secret_of: dict[int, str] = {}
        for code, person in zip([1, 2, 3, 4, 5, 1, 2, 3], people, strict=True):
            secret = attack.secret_comment()
            self.secret_of[person.pk] = secret
            attack.submit(
                self.launched.tokens[person.pk],
                {**attack.ps7([code]), "hesteskoen.1": code + 2},
                {"hesteskoen.2": secret},
            )
        self.invitation_person = dict(
            Invitation.objects.filter(measurement=self.launched.measurement).values_list(
                "pk", "person_id"
            )
        )

    def close(self) -> None:
        attack.close(self.place, self.launched.measurement)

    def person_of(self, column: str, value: Any) -> int | None:
        if value is None:
            return None
        if column == "person_id":
            return int(value)
        return self.invitation_person.get(int(value))


def _attackable() -> None:
    """The attacker has something to pair: rows naming people (the invitations) and, once
    closed, readable answers. Without both, an attack would pass for the wrong reason."""
    assert attack.person_linked_tables(), "no table names a person"
    assert attack.tables_holding_secrets(), "no answer is readable after closing"


def _xmin_links(scene: Scene) -> list[str]:
    """Rows naming a person and rows holding an answer written by the same transaction."""
    by_xmin: dict[str, set[int]] = {}
    for table, column in attack.person_linked_tables().items():
        index = 2 + attack.columns(table).index(column)
        for row in attack.rows(table, "xmin::text, ctid::text"):
            person = scene.person_of(column, row[index])
            if person in scene.secret_of:
                by_xmin.setdefault(row[0], set()).add(person)
    links = []
    for table in attack.tables_holding_secrets():
        for row in attack.rows(table, "xmin::text, ctid::text"):
            for secret in attack.secrets_in(row):
                for person in by_xmin.get(row[0], set()):
                    verdict = "right" if scene.secret_of[person] == secret else "wrong"
                    links.append(
                        f"{table} xmin {row[0]}: person {person} wrote {secret} ({verdict})"
                    )
    return links


def _physical_order_links(scene: Scene, system_column: str) -> list[str]:
    """Pair the n-th person-naming row with the n-th answer in physical order."""

    def order(value: Any) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", str(value)))

    answer_orders = []
    for table in attack.tables_holding_secrets():
        found = sorted(
            (
                (order(row[0]), s)
                for row in attack.rows(table, system_column)
                for s in attack.secrets_in(row)
            ),
        )
        answer_orders.append((table, [s for _, s in found]))
    links = []
    for table, column in attack.person_linked_tables().items():
        index = 1 + attack.columns(table).index(column)
        ordered = sorted(
            (order(row[0]), scene.person_of(column, row[index]))
            for row in attack.rows(table, system_column)
        )
        guessed = [scene.secret_of[p] for _, p in ordered if p in scene.secret_of]
        for answers_table, secrets in answer_orders:
            if len(secrets) >= 3 and guessed == secrets:
                links.append(f"{table} and {answers_table} in the same {system_column} order")
    return links


@pytest.mark.django_db(transaction=True)
def test_xmin_does_not_pair_a_person_with_her_answers_not_even_after_vacuum_freeze() -> None:
    """Finding 1 (operator of the database): ``JOIN invitation ON i.xmin = r.xmin``.

    The transaction that marks a person's invitation used must not be the one that
    writes a readable answer; VACUUM FREEZE keeps xmin readable, so it is no remedy.
    """
    _postgres_only()
    scene = Scene()
    assert _xmin_links(scene) == [], "while open"
    scene.close()
    _attackable()
    assert _xmin_links(scene) == [], "after closing"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM FREEZE")
    assert _xmin_links(scene) == [], "after VACUUM FREEZE"


@pytest.mark.django_db(transaction=True)
def test_physical_order_does_not_pair_people_with_answers_on_postgresql() -> None:
    """Finding 1 (operator of the database): an UPDATE writes the invitation's new row
    version at the end of the table, so ``ORDER BY ctid`` lists the respondents in the
    order they answered, and the answers in ``ctid`` order follow the same order."""
    _postgres_only()
    scene = Scene()
    assert _physical_order_links(scene, "ctid::text") == [], "while open"
    scene.close()
    _attackable()
    assert _physical_order_links(scene, "ctid::text") == [], "after closing"


@pytest.mark.django_db(transaction=True)
def test_rowid_order_does_not_pair_people_with_answers_on_sqlite() -> None:
    """Finding 1 (operator of the database): SQLite's rowid follows insertion order, in
    the answers and in any table that records who has answered."""
    if connection.vendor != "sqlite":
        pytest.skip("rowid exists only on SQLite")
    scene = Scene()
    assert _physical_order_links(scene, "rowid") == [], "while open"
    scene.close()
    _attackable()
    assert _physical_order_links(scene, "rowid") == [], "after closing"


# ``codes``: the choice answers again, one byte each (core.answer_codes), nothing more.
ALLOWED = {"id", "measurement_id", "unit_id", "week", "answers", "texts", "codes"}


@pytest.mark.django_db(transaction=True)
def test_no_table_holding_answers_stores_anything_that_singles_a_person_out() -> None:
    """Finding 2 (operator of the database, and any reader of an export of it): job group,
    seniority band and language on every response made 41 of 470 demo responses unique.

    Every table in which an answer can be read may hold only id, measurement, unit, ISO
    week, answers and free texts (privacy.md section 1).
    """
    scene = Scene()
    scene.close()
    holding = attack.tables_holding_secrets()
    assert holding, "the attack found no answers at all: it would pass for the wrong reason"
    extra = {t: sorted(set(attack.columns(t)) - ALLOWED) for t in holding}
    assert extra == {t: [] for t in holding}
