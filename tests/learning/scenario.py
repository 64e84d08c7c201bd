"""A learning log entry for the browser crawl (tests/browser/scenarios.py)."""

from __future__ import annotations

import uuid

from tests.conftest import World
from tryghed.learning import services


def learning_entry(world: World) -> uuid.UUID:
    """An anonymous, unsorted situation in the leader's team, so the team, the leader and
    the AMO see its page."""
    entry = services.entry_write(
        unit=world.team_a,
        writer=world.employee,
        what_happened="Vagtplanen blev ændret, uden at alle fik besked.",
        lesson="Ændringer gives videre på morgenmødet.",
    )
    return entry.pk
