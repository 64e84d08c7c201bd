"""The rewrites a failed purge owes (table_rewrite.owed_tables): what a migration dropped in
the meantime is forgotten, not carried (and announced) by every later purge."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tryghed import table_rewrite

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM FULL"),
]


def test_an_owed_table_a_migration_dropped_is_forgotten() -> None:
    table_rewrite._owe(["surveys_response", "surveys_gone_since"])
    assert table_rewrite.rewrite_tables([], owed=True) == ["surveys_response"]
    assert table_rewrite.owed_tables() == set()


def test_only_a_purge_command_pays_what_is_owed() -> None:
    """The daily Sig det task and the dialogue's rewrite call ``rewrite_tables`` at their
    own hours (remind-voice in the morning): they rewrite their own tables, not the
    responses table a night's purge left (docs/operations.md: the purge's next run does;
    VACUUM FULL locks the table against every submission while it runs)."""
    table_rewrite._owe(["surveys_response"])
    assert table_rewrite.rewrite_tables([]) == []
    assert table_rewrite.owed_tables() == {"surveys_response"}
    lines: list[str] = []
    table_rewrite.rewrite_after_purge([], dry_run=False, write=lines.append)
    assert lines == ["Rewrote on disk (VACUUM FULL): surveys_response"]
    assert table_rewrite.owed_tables() == set()


def test_a_data_directory_that_cannot_be_written_does_not_hide_the_failed_rewrite(
    settings: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure to report is the rewrite's (with the VACUUM FULL to run by hand), not
    that the list of owed tables could not be written."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    settings.DATA_DIR = blocked / "data"  # type: ignore[attr-defined]
    monkeypatch.setattr(table_rewrite, "_wait_for_older_transactions", lambda cursor: "pid 1")
    with pytest.raises(table_rewrite.RewriteFailed, match="VACUUM FULL surveys_response"):
        table_rewrite.rewrite_tables(["surveys_response"])
