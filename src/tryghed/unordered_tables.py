"""Tables whose physical order must tell nothing: SQLite ``WITHOUT ROWID`` rebuilds.

A rowid numbers rows in the order they were written, and so would tell which anonymous
row (a Sig det case, a learning-log entry, a dialogue placement) came just after a named
one or a sign-in (privacy.md sections 1 and 6). Django rebuilds a SQLite table for many
schema changes, and the rebuilt table has a rowid again: a migration that may rebuild such
a table runs ``without_rowid`` after it. The privacy tests watch ``sqlite_master``.

Migrations import this module, so its behaviour must stay as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
