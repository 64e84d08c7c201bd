"""Red team, retention on PostgreSQL (adversary 2 of privacy.md section 0: the operator,
with a backup or read access taken after the answers' retention period; section 7:
"response-level data of a closed measurement is deleted").

``purge-responses`` deletes the rows. On SQLite ``secure_delete`` overwrites them in the
file (tests/privacy/test_storage_attacks.py); PostgreSQL keeps a deleted row's bytes in
its page as a dead version until vacuum, and vacuum only marks the space free. The
operator reads the table's pages as they are (``pageinspect``, or the data files of a
backup) and looks for the answers that were deleted.

The purge therefore rewrites the tables it deleted from (``VACUUM FULL``, after its
transaction has committed: ``tryghed.table_rewrite``). VACUUM cannot run inside a
transaction, so these tests run with real commits (``transaction=True``), as the nightly
command does, and read the pages of the table as PostgreSQL then has it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import World
from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.surveys import retention
from tryghed.surveys.models import Measurement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pages"),
]


def _raw_pages(table: str) -> bytes:
    """Every page of a table (and of its TOAST table) as stored, dead row versions too."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(
            "SELECT c.oid::regclass::text, t.oid::regclass::text FROM pg_class c "
            "LEFT JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = %s::regclass",
            [table],
        )
        names = [n for n in cursor.fetchone() or () if n]
        found = b""
        for name in names:
            cursor.execute("SELECT pg_relation_size(%s::regclass) / 8192", [name])
            (pages,) = cursor.fetchone() or (0,)
            for page in range(int(pages)):
                cursor.execute("SELECT get_raw_page(%s, %s)", [name, page])
                (raw,) = cursor.fetchone() or (b"",)
                found += bytes(raw)
        return found


def _closed_with_secrets(*, kept_months: int | None = None) -> tuple[Measurement, set[str]]:
    """A closed measurement whose twelve comments are secrets; with ``kept_months``, of an
    organisation that keeps its answers that long (not due when the other is)."""
    place = attack.build_workplace({"Team A": (None, 6), "Team B": (None, 6)})
    if kept_months is not None:
        place.org.response_retention_months = kept_months
        place.org.save(update_fields=["response_retention_months"])
    launched = attack.launch(place)
    secrets: set[str] = set()
    for people in place.people.values():
        for i, person in enumerate(people):
            secret = attack.secret_comment()
            secrets.add(secret)
            attack.submit(
                launched.tokens[person.pk],
                {**ps7([1 + i % 5]), "hesteskoen.1": 1 + i % 5},
                {"hesteskoen.2": secret},
            )
    m = launched.measurement
    attack.close(place, m)
    before = _raw_pages("surveys_response").decode("latin-1")
    assert {s for s in secrets if s in before}, "the comments must be in the pages at first"
    return m, secrets


def _purge(m: Measurement) -> str:
    out = io.StringIO()
    call_command("purge_responses", today=retention.purge_due_on(m).isoformat(), stdout=out)
    return out.getvalue()


def test_purged_answers_are_not_left_in_the_tables_pages() -> None:
    m, secrets = _closed_with_secrets()
    # Another organisation's answers, kept for ten years, share the table's pages.
    _kept, kept = _closed_with_secrets(kept_months=120)
    output = _purge(m)
    assert f"Deleted {len(secrets)} answers" in output
    assert "Rewrote on disk (VACUUM FULL): " in output and "surveys_response" in output
    assert len(attack.rows("surveys_response")) == len(kept)
    after = _raw_pages("surveys_response").decode("latin-1")
    left = sorted(s for s in secrets if s in after)
    assert left == [], f"{len(left)} purged comments are still readable in the table's pages"
    assert {s for s in kept if s in after} == kept, "the reader sees the rows that stay"


def test_without_the_rewrite_the_deleted_comments_stay_in_the_pages() -> None:
    """What the rewrite is for: the purge's own transaction, committed, leaves every
    deleted comment in the table's pages as dead row versions."""
    m, secrets = _closed_with_secrets()
    _closed_with_secrets(kept_months=120)
    done = retention.measurement_purge_responses(measurement=m)
    assert done.responses == len(secrets)
    assert "surveys_response" in done.tables
    after = _raw_pages("surveys_response").decode("latin-1")
    assert {s for s in secrets if s in after} == secrets, "the dead row versions keep them"


