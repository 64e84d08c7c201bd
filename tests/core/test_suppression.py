"""Small-group suppression (privacy.md sections 2 and 3).

The property tests attack what the engine shows with two adversaries written without
looking at how the engine decides:

- the subtraction adversary of privacy.md: a fixpoint over known sets of respondents,
  adding A minus B for every known B inside a known A (which also yields A minus any
  disjoint union of known sets inside it). Its family can grow as 2^regions, so it stops
  at a bound; what it has found by then is still checked.
- a linear adversary, which knows every integer combination of the shown counts (adding
  as well as subtracting): a mixed-integer program asks whether any set of respondents
  with a size of 1..min-1 has its count in the span of the shown groups. It is exact and
  stronger than subtraction. The engine proves itself safe against it for trees only;
  for crossings this checks what is not proven.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Literal, cast

import numpy as np
import pytest
from hypothesis import currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from tryghed.core import suppression
from tryghed.core.suppression import (
    DEFAULT_MINIMUM,
    Decision,
    Group,
    MinimumKind,
    crossed_groups,
    minimum_group_size,
    suppress,
    tree_groups,
)

Counts = Mapping[Hashable, int]
Strategy = Literal["auto", "general"]
STRATEGIES: tuple[Strategy, ...] = ("auto", "general")

# -- factories ---------------------------------------------------------------------------


def decisions_of(decisions: Mapping[Hashable, Decision]) -> dict[Hashable, str]:
    """Per key, "shown" or the reason the group is hidden: easy to compare as a whole."""
    return {key: d.reason or "shown" for key, d in decisions.items()}


def random_tree(rng: random.Random, units: int, max_children: int) -> dict[str, str | None]:
    """A unit tree of at most four levels; unit "u0" is the organisation."""
    parent_of: dict[str, str | None] = {"u0": None}
    depth = {"u0": 0}
    children = {"u0": 0}
    for i in range(1, units):
        open_ = [u for u in parent_of if depth[u] < 3 and children[u] < max_children]
        if not open_:
            break
        parent = rng.choice(open_)
        unit = f"u{i}"
        parent_of[unit] = parent
        depth[unit] = depth[parent] + 1
        children[unit] = 0
        children[parent] += 1
    return parent_of


@st.composite
def tree_cases(
    draw: st.DrawFn, max_units: int = 25, all_large: bool = False
) -> tuple[list[Group], dict[Hashable, int], int]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    parent_of = random_tree(rng, draw(st.integers(1, max_units)), draw(st.integers(1, 6)))
    scope = draw(st.sampled_from(["both", "both", "unit", "subtree"]))
    groups = tree_groups(parent_of, unit_scope=scope != "subtree", subtree_scope=scope != "unit")
    min_size = draw(st.integers(3, 10))
    low = min_size if all_large else 0
    counts: dict[Hashable, int] = {u: draw(st.integers(low, 30)) for u in sorted(parent_of)}
    return groups, counts, min_size


@st.composite
def crossing_cases(
    draw: st.DrawFn, max_units: int = 7, all_large: bool = False
) -> tuple[list[Group], dict[Hashable, int], int]:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    parent_of = random_tree(rng, draw(st.integers(1, max_units)), draw(st.integers(1, 4)))
    categories = ["job:nurse", "job:doctor", "job:other"][: draw(st.integers(2, 3))]
    scope = draw(st.sampled_from(["both", "unit", "subtree"]))
    groups = crossed_groups(
        parent_of,
        categories,
        unit_scope=scope != "subtree",
        subtree_scope=scope != "unit",
        totals=draw(st.booleans()),
    )
    min_size = draw(st.integers(3, 10))
    low = min_size if all_large else 0
    counts: dict[Hashable, int] = {
        (u, c): draw(st.integers(low, max(low, 15))) for u in sorted(parent_of) for c in categories
    }
    return groups, counts, min_size


# -- adversaries ---------------------------------------------------------------------------


def respondent_sets(
    groups: Iterable[Group], counts: Counts, decisions: Mapping[Hashable, Decision]
) -> list[frozenset[Hashable]]:
    """The shown groups as sets of respondents' atoms (an empty atom hides nothing)."""
    shown = {
        frozenset(a for a in g.atoms if counts.get(a, 0) > 0)
        for g in groups
        if decisions[g.key].shown
    }
    return sorted(shown - {frozenset()}, key=lambda s: sorted(map(repr, s)))


