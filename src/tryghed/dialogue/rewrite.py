"""Rewrite the dialogue tables after sessions ended, so the deleted placements' bytes leave
PostgreSQL's files (privacy.md section 0, adversary 2: the operator).

Ending a session deletes its placements and blanks the distributions the team did not
keep (``services.session_end``), but on PostgreSQL the deleted rows and the old versions of
the blanked ones (the words of "Bordet rundt") stay in the tables' pages until the tables
are rewritten. A session ends in a web request, where ``VACUUM FULL`` (a lock, and a wait of
up to five minutes for older transactions) has no place, so the nightly
``tryghed purge-responses`` does it (``manage.py rewrite_dialogue``).

The trigger needs no stored marker: placements live only while a session runs, and
``VACUUM FULL`` leaves an empty table with no page at all. So a placement table that has
pages either holds a running session's placements or held placements since the last
rewrite (whose exercises' distributions were written, and blanked at the end, in the same
sessions). Its row counts would not do: autovacuum resets ``n_dead_tup`` while leaving the
bytes in place. SQLite: ``secure_delete`` overwrites the rows and ``session_end``
checkpoints the WAL; nothing is done here.
"""

from __future__ import annotations

from django.db import connection

from tryghed.dialogue.models import Exercise, Placement
from tryghed.table_rewrite import rewrite_tables

TABLES = (Placement._meta.db_table, Exercise._meta.db_table)


def placements_on_disk() -> bool:
    """PostgreSQL: whether the placement table's file has any page (see the module)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s::regclass)", [Placement._meta.db_table])
        (size,) = cursor.fetchone() or (0,)
    return int(size) > 0


def rewrite_after_sessions() -> list[str]:
    """After sessions ended: ``VACUUM FULL`` the placement and exercise tables when the
    placement table has pages; the tables rewritten. A failure raises ``RewriteFailed``."""
    if not placements_on_disk():
        return []
    return rewrite_tables(TABLES)
