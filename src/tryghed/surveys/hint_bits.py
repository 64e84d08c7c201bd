"""Read back, right after their commit, the rows a respondent's lookup later reads one by
one (privacy.md section 0, adversary 2: the operator).

PostgreSQL notes in a row version's own page that its transaction committed (the hint
bits of ``t_infomask``) the first time any reader meets the version after the commit.
The link tokens, the invitation rows a reminder round rewrites and the paper codes are
otherwise next read only by the lookup of the person who opens a link or types a code,
so the pages (``pageinspect``, a backup's data files) would name everyone who has opened
their link, and each code used. Reading every version of those rows once, as soon as
they are committed, sets the bits for all of them alike.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet


def read_back_after_commit(*querysets: QuerySet[Any]) -> None:
    """Read these rows (whole rows, so from the table, not an index) once the current
    transaction has committed, or now outside one. Only PostgreSQL has hint bits."""
    if connection.vendor != "postgresql":
        return

    def read() -> None:
        for queryset in querysets:
            for _row in queryset.iterator():
                pass

    transaction.on_commit(read, robust=True)