def subtraction_closure(
    known: Sequence[frozenset[Hashable]], limit: int
) -> tuple[list[frozenset[Hashable]], bool]:
    """Every set the subtraction adversary derives (up to ``limit`` sets); complete?"""
    atoms = sorted({a for s in known for a in s}, key=repr)
    bit = {a: 1 << i for i, a in enumerate(atoms)}
    start = [sum(bit[a] for a in s) for s in known]
    family = set(start)
    queue = deque(start)
    complete = True
    while queue and complete:
        x = queue.popleft()
        for y in list(family):
            if y != x and y & x == y:  # y inside x
                new = x & ~y
            elif y != x and y & x == x:  # x inside y
                new = y & ~x
            else:
                continue
            if new not in family:
                family.add(new)
                queue.append(new)
                if len(family) >= limit:
                    complete = False
                    break
    as_sets = [frozenset(a for a in atoms if bit[a] & mask) for mask in family]
    return as_sets, complete


def linear_leak(
    known: Sequence[frozenset[Hashable]], counts: Counts, min_size: int
) -> frozenset[Hashable] | None:
    """A set of 1..min-1 respondents whose count is a combination of the shown counts."""
    if not known:
        return None
    atoms = sorted({a for s in known for a in s}, key=repr)
    # Atoms in exactly the same shown sets can only be learnt together.
    cells: dict[tuple[bool, ...], list[Hashable]] = {}
    for a in atoms:
        cells.setdefault(tuple(a in s for s in known), []).append(a)
    members = list(cells.values())
    inside = np.array([list(sig) for sig in cells], dtype=float)  # cells x known sets
    size = np.array([sum(counts[a] for a in cell) for cell in members], dtype=float)
    n_cells, n_known = inside.shape
    # variables: x (is the cell in the set, 0/1), then lambda (weight of each shown set)
    equal = np.hstack([np.eye(n_cells), -inside])
    total = np.concatenate([size, np.zeros(n_known)])
    result = milp(
        c=np.zeros(n_cells + n_known),
        constraints=[
            LinearConstraint(equal, 0, 0),
            LinearConstraint(total[np.newaxis, :], 1, min_size - 1),
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
    # Confirm exactly that the set is in the span: the solver's tolerance must not lie.
    target = chosen.astype(float)
    rank = np.linalg.matrix_rank(inside)
    assert np.linalg.matrix_rank(np.column_stack([inside, target])) == rank
    return frozenset(a for cell, keep in zip(members, chosen, strict=True) if keep for a in cell)


def assert_safe(
    groups: Sequence[Group],
    counts: Counts,
    min_size: int,
    decisions: Mapping[Hashable, Decision],
    *,
    linear: bool,
    limit: int = 1_200,
) -> None:
    known = respondent_sets(groups, counts, decisions)
    family, complete = subtraction_closure(known, limit)
    if currently_in_test_context():
        event("subtraction closure complete" if complete else "subtraction closure bounded")
    small = [s for s in family if 0 < sum(counts[a] for a in s) < min_size]
    assert not small, f"derivable by subtraction: {sorted(small[0], key=repr)}"
    if linear:
        leak = linear_leak(known, counts, min_size)
        assert leak is None, f"derivable by adding and subtracting: {sorted(leak, key=repr)}"


def assert_consistent(
    groups: Sequence[Group], counts: Counts, min_size: int, decisions: Mapping[Hashable, Decision]
) -> None:
    assert set(decisions) == {g.key for g in groups}
    by_respondents: dict[frozenset[Hashable], set[str]] = {}
    for g in groups:
        d = decisions[g.key]
        n = sum(counts.get(a, 0) for a in g.atoms)
        assert d.n == n
        assert d.shown == (d.reason is None)
        assert (d.reason == "below_minimum") == (n < min_size)
        respondents = frozenset(a for a in g.atoms if counts.get(a, 0) > 0)
        by_respondents.setdefault(respondents, set()).add(d.reason or "shown")
    assert all(len(outcomes) == 1 for outcomes in by_respondents.values())
    # A group holding every other group is hidden only when it is too small itself.
    for g in groups:
        if all(h.atoms <= g.atoms for h in groups) and decisions[g.key].n >= min_size:
            assert decisions[g.key].shown


def assert_every_hide_is_needed(
    groups: Sequence[Group], counts: Counts, min_size: int, decisions: Mapping[Hashable, Decision]
) -> None:
    """Showing any group hidden as complementary, on top of the rest, would let one out.

    Checked with the linear adversary, which finds every subtraction leak and more.
    """
    known = respondent_sets(groups, counts, decisions)
    for g in groups:
        if decisions[g.key].reason == "complementary":
            extra = frozenset(a for a in g.atoms if counts.get(a, 0) > 0)
            assert linear_leak([*known, extra], counts, min_size) is not None, g.key


# -- thresholds ----------------------------------------------------------------------------


def test_the_minimums_default_to_privacy_md() -> None:
    assert minimum_group_size("score") == 5
    assert minimum_group_size("comment") == 10
    assert minimum_group_size("sensitive") == 10
    assert DEFAULT_MINIMUM["score"] == 5


def test_an_organisation_may_raise_a_minimum() -> None:
    assert minimum_group_size("score", 8) == 8
    assert minimum_group_size("comment", 5) == 5
    assert minimum_group_size("sensitive", 12) == 12


@pytest.mark.parametrize(("kind", "chosen"), [("score", 2), ("comment", 4), ("sensitive", 9)])
def test_an_organisation_may_not_go_below_the_floor(kind: MinimumKind, chosen: int) -> None:
    with pytest.raises(ValueError, match="may not be below"):
        minimum_group_size(kind, chosen)


def test_it_rejects_a_minimum_below_one() -> None:
    with pytest.raises(ValueError, match="min_size"):
        suppress([Group("a", frozenset({"a"}))], {"a": 3}, 0)


def test_it_rejects_negative_counts_and_repeated_keys() -> None:
    with pytest.raises(ValueError, match="count"):
        suppress([Group("a", frozenset({"a"}))], {"a": -1}, 5)
    with pytest.raises(ValueError, match="twice"):
        suppress([Group("a", frozenset({"a"})), Group("a", frozenset({"b"}))], {}, 5)


# -- hand examples -------------------------------------------------------------------------


def test_it_hides_a_team_below_the_minimum() -> None:
    groups = tree_groups({"A": None, "B": None, "C": None})
    decisions = suppress(groups, {"A": 3, "B": 20, "C": 15}, 5)
    assert decisions_of(decisions) == {
        ("unit", "A"): "below_minimum",
        ("subtree", "A"): "below_minimum",
        ("unit", "B"): "shown",
        ("subtree", "B"): "shown",
        ("unit", "C"): "shown",
        ("subtree", "C"): "shown",
    }
    assert decisions[("unit", "A")] == Decision(shown=False, reason="below_minimum", n=3)


def test_an_empty_group_is_hidden_without_hiding_others() -> None:
    parent_of = {"org": None, "A": "org", "B": "org", "C": "org"}
    decisions = suppress(tree_groups(parent_of), {"org": 0, "A": 0, "B": 8, "C": 9}, 5)
    assert decisions[("unit", "A")] == Decision(shown=False, reason="below_minimum", n=0)
    assert decisions[("unit", "org")] == Decision(shown=False, reason="below_minimum", n=0)
    assert all(d.shown for d in decisions.values() if d.n > 0)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_rest_of_a_parent_may_equal_the_minimum(strategy: Strategy) -> None:
    # 12 = 1 (the parent's own) + 7 + 4; 4 is hidden, leaving 1 + 4 = 5 unaccounted for.
    parent_of = {"P": None, "A": "P", "B": "P"}
    groups = tree_groups(parent_of, unit_scope=False)
    decisions = suppress(groups, {"P": 1, "A": 7, "B": 4}, 5, strategy=strategy)
    assert decisions_of(decisions) == {
        ("subtree", "P"): "shown",
        ("subtree", "A"): "shown",
        ("subtree", "B"): "below_minimum",
    }


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_it_hides_the_next_smallest_child_when_the_rest_of_the_parent_is_small(
    strategy: Strategy,
) -> None:
    # With a minimum of 6 the remainder 12 - 7 = 5 would show the hidden team plus the
    # parent's own answer, so the next-smallest shown child goes too.
    parent_of = {"P": None, "A": "P", "B": "P", "C": "P"}
    groups = tree_groups(parent_of, unit_scope=False)
    counts: dict[Hashable, int] = {"P": 1, "A": 7, "B": 4, "C": 30}
    decisions = suppress(groups, counts, 6, strategy=strategy)
    assert decisions_of(decisions) == {
        ("subtree", "P"): "shown",
        ("subtree", "A"): "complementary",
        ("subtree", "B"): "below_minimum",
        ("subtree", "C"): "shown",
    }
    assert_safe(groups, counts, 6, decisions, linear=True)


def test_it_hides_a_parents_subtree_rather_than_a_whole_team() -> None:
    # Issue 14: a team where 20 answered lost its figures to protect a sibling of 3.
    # Hiding the team T (two figures: its unit and its subtree, one node) or its parent's
    # subtree P (one figure, whose 3 then join the 5 already hidden in R's remainder)
    # protects S equally well; the parent's subtree goes, the team stays.
    parent_of = {"R": None, "P": "R", "Q1": "R", "Q2": "R", "T": "P", "S": "P"}
    groups = tree_groups(parent_of)
    counts: dict[Hashable, int] = {"R": 0, "P": 0, "Q1": 2, "Q2": 3, "T": 20, "S": 3}
    decisions = suppress(groups, counts, 5)
    shown = decisions_of(decisions)
    assert shown[("unit", "T")] == shown[("subtree", "T")] == "shown"
    assert shown[("subtree", "P")] == "complementary"
    assert shown[("subtree", "R")] == "shown"
    assert_safe(groups, counts, 5, decisions, linear=True)
    assert_every_hide_is_needed(groups, counts, 5, decisions)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    ("extra", "expected"),
    [(2, "complementary"), (0, "shown"), (5, "shown"), (4, "complementary")],
)
def test_two_nested_groups_must_differ_by_none_or_at_least_the_minimum(
    strategy: Strategy, extra: int, expected: str
) -> None:
    groups = [Group("all", frozenset({"x", "y"})), Group("most", frozenset({"x"}))]
    counts = {"x": 12, "y": extra}
    decisions = suppress(groups, counts, 5, strategy=strategy)
    assert decisions_of(decisions) == {"all": "shown", "most": expected}


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_unit_and_its_subtree_are_not_subtracted_to_show_the_manager(strategy: Strategy) -> None:
    # The department's own 2 answers (its manager, say) are hidden, but its subtree minus
    # both teams would show them: the smaller team is hidden in both scopes.
    parent_of = {"D": None, "T1": "D", "T2": "D"}
    groups = tree_groups(parent_of)
    counts: dict[Hashable, int] = {"D": 2, "T1": 8, "T2": 10}
    decisions = suppress(groups, counts, 5, strategy=strategy)
    assert decisions_of(decisions) == {
        ("unit", "D"): "below_minimum",
        ("subtree", "D"): "shown",
        ("unit", "T1"): "complementary",
        ("subtree", "T1"): "complementary",
        ("unit", "T2"): "shown",
        ("subtree", "T2"): "shown",
    }
    assert_safe(groups, counts, 5, decisions, linear=True)


def test_a_unit_without_answers_of_its_own_shows_its_subtree_like_its_only_child() -> None:
    parent_of = {"D": None, "T": "D", "X": "T", "Y": "T"}
    counts = {"D": 0, "T": 0, "X": 4, "Y": 9}
    decisions = suppress(tree_groups(parent_of), counts, 5)
    # Subtree D and subtree T hold the same 13 people, so they share one decision.
    assert decisions[("subtree", "D")] == decisions[("subtree", "T")]
    assert decisions[("subtree", "D")].shown
    assert decisions[("unit", "Y")].reason == "complementary"  # 13 - 9 would show X


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_leaf_is_hidden_in_both_scopes_or_in_neither(strategy: Strategy) -> None:
    parent_of = {"D": None, "T1": "D", "T2": "D", "T3": "D"}
    counts = {"D": 0, "T1": 3, "T2": 6, "T3": 11}
    decisions = suppress(tree_groups(parent_of), counts, 5, strategy=strategy)
    for team in ("T1", "T2", "T3"):
        assert decisions[("unit", team)] == decisions[("subtree", team)]
    assert decisions[("unit", "T2")].reason == "complementary"
    assert decisions[("unit", "T3")].shown


def test_a_crossing_of_unit_and_job_group_protects_rows_and_columns() -> None:
    parent_of = {"org": None, "A": "org", "B": "org"}
    jobs = ["job:nurse", "job:doctor"]
    groups = crossed_groups(parent_of, jobs, unit_scope=False)
    counts: dict[Hashable, int] = {
        ("org", "job:nurse"): 0,
        ("org", "job:doctor"): 0,
        ("A", "job:nurse"): 3,
        ("A", "job:doctor"): 9,
        ("B", "job:nurse"): 7,
        ("B", "job:doctor"): 8,
    }
    decisions = suppress(groups, counts, 5)
    # A's 3 nurses would follow from A minus A's doctors, from all nurses minus B's, and
    # from A minus (all doctors minus B's): all four cells go, the totals stay.
    assert decisions_of(decisions) == {
        ("subtree", "org"): "shown",
        ("cross", "subtree", "org", "job:nurse"): "shown",
        ("cross", "subtree", "org", "job:doctor"): "shown",
        ("subtree", "A"): "shown",
        ("cross", "subtree", "A", "job:nurse"): "below_minimum",
        ("cross", "subtree", "A", "job:doctor"): "complementary",
        ("subtree", "B"): "shown",
        ("cross", "subtree", "B", "job:nurse"): "complementary",
        ("cross", "subtree", "B", "job:doctor"): "complementary",
    }
    assert_safe(groups, counts, 5, decisions, linear=True)


def test_it_decides_the_same_whatever_the_order_of_the_input() -> None:
    rng = random.Random(7)
    parent_of = random_tree(rng, 60, 5)
    groups = tree_groups(parent_of)
    counts = {u: rng.randint(0, 14) for u in parent_of}
    expected = suppress(groups, counts, 5)
    for _ in range(5):
        shuffled = groups[:]
        rng.shuffle(shuffled)
        reordered = dict(rng.sample(sorted(counts.items()), len(counts)))
        assert suppress(shuffled, reordered, 5) == expected
    # The same for a crossing, which takes the general path.
    cross = crossed_groups(dict(list(parent_of.items())[:8]), ["a", "b"])
    cross_counts = {atom: rng.randint(0, 9) for g in cross for atom in g.atoms}
    expected = suppress(cross, cross_counts, 5)
    for _ in range(3):
        shuffled = cross[:]
        rng.shuffle(shuffled)
        assert suppress(shuffled, cross_counts, 5) == expected


def test_an_audit_too_large_to_finish_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suppression, "_AUDIT_WORK_LIMIT", 3)
    parent_of = {"org": None, "A": "org", "B": "org"}
    groups = crossed_groups(parent_of, ["x", "y"])
    counts = {atom: 9 for g in groups for atom in g.atoms}
    decisions = suppress(groups, counts, 5)
    shown = {key for key, d in decisions.items() if d.shown}
    assert shown == {("subtree", "org")}  # only the group holding all others
    assert all(d.reason == "complementary" for d in decisions.values() if not d.shown)


