"""Red team, retention on PostgreSQL (adversary 2 of privacy.md section 0: the operator,
with a backup or read access taken after the answers' retention period; section 7:
"response-level data of a closed measurement is deleted").

``purge-responses`` deletes the rows. On SQLite ``secure_delete`` overwrites them in the
file (tests/privacy/test_storage_attacks.py); PostgreSQL keeps a deleted row's bytes in
its page as a dead version until vacuum, and vacuum only marks the space free. The
operator reads the table's pages as they are (``pageinspect``, or the data files of a
backup) and looks for the answers that were deleted.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.surveys import retention

pytestmark = pytest.mark.django_db


def _raw_pages(table: str) -> bytes:
    """Every page of a table (and of its TOAST table) as stored, dead row versions too."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(
            "SELECT c.oid::regclass::text, t.oid::regclass::text FROM pg_class c "
            "LEFT JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = %s::regclass",
            [table],
        )
        names = [n for n in cursor.fetchone() or () if n]
        found = b""
        for name in names:
            cursor.execute("SELECT pg_relation_size(%s::regclass) / 8192", [name])
            (pages,) = cursor.fetchone() or (0,)
            for page in range(int(pages)):
                cursor.execute("SELECT get_raw_page(%s, %s)", [name, page])
                (raw,) = cursor.fetchone() or (b"",)
                found += bytes(raw)
        return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pages")
@pytest.mark.xfail(
    strict=True,
    reason="LEAK (operator, PostgreSQL): after purge-responses the deleted answers and "
    "comments are still in surveys_response's pages as dead row versions (and stay in the "
    "freed space after a plain VACUUM, and in WAL archives and backups); section 7's "
    "deletion holds on SQLite only. Fix: VACUUM FULL surveys_response (and the pending "
    "table) after a purge, or a rewrite of the table, and docs/operations.md telling to "
    "expire backups and WAL archives older than the retention period.",
)
def test_purged_answers_are_not_left_in_the_tables_pages() -> None:
    place = attack.build_workplace({"Team A": (None, 6), "Team B": (None, 6)})
    launched = attack.launch(place)
    secrets: set[str] = set()
    for people in place.people.values():
        for i, person in enumerate(people):
            secret = attack.secret_comment()
            secrets.add(secret)
            attack.submit(
                launched.tokens[person.pk],
                {**ps7([1 + i % 5]), "hesteskoen.1": 1 + i % 5},
                {"hesteskoen.2": secret},
            )
    m = launched.measurement
    attack.close(place, m)
    before = _raw_pages("surveys_response").decode("latin-1")
    assert {s for s in secrets if s in before}, "the comments must be in the pages at first"
    assert retention.measurement_purge_responses(measurement=m) == len(secrets)
    assert attack.rows("surveys_response") == []
    after = _raw_pages("surveys_response").decode("latin-1")
    left = sorted(s for s in secrets if s in after)
    assert left == [], f"{len(left)} purged comments are still readable in the table's pages"
