"""Django's SQLite backend, with one change: how a transaction waits for the write lock.

Every transaction here begins ``IMMEDIATE`` (settings), so it takes SQLite's one write lock
at ``BEGIN``. When another connection holds it, SQLite's own busy handler sleeps 1, 2, 5,
10, 15, 20, 25, 25, 25, 50, 50, then 100 ms at a time between tries: a writer that was
unlucky a few times sleeps 100 ms while the lock is free again after one. With sixteen
respondents submitting at once that was most of the final submit's tail on SQLite (p99
160-350 ms against 40-50 ms for a bare insert, docs/benchmarks.md). Here ``BEGIN
IMMEDIATE`` is tried again every millisecond until the connection's busy timeout has
passed, then fails as before ("database is locked"). Statements outside a transaction and
checkpoints keep SQLite's busy handler and the same timeout."""

from __future__ import annotations

import sqlite3
from time import monotonic, sleep
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Between two tries to begin a write transaction while another holds the lock (seconds).
# Waits doubling from 1 ms up to 4 or 10 ms made no difference measured (docs/benchmarks.md).
BEGIN_RETRY_SECONDS = 0.001
# The busy timeout where OPTIONS gives none (seconds; Python's sqlite3 default).
DEFAULT_TIMEOUT = 5.0


def _busy(error: BaseException | None) -> bool:
    """Whether SQLite refused because another connection holds the lock."""
    # sqlite_errorcode is the extended code (SQLITE_BUSY_RECOVERY and the like); its low
    # byte is the primary one.
    return isinstance(error, sqlite3.OperationalError) and (error.sqlite_errorcode & 0xFF) in {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    }


class DatabaseWrapper(base.DatabaseWrapper):
    busy_timeout: float = DEFAULT_TIMEOUT
    transaction_mode: str | None  # set by Django's init_connection_state (not in its stubs)

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self.busy_timeout = float(params.get("timeout", DEFAULT_TIMEOUT))
        return params

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode not in {"IMMEDIATE", "EXCLUSIVE"}:
            # The lock comes with the first write (the method is not in django-stubs).
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        begin = f"BEGIN {self.transaction_mode}"
        raw = self.connection
        deadline = monotonic() + self.busy_timeout
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.cursor().execute(begin)  # as Django does, so query logs show it
                    return
                except OperationalError as error:
                    if not _busy(error.__cause__) or monotonic() >= deadline:
                        raise
                sleep(BEGIN_RETRY_SECONDS)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")
