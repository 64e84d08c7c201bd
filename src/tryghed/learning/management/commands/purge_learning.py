from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tryghed.daily_commands import PurgeCommand
from tryghed.learning.retention import LearningPurge, due_for_purge, organisation_purge_learning


def _label(found: LearningPurge) -> str:
    # Each entry by the shortest period in force since it was written, so an older one
    # may stay where the period was cut only after it was written.
    return (
        f"{found.organisation.name} (entries written up to {found.through}, each "
        "by the shortest period since)"
    )


class Command(PurgeCommand[LearningPurge]):
    help = (
        "Delete the learning log's entries (and meeting reviews) older than the shortest "
        "retention period their organisation has had since they were written (default 36 "
        "months). Actions made from them stay. "
        "On PostgreSQL the tables deleted from are then rewritten (VACUUM FULL). "
        "Safe to run twice; `tryghed purge-responses` runs it daily."
    )
    nothing_due = "No learning-log entry is due for deletion."

    def due(self, today: dt.date | None) -> Sequence[LearningPurge]:
        return due_for_purge(today=today)

    def would(self, found: LearningPurge) -> str:
        return (
            f"Would delete {found.entries} learning-log entries and "
            f"{found.reviews} reviews: {_label(found)}"
        )

    def purge(self, found: LearningPurge, today: dt.date | None) -> tuple[str, frozenset[str]]:
        done = organisation_purge_learning(organisation=found.organisation, today=today)
        return (
            f"Deleted {done.entries} learning-log entries and {done.reviews} reviews: "
            f"{_label(found)}",
            done.tables,
        )
