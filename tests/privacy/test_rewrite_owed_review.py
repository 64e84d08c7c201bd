"""The rewrites a failed purge owes (table_rewrite.owed_tables): what a migration dropped in
the meantime is forgotten, not carried (and announced) by every later purge."""

from __future__ import annotations

import pytest
from django.db import connection

from tryghed import table_rewrite

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM FULL"),
]


def test_an_owed_table_a_migration_dropped_is_forgotten() -> None:
    table_rewrite._owe(["surveys_response", "surveys_gone_since"])
    assert table_rewrite.rewrite_tables([]) == ["surveys_response"]
    assert table_rewrite.owed_tables() == set()
