"""Django's SQLite backend, with one change: how a transaction waits for the write lock.

Every transaction here begins ``IMMEDIATE`` (settings), so it takes SQLite's one write lock
at ``BEGIN``. When another connection holds it, SQLite's own busy handler sleeps 1, 2, 5,
10, 15, 20, 25, 25, 25, 50, 50, then 100 ms at a time between tries: a writer that was
unlucky a few times sleeps 100 ms while the lock is free again after one. With sixteen
respondents submitting at once that was most of the final submit's tail on SQLite (p99
160-350 ms against 40-50 ms for a bare insert, docs/benchmarks.md). Here ``BEGIN
IMMEDIATE`` is tried again every millisecond until the connection's busy timeout has
passed, then fails as before ("database is locked"), and the connection keeps its busy
timeout. Statements outside a transaction and checkpoints keep SQLite's busy handler and
the same timeout. On a shared-cache database (the in-memory test database) another writer
makes ``BEGIN`` fail at once with SQLITE_LOCKED, which SQLite's busy handler never waited
for; that is tried again as well, up to the same timeout."""

from __future__ import annotations

import sqlite3
from time import monotonic, sleep
from typing import Any

from django.db.backends.sqlite3 import base

# Between two tries to begin a write transaction while another holds the lock (seconds).
# Waits doubling from 1 ms up to 4 or 10 ms made no difference measured (docs/benchmarks.md).
BEGIN_RETRY_SECONDS = 0.001


def _busy(error: BaseException | None) -> bool:
    """Whether SQLite refused because another connection holds the lock (SQLITE_LOCKED:
    another connection to a shared-cache database, as the in-memory test database)."""
    # sqlite_errorcode is the extended code (SQLITE_BUSY_RECOVERY and the like); its low
    # byte is the primary one.
    return isinstance(error, sqlite3.OperationalError) and (error.sqlite_errorcode & 0xFF) in {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    }


class _WaitingCursor(base.SQLiteCursorWrapper):
    """Runs its statement again every BEGIN_RETRY_SECONDS while the lock is held, until
    ``deadline`` (time.monotonic). Django wraps it as any cursor, so the BEGIN is one
    query in the query log (with its whole wait) and to execute wrappers, and only the
    last failure becomes Django's OperationalError (and errors_occurred)."""

    deadline = 0.0

    def execute(self, query: str, params: Any = None) -> Any:
        while True:
            try:
                return super().execute(query, params)
            except sqlite3.OperationalError as error:
                if not _busy(error) or monotonic() >= self.deadline:
                    raise
            sleep(BEGIN_RETRY_SECONDS)


class DatabaseWrapper(base.DatabaseWrapper):
    transaction_mode: str | None  # set by Django's get_connection_params (not in its stubs)

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode not in {"IMMEDIATE", "EXCLUSIVE"}:
            # The lock comes with the first write (the method is not in django-stubs).
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        raw = self.connection
        # The connection's own busy timeout (OPTIONS "timeout" truncated to whole ms by
        # Python's sqlite3, or whatever an init_command or a caller set): the wait, and
        # what the connection is left with.
        (busy_ms,) = raw.execute("PRAGMA busy_timeout").fetchone()
        cursor = raw.cursor(factory=_WaitingCursor)
        cursor.deadline = monotonic() + busy_ms / 1000
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            # Wrapped as self.cursor() wraps (Django's own BEGIN), so query logs and execute
            # wrappers show it (_prepare_cursor is not in django-stubs).
            wrapped = self._prepare_cursor(cursor)  # type: ignore[attr-defined]
            wrapped.execute(f"BEGIN {self.transaction_mode}")
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
