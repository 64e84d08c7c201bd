"""Red team: participation must not say whether a named person answered.

privacy.md section 0: no reader may learn "whether a named person answered". A team
leader knows the people of their team; "6 inviterede, 6 svar, 100 %" says each of them
answered, "0 svar af 6" that none did, and so does a parent minus its shown teams. The
attacker here takes every shown row, subtracts shown rows from one another again and
again (and, over random trees, adds and subtracts them in any combination) and fails the
test if a derived set of invited people has all of them answered or none, or holds 1..m-1
invited, answered or non-responding people (surveys.participation, module docstring).
"""

from __future__ import annotations

import random
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from hypothesis import given, note, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from tests.conftest import World, client_for
from tests.core.test_suppression import random_tree, subtraction_closure
from tests.privacy.test_participation_attack import ROW, _answer, _invite, _setup
from tryghed.core.disclosure import audit
from tryghed.results.audit import participation_figures
from tryghed.surveys import participation
from tryghed.surveys.models import Measurement
from tryghed.surveys.participation import (
    PARTICIPATION_MINIMUM,
    RateRow,
    decide,
    group_members,
    response_rates,
)

Truth = Mapping[Any, tuple[int, int]]  # per atom (unit): invited, answered


def _subtree(parent_of: Mapping[str, str | None], unit: str) -> frozenset[str]:
    found = {unit}
    changed = True
    while changed:
        changed = False
        for u, p in parent_of.items():
            if p in found and u not in found:
                found.add(u)
                changed = True
    return frozenset(found)


def _what_is_wrong(people: frozenset[Hashable], truth: Truth, minimum: int) -> str | None:
    invited = sum(truth.get(a, (0, 0))[0] for a in people)
    answered = sum(truth.get(a, (0, 0))[1] for a in people)
    if invited == 0 and answered == 0:
        return None
    if answered == invited:
        return f"all {invited} answered"
    if answered == 0:
        return f"none of {invited} answered"
    for what, n in (
        ("invited", invited),
        ("answered", answered),
        ("not answered", invited - answered),
    ):
        if 0 < n < minimum:
            return f"{n} {what}"
    return None


def assert_no_disclosure_by_subtraction(
    shown: Sequence[frozenset[Hashable]], truth: Truth, minimum: int
) -> None:
    family, complete = subtraction_closure(shown, 5_000)
    assert complete
    for people in family:
        wrong = _what_is_wrong(people, truth, minimum)
        assert wrong is None, f"derivable by subtraction: {sorted(people, key=repr)}: {wrong}"


def _linear_set(
    shown: Sequence[frozenset[Hashable]],
    truth: Truth,
    weights: tuple[int, int, int],
    low: float,
    high: float,
) -> frozenset[Hashable] | None:
    """A set with people invited whose ``weights``-count of (invited, answered, not answered)
    lies in [low, high] and whose indicator is a combination of the shown sets."""
    atoms = sorted({a for s in shown for a in s}, key=repr)
    cells: dict[tuple[bool, ...], list[Hashable]] = {}
    for a in atoms:
        cells.setdefault(tuple(a in s for s in shown), []).append(a)
    members = list(cells.values())
    inside = np.array([list(sig) for sig in cells], dtype=float)
    n_cells, n_known = inside.shape

    def per_cell(index: int) -> np.ndarray:
        def of(a: Hashable) -> int:
            invited, answered = truth.get(a, (0, 0))
            return (invited, answered, invited - answered)[index]

        return np.array([sum(of(a) for a in cell) for cell in members], dtype=float)

    counted = sum(w * per_cell(i) for i, w in enumerate(weights))
    result = milp(
        c=np.zeros(n_cells + n_known),
        constraints=[
            LinearConstraint(np.hstack([np.eye(n_cells), -inside]), 0, 0),
            LinearConstraint(np.concatenate([per_cell(0), np.zeros(n_known)])[None, :], 1, np.inf),
            LinearConstraint(np.concatenate([counted, np.zeros(n_known)])[None, :], low, high),
        ],
        integrality=np.concatenate([np.ones(n_cells), np.zeros(n_known)]),
        bounds=Bounds(
            np.concatenate([np.zeros(n_cells), np.full(n_known, -np.inf)]),
            np.concatenate([np.ones(n_cells), np.full(n_known, np.inf)]),
        ),
    )
    if result.x is None:
        return None
    chosen = np.round(result.x[:n_cells]).astype(bool)
    rank = np.linalg.matrix_rank(inside)
    assert np.linalg.matrix_rank(np.column_stack([inside, chosen.astype(float)])) == rank
    return frozenset(a for cell, keep in zip(members, chosen, strict=True) if keep for a in cell)


