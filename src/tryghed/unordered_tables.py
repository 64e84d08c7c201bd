"""Tables whose physical order must tell nothing: SQLite ``WITHOUT ROWID`` rebuilds, and
rows written again as new rows (``write_again``).

A rowid numbers rows in the order they were written, and so would tell which anonymous
row (a Sig det case, a learning-log entry, a dialogue placement) came just after a named
one or a sign-in (privacy.md sections 1 and 6). Django rebuilds a SQLite table for many
schema changes, and the rebuilt table has a rowid again: a migration that may rebuild such
a table runs ``without_rowid`` after it. The privacy tests watch ``sqlite_master``.

Migrations import this module, so its behaviour must stay as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


def without_rowid(table: str) -> Callable[[Any, Any], None]:
    """A ``RunPython`` step: on SQLite, rebuild ``table`` WITHOUT ROWID with its rows in
    random order and its indexes made again; nothing elsewhere or when it already is."""

    def rebuild(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table]
            )
            (create,) = cursor.fetchone()
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            indexes = [row[0] for row in cursor.fetchall()]
        if "WITHOUT ROWID" in create.upper():
            return
        head = f'CREATE TABLE "{table}"'
        assert create.startswith(head), create
        new_table = f'"{table}__without_rowid"'
        schema_editor.execute(f"CREATE TABLE {new_table}{create[len(head) :]} WITHOUT ROWID")
        schema_editor.execute(f'INSERT INTO {new_table} SELECT * FROM "{table}" ORDER BY random()')  # noqa: S608
        schema_editor.execute(f'DROP TABLE "{table}"')
        schema_editor.execute(f'ALTER TABLE {new_table} RENAME TO "{table}"')
        for index in indexes:
            schema_editor.execute(index)

    return rebuild


def write_again[M: models.Model](model: type[M], rows: Sequence[M], field: str) -> None:
    """Write these rows again, unchanged, in the order given (the caller shuffles), in the
    caller's transaction, so that they lie in that order.

    SQLite: deleted and inserted again. An UPDATE overwrites a row of the same size where
    it was in its page, and a page's rows lie in the order they were inserted, so the file
    kept the order in which they were first written (red team,
    tests/privacy/test_redteam_operator_2.py). SQLite writes one transaction at a time, so
    no other writer is waiting on these rows. The delete is plain SQL, so nothing cascades;
    foreign keys to these rows are checked at commit (Django creates them deferred), when
    the rows are back.

    PostgreSQL: an UPDATE of ``field`` to its value, which gives each row a new version in
    that order and which a concurrent writer of the row follows (it would find a deleted
    row gone). The row keeps its first line pointer as a redirect while the update is HOT
    (the strict xfail in the same test file).
    """
    if not rows:
        return
    if connection.vendor != "sqlite":
        for row in rows:
            model._default_manager.filter(pk=row.pk).update(**{field: getattr(row, field)})
        return
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    keys = [pk.get_db_prep_value(row.pk, connection) for row in rows]
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(pk.column)
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", keys)  # noqa: S608
    model._default_manager.bulk_create(rows)
