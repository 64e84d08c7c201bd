"""The SQLite backend's wait for the write lock (tryghed.sqlite): a transaction that finds
another connection writing tries again every millisecond instead of in SQLite's growing
sleeps, succeeds once the lock is free, fails as before after the busy timeout, and leaves
the connection's busy timeout as it was.

On a database file of its own in WAL mode, as production runs SQLite, whatever the test
run's database is."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test.utils import CaptureQueriesContext

from tests.conftest import sqlite_file_connection
from tryghed.sqlite import base

Connect = Callable[..., base.DatabaseWrapper]


@pytest.fixture
def connect(tmp_path: Path, django_db_blocker: Any) -> Iterator[Connect]:
    """Opens Django connections (the product's backend) on one WAL database file."""
    opened: list[base.DatabaseWrapper] = []

    def open_one(timeout: float = 20, mode: str = "IMMEDIATE") -> base.DatabaseWrapper:
        wrapper = sqlite_file_connection(
            tmp_path / "lock.sqlite3", timeout=str(timeout), transaction_mode=mode
        )
        assert isinstance(wrapper, base.DatabaseWrapper)
        opened.append(wrapper)
        return wrapper

    with django_db_blocker.unblock():
        first = open_one()
        with first.cursor() as cursor:
            cursor.execute("CREATE TABLE answer (id integer PRIMARY KEY, body text)")
        yield open_one
        for wrapper in opened:
            wrapper.close()


def _busy_timeout(connection: base.DatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _insert(connection: base.DatabaseWrapper, body: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO answer (body) VALUES (%s)", [body])


def _bodies(connection: base.DatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM answer ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def _begin(connection: base.DatabaseWrapper) -> None:
    """BEGIN as transaction.atomic begins on SQLite (Django's own call)."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _commit(connection: base.DatabaseWrapper) -> None:
    connection.commit()
    connection.set_autocommit(True)


def test_a_writer_waits_in_short_steps_until_the_lock_is_free(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder, waiter = connect(), connect()
    tries_while_held = 25
    sleeps: list[float] = []

    def counting_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == tries_while_held:
            _commit(holder)

    _begin(holder)
    _insert(holder, "first")
    monkeypatch.setattr("tryghed.sqlite.base.sleep", counting_sleep)
    _begin(waiter)
    _insert(waiter, "second")
    _commit(waiter)

    assert sleeps == [base.BEGIN_RETRY_SECONDS] * tries_while_held
    assert _bodies(waiter) == ["first", "second"]
    assert _busy_timeout(waiter) == 20_000


def test_a_writer_gives_up_after_the_busy_timeout_as_before(connect: Connect) -> None:
    holder, waiter = connect(), connect(timeout=0.05)
    _begin(holder)
    _insert(holder, "first")
    with pytest.raises(OperationalError, match="database is locked"):
        _begin(waiter)
    waiter.set_autocommit(True)
    assert _busy_timeout(waiter) == 50
    _commit(holder)
    _begin(waiter)
    _insert(waiter, "second")
    _commit(waiter)
    assert _bodies(waiter) == ["first", "second"]


def test_the_query_log_shows_one_begin(connect: Connect) -> None:
    writer = connect()
    with CaptureQueriesContext(writer) as queries:
        _begin(writer)
        _insert(writer, "first")
        _commit(writer)
    assert [query["sql"] for query in queries.captured_queries][:1] == ["BEGIN IMMEDIATE"]


def test_an_error_other_than_a_busy_lock_is_not_retried(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = connect()
    _begin(writer)  # a transaction is open: a second BEGIN is an error, not a lock
    monkeypatch.setattr("tryghed.sqlite.base.sleep", lambda seconds: pytest.fail("retried"))
    with pytest.raises(OperationalError, match="within a transaction"):
        writer._start_transaction_under_autocommit()
    _commit(writer)


def test_deferred_transactions_are_left_to_sqlite(connect: Connect) -> None:
    holder, waiter = connect(), connect(timeout=0.05, mode="DEFERRED")
    _begin(holder)
    _insert(holder, "first")
    _begin(waiter)  # DEFERRED takes no lock at BEGIN
    with pytest.raises(OperationalError, match="database is locked"):
        _insert(waiter, "second")
    waiter.rollback()
    waiter.set_autocommit(True)
    _commit(holder)


def test_the_query_log_shows_one_begin_however_many_tries_it_took(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with SQLite's own busy handler: one BEGIN, logged once with its whole wait (not a
    failed query a millisecond under DEBUG), seen once by execute wrappers, and no error
    noted on the connection (errors_occurred) for a transaction that began."""
    holder, waiter = connect(), connect()
    sleeps: list[float] = []
    sent: list[str] = []

    def counting_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 5:
            _commit(holder)

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    _begin(holder)
    _insert(holder, "first")
    monkeypatch.setattr("tryghed.sqlite.base.sleep", counting_sleep)
    with CaptureQueriesContext(waiter) as queries, waiter.execute_wrapper(capture):
        _begin(waiter)
        assert not waiter.errors_occurred
        _insert(waiter, "second")
        _commit(waiter)
    assert len(sleeps) == 5
    logged = [query["sql"] for query in queries.captured_queries]
    assert logged.count("BEGIN IMMEDIATE") == 1
    assert sent.count("BEGIN IMMEDIATE") == 1


def test_the_busy_timeout_comes_back_exactly_as_python_set_it(connect: Connect) -> None:
    """Python's sqlite3 truncates the timeout to whole milliseconds (50.6 ms: 50), as
    table_rewrite.empty_sqlite_wal restores it; a BEGIN must not leave it one more."""
    writer = connect(timeout=0.0506)
    before = _busy_timeout(writer)
    _begin(writer)
    _commit(writer)
    assert _busy_timeout(writer) == before == 50


def test_the_wait_follows_the_connections_own_busy_timeout(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy timeout set on the connection (an init_command, a command that wants to wait
    longer or shorter) is the one the BEGIN waits for and the one left afterwards."""
    holder, waiter = connect(), connect(timeout=20)
    with waiter.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 50")
    sleeps: list[float] = []

    def counting_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) > 2_000:  # some 2 s: far beyond 50 ms
            pytest.fail("waited for the settings' 20 s, not the connection's 50 ms")
        time.sleep(seconds)

    _begin(holder)
    _insert(holder, "first")
    monkeypatch.setattr("tryghed.sqlite.base.sleep", counting_sleep)
    with pytest.raises(OperationalError, match="database is locked"):
        _begin(waiter)
    assert _busy_timeout(waiter) == 50
    _commit(holder)


def test_an_interrupted_wait_leaves_the_connection_as_it_was(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder, waiter = connect(), connect()

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    _begin(holder)
    monkeypatch.setattr("tryghed.sqlite.base.sleep", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _begin(waiter)
    assert waiter.get_autocommit()
    assert not waiter.in_atomic_block
    assert waiter.connection is not None and not waiter.connection.in_transaction
    assert _busy_timeout(waiter) == 20_000
    _commit(holder)
    _begin(waiter)
    _insert(waiter, "after")
    _commit(waiter)
    assert _bodies(waiter) == ["after"]