def assert_no_disclosure_by_adding_and_subtracting(
    shown: Sequence[frozenset[Hashable]], truth: Truth, minimum: int
) -> None:
    if not shown:
        return
    attacks = {
        "none answered": ((0, 1, 0), 0, 0),
        "all answered": ((0, 0, 1), 0, 0),
        "few invited": ((1, 0, 0), 1, minimum - 1),
        "few answered": ((0, 1, 0), 1, minimum - 1),
        "few not answered": ((0, 0, 1), 1, minimum - 1),
    }
    for name, (weights, low, high) in attacks.items():
        found = _linear_set(shown, truth, weights, low, high)
        assert found is None, (
            f"derivable by adding and subtracting, {name}: {sorted(found, key=repr)}"
        )


# -- through the application ---------------------------------------------------------------


def _shown_sets(measurement: Measurement) -> list[frozenset[Hashable]]:
    rows, _total = response_rates(measurement)
    members = group_members(measurement)
    return [frozenset(members[row.unit_id]) for row in rows if row.shown]


def test_a_team_where_everyone_answered_does_not_say_so(world: World) -> None:
    m, units = _setup(world)
    _answer(m, units["a"], 6)  # all six invited in Team A
    _answer(m, units["b"], 5)
    url = reverse("surveys_admin:detail", kwargs={"org": world.org.slug, "measurement_id": m.pk})
    html = client_for(world.leader).get(url).content.decode()
    assert not re.search(r'Team A</th><td class="num"[^>]*>6</td><td class="num"[^>]*>6</td>', html)
    assert "100 %" not in html
    assert "Team A" in html  # the leader reads their row, which shows only a reason


def test_reloading_while_answers_arrive_never_says_all_or_none_of_a_derived_set(
    world: World,
) -> None:
    """Område (16 own) → Team A (6), Team B (7), Lille (2). One by one, everyone in Team A
    and the area's own staff answers, then one in Lille; no one in Team B. At every moment
    the AMO's rows (a leader's are a part of them) give no set that is all or none answered;
    invited counts, the same people throughout, are attacked all moments together."""
    m, units = _setup(world)
    _invite(m, units["area"], 12)  # the area's own staff: 16 in all
    invited = {"area": 16, "a": 6, "b": 7, "small": 2}
    arrivals = ["a"] * 6 + ["area"] * 16 + ["small"]
    answered = dict.fromkeys(invited, 0)
    invited_seen: set[frozenset[Hashable]] = set()
    moments = 0
    for key in [None, *arrivals]:
        if key is not None:
            _answer(m, units[key], 1)
            answered[key] += 1
        truth = {str(units[k].pk): (invited[k], answered[k]) for k in invited}
        shown = _shown_sets(m)
        assert_no_disclosure_by_subtraction(shown, truth, PARTICIPATION_MINIMUM)
        assert_no_disclosure_by_adding_and_subtracting(shown, truth, PARTICIPATION_MINIMUM)
        invited_seen.update(shown)
        moments += bool(shown)
    invited_only: dict[Any, int] = {a: n for a, (n, _a) in truth.items()}
    family, complete = subtraction_closure(sorted(invited_seen, key=sorted), 5_000)
    assert complete
    for people in family:
        n = sum(invited_only.get(a, 0) for a in people)
        assert n == 0 or n >= PARTICIPATION_MINIMUM, sorted(people, key=repr)
    assert moments > 5  # the attack read something at most moments