def test_tree_groups_reject_a_cycle_and_an_unknown_parent() -> None:
    with pytest.raises(ValueError, match="cycle"):
        tree_groups({"r": None, "a": "b", "b": "a"})
    with pytest.raises(ValueError, match="unknown parent"):
        tree_groups({"a": "nowhere"})


def test_tree_groups_have_the_unit_and_its_subtree() -> None:
    groups = {g.key: g.atoms for g in tree_groups({"r": None, "a": "r", "b": "a"})}
    assert groups == {
        ("unit", "r"): {"r"},
        ("subtree", "r"): {"r", "a", "b"},
        ("unit", "a"): {"a"},
        ("subtree", "a"): {"a", "b"},
        ("unit", "b"): {"b"},
        ("subtree", "b"): {"b"},
    }


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(tree_cases())
def test_nothing_below_the_minimum_can_be_derived_from_a_tree_report(
    case: tuple[list[Group], dict[Hashable, int], int],
) -> None:
    groups, counts, min_size = case
    checked: list[dict[Hashable, Decision]] = []
    for strategy in STRATEGIES:
        decisions = suppress(groups, counts, min_size, strategy=strategy)
        note(f"{strategy}: {decisions_of(decisions)}")
        assert_consistent(groups, counts, min_size, decisions)
        if decisions not in checked:
            assert_safe(groups, counts, min_size, decisions, linear=True)
            assert_every_hide_is_needed(groups, counts, min_size, decisions)
            checked.append(decisions)


