"""Deleting from the learning log, attacked as privacy.md section 0's operator would.

After a leader deletes a situation, or retention deletes it, the operator reads every row
of every table: the situation's words must be nowhere (not in the audit log, the action,
a session). The delete itself must add nothing that ties the entry to its writer or to a
time finer than its day: the only new row is the leader's audit row, which names the
leader and the entry's day, never the writer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy import attack
from tryghed.audit.models import AuditEvent
from tryghed.learning import retention, services
from tryghed.learning.models import Entry

WHAT = "Nøglen til medicinskabet lå fremme hele aftenen – slettemarkør-5521"
LESSON = "Nøglen hænger i skabet ved vagtskifte – lektionsmarkør-8830"
MARKERS = ("slettemarkør-5521", "lektionsmarkør-8830")


def _value(v: object) -> str:
    return bytes(v).decode("latin-1") if isinstance(v, memoryview | bytes) else str(v)


def _every_row() -> dict[str, Counter[tuple[str, ...]]]:
    return {
        table: Counter(tuple(_value(v) for v in row) for row in attack.rows(table))
        for table in attack.tables()
    }


def _tables_with(markers: tuple[str, ...]) -> list[str]:
    return sorted(
        table
        for table, rows in _every_row().items()
        for row in rows
        if any(marker in value for marker in markers for value in row)
    )


def _write_anonymously(world: World) -> tuple[Entry, str]:
    client = client_for(world.employee)
    response = client.post(
        reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
        {"what_happened": WHAT, "lesson": LESSON, "kind": "basic", "show_name": "anonymous"},
    )
    assert response.status_code == 302
    assert client.session.session_key
    return Entry.objects.get(what_happened=WHAT), client.session.session_key


def _entry_url(world: World, name: str, entry: Entry) -> str:
    return reverse(f"learning:{name}", kwargs={"org": world.org.slug, "learning_id": entry.pk})


@pytest.mark.django_db
def test_a_leaders_delete_leaves_no_word_and_nothing_that_points_to_the_writer(
    world: World,
) -> None:
    entry, session_key = _write_anonymously(world)
    leader = client_for(world.leader)
    # The leader's steps leave audit rows about the entry before it goes.
    leader.post(_entry_url(world, "sort", entry), {"kind": "complex"})
    leader.post(_entry_url(world, "forward", entry))
    leader.post(_entry_url(world, "reviewed", entry))
    entry.refresh_from_db()
    assert entry.kind == "complex" and entry.forwarded_on and entry.reviewed_on
    assert leader.get(_entry_url(world, "delete", entry)).status_code == 200
    assert _tables_with(MARKERS) == ["learning_entry"]
    before = _every_row()
    response = leader.post(_entry_url(world, "delete", entry), {"confirm": "1"})
    assert response.status_code == 302
    after = _every_row()

    assert _tables_with(MARKERS) == []
    # Only the entry's row went, only the audit row came (and the leader's session, for the
    # confirmation message): no other row of any table was written.
    changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
    assert changed <= {"learning_entry", "audit_auditevent", "django_session"}, changed
    assert before["learning_entry"] - after["learning_entry"] and not (
        after["learning_entry"] - before["learning_entry"]
    )
    (added,) = after["audit_auditevent"] - before["audit_auditevent"]
    assert not before["audit_auditevent"] - after["audit_auditevent"]
    row = AuditEvent.objects.get(action="learning.entry_deleted")
    assert row.actor == world.leader and row.data["written_on"] == entry.written_on.isoformat()
    # Nothing of the writer in the new row: no id, e-mail, name or session.
    assert str(world.employee.pk) not in added and str(world.leader.pk) in added
    for trace in (world.employee.email, world.employee.full_name, session_key):
        assert not any(trace in value for value in added), trace

    # The writer's session row is as it was: the leader's delete did not touch it.
    def writers(rows: Counter[tuple[str, ...]]) -> list[tuple[str, ...]]:
        return [row for row in rows if session_key in row]

    assert writers(before["django_session"]) == writers(after["django_session"]) != []


@pytest.mark.django_db
def test_retention_leaves_no_word_of_an_old_entry_in_any_table(world: World) -> None:
    entry = services.entry_write(
        unit=world.team_a,
        writer=world.employee,
        what_happened=WHAT,
        lesson=LESSON,
        today=dt.date(2026, 1, 5),
    )
    services.entry_sort(entry=entry, actor=world.leader, kind="intelligent")
    services.entry_forward(entry=entry, actor=world.leader, today=dt.date(2026, 1, 6))
    assert _tables_with(MARKERS) == ["learning_entry"]
    done = retention.organisation_purge_learning(organisation=world.org, today=dt.date(2029, 1, 5))
    assert done.entries == 1
    assert _tables_with(MARKERS) == []
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_on_sqlite_deleted_entries_are_overwritten_and_the_table_keeps_no_rowid(
    world: World,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file layout")
    entry, _ = _write_anonymously(world)
    services.entry_delete(entry=entry, actor=world.leader)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        (secure_delete,) = cursor.fetchone()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'learning_entry'"
        )
        (create,) = cursor.fetchone()
    # secure_delete overwrites the freed page instead of leaving the words in the file.
    assert secure_delete == 1
    assert "WITHOUT ROWID" in create.upper()
