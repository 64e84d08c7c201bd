"""The learning log ("Det gik ikke som planlagt") attacked as privacy.md section 0's
adversaries would.

An anonymous entry is written by a signed-in team member. The operator of the database
(adversary 2) reads every row of every table with the database's own bookkeeping (SQLite
``rowid``, PostgreSQL ``xmin`` and ``ctid``); they must find no user id, no name, no
session, no time finer than the day, and no order of writing. A reader of the figures
(adversary 1, the leader) must learn nothing from the counts that tells named from
anonymous entries.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy import attack
from tryghed.audit.models import AuditEvent
from tryghed.learning import services
from tryghed.learning.models import Entry

ENTRIES = 8  # a creation order guessed by chance is 1 in 40,320
ALLOWED = {
    "id",
    "organisation_id",
    "unit_id",
    "kind",
    "what_happened",
    "lesson",
    # Named entries only; an anonymous entry leaves both empty.
    "author_id",
    "author_name",
    "written_on",
    "reviewed_on",
    "forwarded_on",
    "action_id",
}
TEXT = "Vi glemte at give besked om den nye rute – anonym-markør-7341"


def _write_anonymously(world: World) -> tuple[Entry, str, str]:
    client = client_for(world.employee)
    response = client.post(
        reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
        {"what_happened": TEXT, "kind": "basic", "show_name": "anonymous"},
    )
    assert response.status_code == 302
    session_key = client.session.session_key
    assert session_key
    return Entry.objects.get(what_happened=TEXT), session_key, response["Location"]


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _every_value_by_table() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in attack.tables():
        values = found.setdefault(table, [])
        for row in attack.rows(table):
            values.extend(
                bytes(v).decode("latin-1") if isinstance(v, memoryview | bytes) else str(v)
                for v in row
            )
    return found


@pytest.mark.django_db
def test_an_anonymous_entry_holds_no_user_no_session_and_no_time(world: World) -> None:
    audit_before = AuditEvent.objects.count()
    entry, session_key, location = _write_anonymously(world)
    assert set(attack.columns("learning_entry")) == ALLOWED
    (row,) = [
        r for r in attack.rows("learning_entry") if str(uuid.UUID(str(r[0]))) == str(entry.pk)
    ]
    stored = dict(zip(attack.columns("learning_entry"), row, strict=True))
    assert stored["author_id"] is None and stored["author_name"] == ""
    # The day, never a time: the column is a date and holds ten characters.
    assert len(str(stored["written_on"])) == 10
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "learning_entry")
    types = {c.name: connection.introspection.get_field_type(c.type_code, c) for c in description}
    assert not [name for name, kind in types.items() if "DateTime" in kind or "Time" in kind]
    # No audit row, and the user's traces are in none of the entry's values.
    assert AuditEvent.objects.count() == audit_before
    entry_values = [str(v) for v in row]
    for trace in (session_key, world.employee.email, world.employee.full_name):
        assert not any(trace in value for value in entry_values)
    # The other way round: the entry's id is nowhere but in its own row (not in the
    # session, the audit log, the URL the browser was sent to).
    assert str(entry.pk) not in location and entry.pk.hex not in location
    for table, values in _every_value_by_table().items():
        if table == "learning_entry":
            continue
        joined = "\n".join(values)
        assert str(entry.pk) not in joined and entry.pk.hex not in joined, table


@pytest.mark.django_db
def test_no_rowid_orders_the_entries_on_sqlite(world: World) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("rowid exists only on SQLite")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'learning_entry'"
        )
        (create,) = cursor.fetchone()
    assert "WITHOUT ROWID" in create.upper(), (
        "learning_entry has a rowid again: a migration rebuilt it (see learning/0001_initial)"
    )
    for i in range(3):
        services.entry_write(unit=world.team_a, writer=world.employee, what_happened=f"{i}")
    assert attack.rows("learning_entry", "rowid") == []


@pytest.mark.django_db
def test_neither_ids_nor_a_plain_select_follow_the_order_of_writing(world: World) -> None:
    # Named and anonymous entries in turn: were the order readable, each anonymous entry
    # would sit next to a named one of the same writer.
    made = [
        services.entry_write(
            unit=world.team_a,
            writer=world.employee,
            what_happened=f"situation {i}",
            author_name="Eva" if i % 2 else "",
        ).pk
        for i in range(ENTRIES)
    ]
    assert all(uuid.UUID(str(pk)).version == 4 for pk in made)
    assert sorted(made, key=str) != made
    assert [uuid.UUID(str(row[0])) for row in attack.rows("learning_entry")] != made


@pytest.mark.django_db(transaction=True)
def test_xmin_and_ctid_do_not_order_the_entries_of_a_day_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid exist only on PostgreSQL")
    from tests.factories import make_org, make_unit, make_user

    org = make_org("Postkommune", slug="postkommune")
    unit = make_unit(org, name="Hold")
    writer = make_user("skriver@example.test")
    made = [
        services.entry_write(unit=unit, writer=writer, what_happened=f"{i}").pk
        for i in range(ENTRIES)
    ]
    rows = attack.rows("learning_entry", "xmin::text, ctid::text")
    by_id = {row[2]: (row[0], row[1]) for row in rows}
    assert len({by_id[pk][0] for pk in made}) == 1, "each entry's xmin tells its transaction"
    physical = sorted(
        made, key=lambda pk: tuple(int(x) for x in by_id[pk][1].strip("()").split(","))
    )
    assert physical != made, "ctid follows the order of writing"


@pytest.mark.django_db
def test_the_leaders_figures_are_the_same_whether_entries_are_named_or_anonymous(
    world: World,
) -> None:
    url = reverse("learning:mix", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    leader = client_for(world.leader)
    entries = [
        services.entry_write(
            unit=world.team_a, writer=world.employee, what_happened=f"{i}", kind=kind
        )
        for i, kind in enumerate(("basic", "complex", "basic"))
    ]
    anonymous = _without_csrf(leader.get(url).content.decode())
    Entry.objects.filter(pk=entries[0].pk).update(author=world.employee, author_name="Eva")
    named = _without_csrf(leader.get(url).content.decode())
    assert anonymous == named
    assert ">Anonym<" not in named and "Eva" not in named
