"""The anonymity audit takes populations of one measurement with equal counts for the same
people (core.disclosure, "The same people under two populations").

Until now the audit took every scale, item and key figure for different people, so it
could not see the red team's risk5 leak (tests/privacy/test_redteam_weighted_sensitive_
minimum.py): "Arbejdsmængde" (minimum 5) and "Krænkende handlinger" (minimum 10), answered
by everyone, printed the same n wherever both were shown, but were hidden apart, and the
subtree's 12 minus the team's 10 gave the two beside the team. Here the audit finds it,
with figures written out and in a publication built without the floor rule that fixed it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.privacy.test_redteam_weighted_sensitive_minimum import RISK5, publish
from tryghed.core import publication
from tryghed.core.disclosure import Figure, audit
from tryghed.results.audit import publication_figures


def figure(population: str, atoms: str, n: int, minimum: int, pool: str = "m1") -> Figure:
    return Figure(population, atoms, frozenset(atoms), n, minimum, 3.0 * n, frozenset(), pool)


def test_two_populations_with_equal_counts_are_subtracted_as_one() -> None:
    # Atoms: "p" the unit of nine above two teams, "a" the team of ten, "b" the team of
    # two, "q" a unit of eleven elsewhere.
    work = "m1/risk5/scale/workload"
    offensive = "m1/risk5/scale/offensive"
    shown = [
        figure(work, "ab", 12, 5),  # the subtree above both teams; hides team a (and b)
        figure(work, "q", 11, 5),
        figure(offensive, "pab", 21, 10),
        figure(offensive, "a", 10, 10),  # hides the subtree ab (and so the unit p)
        figure(offensive, "q", 11, 10),  # the same n where both show a group
    ]
    # Each alone is safe: workload's regions hold 12 and 11, the sensitive scale's 11
    # (p and b), 10 and 11.
    assert audit(shown, same_people=False).ok
    found = audit(shown)
    (leak,) = found.leaks
    assert leak.kind == "same_people"
    assert (leak.atoms, leak.n, leak.minimum) == (frozenset("b"), 2, 5)
    assert leak.mean is None  # the two scales' sums are of different answers
    assert {t.population for t in leak.terms} == {work, offensive}
    # The nine of unit p (21 - 12): under the sensitive minimum, not under the lower one,
    # and the workload scale may show nine people's count itself: derived, no leak.
    nine = next(d for d in found.derived if d.atoms == frozenset("p"))
    assert (nine.n, nine.kind, nine.is_leak) == (9, "same_people", False)

    # Other measurements' people, or counts that differ in a group both show: not merged.
    moved = [figure(f.population, "".join(sorted(f.atoms)), f.n, 10, "m2") for f in shown[2:]]
    assert audit([*shown[:2], *moved]).ok
    differing = [*shown, figure(work, "pab", 20, 5)]  # 20 against the sensitive one's 21
    assert not [d for d in audit(differing).derived if d.kind == "same_people"]


def _without_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder before the red team's floor rule: each minimum decided on its own."""
    original: Callable[..., None] = publication._Decider.__init__

    def no_floor(self: publication._Decider, tree: publication.Tree, floor: Any = None) -> None:
        original(self, tree, None)

    monkeypatch.setattr(publication._Decider, "__init__", no_floor)


def test_the_audit_finds_risk5s_two_minimums_without_the_floor_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tree, fixed = publish()
    _without_floor(monkeypatch)
    _, data = publish()
    shown = publication_figures(data, [RISK5])
    # The audit as it was: every population for different people, nothing found.
    assert audit(shown, same_people=False).ok
    # Taking equal counts for the same people, it finds the two of team B.
    leaks = audit(shown).leaks
    # (Unit 3, above the two teams, has no people of its own.)
    assert any("5" in leak.atoms <= {"3", "5"} and leak.n == 2 for leak in leaks), leaks
    assert all(leak.kind == "same_people" for leak in leaks)
    # The builder with the floor rule gives it nothing.
    assert audit(publication_figures(fixed, [RISK5])).ok
    assert tree.units  # the same organisation both times
