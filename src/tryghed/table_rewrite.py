"""Rewrite the tables a retention purge deleted from, so the deleted rows' bytes leave the
database's files (privacy.md section 0, adversary 2: the operator; section 7).

PostgreSQL keeps a deleted row in its page as a dead version until vacuum, and a plain
``VACUUM`` only marks that space free: the words stay readable in the data files and in any
copy of them. ``VACUUM FULL`` writes the live rows into new files and drops the old ones. It
cannot run inside a transaction, so it runs after the purge has committed (called inside
one, as in a test, it rewrites nothing and logs it), one table at a time, and holds an
ACCESS EXCLUSIVE lock on that table while it copies it: submissions and reports that read
the table wait meanwhile (the purge runs at night). ``LOCK_TIMEOUT`` bounds the wait for the
lock, so a long transaction makes the rewrite fail instead of queueing everyone behind it.

It also copies the rows a transaction begun before the purge may still see ("recently
dead"), and snapshots are cluster-wide: a transaction in another database holds them too.
So it first waits (``HORIZON_WAIT``) until no such transaction, prepared transaction or
replication slot is left. A failure leaves the purge done and raises ``RewriteFailed``,
which says what to run by hand.

A table that could not be rewritten is remembered (``owed_tables``, a file in the data
directory, changed under a lock by one purge at a time) and rewritten by the next run of
any purge, even one that deletes nothing, until it succeeds.

SQLite overwrites deleted rows in the file itself (``secure_delete``, settings); what is left
is the ``-wal`` file, emptied here by a checkpoint.

WAL archives and backups keep the rows whatever is done here: docs/operations.md says to
expire them within the retention period.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper

logger = logging.getLogger(__name__)

# How long emptying SQLite's WAL after a release of answers waits for readers (ms). The
# release runs in a respondent's request: with the connection's own busy timeout (20 s) a
# reader in a long transaction would hold that respondent's thank-you page as long.
RELEASE_WAL_WAIT_MS = 250


def empty_sqlite_wal(why: str, *, wait_ms: int | None = None) -> bool:
    """On SQLite, outside a transaction: checkpoint the WAL into the database file and
    truncate it, so the ``-wal`` file no longer holds the pages just written or deleted.

    ``wait_ms``: how long to wait for readers and writers (default: the connection's busy
    timeout). Returns whether the WAL was emptied; where a reader kept it from finishing,
    it says so in the log and the next checkpoint (the next release, closing or purge)
    empties it. Elsewhere (PostgreSQL, or inside a transaction) it does nothing."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    usual_ms = int(1000 * float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)))
    busy = True
    with connection.cursor() as cursor:
        if wait_ms is not None:
            cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
            busy = row is None or bool(row[0])
        except DatabaseError:
            pass  # "database is locked": left to the next checkpoint, as below
        finally:
            if wait_ms is not None:
                cursor.execute(f"PRAGMA busy_timeout = {usual_ms}")
    if busy:
        logger.warning(
            "SQLite WAL not emptied after %s: a reader or writer was still busy; the next "
            "checkpoint empties it",
            why,
        )
    return not busy


# How long a rewrite waits for its table's lock before it gives up (PostgreSQL syntax).
LOCK_TIMEOUT = "30s"
# How long it waits for the transactions that began before the purge to end (seconds).
HORIZON_WAIT = 300.0

# A transaction (or snapshot, prepared transaction, replication slot) anywhere in the
# cluster older than %(t)s may still see the deleted rows, and VACUUM FULL then copies them
# into the new table as "recently dead". %(t)s is the first transaction id not yet given
# out when the purge had committed.
_OLDER_THAN_PURGE = """
SELECT 'pid ' || pid || ' (' || coalesce(datname, '?') || ', since '
       || coalesce(xact_start::text, '?') || ')'
  FROM pg_stat_activity
 WHERE pid <> pg_backend_pid()
   AND (age(backend_xid) > age(%(t)s::xid) OR age(backend_xmin) > age(%(t)s::xid))
UNION ALL
SELECT 'prepared transaction ' || gid FROM pg_prepared_xacts
 WHERE age(transaction) > age(%(t)s::xid)
UNION ALL
SELECT 'replication slot ' || slot_name FROM pg_replication_slots
 WHERE age(xmin) > age(%(t)s::xid)
 LIMIT 1
"""


class RewriteFailed(CommandError):
    """The rows are deleted (the purge committed), but a table could not be rewritten."""

    def __init__(self, *, tables: list[str], reason: str) -> None:
        self.tables = tables
        listed = ", ".join(tables)
        super().__init__(
            f"The deleted rows are gone from the tables, but {listed} could not be rewritten "
            f"({reason}), so their bytes stay in the database's files. The next run of "
            f"'tryghed purge-responses' tries again; or run 'VACUUM FULL {listed};' at a "
            f"quiet hour (it locks each table while it runs)."
        )


def deleted_tables(deleted: Mapping[str, int]) -> set[str]:
    """The tables behind the counts of a ``QuerySet.delete()`` that deleted any row."""
    return {apps.get_model(label)._meta.db_table for label, n in deleted.items() if n}


def _owed_file() -> Path:
    return Path(settings.DATA_DIR) / "rewrite-owed"


def owed_tables() -> set[str]:
    """The tables an earlier rewrite left (it failed), still to be rewritten."""
    try:
        text = _owed_file().read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    except OSError as error:  # DATA_DIR unreadable here: the rewrite itself still runs
        logger.error("purge: the owed rewrites could not be read: %s", error)
        return set()
    return {line.strip() for line in text.splitlines() if line.strip()}


