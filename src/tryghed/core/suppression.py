"""Which group figures may be shown: minimum group sizes and no disclosure by subtraction.

This is the one engine behind every report view, every export and ``tryghed score``
(spec/privacy.md sections 2 and 3). A *group* is a set of disjoint *atoms*, the cells
respondents fall into: a unit, or a unit crossed with a job group. The caller gives the
number of respondents per atom for the scale or item being shown and calls
:func:`suppress` once per kind of figure, with that kind's minimum.

The attacker reads every shown group's figures (so its count and its sums) and
subtracts: a shown group minus shown groups inside it, then again from what that
yields. Every set of respondents derivable that way must hold 0 or at least the
minimum. The engine reasons about respondents, not atoms: atoms without respondents
are dropped (a response-rate page may reveal them), so groups with the same
respondents always get the same decision.

1. A group below the minimum is hidden, ``"below_minimum"``; one with no respondents
   is empty and hidden the same way.
2. When all groups are nested or disjoint (a unit tree, with unit and subtree scope),
   every derivable set is a union of *regions*: the respondents of a shown group that
   are in no smaller shown group inside it. So it suffices that every region holds 0 or
   at least the minimum (the remainder and difference rules of privacy.md), and since
   every shown figure is then a sum of regions, adding figures together reveals nothing
   either. Dynamic programming over the tree finds the fewest groups to hide, then the
   fewest respondents. Groups are counted as the reader sees them: a team without units
   below it is two groups (its unit and its subtree, the same people), a parent's subtree
   one. So, of two ways to protect a small unit, hiding the parent's subtree (one figure,
   still derivable at no finer grain) wins over hiding a whole team (two), which is what
   the utility benchmark counts (bench/bench_utility.py). Linear in the number of groups
   (times min² at worst).
3. Otherwise (a filter crossing), the engine keeps the minimal derivable sets up to
   date (every derivable set is a disjoint union of them, so they are all that needs
   checking) while it shows groups one at a time, largest first: first the groups
   inside no other group, which cannot be subtracted from one another, then each other
   group unless showing it would let a set of 1..min-1 respondents be derived. Showing
   more never derives less, so every group it hides would leak if shown: no needless
   hides. Proven against subtraction; the tests attack it by adding too, so far in vain.
   It is superlinear; past a work limit it fails closed, hiding what is left undecided.

Hidden groups that are neither below the minimum nor empty get ``"complementary"``
("skjult for at beskytte en mindre gruppe"). A group inside no other group (the whole
organisation) is hidden only when it is itself below the minimum. The result depends
only on the data, not on the order of the input: ties are broken by ``(n, repr(key))``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_MINIMUM",
    "FLOOR_MINIMUM",
    "Counts",
    "Decision",
    "Group",
    "MinimumKind",
    "Plan",
    "Reason",
    "crossed_groups",
    "minimum_group_size",
    "prepare",
    "suppress",
    "tree_groups",
]

Reason = Literal["below_minimum", "complementary"]
# Respondents per atom. Keyed by Any because Mapping is invariant in its key: a
# dict[str, int] is not a Mapping[Hashable, int] to mypy, yet any hashable atom will do.
Counts = Mapping[Any, int]
MinimumKind = Literal["score", "comment", "sensitive", "participation", "health"]

# privacy.md section 2; the kind names match settings.TRYGHED_MIN_GROUP_*. Participation
# counts invited people; health figures (sickness absence) count employees of the unit.
DEFAULT_MINIMUM: Final[Mapping[MinimumKind, int]] = MappingProxyType(
    {"score": 5, "comment": 10, "sensitive": 10, "participation": 5, "health": 10}
)
FLOOR_MINIMUM: Final[Mapping[MinimumKind, int]] = MappingProxyType(
    {"score": 3, "comment": 5, "sensitive": 10, "participation": 3, "health": 10}
)

# Work allowed to the audit of a crossing before it fails closed (about 2,000 groups).
_AUDIT_WORK_LIMIT: Final = 200_000


def minimum_group_size(kind: MinimumKind, chosen: int | None = None) -> int:
    """The minimum to use for ``kind``: the organisation's choice, or the default.

    An organisation may raise a minimum, never lower it below the floor.
    """
    if kind not in FLOOR_MINIMUM:
        raise ValueError(f"unknown kind of figure: {kind!r}")
    if chosen is None:
        return DEFAULT_MINIMUM[kind]
    if isinstance(chosen, bool) or not isinstance(chosen, int):
        raise TypeError(f"a minimum group size is a whole number, got {chosen!r}")
    floor = FLOOR_MINIMUM[kind]
    if chosen < floor:
        raise ValueError(f"the minimum group size for {kind} may not be below {floor}: {chosen}")
    return chosen


@dataclass(frozen=True)
class Group:
    """A group a figure may be shown for, as the disjoint atoms it is made of."""

    key: Hashable  # ("unit", "A"), ("subtree", "A"), ("cross", "unit", "A", "job:nurse")
    atoms: frozenset[Hashable]


@dataclass(frozen=True)
class Decision:
    shown: bool
    reason: Reason | None  # None when shown
    n: int  # the group's true size: never display it when the group is hidden


def suppress(
    groups: Sequence[Group],
    counts: Counts,
    min_size: int,
    *,
    strategy: Literal["auto", "general"] = "auto",
) -> dict[Hashable, Decision]:
    """Decide, for every group, whether its figures may be shown.

    ``counts`` holds the respondents per atom (those who answered the scale or item
    shown); a missing atom counts 0. ``min_size`` is the minimum for this kind of figure
    (see :func:`minimum_group_size`). ``strategy="general"`` skips the fast path for
    trees; it exists so tests and benchmarks can check the general path on trees.
    """
    _check_minimum(min_size)
    nodes, node_of = _nodes(groups, counts)
    reasons: dict[int, Reason] = {
        i: "below_minimum" for i, node in enumerate(nodes) if node.n < min_size
    }
    parents = _laminar_parents(nodes) if strategy == "auto" else None
    if parents is not None:
        hidden = _hide_in_tree(
            [node.n for node in nodes], [node.groups for node in nodes], parents, min_size
        )
    else:
        hidden = _hide_in_general(nodes, counts, min_size)
    for i in hidden:
        reasons.setdefault(i, "complementary")
    decisions: dict[Hashable, Decision] = {}
    for group in groups:
        i = node_of[group.key]
        reason = reasons.get(i)
        decisions[group.key] = Decision(shown=reason is None, reason=reason, n=nodes[i].n)
    return decisions


class Plan:
    """:func:`suppress` for one fixed set of groups, prepared once for many counts.

    A report decides every scale, item and key figure over the same groups with different
    counts. What does not depend on the counts (which group lies inside which, each
    group's atoms, the order of their labels) is worked out here once, as arrays;
    :meth:`suppress` then decides exactly as :func:`suppress` does (the tests compare the
    two), in time linear in groups and atoms. Groups that are not nested or disjoint have
    nothing to prepare and go to :func:`suppress`.
    """

    def __init__(self, groups: Sequence[Group]) -> None:
        self._groups = tuple(groups)
        keys_of: dict[frozenset[Hashable], list[Hashable]] = defaultdict(list)
        seen: set[Hashable] = set()
        for group in self._groups:
            if group.key in seen:
                raise ValueError(f"group key {group.key!r} appears twice")
            seen.add(group.key)
            keys_of[frozenset(group.atoms)].append(group.key)
        # One entry per distinct set of atoms, each with its keys and their smallest repr.
        sets = sorted(
            keys_of, key=lambda atoms: (-len(atoms), min(repr(k) for k in keys_of[atoms]))
        )
        self._keys = [keys_of[atoms] for atoms in sets]
        labels = [min(repr(k) for k in keys) for keys in self._keys]
        self._atoms = sorted({a for atoms in sets for a in atoms}, key=repr)
        parents = _laminar_parents([_Node(atoms, 0, (0, "")) for atoms in sets])
        self._laminar = parents is not None
        if parents is None:
            return
        index = {atom: i for i, atom in enumerate(self._atoms)}
        size = len(sets)
        self._parent = np.asarray(parents, dtype=np.intp).reshape(size)
        self._children_of = np.flatnonzero(self._parent >= 0)  # sets with a parent
        # Every set's atoms, flat: a set's count is one bincount over them.
        self._set_of_entry = np.repeat(np.arange(size), [len(atoms) for atoms in sets])
        self._atom_of_entry = np.fromiter(
            (index[a] for atoms in sets for a in atoms), dtype=np.intp, count=sum(map(len, sets))
        )
        # Ranks of the labels (equal labels, equal ranks) for the canonical node order.
        _, label_rank = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
        self._label_rank = np.asarray(label_rank, dtype=np.intp).reshape(size)
        self._key_count = np.asarray([len(keys) for keys in self._keys], dtype=np.float64)
        set_of_atoms = {atoms: i for i, atoms in enumerate(sets)}
        self._set_of_group = [set_of_atoms[frozenset(g.atoms)] for g in self._groups]
        self._interned: dict[int, Decision] = {}  # by n * 3 + reason code

    @property
    def atoms(self) -> tuple[Hashable, ...]:
        """The groups' atoms, in the order :meth:`decide` takes their counts."""
        return tuple(self._atoms)

    def suppress(self, counts: Counts, min_size: int) -> dict[Hashable, Decision]:
        """The same decisions as ``suppress(groups, counts, min_size)``."""
        if not self._laminar:
            return suppress(self._groups, counts, min_size)
        _check_minimum(min_size)
        values = [counts.get(atom, 0) for atom in self._atoms]
        if not all(type(v) is int and v >= 0 for v in values):
            values = [_count(counts, atom) for atom in self._atoms]  # raises, naming the atom
        per_set, set_position = self._decide(np.asarray(values, dtype=np.int64), min_size)
        # In the canonical order of the nodes, as suppress() lists them.
        decisions: dict[Hashable, Decision] = {}
        keys = self._keys
        for i in np.lexsort((np.arange(len(keys)), set_position)).tolist():
            decision = per_set[i]
            for key in keys[i]:
                decisions[key] = decision
        return decisions

    def decide(
        self, counts: npt.ArrayLike, min_size: int, extra: npt.ArrayLike | None = None
    ) -> list[Decision]:
        """The decisions of :meth:`suppress`, one per group in the order the plan was
        prepared with, for ``counts`` per atom in the order of :attr:`atoms` (whole
        numbers >= 0).

        ``extra``, per group in the same order (whole numbers >= 0), is what else is lost
        where that group is hidden, counted in groups: a caller whose other figures follow
        this one's hides (a scale hidden wherever one of its items is) weighs them so the
        complementary hides fall where they cost least in all. It changes only which safe
        choice is made, never whether a choice is safe; only the tree path weighs costs
        (the general path hides no more than it must anyway)."""
        values = np.asarray(counts)
        if values.shape != (len(self._atoms),):
            raise ValueError(f"expected {len(self._atoms)} counts, got shape {values.shape}")
        if values.size and (values.dtype.kind not in "iu" or values.min() < 0):
            raise ValueError("the counts must be whole numbers >= 0")
        extra_a: npt.NDArray[np.float64] | None = None
        if extra is not None:
            extra_raw = np.asarray(extra)
            if extra_raw.shape != (len(self._groups),):
                raise ValueError(f"expected {len(self._groups)} extras, got {extra_raw.shape}")
            if extra_raw.size and (extra_raw.dtype.kind not in "iu" or extra_raw.min() < 0):
                raise ValueError("the extras must be whole numbers >= 0")
            extra_a = extra_raw.astype(np.float64)
        if not self._laminar:
            counts_of = dict(zip(self._atoms, values.tolist(), strict=True))
            by_key = suppress(self._groups, counts_of, min_size)
            return [by_key[group.key] for group in self._groups]
        _check_minimum(min_size)
        per_set, _ = self._decide(values.astype(np.int64), min_size, extra_a)
        return [per_set[i] for i in self._set_of_group]

    def _decide(
        self,
        per_atom: npt.NDArray[np.int64],
        min_size: int,
        extra: npt.NDArray[np.float64] | None = None,
    ) -> tuple[list[Decision], npt.NDArray[np.intp]]:
        """Per distinct set of atoms: its decision and its node's canonical position."""
        size = len(self._keys)
        n = np.rint(
            np.bincount(
                self._set_of_entry,
                weights=per_atom[self._atom_of_entry].astype(np.float64),
                minlength=size,
            )
        ).astype(np.int64)
        # Groups with the same respondents form one node: a group and its child whose
        # counts are equal (the rest of the group is empty; at most one child can be), or
        # any groups with nobody. A node is named by its smallest such group.
        child = self._children_of
        parent = self._parent[child]
        same = (n[child] == n[parent]) & (n[child] > 0)
        down = np.arange(size)
        down[parent[same]] = child[same]
        rep = down
        while True:
            deeper = down[rep]
            if np.array_equal(deeper, rep):
                break
            rep = deeper
        empty = np.flatnonzero(n == 0)
        if empty.size:
            rep = np.where(n == 0, empty[0], rep)
        # Nodes in canonical order: (n, smallest label), ties in order of the first group.
        reps, node_of_set = np.unique(rep, return_inverse=True)
        node_of_set = node_of_set.reshape(size)
        n_nodes = reps.shape[0]
        first = np.full(n_nodes, size, dtype=np.intp)
        np.minimum.at(first, node_of_set, np.arange(size))
        label = np.full(n_nodes, size, dtype=np.intp)
        np.minimum.at(label, node_of_set, self._label_rank)
        node_n = n[reps]
        order = np.lexsort((first, label, node_n))
        position = np.empty(n_nodes, dtype=np.intp)
        position[order] = np.arange(n_nodes)
        sizes = node_n[order]
        per_set_weight = self._key_count
        if extra is not None:
            per_set_weight = per_set_weight + np.bincount(
                self._set_of_group, weights=extra, minlength=size
            )
        weights = np.rint(np.bincount(node_of_set, weights=per_set_weight, minlength=n_nodes))
        # The node's largest group (sets are numbered largest first) has a parent with
        # more respondents, whose node is this node's parent.
        largest = first[order]
        above = self._parent[largest]
        node_parent = np.where(
            (above >= 0) & (sizes > 0), position[node_of_set[np.maximum(above, 0)]], -1
        )
        hidden = _hide_in_tree(sizes, weights[order].astype(np.int64), node_parent, min_size)
        # Every set's decision: (shown 0, below the minimum 1, complementary 2) and its n,
        # one Decision object per distinct pair, reused across calls.
        reason_code = (sizes < min_size).astype(np.int64)
        if hidden:
            reason_code[np.fromiter(hidden, dtype=np.intp, count=len(hidden))] = 2
        set_position = position[node_of_set]
        pairs, pair_of_set = np.unique(n * 3 + reason_code[set_position], return_inverse=True)
        interned = self._interned
        made = [
            interned[pair] if pair in interned else self._intern(pair) for pair in pairs.tolist()
        ]
        per_set = [made[k] for k in pair_of_set.reshape(size).tolist()]
        return per_set, set_position

    def _intern(self, pair: int) -> Decision:
        n, code = divmod(pair, 3)
        reason = _REASONS[code]
        decision = Decision(shown=reason is None, reason=reason, n=n)
        self._interned[pair] = decision
        return decision


_REASONS: Final[tuple[Reason | None, Reason, Reason]] = (None, "below_minimum", "complementary")


def _check_minimum(min_size: int) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise ValueError(f"min_size must be a positive whole number, got {min_size!r}")


def prepare(groups: Sequence[Group]) -> Plan:
    """Prepare :func:`suppress` for ``groups``, to be called with many counts."""
    return Plan(groups)


def tree_groups(
    parent_of: Mapping[str, str | None], *, unit_scope: bool = True, subtree_scope: bool = True
) -> list[Group]:
    """The groups of a unit tree; the atoms are the units.

    Unit scope, key ``("unit", u)``: the unit's own respondents. Subtree scope, key
    ``("subtree", u)``: the unit and every unit below it.
    """
    subtrees = _subtrees(parent_of)
    out: list[Group] = []
    for unit in sorted(parent_of):
        if unit_scope:
            out.append(Group(("unit", unit), frozenset({unit})))
        if subtree_scope:
            out.append(Group(("subtree", unit), frozenset(subtrees[unit])))
    return out


def crossed_groups(
    parent_of: Mapping[str, str | None],
    categories: Sequence[Hashable],
    *,
    unit_scope: bool = True,
    subtree_scope: bool = True,
    totals: bool = True,
) -> list[Group]:
    """The groups of a report filtered by a demographic crossing; atoms ``(unit, category)``.

    Every respondent must fall in exactly one category (give missing answers a category
    of their own, e.g. ``"job:unknown"``), so that the totals are the sums of the cells.
    Crossed cells have keys ``("cross", "unit", u, c)`` and ``("cross", "subtree", u, c)``;
    with ``totals`` the unfiltered tree groups ``("unit", u)`` and ``("subtree", u)`` are
    included over the same atoms. Pass all of them in one :func:`suppress` call together
    with anything else the same reader can see, since the attacker combines views.
    """
    if len(set(categories)) != len(categories):
        raise ValueError("categories must be distinct")
    subtrees = _subtrees(parent_of)
    out: list[Group] = []
    for unit in sorted(parent_of):
        scopes: list[tuple[str, list[str]]] = []
        if unit_scope:
            scopes.append(("unit", [unit]))
        if subtree_scope:
            scopes.append(("subtree", sorted(subtrees[unit])))
        for scope, units in scopes:
            if totals:
                out.append(
                    Group((scope, unit), frozenset((u, c) for u in units for c in categories))
                )
            for category in categories:
                out.append(
                    Group(("cross", scope, unit, category), frozenset((u, category) for u in units))
                )
    return out


# -- nodes: groups with the same respondents ----------------------------------------------


@dataclass(frozen=True)
class _Node:
    atoms: frozenset[Hashable]  # the atoms with respondents
    n: int
    order: tuple[int, str]  # canonical total order: (n, smallest repr of its keys)
    groups: int = 1  # how many of the caller's groups have exactly these respondents


def _nodes(groups: Sequence[Group], counts: Counts) -> tuple[list[_Node], dict[Hashable, int]]:
    """Merge groups with the same respondents into nodes, in canonical order."""
    keys_of: dict[frozenset[Hashable], list[Hashable]] = defaultdict(list)
    seen: set[Hashable] = set()
    for group in groups:
        if group.key in seen:
            raise ValueError(f"group key {group.key!r} appears twice")
        seen.add(group.key)
        populated = frozenset(a for a in group.atoms if _count(counts, a) > 0)
        keys_of[populated].append(group.key)
    nodes = sorted(
        (
            _Node(atoms, n, (n, min(repr(k) for k in keys)), len(keys))
            for atoms, keys in keys_of.items()
            for n in [sum(counts[a] for a in atoms)]
        ),
        key=lambda node: node.order,
    )
    node_of = {key: i for i, node in enumerate(nodes) for key in keys_of[node.atoms]}
    return nodes, node_of


def _count(counts: Counts, atom: Hashable) -> int:
    value = counts.get(atom, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"the count of atom {atom!r} must be a whole number >= 0, got {value!r}")
    return value


# -- nested or disjoint groups: a forest ---------------------------------------------------


def _laminar_parents(nodes: Sequence[_Node]) -> list[int] | None:
    """Each node's smallest strict superset (-1 for none), or None if some groups cross."""
    parents = [-1] * len(nodes)
    deepest: dict[Hashable, int] = {}  # per atom: the smallest node seen so far holding it
    by_size = sorted(range(len(nodes)), key=lambda i: (-len(nodes[i].atoms), nodes[i].order))
    for i in by_size:
        atoms = nodes[i].atoms
        if not atoms:
            continue
        parent = deepest.get(next(iter(atoms)), -1)
        # Equal-sized distinct sets were merged, so all atoms must share the same holder.
        if any(deepest.get(a, -1) != parent for a in atoms):
            return None
        parents[i] = parent
        for a in atoms:
            deepest[a] = i
    return parents


def _hide_in_tree(
    sizes: npt.ArrayLike, weights: npt.ArrayLike, parents: npt.ArrayLike, min_size: int
) -> set[int]:
    """Complementary hides for a forest of nodes; see the module docstring, point 2.

    Nodes are in canonical order, every parent after its children (a parent holds more
    respondents). Dynamic programming, bottom-up: a hidden node passes its region on to
    its nearest shown ancestor, and what a subtree passes on matters only as 0,
    1..min-1 or "enough", so per node and per amount passed on (capped at ``min_size``)
    keep the cheapest way to settle the subtree. Cost: hidden groups (a node counts as
    many groups as it merges), then hidden respondents. Ties go to the first way found,
    in a fixed order.

    A leaf below a parent (most nodes: the teams) has at most two ways, shown or hidden,
    so it needs no table of its own. A run of sibling leaves of at least min_size in a
    row changes only the parent's total min_size, and at most one of them is hidden: the
    first leaf as the table decides it, or else the cheapest of the others (the first or
    the last of equally cheap ones, as the table breaks the tie), found for all runs at
    once with numpy. So the table is kept for parents only, one step per child that is
    not such a leaf and one per run. The choices are those of the plain table, tie for
    tie (tests/core compare the two).
    """
    size_a = np.asarray(sizes, dtype=np.int64).reshape(-1)
    parent_a = np.asarray(parents, dtype=np.intp).reshape(-1)
    cap = min_size
    count = size_a.shape[0]
    per_group = 1 + int(size_a.sum())  # one group outweighs any number of people
    weight_a = np.asarray(weights, dtype=np.int64).reshape(-1)
    # A node without respondents is in no tree. Children by parent, in canonical order.
    below = np.flatnonzero((size_a > 0) & (parent_a >= 0))
    if np.any(parent_a[below] <= below):
        raise ValueError("every parent must come after its children")
    order = np.argsort(parent_a[below], kind="stable")
    child = below[order]
    of = parent_a[child]
    has_children = np.bincount(of, minlength=count) > 0
    child_sum = np.rint(
        np.bincount(of, weights=size_a[child].astype(np.float64), minlength=count)
    ).astype(np.int64)
    big = ~has_children[child] & (size_a[child] >= cap)  # leaves of at least min_size
    first_sibling = np.ones(child.shape[0], dtype=np.bool_)
    first_sibling[1:] = of[1:] != of[:-1]
    run_start = big.copy()
    run_start[1:] &= first_sibling[1:] | ~big[:-1]
    run_of = np.cumsum(run_start) - 1
    # The rest of each run: its cheapest leaf to hide, the first and the last such.
    rest = np.flatnonzero(big & ~run_start)
    n_runs = int(run_start.sum())
    hide_cost = per_group * weight_a + size_a
    cheapest = np.full(n_runs, -1, dtype=np.int64)
    first_cheapest = np.full(n_runs, -1, dtype=np.intp)
    last_cheapest = np.full(n_runs, -1, dtype=np.intp)
    if rest.size:
        rest_run = run_of[rest]
        rest_cost = hide_cost[child[rest]]
        lowest = np.full(n_runs, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lowest, rest_run, rest_cost)
        at_lowest = rest[rest_cost == lowest[rest_run]]
        has_rest = np.unique(rest_run)
        cheapest[has_rest] = lowest[has_rest]
        runs, first_at = np.unique(run_of[at_lowest], return_index=True)
        first_cheapest[runs] = child[at_lowest[first_at]]
        runs, last_at = np.unique(run_of[at_lowest[::-1]], return_index=True)
        last_cheapest[runs] = child[at_lowest[::-1][last_at]]
    # One step per child that is not a later leaf of a run, grouped by parent.
    steps_at = np.flatnonzero(~big | run_start)
    step_parent = of[steps_at].tolist()
    step_child = child[steps_at].tolist()
    step_run = np.where(big[steps_at], run_of[steps_at], -1).tolist()
    sizes_l = size_a.tolist()
    children_l = has_children.tolist()
    cost_l = hide_cost.tolist()
    cheapest_l = cheapest.tolist()
    first_l = first_cheapest.tolist()
    last_l = last_cheapest.tolist()
    own_l = (size_a - child_sum).tolist()
    roots = np.flatnonzero((size_a > 0) & (parent_a < 0) & has_children).tolist()
    is_root = (parent_a < 0).tolist()

    # best[v][passed] = (cost, v shown?, sum passed on by its children), per parent.
    best: dict[int, dict[int, tuple[int, bool, int]]] = {}
    # steps[v]: per step, in order, (c, per total (cost, total before c, passed on by c))
    # or, for a run, (the leaf hidden to reach the total min_size, or -1, the total before
    # it); every other total is reached with all the run's leaves shown.
    steps: dict[int, list[tuple[int, dict[int, tuple[int, int, int]] | int]]] = {}
    k = 0
    n_steps = len(step_parent)
    while k < n_steps:  # parents in canonical order: each after its children
        v = step_parent[k]
        combined: dict[int, int] = {0: 0}
        v_steps: list[tuple[int, dict[int, tuple[int, int, int]] | int]] = []
        while k < n_steps and step_parent[k] == v:
            c = step_child[k]
            run = step_run[k]
            k += 1
            ways: Iterable[tuple[int, int]]  # (passed on by c, cost), in the table's order
            if run >= 0:
                # The run's first leaf: shown (passes 0, costs 0) or hidden (passes
                # min_size), so every total but min_size stays as it was; min_size takes
                # the first cheapest way to it, in the order the table tries them:
                # (total, shown) or (total, hidden).
                hide = cost_l[c]
                found, before_at, passed_at = -1, 0, 0
                for before, cost in combined.items():
                    if before == cap and (found < 0 or cost < found):
                        found, before_at, passed_at = cost, cap, 0
                    if found < 0 or cost + hide < found:
                        found, before_at, passed_at = cost + hide, before, cap
                hidden_leaf, hidden_from = (c, before_at) if passed_at else (-1, 0)
                # The table's next step lists its totals as first reached: the first
                # total (the leaf shown), then min_size (the leaf hidden), the rest; the
                # order stays so for the run, and only the total min_size changes.
                first = next(iter(combined))
                reordered = {first: combined[first], cap: found}
                reordered.update((t, cost) for t, cost in combined.items() if t != cap)
                reordered[cap] = found
                combined = reordered
                # A later leaf is hidden, from the cheapest other total, when that beats
                # min_size's cost so far: from a total listed before min_size on a tie
                # too (so the last of equally cheap leaves), from one after it only when
                # strictly cheaper (so the first).
                lowest_rest = cheapest_l[run]
                if lowest_rest >= 0:
                    low_before, at_before, low_after, at_after = _cheapest_around(combined, cap)
                    if at_after >= 0 and (at_before < 0 or low_after < low_before):
                        if low_after + lowest_rest < found:
                            combined[cap] = low_after + lowest_rest
                            hidden_leaf, hidden_from = first_l[run], at_after
                    elif at_before >= 0 and low_before + lowest_rest <= found:
                        combined[cap] = low_before + lowest_rest
                        hidden_leaf, hidden_from = last_l[run], at_before
                v_steps.append((hidden_leaf, hidden_from))
                continue
            if children_l[c]:
                ways = [(passed, entry[0]) for passed, entry in best[c].items()]
            else:
                ways = ((sizes_l[c], 0),)  # hidden below the minimum, passing on all of it
            step: dict[int, tuple[int, int, int]] = {}
            for before, cost in combined.items():
                for passed, cost_c in ways:
                    total = min(before + passed, cap)
                    if total not in step or cost + cost_c < step[total][0]:
                        step[total] = (cost + cost_c, before, passed)
            v_steps.append((c, step))
            combined = {total: entry[0] for total, entry in step.items()}
        steps[v] = v_steps
        own = own_l[v]
        size_v = sizes_l[v]
        options: dict[int, tuple[int, bool, int]] = {}
        best[v] = options
        for passed_in, cost in combined.items():
            region = own + passed_in
            may_show = size_v >= cap and (region == 0 or region >= cap)
            if may_show and (0 not in options or cost < options[0][0]):
                options[0] = (cost, True, passed_in)
            if size_v < cap or not is_root[v]:
                hide_v = cost + (cost_l[v] if size_v >= cap else 0)
                out = min(region, cap)
                if out not in options or hide_v < options[out][0]:
                    options[out] = (hide_v, False, passed_in)

    # A root without children is shown when it may be, hidden below the minimum.
    hidden: set[int] = set()
    stack = [(r, min(best[r].items(), key=lambda item: item[1][0])[0]) for r in roots]
    while stack:
        v, passed = stack.pop()
        _, shown, passed_in = best[v][passed]
        if not shown and sizes_l[v] >= cap:
            hidden.add(v)
        for c, entry in reversed(steps[v]):
            if isinstance(entry, dict):
                _, before, from_child = entry[passed_in]
                if children_l[c]:  # a node with children: its own table decides
                    stack.append((c, from_child))
                passed_in = before
            elif passed_in == cap and c >= 0:  # a run of leaves: the one hidden
                hidden.add(c)
                passed_in = entry
    return hidden


def _cheapest_around(combined: Mapping[int, int], cap: int) -> tuple[int, int, int, int]:
    """(cost, total) of the first cheapest total listed before ``cap``, then after it;
    total -1 where there is none."""
    low_before = at_before = low_after = at_after = -1
    seen_cap = False
    for total, cost in combined.items():
        if total == cap:
            seen_cap = True
        elif not seen_cap:
            if at_before < 0 or cost < low_before:
                low_before, at_before = cost, total
        elif at_after < 0 or cost < low_after:
            low_after, at_after = cost, total
    return low_before, at_before, low_after, at_after


# -- any groups: exact audit of what subtraction derives ----------------------------------


class _TooComplex(Exception):
    """The exact audit would take too long."""


def _hide_in_general(nodes: Sequence[_Node], counts: Counts, min_size: int) -> set[int]:
    """Complementary hides for arbitrary groups; see the module docstring, point 3."""
    masks, weights = _cell_masks(nodes, counts)

    def too_small(mask: int) -> bool:
        total = 0
        while mask:
            low = mask & -mask
            total += weights[low.bit_length() - 1]
            mask ^= low
        return 0 < total < min_size

    live = [i for i, node in enumerate(nodes) if node.atoms and node.n >= min_size]
    tops: list[int] = []  # in no other group; what is inside a group is inside a top
    for i in sorted(live, key=lambda i: -masks[i].bit_count()):
        if not any(masks[i] & masks[t] == masks[i] for t in tops):
            tops.append(i)
    # Groups inside no other group cannot be subtracted from each other: always safe.
    # Then the others, largest first, each shown unless it lets a small set be derived.
    undecided = sorted(set(live) - set(tops), key=lambda i: nodes[i].order)
    audit = _Audit(_AUDIT_WORK_LIMIT)
    hidden: set[int] = set()
    try:
        for i in tops:
            audit.add(masks[i])
        while undecided:
            if not audit.try_add(masks[undecided[-1]], too_small):
                hidden.add(undecided[-1])
            undecided.pop()
    except _TooComplex:
        # What was shown before is safe; fail closed on the group being added and the rest.
        hidden.update(undecided)
    return hidden


def _cell_masks(nodes: Sequence[_Node], counts: Counts) -> tuple[list[int], list[int]]:
    """Each node as a bit mask over cells (atoms in exactly the same nodes), and cell sizes."""
    member_of: dict[Hashable, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        for atom in node.atoms:
            member_of[atom].append(i)
    cells: dict[tuple[int, ...], list[Hashable]] = defaultdict(list)
    for atom, holders in member_of.items():
        cells[tuple(holders)].append(atom)
    ordered = sorted(cells.items(), key=lambda item: min(repr(a) for a in item[1]))
    masks = [0] * len(nodes)
    weights: list[int] = []
    for bit, (owners, atoms) in enumerate(ordered):
        weights.append(sum(counts[a] for a in atoms))
        for i in owners:
            masks[i] |= 1 << bit
    return masks, weights


class _Audit:
    """The minimal sets derivable by differences from the known sets, kept up to date.

    Every derivable set is some known A minus a disjoint union of derivable sets inside
    it, hence a disjoint union of minimal ones; and the minimal ones are exactly what is
    left of a known A after a maximal packing of minimal sets inside it. The family is
    kept at that fixpoint as known sets are added, as an antichain (a member containing
    another is split). Adding a known set only ever adds derivations, so the fixpoint is
    restored by revisiting the known sets with a changed inside.
    """

    def __init__(self, work_limit: int) -> None:
        self.known: list[int] = []
        self.members: set[int] = set()
        self.budget = [work_limit]
        self.packings: _Packings = {}

    def try_add(self, mask: int, too_small: Callable[[int], bool]) -> bool:
        """Add a known set unless that makes a too-small set derivable; say which."""
        members = set(self.members)
        changed = self.add(mask)
        if any(too_small(m) for m in changed if m in self.members):
            self.members = members
            self.known.pop()
            return False
        return True

    def add(self, mask: int) -> list[int]:
        """Add a known set and restore the fixpoint; return the members added or removed."""
        self.known.append(mask)
        changed: list[int] = []
        self._insert(mask, changed)
        todo = [mask, *(a for a in self.known[:-1] if any(m & a == m for m in changed))]
        while todo:
            seen = len(changed)
            for a in todo:
                inside = sorted(m for m in self.members if m & a == m)
                for rest in list(_remainders(a, inside, self.budget, self.packings)):
                    self._insert(rest, changed)
            fresh = changed[seen:]
            todo = [a for a in self.known if any(m & a == m for m in fresh)]
        return changed

    def _insert(self, x: int, changed: list[int]) -> None:
        members = self.members
        stack = [x]
        while stack:
            y = stack.pop()
            if not y or y in members:
                continue
            inner = next((m for m in members if m & y == m), None)
            if inner is not None:
                stack.append(y & ~inner)
                continue
            for m in [m for m in members if m & y == y]:
                members.remove(m)
                changed.append(m)
                stack.append(m & ~y)
            members.add(y)
            changed.append(y)
            self.budget[0] -= 1 + len(members) // 64
            if self.budget[0] < 0:
                raise _TooComplex


_Packings = dict[tuple[int, ...], list[int]]


def _remainders(
    a: int, inside: Sequence[int], budget: list[int], cache: _Packings
) -> Iterator[int]:
    """What is left of ``a`` after each maximal packing of disjoint sets from ``inside``."""
    budget[0] -= 1 + len(inside) // 16
    if budget[0] < 0:
        raise _TooComplex
    cover = shared = 0
    for m in inside:
        shared |= cover & m
        cover |= m
    base = a & ~cover
    # A set sharing no cell with another is in every maximal packing: it leaves nothing.
    choices: list[list[int]] = []
    for component in _overlap_components([m for m in inside if m & shared], shared):
        key = tuple(component)
        if key not in cache:
            union = _union(component)
            cache[key] = sorted(
                {union & ~_union(packing) for packing in _maximal_packings(component, budget)}
            )
        choices.append(cache[key])
    for combo in itertools.product(*choices):
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooComplex
        yield base | _union(combo)


def _union(sets: Iterable[int]) -> int:
    out = 0
    for s in sets:
        out |= s
    return out


def _overlap_components(sets: Sequence[int], shared: int) -> list[list[int]]:
    """The sets grouped so that sets sharing a cell, directly or through others, go together.

    ``shared`` holds the cells in more than one set: only they connect sets.
    """
    root = list(range(len(sets)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    holder: dict[int, int] = {}
    for i, s in enumerate(sets):
        for cell in _bits(s & shared):
            if cell in holder:
                root[find(i)] = find(holder[cell])
            else:
                holder[cell] = i
    components: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        components[find(i)].append(s)
    return list(components.values())


def _maximal_packings(sets: Sequence[int], budget: list[int]) -> Iterator[list[int]]:
    """Each maximal family of pairwise disjoint sets (Bron-Kerbosch with pivot)."""
    disjoint = [0] * len(sets)
    for i, j in itertools.combinations(range(len(sets)), 2):
        if not sets[i] & sets[j]:
            disjoint[i] |= 1 << j
            disjoint[j] |= 1 << i

    def expand(chosen: list[int], candidates: int, excluded: int) -> Iterator[list[int]]:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooComplex
        if not candidates and not excluded:
            yield chosen
            return
        pivot = max(
            _bits(candidates | excluded), key=lambda u: (candidates & disjoint[u]).bit_count()
        )
        for v in _bits(candidates & ~disjoint[pivot]):
            yield from expand([*chosen, sets[v]], candidates & disjoint[v], excluded & disjoint[v])
            candidates &= ~(1 << v)
            excluded |= 1 << v

    yield from expand([], (1 << len(sets)) - 1, 0)


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


# -- trees ---------------------------------------------------------------------------------


def _subtrees(parent_of: Mapping[str, str | None]) -> dict[str, frozenset[str]]:
    """Each unit's subtree (itself and all below it); rejects unknown parents and cycles."""
    children: dict[str, list[str]] = defaultdict(list)
    roots: list[str] = []
    for unit, parent in parent_of.items():
        if parent is None:
            roots.append(unit)
        elif parent not in parent_of:
            raise ValueError(f"unit {unit!r} has an unknown parent {parent!r}")
        else:
            children[parent].append(unit)
    subtrees: dict[str, frozenset[str]] = {}
    order: list[str] = []
    stack = list(roots)
    while stack:
        unit = stack.pop()
        order.append(unit)
        stack.extend(children[unit])
    if len(order) != len(parent_of):
        raise ValueError("the unit tree has a cycle")
    for unit in reversed(order):
        subtrees[unit] = frozenset({unit}).union(*(subtrees[c] for c in children[unit]))
    return subtrees