def test_the_pages_show_no_row_that_is_all_or_none_answered(world: World) -> None:
    m, units = _setup(world)
    _invite(m, units["area"], 12)
    _invite(m, units["b"], 5)  # Team B: 12 invited, none answers
    _answer(m, units["a"], 6)
    _answer(m, units["area"], 11)
    url = reverse("surveys_admin:detail", kwargs={"org": world.org.slug, "measurement_id": m.pk})
    html = client_for(world.amo).get(url).content.decode()
    start = html.index("rates-caption")
    rows = ROW.findall(html[start : html.index("</table>", start)])
    assert rows  # something is shown
    for name, n_invited, n_answered in rows:
        assert n_answered != "0" and n_answered != n_invited, name
    assert "100 %" not in html and ">0 %<" not in html


# -- over random trees ---------------------------------------------------------------------


@st.composite
def participation_cases(
    draw: st.DrawFn,
) -> tuple[dict[str, str | None], dict[str, int], dict[str, int], int]:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    parent_of = random_tree(rng, draw(st.integers(1, 14)), draw(st.integers(1, 4)))
    minimum = draw(st.integers(3, 6))
    invited: dict[str, int] = {}
    answered: dict[str, int] = {}
    for unit in sorted(parent_of):
        n = draw(st.sampled_from([0, 1, 3, 5, 6, 8, 10, 12, 15, 20, 30]))
        # Everyone, no one, one short of either, or anything between.
        a = draw(st.sampled_from([0, n, max(n - 1, 0), min(1, n), rng.randint(0, n)]))
        invited[unit], answered[unit] = n, a
    return parent_of, invited, answered, minimum


@settings(max_examples=150, deadline=None)
@given(participation_cases())
def test_no_derivable_set_over_random_trees_is_all_or_none_answered(
    case: tuple[dict[str, str | None], dict[str, int], dict[str, int], int],
) -> None:
    parent_of, invited, answered, minimum = case
    verdicts = decide(parent_of, invited, answered, minimum)
    truth = {u: (invited[u], answered[u]) for u in parent_of}
    shown = sorted(
        {_subtree(parent_of, u) for u, v in verdicts.items() if v == "shown"}, key=sorted
    )
    note(f"shown: {shown}")
    assert_no_disclosure_by_subtraction(shown, truth, minimum)
    assert_no_disclosure_by_adding_and_subtracting(shown, truth, minimum)
    # The reasons depend on the answers only where the total alone is concerned.
    for unit, verdict in verdicts.items():
        people = _subtree(parent_of, unit)
        n_invited = sum(invited[u] for u in people)
        if verdict != "shown" and parent_of[unit] is not None:
            expected = "few_invited" if n_invited < 2 * minimum else "complementary"
            assert verdict == expected
    root = next(u for u, p in parent_of.items() if p is None)
    if verdicts[root] != "shown":
        assert all(v != "shown" for v in verdicts.values())


@settings(max_examples=60, deadline=None)
@given(participation_cases())
def test_the_shown_rows_over_time_are_safe_for_the_invited_counts(
    case: tuple[dict[str, str | None], dict[str, int], dict[str, int], int],
) -> None:
    """Answers arrive one at a time; the invited counts seen at all moments together give
    no set of 1..m-1 invited people."""
    parent_of, invited, final, minimum = case
    answered = dict.fromkeys(parent_of, 0)
    order = [u for u in sorted(parent_of) for _ in range(final[u])]
    random.Random(len(order)).shuffle(order)
    seen: set[frozenset[Hashable]] = set()
    for unit in [None, *order]:
        if unit is not None:
            answered[unit] += 1
        verdicts = decide(parent_of, invited, answered, minimum)
        seen.update(_subtree(parent_of, u) for u, v in verdicts.items() if v == "shown")
    family, complete = subtraction_closure(sorted(seen, key=sorted), 5_000)
    assert complete
    for people in family:
        n = sum(invited[str(u)] for u in people)
        assert n == 0 or n >= minimum, sorted(people, key=repr)


def test_the_publication_audit_counts_those_who_did_not_answer_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tryghed audit-anonymity`` reads non-responders as a population of their own: a row
    "10 inviterede, 7 svar" (were it ever shown) says that three did not answer."""
    m, units = _setup(world)
    row = RateRow(units["a"].pk, "Team A", 2, invited=10, responses=7)
    monkeypatch.setattr(participation, "response_rates", lambda _m: ([row], None))
    result = audit(participation_figures(m))
    assert not result.ok
    assert any("not-answered" in leak.population for leak in result.leaks)
