"""Emptying SQLite's WAL after a release does not wait long for a reader (red team of the
kept connections, issue 14): a release runs in a respondent's request, and with the
connection's own busy timeout (20 s) a reader in a long transaction held that respondent's
thank-you page as long. It gives up after a short wait, says so in the log, and the next
checkpoint empties the WAL.

On a database file of its own in WAL mode, as production runs SQLite, whatever the test
run's database is: a second Django connection on that file is the product's.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import sqlite_file_connection
from tryghed import table_rewrite
from tryghed.sqlite.base import DatabaseWrapper


@pytest.fixture
def file_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, django_db_blocker: Any
) -> Iterator[DatabaseWrapper]:
    """A Django connection of its own (not the test database: no django_db mark needed)."""
    path = tmp_path / "wal.sqlite3"
    wrapper = sqlite_file_connection(path)
    assert isinstance(wrapper, DatabaseWrapper)
    monkeypatch.setattr(table_rewrite, "connection", wrapper)
    with django_db_blocker.unblock():
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE answer (id integer PRIMARY KEY, body text)")
            cursor.execute("INSERT INTO answer (body) VALUES ('first')")
        yield wrapper
        wrapper.close()


def _wal(connection: DatabaseWrapper) -> Path:
    return Path(str(connection.settings_dict["NAME"]) + "-wal")


def _busy_timeout(connection: DatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def test_a_reader_does_not_hold_the_release_and_the_next_checkpoint_empties_the_wal(
    file_connection: DatabaseWrapper, caplog: pytest.LogCaptureFixture
) -> None:
    reader = sqlite3.connect(str(file_connection.settings_dict["NAME"]))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM answer").fetchone()  # a snapshot held open
    with file_connection.cursor() as cursor:
        cursor.execute("INSERT INTO answer (body) VALUES ('released')")
    assert _wal(file_connection).stat().st_size > 0
    sent: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with (
        caplog.at_level(logging.WARNING, logger="tryghed.table_rewrite"),
        file_connection.execute_wrapper(capture),
    ):
        emptied = table_rewrite.empty_sqlite_wal(
            "a release of answers", wait_ms=table_rewrite.RELEASE_WAL_WAIT_MS
        )
    assert not emptied
    # It waited the short time for the reader, not the connection's 20 s busy timeout.
    checkpoint = sent.index("PRAGMA wal_checkpoint(TRUNCATE)")
    assert sent[:checkpoint] == [f"PRAGMA busy_timeout = {table_rewrite.RELEASE_WAL_WAIT_MS}"]
    assert "SQLite WAL not emptied after a release of answers" in caplog.text
    assert _busy_timeout(file_connection) == 20_000  # the connection's own, back again
    reader.rollback()
    reader.close()
    assert table_rewrite.empty_sqlite_wal("the next release", wait_ms=50)
    assert _wal(file_connection).stat().st_size == 0


def test_without_a_reader_the_wal_is_emptied_at_once(
    file_connection: DatabaseWrapper, caplog: pytest.LogCaptureFixture
) -> None:
    with file_connection.cursor() as cursor:
        cursor.execute("INSERT INTO answer (body) VALUES ('released')")
    with caplog.at_level(logging.WARNING, logger="tryghed.table_rewrite"):
        assert table_rewrite.empty_sqlite_wal("a release of answers", wait_ms=50)
    assert _wal(file_connection).stat().st_size == 0 and not caplog.text