def test_a_rewrite_that_cannot_lock_its_table_is_reported_and_the_purge_stays(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.db import connections

    from tryghed import table_rewrite
    from tryghed.cli import main

    m, secrets = _closed_with_secrets()
    monkeypatch.setattr(table_rewrite, "LOCK_TIMEOUT", "200ms")
    # A long reader of the answers (a report being built) holds its share of the table.
    reader = connections.create_connection("default")
    try:
        reader.set_autocommit(False)
        with reader.cursor() as cursor:
            cursor.execute("LOCK TABLE surveys_response IN ACCESS SHARE MODE")
        status = main(["purge-responses", "--today", retention.purge_due_on(m).isoformat()])
    finally:
        reader.rollback()
        reader.close()
    err = capsys.readouterr().err
    assert status == 1
    assert "lock timeout" in err
    assert "VACUUM FULL " in err and "surveys_response" in err
    m.refresh_from_db()
    assert m.responses_purged_at is not None
    assert attack.rows("surveys_response") == []
    # Until someone rewrites it by hand, the pages keep the comments: the report says so.
    assert {s for s in secrets if s in _raw_pages("surveys_response").decode("latin-1")}


def test_a_snapshot_older_than_the_purge_is_waited_for_and_then_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A transaction that began before the purge (a pg_dump, a long report) still sees the
    deleted rows, and VACUUM FULL would copy them into the new table as recently dead: the
    rewrite waits for it, and says so when it does not end."""
    from django.db import connections

    from tryghed import table_rewrite

    m, secrets = _closed_with_secrets()
    monkeypatch.setattr(table_rewrite, "HORIZON_WAIT", 1.0)
    backup = connections.create_connection("default")
    try:
        backup.set_autocommit(False)
        with backup.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM surveys_response")
            (seen,) = cursor.fetchone()
        assert seen == len(secrets)
        with pytest.raises(table_rewrite.RewriteFailed, match="older than the purge"):
            _purge(m)
    finally:
        backup.rollback()
        backup.close()
    m.refresh_from_db()
    assert m.responses_purged_at is not None
    assert attack.rows("surveys_response") == []
    # The table is owed: a dry run says so and rewrites nothing; the next night's run,
    # with nothing left to delete, rewrites it and forgets it.
    owed = table_rewrite.owed_tables()
    assert "surveys_response" in owed
    dry = io.StringIO()
    call_command("purge_responses", dry_run=True, stdout=dry)
    listed = ", ".join(sorted(owed))
    assert f"Would rewrite on disk, left by an earlier run: {listed}" in dry.getvalue()
    assert {s for s in secrets if s in _raw_pages("surveys_response").decode("latin-1")}
    night = _purge(m)
    assert f"Rewrote on disk (VACUUM FULL): {listed}" in night
    assert not {s for s in secrets if s in _raw_pages("surveys_response").decode("latin-1")}
    assert table_rewrite.owed_tables() == set()


def test_a_purged_learning_log_entry_is_not_left_in_the_tables_pages(world: World) -> None:
    from tryghed.learning import services

    secret, kept = attack.secret_comment(), attack.secret_comment()
    for text, day in ((secret, dt.date(2026, 1, 5)), (kept, dt.date(2028, 6, 1))):
        services.entry_write(
            unit=world.team_a,
            writer=world.employee,
            what_happened=f"Nøglen lå fremme {text}",
            today=day,
        )
    assert secret in _raw_pages("learning_entry").decode("latin-1")
    out = io.StringIO()
    call_command("purge_learning", today="2029-01-05", stdout=out)
    assert "Deleted 1 learning-log entries" in out.getvalue()
    assert "Rewrote on disk (VACUUM FULL): learning_entry" in out.getvalue()
    pages = _raw_pages("learning_entry").decode("latin-1")
    assert secret not in pages
    assert kept in pages, "the reader sees the entry that stays"