@settings(max_examples=50, deadline=None)
@given(crossing_cases())
def test_nothing_below_the_minimum_can_be_derived_from_a_crossing(
    case: tuple[list[Group], dict[Hashable, int], int],
) -> None:
    groups, counts, min_size = case
    decisions = suppress(groups, counts, min_size)
    note(str(decisions_of(decisions)))
    assert_consistent(groups, counts, min_size, decisions)
    assert_safe(groups, counts, min_size, decisions, linear=True)
    assert_every_hide_is_needed(groups, counts, min_size, decisions)


@settings(max_examples=60, deadline=None)
@given(tree_cases(all_large=True))
def test_nothing_is_hidden_when_every_unit_has_enough_answers(
    case: tuple[list[Group], dict[Hashable, int], int],
) -> None:
    groups, counts, min_size = case
    assert all(n >= min_size for n in counts.values())
    for strategy in STRATEGIES:
        decisions = suppress(groups, counts, min_size, strategy=strategy)
        assert all(d.shown for d in decisions.values())


@settings(max_examples=30, deadline=None)
@given(crossing_cases(all_large=True))
def test_nothing_is_hidden_in_a_crossing_when_every_cell_has_enough_answers(
    case: tuple[list[Group], dict[Hashable, int], int],
) -> None:
    groups, counts, min_size = case
    assert all(d.shown for d in suppress(groups, counts, min_size).values())