def _owe(tables: Iterable[str]) -> None:
    """Remember these tables as still to be rewritten (none: forget the file)."""
    path = _owed_file()
    wanted = sorted(set(tables))
    try:
        if not wanted:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Its own partial file: two purges at once (the nightly one and Sig det's) must
        # not move each other's.
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text("".join(f"{table}\n" for table in wanted), encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        # DATA_DIR not writable here: said in the log, and the rewrite's own outcome (a
        # RewriteFailed with the VACUUM FULL to run by hand) is what the caller gets.
        logger.error(
            "purge: could not remember the rewrites still owed (%s): %s",
            ", ".join(wanted) or "none",
            error,
        )


@contextmanager
def _owed_locked() -> Iterator[None]:
    """Holds a lock on the owed file's neighbour ``rewrite-owed.lock`` (``flock``: between
    processes and between threads alike), so that two purges at once (the nightly one and
    Sig det's) each read, change and write the list without losing the other's change."""
    path = _owed_file().with_name("rewrite-owed.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("ab")
    except OSError as error:  # DATA_DIR not writable here: _owe says so as well
        logger.error("purge: could not lock the owed rewrites (%s): %s", path, error)
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _update_owed(*, done: Iterable[str], left: Iterable[str]) -> None:
    """The owed list without ``done`` and with ``left``, read and written under the lock."""
    with _owed_locked():
        _owe((owed_tables() - set(done)) | set(left))


def rewrite_tables(tables: Iterable[str], *, owed: bool = False) -> list[str]:
    """After a purge has committed: on PostgreSQL ``VACUUM FULL`` each table (sorted, one
    at a time), with ``owed`` (the purge commands, at their quiet hour) also those an
    earlier failure left (``owed_tables``, of those that still exist); on SQLite checkpoint
    and empty the WAL. Returns the tables rewritten. A failure remembers what is left and
    raises ``RewriteFailed``."""
    wanted = sorted(set(tables))
    # Owed tables a migration dropped since: forgotten when the file is next written.
    gone: set[str] = set()
    if owed and connection.vendor == "postgresql" and not connection.in_atomic_block:
        earlier = owed_tables()
        if earlier:
            existing = set(connection.introspection.table_names())
            wanted = sorted(set(wanted) | (earlier & existing))
            gone = earlier - existing
            if gone:
                logger.warning("purge: no longer owed, gone: %s", ", ".join(sorted(gone)))
    if not wanted:
        return []
    if connection.in_atomic_block:
        # The deletions are not committed yet, and VACUUM cannot run in a transaction: the
        # caller that holds it (a test) owns the outcome.
        logger.warning("purge: %s not rewritten: inside a transaction", ", ".join(wanted))
        return []
    if connection.vendor == "sqlite":
        if empty_sqlite_wal(f"deleting from {', '.join(wanted)}"):
            logger.info("purge: SQLite WAL emptied after deleting from %s", ", ".join(wanted))
        return []
    if connection.vendor != "postgresql":
        return []
    done: list[str] = []
    quote = connection.ops.quote_name
    try:
        with connection.cursor() as cursor:
            holder = _wait_for_older_transactions(cursor)
            if holder is not None:
                # With what another purge may have owed meanwhile.
                _update_owed(done=gone, left=wanted)
                raise RewriteFailed(
                    tables=wanted,
                    reason=f"a transaction older than the purge was still open after "
                    f"{HORIZON_WAIT:g} s: {holder}; VACUUM FULL would have kept the rows",
                )
            cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            try:
                for table in wanted:
                    cursor.execute(f"VACUUM FULL {quote(table)}")
                    done.append(table)
                    logger.info("purge: rewrote %s (VACUUM FULL)", table)
            finally:
                cursor.execute("RESET lock_timeout")
    except DatabaseError as error:
        left = [table for table in wanted if table not in done]
        _update_owed(done=gone | set(done), left=left)
        logger.error("purge: VACUUM FULL %s failed: %s", ", ".join(left), error)
        raise RewriteFailed(tables=left, reason=str(error).strip()) from error
    _update_owed(done=gone | set(done), left=())
    return done


def rewrite_after_purge(
    tables: Iterable[str], *, dry_run: bool, write: Callable[[str], None]
) -> None:
    """A purge command's last step, after its deletions committed: rewrite the tables it
    deleted from and those an earlier run left (``rewrite_tables``; a failure raises
    ``RewriteFailed``), saying what was rewritten; with ``dry_run`` only what is owed."""
    if dry_run:
        owed = sorted(owed_tables())
        if owed:
            write(f"Would rewrite on disk, left by an earlier run: {', '.join(owed)}")
        return
    rewritten = rewrite_tables(tables, owed=True)
    if rewritten:
        write(f"Rewrote on disk (VACUUM FULL): {', '.join(rewritten)}")


def _wait_for_older_transactions(cursor: CursorWrapper) -> str | None:
    """Wait until nothing that may still see the purged rows is open; what still is after
    ``HORIZON_WAIT`` seconds, or None."""
    cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::xid::text")
    (threshold,) = cursor.fetchone()
    deadline = time.monotonic() + HORIZON_WAIT
    while True:
        cursor.execute(_OLDER_THAN_PURGE, {"t": threshold})
        found = cursor.fetchone()
        if found is None:
            return None
        if time.monotonic() >= deadline:
            return str(found[0])
        time.sleep(0.5)
