"""The subtraction solver (core.disclosure) against brute force and known attacks."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tryghed.core.disclosure import Figure, audit

ATOMS = tuple(f"a{i}" for i in range(6))


def _figures(
    groups: Sequence[frozenset[str]],
    counts: Mapping[str, int],
    minimum: int,
    *,
    population: str = "m1/ps7/scale/S",
    sums: Mapping[str, int] | None = None,
) -> list[Figure]:
    out = []
    for k, atoms in enumerate(groups):
        n = sum(counts.get(a, 0) for a in atoms)
        total = float(sum(sums.get(a, 0) for a in atoms)) if sums is not None else None
        out.append(Figure(population, f"G{k}", atoms, n, minimum, total))
    return out


def _rank(rows: Sequence[Sequence[Fraction]]) -> int:
    matrix = [list(r) for r in rows]
    rank = 0
    columns = len(matrix[0]) if matrix else 0
    for c in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][c] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][c] != 0:
                f = matrix[r][c] / matrix[rank][c]
                matrix[r] = [x - f * y for x, y in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def _brute_force(groups: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """Every nonempty set of atoms whose indicator is in the span of the groups'."""
    universe = sorted(set().union(*groups)) if groups else []
    rows = [[Fraction(int(a in g)) for a in universe] for g in groups]
    base = _rank(rows)
    found = []
    for size in range(1, len(universe) + 1):
        for subset in itertools.combinations(universe, size):
            candidate = [Fraction(int(a in subset)) for a in universe]
            if _rank([*rows, candidate]) == base:
                found.append(frozenset(subset))
    return found


family = st.lists(
    st.frozensets(st.sampled_from(ATOMS), min_size=1), min_size=1, max_size=6, unique=True
)
atom_counts = st.fixed_dictionaries({a: st.integers(0, 7) for a in ATOMS})


@settings(max_examples=300, deadline=None)
@given(groups=family, counts=atom_counts, minimum=st.integers(3, 6), fast=st.booleans())
def test_the_solver_finds_exactly_what_brute_force_derives(
    groups: list[frozenset[str]], counts: dict[str, int], minimum: int, fast: bool
) -> None:
    result = audit(_figures(groups, counts, minimum), fast=fast)
    truth = _brute_force(groups)
    truth_set = set(truth)
    for found in result.derived:
        assert found.atoms in truth_set
        assert found.n == sum(counts[a] for a in found.atoms)
    # Every derivable set is a union of the derivable sets the solver lists.
    listed = [d.atoms for d in result.derived]
    for atoms in truth:
        assert frozenset().union(*(s for s in listed if s <= atoms)) == atoms
    leaky_truth = any(0 < sum(counts[a] for a in s) < minimum for s in truth)
    assert bool(result.leaks) == leaky_truth
    assert not result.inconsistent and not result.undecided


def test_a_hidden_small_team_is_derived_from_its_parent_minus_its_shown_sibling() -> None:
    parent = frozenset({"P", "A", "B"})
    counts = {"P": 0, "A": 6, "B": 2}
    sums = {"P": 0, "A": 24, "B": 5}
    figures = _figures([parent, frozenset({"A"})], counts, 5, sums=sums)
    result = audit(figures)
    (leak,) = result.leaks
    assert leak.atoms == frozenset({"P", "B"})
    assert leak.n == 2
    assert leak.mean == 2.5
    assert [(t.label, t.coefficient) for t in leak.terms] == [
        ("G0", Fraction(1)),
        ("G1", Fraction(-1)),
    ]


def test_the_reorganisation_attack_old_parent_minus_child_minus_new_child() -> None:
    # Before the move: P's subtree is P, A and B (B hidden, 2 people). After B moved
    # under Q, P's subtree is P and A: the difference of the two publications is B.
    counts = {"P": 6, "A": 6, "B": 2, "Q": 6}
    before = _figures(
        [frozenset("PAB"), frozenset("A"), frozenset("PABQ")], counts, 5, population="m1/x"
    )
    after = _figures(
        [frozenset("PA"), frozenset("A"), frozenset("QB"), frozenset("PABQ")],
        counts,
        5,
        population="m1/x",
    )
    assert not audit(before).leaks
    assert not audit(after).leaks
    for fast in (True, False):
        leaks = audit([*before, *after], fast=fast).leaks
        assert {leak.atoms for leak in leaks} == {frozenset("B")}
        assert {leak.n for leak in leaks} == {2}