def test_most_groups_at_or_above_the_minimum_stay_shown() -> None:
    rng = random.Random(2024)
    large = kept = 0
    for _ in range(300):
        parent_of = random_tree(rng, rng.randint(5, 40), rng.randint(2, 6))
        groups = tree_groups(parent_of)
        counts = {u: rng.randint(0, 30) for u in parent_of}
        min_size = rng.randint(3, 10)
        for d in suppress(groups, counts, min_size).values():
            if d.n >= min_size:
                large += 1
                kept += d.shown
    assert kept / large > 0.9, f"only {kept} of {large} groups at or above the minimum shown"


# -- the prepared plan decides exactly as suppress -----------------------------------------


@settings(max_examples=150, deadline=None)
@given(tree_cases(max_units=40), st.integers(0, 2**32 - 1))
def test_a_prepared_plan_decides_as_suppress_on_trees(
    case: tuple[list[Group], dict[Hashable, int], int], seed: int
) -> None:
    groups, counts, min_size = case
    plan = suppression.prepare(groups)
    assert plan.suppress(counts, min_size) == suppress(groups, counts, min_size)
    # The same plan for other counts of the same groups (what a report does per item).
    rng = random.Random(seed)
    for _ in range(3):
        other = {atom: rng.choice([0, 0, 1, 2, 4, 5, 9, 20]) for atom in counts}
        assert plan.suppress(other, min_size) == suppress(groups, other, min_size)


