from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tryghed.daily_commands import PurgeCommand
from tryghed.surveys.retention import PurgeOutcome, due_for_purge, measurement_purge_responses


def _label(outcome: PurgeOutcome) -> str:
    m = outcome.measurement
    return f"{m.organisation.name}: {m.name} (closed {m.closes_on}, due {outcome.due_on})"


class Command(PurgeCommand[PurgeOutcome]):
    help = (
        "Delete the answers of closed measurements whose retention period has passed "
        "(each organisation's setting, default 36 months after closing). Reports stay. "
        "On PostgreSQL the tables deleted from are then rewritten (VACUUM FULL, which locks "
        "each table while it runs). Safe to run twice; run it daily at a quiet hour."
    )
    nothing_due = "No measurement is due for deletion of its answers."

    def due(self, today: dt.date | None) -> Sequence[PurgeOutcome]:
        return due_for_purge(today=today)

    def would(self, found: PurgeOutcome) -> str:
        return f"Would delete {found.responses} answers: {_label(found)}"

    def purge(self, found: PurgeOutcome, today: dt.date | None) -> tuple[str, frozenset[str]]:
        done = measurement_purge_responses(measurement=found.measurement)
        return f"Deleted {done.responses} answers: {_label(found)}", done.tables
