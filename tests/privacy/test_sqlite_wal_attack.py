"""Finding 1 of issue 15 on SQLite: one copy of the database file and its -wal file,
replayed commit by commit, shows which invitation changed in the commit that made which
answer readable (operator of the database, privacy.md section 0, adversary 2).

The product runs in a child process on a file database in WAL mode, as in production
(tests/privacy/wal_scenario.py); the attacker only reads the two copied files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.privacy.attack import secrets_in

pytestmark = pytest.mark.skipif(
    "sqlite" not in str(settings.DATABASES["default"]["ENGINE"]),
    reason="the -wal file attack is SQLite's; the PostgreSQL run checks xmin and ctid",
)


def _commits(wal: bytes) -> list[list[tuple[int, bytes]]]:
    """The WAL's frames grouped by commit: [[(page number, page image), ...], ...].

    Format (sqlite.org/fileformat.html#the_write_ahead_log): a 32-byte header (magic,
    version, page size, checkpoint sequence, two salts, two checksums), then frames of a
    24-byte header (page number, database size after a commit or 0, the two salts, two
    checksums) and one page. Frames whose salts differ belong to an earlier generation.
    """
    if len(wal) < 32:
        return []
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    commits: list[list[tuple[int, bytes]]] = []
    current: list[tuple[int, bytes]] = []
    offset = 32
    while offset + 24 + page_size <= len(wal):
        page_number, size_after = struct.unpack(">II", wal[offset : offset + 8])
        if wal[offset + 8 : offset + 16] != salts:
            break
        current.append((page_number, wal[offset + 24 : offset + 24 + page_size]))
        if size_after:
            commits.append(current)
            current = []
        offset += 24 + page_size
    return commits


def _state(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table of a replayed database file."""
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: set(db.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}  # noqa: S608
    finally:
        db.close()


def _columns(path: Path, table: str) -> list[str]:
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
    finally:
        db.close()


def test_a_copy_of_the_database_and_its_wal_does_not_link_an_answer_to_a_person(
    tmp_path: Path,
) -> None:
    """Finding 1 (operator of the database, a stolen backup): replay the -wal file commit
    by commit; a commit that changes a row naming a person (an invitation marked used, a
    record that someone answered) and makes an answer readable links the two."""
    told = run_scenario("tests.privacy.wal_scenario", tmp_path)
    secret_of = {int(k): v for k, v in told["secret_of"].items()}
    invitation_person = {int(k): v for k, v in told["invitation_person"].items()}
    links, _ = _replay(tmp_path, "open.sqlite3", secret_of, invitation_person)
    closed_links, readable = _replay(tmp_path, "closed.sqlite3", secret_of, invitation_person)
    # After closing every answer is readable (the reports need them): otherwise the attack
    # would find nothing because nothing was stored, and pass for the wrong reason.
    assert readable == set(secret_of.values())
    assert links + closed_links == []


def run_scenario(module: str, directory: Path, **env: str) -> dict[str, Any]:
    """Run a scenario module in a child process on a file database in ``directory`` (SQLite
    in WAL mode, as production runs it) and return the JSON it prints last."""
    child_env = {**os.environ, "TRYGHED_DATA_DIR": str(directory), **env}
    child_env.pop("DATABASE_URL", None)
    run = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, str(directory)],
        env=child_env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    told: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return told


State = dict[str, set[tuple[Any, ...]]]


def replayed(directory: Path, name: str) -> Iterator[tuple[int, State, State, Path]]:
    """One copy of a database file and its -wal file replayed commit by commit: for each
    commit its number, every table's rows before and after it, and the replayed file.
    Nothing when the WAL is empty (checkpointed: the file alone is one state, no order)."""
    wal_file = directory / f"{name}-wal"
    commits = _commits(wal_file.read_bytes()) if wal_file.exists() else []
    replay = directory / "replay.sqlite3"
    image = bytearray((directory / name).read_bytes())
    replay.write_bytes(image)
    before = _state(replay)
    for number, commit in enumerate(commits, start=1):
        page_size = len(commit[0][1])
        for page_number, page in commit:
            start = (page_number - 1) * page_size
            if len(image) < start + page_size:
                image.extend(b"\0" * (start + page_size - len(image)))
            image[start : start + page_size] = page
        replay.write_bytes(image)
        after = _state(replay)
        yield number, before, after, replay
        before = after


def readable_in(state: State) -> set[str]:
    """The answers' secrets readable anywhere in a replayed state."""
    return {s for rows in state.values() for row in rows for s in secrets_in(row)}


def people_in(
    row: tuple[Any, ...],
    columns: list[str],
    secret_of: dict[int, str],
    invitation_person: dict[int, int],
) -> set[int]:
    """The answering people a row names, by person or by invitation."""
    people: set[int] = set()
    for column in ("person_id", "invitation_id"):
        if column in columns and row[columns.index(column)] is not None:
            value = int(row[columns.index(column)])
            person = value if column == "person_id" else invitation_person.get(value)
            if person in secret_of:
                people.add(person)
    return people


def _replay(
    directory: Path, name: str, secret_of: dict[int, str], invitation_person: dict[int, int]
) -> tuple[list[str], set[str]]:
    """The links found replaying one copy, and the answers readable at its end."""
    readable_anywhere = readable_in(_state(directory / name))
    links: list[str] = []
    for number, before, after, replay in replayed(directory, name):
        people: set[int] = set()
        revealed: set[str] = set()
        for table, now in after.items():
            cols = _columns(replay, table)
            for row in now - before.get(table, set()):
                revealed |= secrets_in(row)
                people |= people_in(row, cols, secret_of, invitation_person)
        revealed -= readable_anywhere
        readable_anywhere |= revealed
        if people and revealed:
            right = sorted(secret_of[p] for p in people if secret_of[p] in revealed)
            links.append(
                f"commit {number}: {len(people)} person(s) {sorted(people)} beside "
                f"{len(revealed)} answer(s); {len(right)} pairing(s) right"
            )
    return links, readable_anywhere
