"""Two purges at once (the nightly purge and Sig det's daily task) each read, change and
write the list of rewrites still owed (table_rewrite._update_owed): neither may lose the
other's change, or a table whose deleted rows are still on disk is forgotten for good."""

from __future__ import annotations

import threading

import pytest

from tryghed import table_rewrite


def test_a_purge_that_writes_while_another_is_between_read_and_write_is_not_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table_rewrite._owe(["voice_case"])
    first_has_read = threading.Event()
    go_on = threading.Event()
    read = table_rewrite.owed_tables

    def slow_read_in_the_first() -> set[str]:
        tables = read()
        if threading.current_thread().name == "first":
            first_has_read.set()
            go_on.wait(timeout=5)
        return tables

    monkeypatch.setattr(table_rewrite, "owed_tables", slow_read_in_the_first)
    # The first rewrote voice_case and failed on learning_entry; the second failed on
    # surveys_response while the first was between reading the list and writing it.
    first = threading.Thread(
        name="first",
        target=table_rewrite._update_owed,
        kwargs={"done": ["voice_case"], "left": ["learning_entry"]},
    )
    second = threading.Thread(
        name="second",
        target=table_rewrite._update_owed,
        kwargs={"done": [], "left": ["surveys_response"]},
    )
    first.start()
    assert first_has_read.wait(timeout=5)
    second.start()
    second.join(timeout=0.5)  # under the lock it waits for the first; without, it is done
    go_on.set()
    first.join(timeout=5)
    second.join(timeout=5)

    assert read() == {"learning_entry", "surveys_response"}


def test_the_lock_file_stays_beside_the_list() -> None:
    table_rewrite._update_owed(done=[], left=["surveys_response"])
    table_rewrite._update_owed(done=["surveys_response"], left=[])
    assert table_rewrite.owed_tables() == set()
    assert (table_rewrite._owed_file().parent / "rewrite-owed.lock").exists()
