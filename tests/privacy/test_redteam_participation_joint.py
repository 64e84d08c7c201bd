"""Red team (adversary 1 of privacy.md section 0): participation rows beside the
publication's figures.

A reader of the organisation report sees the participation rows (``surveys.participation``:
invited and answered per unit with its subtree, decided by their own run of the
suppression engine) and the publication's figures (``core.publication``: n per group,
decided by ``_Decider``). Everyone who answered answered the one questionnaire everyone
got, so a row's answered count and a ps7 n are counts of the same people, and the reader
who remembers both subtracts across them. Each side is safe on its own; together they
isolate groups of 1..4, true by the answers (found 2026-12-07 by a random search over
small organisations, units of 0-12 people; ``results.audit.audit_organisation``, which
takes participation, reports each set too):

1. The publication shows a team's own group ("kun egne svar"); participation has no such
   groups and shows the team's subtree. Row minus own group = the unit below it.
2. Two siblings tie on answered count: the publication hides one, participation (other
   groups, other tie-break) hides the other. Parent's row minus the one's row minus the
   other's n = the rest, below the minimum.

Closed by the publication respecting the rows (``publication._Decider.respect``, schema 8):
both tests failed before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from tests.privacy.attack import Workplace, build_workplace, close, launch, ps7, submit
from tryghed.core.figures import Group, Publication, ScaleFigure
from tryghed.results.aggregates import publication
from tryghed.results.audit import audit_organisation, shown_participation
from tryghed.surveys.models import Measurement

MINIMUM = 5


@dataclass
class Seen:
    """What a reader of the organisation report reads of one closed measurement."""

    place: Workplace
    measurement: Measurement
    data: Publication

    def answered(self, name: str) -> int | None:
        """The participation row's answered count (the unit with its subtree)."""
        for row in shown_participation(self.measurement):
            if row.unit_id == self.place.units[name].pk and row.shown:
                return row.responses
        return None

    def n(self, name: str, kind: str) -> int | None:
        """ps7's n for the unit's own group (``unit``) or its subtree."""
        entry = self.data.units[str(self.place.units[name].pk)]
        group = self.data.groups[entry.unit if kind == "unit" else entry.subtree]
        if not isinstance(group, Group):
            return None
        scale = group.instruments["ps7"].scales["total"]
        return scale.n if isinstance(scale, ScaleFigure) else None

    def leaks(self) -> list[tuple[str, int]]:
        return [
            (finding.reader, leak.n)
            for finding in audit_organisation(self.place.org)
            for leak in finding.result.leaks
        ]


def closed(plan: Sequence[tuple[str, str | None, int, int]]) -> Seen:
    """(unit, parent, invited, answered): everyone who answers answers all of ps7."""
    place = build_workplace({name: (parent, invited) for name, parent, invited, _ in plan})
    run = launch(place, ("ps7",))
    for name, _parent, _invited, answered in plan:
        for person in place.people[name][:answered]:
            submit(run.tokens[person.pk], ps7([3]))
    close(place, run.measurement)
    return Seen(place, run.measurement, publication(run.measurement, units=None))


def small(value: int | None) -> bool:
    return value is not None and 0 < value < MINIMUM


@pytest.mark.django_db
def test_a_row_minus_the_teams_own_group_isolates_no_one() -> None:
    seen = closed(
        [
            ("Org", None, 2, 2),
            ("Sibling", "Org", 6, 6),
            ("Team", "Org", 8, 5),
            ("Sub", "Team", 7, 3),  # 3 answered: hidden in the publication
            ("Quiet", "Org", 7, 0),
        ]
    )
    derived = []
    row, own = seen.answered("Team"), seen.n("Team", "unit")
    if row is not None and own is not None and small(row - own):
        derived.append(f"Team's row {row} - Team's own n {own} = Sub's {row - own}")
    total, sibling = seen.answered("Org"), seen.n("Sibling", "subtree")
    if (
        total is not None
        and sibling is not None
        and row is not None
        and small(total - sibling - row)
    ):
        derived.append(
            f"Org's row {total} - Sibling's n {sibling} - Team's row {row} "
            f"= Org's own {total - sibling - row}"
        )
    assert not derived, derived
    assert not seen.leaks()


@pytest.mark.django_db
def test_siblings_tied_on_answers_are_not_hidden_apart() -> None:
    # Which of two tied siblings each engine hides depends on the unit ids (ties go by
    # repr of the group's key), so the case is built with the siblings in both orders.
    left = ("Left", "Org", 11, 6)
    right = [("Right", "Org", 8, 2), ("Below", "Right", 12, 4)]  # 6 answered, as Left
    derived = []
    for siblings in ([left, *right], [*right, left]):
        seen = closed(
            [("Org", None, 1, 1), ("Small", "Org", 5, 1), *siblings, ("Other", "Org", 4, 2)]
        )
        total, row, n = seen.answered("Org"), seen.answered("Left"), seen.n("Right", "subtree")
        if total is not None and row is not None and n is not None and small(total - row - n):
            derived.append(
                f"Org's row {total} - Left's row {row} - Right's n {n} "
                f"= Org, Small and Other: {total - row - n}"
            )
        row, n = seen.answered("Right"), seen.n("Left", "subtree")
        if total is not None and row is not None and n is not None and small(total - row - n):
            derived.append(
                f"Org's row {total} - Right's row {row} - Left's n {n} "
                f"= Org, Small and Other: {total - row - n}"
            )
        derived += [f"audit: {reader} {n}" for reader, n in seen.leaks()]
    assert not derived, derived