@settings(max_examples=40, deadline=None)
@given(crossing_cases())
def test_a_prepared_plan_decides_as_suppress_on_crossings(
    case: tuple[list[Group], dict[Hashable, int], int],
) -> None:
    groups, counts, min_size = case
    assert suppression.prepare(groups).suppress(counts, min_size) == suppress(
        groups, counts, min_size
    )


@settings(max_examples=150, deadline=None)
@given(st.one_of(tree_cases(max_units=40), crossing_cases()), st.integers(0, 2**32 - 1))
def test_a_prepared_plans_decisions_per_group_are_those_of_suppress(
    case: tuple[list[Group], dict[Hashable, int], int], seed: int
) -> None:
    groups, counts, min_size = case
    plan = suppression.prepare(groups)
    rng = random.Random(seed)
    for values in (counts, {atom: rng.choice([0, 0, 1, 2, 4, 5, 9, 20]) for atom in counts}):
        expected = suppress(groups, values, min_size)
        in_plan_order = np.array([values.get(atom, 0) for atom in plan.atoms], dtype=np.int64)
        assert plan.decide(in_plan_order, min_size) == [expected[g.key] for g in groups]


def test_a_prepared_plan_checks_its_input_as_suppress_does() -> None:
    groups = tree_groups({"P": None, "A": "P"})
    plan = suppression.prepare(groups)
    with pytest.raises(ValueError, match="whole number"):
        plan.suppress({"P": -1}, 5)
    with pytest.raises(ValueError, match="min_size"):
        plan.suppress({"P": 5}, 0)
    with pytest.raises(ValueError, match="appears twice"):
        suppression.prepare([*groups, groups[0]])
    with pytest.raises(ValueError, match="whole numbers"):
        plan.decide(np.array([5, -1]), 5)
    with pytest.raises(ValueError, match="whole numbers"):
        plan.decide(np.array([5.0, 1.0]), 5)
    with pytest.raises(ValueError, match="expected 2 counts"):
        plan.decide(np.array([5]), 5)
    with pytest.raises(ValueError, match="min_size"):
        plan.decide(np.array([5, 5]), 0)