def test_a_key_figure_over_eight_people_next_to_its_scale_over_seven_reveals_one() -> None:
    team = frozenset({"T"})
    scale = Figure("m1/ps7/scale/S", "Team", team, 7, 5, 7 * 4.0, frozenset({"ps7/S"}))
    key = Figure("m1/ps7/key/K", "Team", team, 8, 5, 8 * 0.5, frozenset({"ps7/S", "ps7/q1"}))
    result = audit([scale, key])
    (leak,) = result.leaks
    assert leak.kind == "different_people"
    assert leak.n == 1
    assert leak.atoms == team
    assert [(t.population, t.n) for t in leak.terms] == [
        ("m1/ps7/key/K", 8),
        ("m1/ps7/scale/S", 7),
    ]


def test_figures_about_different_subjects_may_rest_on_different_people() -> None:
    team = frozenset({"T"})
    scale = Figure("m1/ps7/scale/S", "Team", team, 7, 5, None, frozenset({"ps7/S"}))
    other = Figure("m1/ps7/scale/R", "Team", team, 8, 5, None, frozenset({"ps7/R"}))
    assert audit([scale, other]).ok


def test_an_earlier_wave_recomputed_on_the_new_tree_is_subtracted_from_its_own_figures() -> None:
    # Wave 1 showed the area (A, B, C) and team A. Wave 2's "before" figure for the new
    # unit (A, B) is wave 1 recomputed: with wave 1's own figures it isolates B.
    counts = {"A": 6, "B": 3, "C": 7}
    own = _figures([frozenset("ABC"), frozenset("A")], counts, 5, population="m1/ps7/S")
    recomputed = _figures([frozenset("AB")], counts, 5, population="m1/ps7/S")
    assert audit(own).ok
    result = audit([*own, *recomputed])
    assert {(leak.atoms, leak.n) for leak in result.leaks} == {(frozenset("B"), 3)}


def test_two_waves_of_different_people_are_never_subtracted_from_each_other() -> None:
    wave1 = _figures([frozenset("AB")], {"A": 6, "B": 6}, 5, population="m1/S")
    wave2 = _figures([frozenset("A")], {"A": 9}, 5, population="m2/S")
    assert audit([*wave1, *wave2]).ok


def test_groups_that_add_up_but_never_nest_are_solved_by_elimination() -> None:
    # Three pairwise overlaps determine every single atom: (AB + BC - AC) / 2 = B.
    counts = {"A": 6, "B": 2, "C": 6}
    figures = _figures([frozenset("AB"), frozenset("BC"), frozenset("AC")], counts, 5)
    result = audit(figures)
    leak = next(leak for leak in result.leaks if leak.atoms == frozenset("B"))
    assert leak.n == 2
    assert sorted(t.coefficient for t in leak.terms) == [
        Fraction(-1, 2),
        Fraction(1, 2),
        Fraction(1, 2),
    ]


def test_published_counts_that_contradict_each_other_are_reported() -> None:
    parent = Figure("p", "Område", frozenset("AB"), 5, 5)
    child = Figure("p", "Team", frozenset("AB") - {"B"}, 7, 5)
    assert audit([parent, child]).inconsistent


def test_a_large_tree_with_one_crossing_family_is_solved_in_one_pass() -> None:
    # 2,000 units in a tree, 40 populations with the same shown groups: solved once.
    parent = {f"u{i}": (f"u{(i - 1) // 4}" if i else None) for i in range(2000)}
    subtree: dict[str, set[str]] = {u: {u} for u in parent}
    for u in reversed(list(parent)):
        p = parent[u]
        if p is not None:
            subtree[p] |= subtree[u]
    counts = {u: 5 for u in parent}
    groups = [frozenset(s) for s in subtree.values()] + [frozenset({"u7", "u9"})]
    figures = []
    for k in range(40):
        figures += _figures(groups, counts, 5, population=f"m1/i/scale/{k}")
    result = audit(figures)
    assert result.ok
    assert len(result.derived) == 40 * 2000