# -- extra costs: what else is lost where a group is hidden --------------------------------


def test_an_extra_cost_moves_a_complementary_hide_to_where_it_costs_less() -> None:
    # P's subtree minus A, B and C: C's two (below the minimum) must not be left over, so
    # A or B is hidden too. Which one is a tie, until hiding one costs more.
    groups = tree_groups({"P": None, "A": "P", "B": "P", "C": "P"})
    plan = suppression.prepare(groups)
    sizes: dict[Hashable, int] = {"P": 0, "A": 6, "B": 6, "C": 2}
    counts = np.array([sizes[a] for a in plan.atoms], dtype=np.int64)
    keys = [cast(tuple[str, str], g.key) for g in groups]  # (scope, unit)

    def hidden_teams(extra_on: str | None) -> set[str]:
        extra = [3 if unit == extra_on else 0 for _, unit in keys]
        decisions = plan.decide(counts, 5, None if extra_on is None else extra)
        return {
            unit
            for (scope, unit), d in zip(keys, decisions, strict=True)
            if d.reason == "complementary" and scope == "unit"
        }

    assert len(hidden_teams(None)) == 1
    assert hidden_teams("A") == {"B"}
    assert hidden_teams("B") == {"A"}


def test_an_extra_cost_never_hides_the_whole_or_a_group_for_nothing() -> None:
    groups = tree_groups({"P": None, "A": "P", "B": "P"})
    plan = suppression.prepare(groups)
    sizes: dict[Hashable, int] = {"P": 0, "A": 6, "B": 7}
    counts = np.array([sizes[a] for a in plan.atoms], dtype=np.int64)
    huge = [1_000_000] * len(groups)
    # P has nobody of its own: only that empty unit is hidden, however costly.
    decisions = plan.decide(counts, 5, huge)
    assert [d.reason for d in decisions if not d.shown] == ["below_minimum"]
    assert plan.decide(counts, 5, huge) == plan.decide(counts, 5)
    with pytest.raises(ValueError, match="extras"):
        plan.decide(counts, 5, [1] * (len(groups) - 1))
    with pytest.raises(ValueError, match="whole numbers"):
        plan.decide(counts, 5, [-1] * len(groups))


def weighted_cost(decisions: Sequence[Decision], extra: Sequence[int]) -> int:
    """Groups hidden to protect others, each counted with what else it loses."""
    return sum(1 + e for d, e in zip(decisions, extra, strict=True) if d.reason == "complementary")


@settings(max_examples=150, deadline=None)
@given(tree_cases(max_units=30), st.integers(0, 2**32 - 1))
def test_with_extra_costs_a_plan_stays_safe_and_loses_no_more_than_the_plain_choice(
    case: tuple[list[Group], dict[Hashable, int], int], seed: int
) -> None:
    groups, counts, min_size = case
    plan = suppression.prepare(groups)
    rng = random.Random(seed)
    extra = [rng.choice([0, 0, 0, 1, 3, 8]) for _ in groups]
    values = np.array([counts.get(atom, 0) for atom in plan.atoms], dtype=np.int64)
    plain = plan.decide(values, min_size)
    weighted = plan.decide(values, min_size, extra)
    by_key = {g.key: d for g, d in zip(groups, weighted, strict=True)}
    assert_consistent(groups, counts, min_size, by_key)
    assert_safe(groups, counts, min_size, by_key, linear=True)
    # The plain choice is a safe one too, so the weighed choice costs at most as much.
    assert weighted_cost(weighted, extra) <= weighted_cost(plain, extra)
    if not any(extra):
        assert weighted == plain
