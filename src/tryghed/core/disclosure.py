"""What an attacker can derive from a publication ("afsløring ved subtraktion").

The audit behind privacy.md section 3 and ``tryghed audit-anonymity``. Its input is what
readers see, not the answers: a list of published :class:`Figure` s, each a count ``n``
(and, when a mean is shown, the sum ``n × mean``) of the people of one *population* (the
people who answered one scale, item or key figure in one measurement) that fall in one
group. A group is a set of *atoms*, the finest cells people fall into (a unit's own
respondents). The attacker knows every shown group's atoms (the unit tree is public), its
``n`` and its mean, and combines figures of the same population linearly.

A set of people is *derivable* when its indicator over the atoms is a linear combination
of the shown groups' indicators: then its count (and its sum, hence its mean) is that
combination of the published counts (and sums). It is a *leak* when it holds 1..min−1
people. Per population the atoms with the same membership in every shown group form
classes, which nobody can split; derivable sets are unions of classes.

- Nested or disjoint groups (one unit tree): the classes are the *regions* (a shown group
  minus its largest shown subgroups), each derivable, and every derivable set is a union
  of regions. Since counts are never negative, a union of regions holds 1..min−1 people
  only if one of its regions does: checking the regions is exact.
- Anything else (two trees before and after a move, a recomputed earlier wave, filter
  crossings): exact elimination over the integers modulo the prime 2**61 − 1 to reduced
  row echelon form, split into independent components (the connected components of the
  fundamental circuits), and within each component every 0/1 combination of the pivot
  rows is tried with pruning. A found set's coefficients are recovered as fractions and
  checked exactly against the groups, so no rounding and no modular accident can report
  a set that is not derivable. A component too large to enumerate is reported as
  undecided, and the audit fails closed.

Families of groups repeat across populations (most scales of a measurement show the same
groups), so the structural work is done once per distinct family.

Besides subtraction, :func:`audit` applies the "one set of people per item and group"
rule: two figures about the same subject (a scale, an item) in the same group with
different ``n`` reveal a group of ``|n1 − n2|`` people.

**The same people under two populations.** Populations of one *pool* (``Figure.pool``:
one measurement's respondents) whose ``n`` agree in every group where both are shown,
and that share at least one shown group, may be the same people (everyone answered
everything): the reader takes them for one and subtracts across them (risk5's workload,
minimum 5, shown for a subtree of twelve, and its sensitive scale, minimum 10, shown for
the team of ten in it: 12 − 10, the two beside the team). Such populations are merged by
union-find, transitively, as long as the merged counts stay one per group; a union
refused for a conflict (two of them with different ``n`` in one group: not the same
people) is still tried as the pair. Each merged family is solved like a population:

- only *counts* are derived (a merged set's sum would add sums of different subjects,
  which is no figure of anything), and a set whose terms all come from one population
  is that population's own (found above), so only mixed derivations are added, as
  ``kind="same_people"``;
- the minimum is the *lowest* of the merged populations': a count of 1..min−1 under it is
  too small for every one of them. A count between the lower and the higher minimum is
  no leak: it is a count of people the lower population may show directly (its own
  groups of that size are published with that count), and the higher population's
  answers over those people (its sums) are not derivable from a count;
- a negative or fractional count disproves the premise (they are not the same people)
  and is dropped; a family too tangled to solve is undecided (fails closed).

The merge is conservative: equal counts by coincidence make a false premise, whose
derived sets are reported all the same. It is not complete: two populations whose counts
differ in some group of the view are not merged, though a reader may still take them for
the same people in a part of the tree where they agree (a narrower view, such as a
leader's, is audited on its own and may show it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, Literal

__all__ = [
    "Audit",
    "Derived",
    "Figure",
    "Term",
    "Undecided",
    "audit",
]

PRIME: Final = (1 << 61) - 1
# Work per component of a non-nested family before it is reported as undecided.
_COMPONENT_WORK_LIMIT: Final = 200_000
_COMPONENT_SETS_LIMIT: Final = 4_096


@dataclass(frozen=True)
class Figure:
    """One published count: ``n`` people of ``population`` in the group ``atoms``.

    ``subjects`` names what the figure is about (scales, items); two figures of the same
    group about the same subject must rest on the same people. ``label`` names the group
    for a human ("Hjemmeplejen Nord, hele enheden"); ``minimum`` is the minimum that
    applies to the figure.
    """

    population: str
    label: str
    atoms: frozenset[str]
    n: int
    minimum: int
    total: float | None = None  # n × mean, when a mean is published
    subjects: frozenset[str] = frozenset()
    # The respondents the population is drawn from (one measurement's); populations of
    # one pool with equal n wherever both are shown may be the same people. "" for none.
    pool: str = ""


@dataclass(frozen=True)
class Term:
    """One published figure in a derivation: ``coefficient × (label's figure)``."""

    coefficient: Fraction
    label: str
    n: int
    population: str = ""  # set when the terms of one derivation count different people


@dataclass(frozen=True)
class Derived:
    """A set of people an attacker can isolate, with how."""

    population: str
    atoms: frozenset[str]
    n: int
    mean: float | None
    minimum: int
    terms: tuple[Term, ...]
    kind: Literal["subtraction", "different_people", "same_people"] = "subtraction"

    @property
    def is_leak(self) -> bool:
        return 0 < self.n < self.minimum


@dataclass(frozen=True)
class Undecided:
    """Part of a family too tangled to enumerate within the work limit (fails closed)."""

    population: str
    atoms: frozenset[str]


@dataclass(frozen=True)
class Audit:
    derived: tuple[Derived, ...]
    leaks: tuple[Derived, ...]
    # Published counts that contradict each other (a negative or fractional derived count):
    # the figures do not come from one set of people, which the audit cannot vouch for.
    inconsistent: tuple[Derived, ...]
    undecided: tuple[Undecided, ...]

    @property
    def ok(self) -> bool:
        return not (self.leaks or self.inconsistent or self.undecided)


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class _Template:
    """A derivable set of one family: its atoms and its combination of the groups."""

    atoms: frozenset[str]
    coefficients: tuple[tuple[int, Fraction], ...]  # (group index, coefficient)


@dataclass
class _Structure:
    groups: list[frozenset[str]]
    templates: list[_Template] = field(default_factory=list)
    undecided: list[frozenset[str]] = field(default_factory=list)


def _laminar(groups: Sequence[frozenset[str]]) -> list[int | None] | None:
    """Each group's smallest strict supergroup, or None when some two groups cross."""
    order = sorted(range(len(groups)), key=lambda g: -len(groups[g]))
    container: dict[str, int] = {}
    parent: list[int | None] = [None] * len(groups)
    for g in order:
        above = {container.get(a) for a in groups[g]}
        if len(above) > 1:
            return None
        parent[g] = next(iter(above)) if above else None
        for a in groups[g]:
            container[a] = g
    return parent


def _regions(groups: Sequence[frozenset[str]], parent: Sequence[int | None]) -> list[_Template]:
    children: dict[int, list[int]] = defaultdict(list)
    for g, p in enumerate(parent):
        if p is not None:
            children[p].append(g)
    out = []
    for g, atoms in enumerate(groups):
        below = children.get(g, [])
        region = atoms.difference(*(groups[c] for c in below)) if below else atoms
        coefficients = ((g, Fraction(1)), *((c, Fraction(-1)) for c in sorted(below)))
        out.append(_Template(frozenset(region), coefficients))
    return out


def _reconstruct(value: int) -> Fraction | None:
    """The fraction a/b with small |a|, b that is ``value`` modulo PRIME (Wang's method)."""
    bound = 1 << 30
    r0, r1 = PRIME, value % PRIME
    s0, s1 = 0, 1
    while r1 >= bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        s0, s1 = s1, s0 - q * s1
    if s1 == 0 or abs(s1) >= bound:
        return None
    return Fraction(r1, s1)


Row = dict[int, int]


def _general(groups: Sequence[frozenset[str]]) -> _Structure:
    structure = _Structure(list(groups))
    # Classes: atoms with the same membership in every group.
    signature: dict[str, list[int]] = defaultdict(list)
    for g, atoms in enumerate(groups):
        for a in atoms:
            signature[a].append(g)
    class_of_signature: dict[tuple[int, ...], int] = {}
    class_atoms: list[set[str]] = []
    for a, gs in signature.items():
        key = tuple(gs)
        if key not in class_of_signature:
            class_of_signature[key] = len(class_atoms)
            class_atoms.append(set())
        class_atoms[class_of_signature[key]].add(a)
    group_classes: list[set[int]] = [set() for _ in groups]
    for key, c in class_of_signature.items():
        for g in key:
            group_classes[g].add(c)

    # Reduced row echelon form modulo PRIME, sparse, smallest groups first (a tree then
    # reduces to its regions with little fill-in); each row remembers its combination.
    rows: dict[int, tuple[Row, Row]] = {}  # pivot class -> (row over classes, over groups)
    holders: dict[int, set[int]] = defaultdict(set)  # class -> pivots whose row holds it
    for g in sorted(range(len(groups)), key=lambda g: (len(groups[g]), g)):
        row: Row = dict.fromkeys(group_classes[g], 1)
        comb: Row = {g: 1}
        for c in [c for c in row if c in rows]:
            f = row.get(c, 0)
            if f:
                _axpy(row, rows[c][0], -f)
                _axpy(comb, rows[c][1], -f)
        if not row:
            continue
        pivot = min(row, key=lambda c: (len(holders[c]), c))
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        for d in (row, comb):
            for k in d:
                d[k] = d[k] * inverse % PRIME
        for p in list(holders[pivot]):
            other_row, other_comb = rows[p]
            f = other_row[pivot]
            before = set(other_row)
            _axpy(other_row, row, -f)
            _axpy(other_comb, comb, -f)
            for c in before - set(other_row):
                holders[c].discard(p)
            for c in set(other_row) - before:
                holders[c].add(p)
        rows[pivot] = (row, comb)
        for c in row:
            if c != pivot:
                holders[c].add(pivot)
        holders.pop(pivot, None)

    # Independent components: classes joined by a pivot row.
    root = list(range(len(class_atoms)))

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for pivot, (row, _) in rows.items():
        for c in row:
            root[find(c)] = find(pivot)
    components: dict[int, list[int]] = defaultdict(list)
    for pivot in sorted(rows):
        components[find(pivot)].append(pivot)
    for pivots in components.values():
        found = _enumerate(pivots, rows)
        if found is None:
            atoms = frozenset().union(*(class_atoms[c] for p in pivots for c in rows[p][0]))
            structure.undecided.append(atoms)
            continue
        for chosen, classes in found:
            template = _template(chosen, classes, rows, class_atoms, group_classes)
            if template is None:
                atoms = frozenset().union(*(class_atoms[c] for c in classes))
                structure.undecided.append(atoms)
            else:
                structure.templates.append(template)
    return structure


def _axpy(target: Row, source: Mapping[int, int], factor: int) -> None:
    """target += factor × source (mod PRIME), dropping zeros."""
    for k, v in source.items():
        value = (target.get(k, 0) + factor * v) % PRIME
        if value:
            target[k] = value
        else:
            target.pop(k, None)


def _enumerate(
    pivots: Sequence[int], rows: Mapping[int, tuple[Row, Row]]
) -> list[tuple[list[int], list[int]]] | None:
    """Every nonempty choice of pivot rows whose sum is a 0/1 vector, with its classes.

    Depth-first over the pivots; a non-pivot class is checked as soon as the last pivot
    row holding it is decided. None past the work limit.
    """
    last: dict[int, int] = {}
    for position, p in enumerate(pivots):
        for c in rows[p][0]:
            if c != p:
                last[c] = position
    closing: dict[int, list[int]] = defaultdict(list)
    for c, position in last.items():
        closing[position].append(c)
    found: list[tuple[list[int], list[int]]] = []
    work = 0
    chosen: list[int] = []
    sums: dict[int, int] = defaultdict(int)

    def visit(position: int) -> bool:
        nonlocal work
        work += 1
        if work > _COMPONENT_WORK_LIMIT or len(found) > _COMPONENT_SETS_LIMIT:
            return False
        if position == len(pivots):
            if chosen:
                ones = [c for c, v in sums.items() if v == 1]
                found.append((list(chosen), sorted([*chosen, *ones])))
            return True
        p = pivots[position]
        for take in (False, True):
            if take:
                chosen.append(p)
                for c, v in rows[p][0].items():
                    if c != p:
                        sums[c] = (sums[c] + v) % PRIME
            if all(sums[c] in (0, 1) for c in closing.get(position, ())) and not visit(
                position + 1
            ):
                return False
            if take:
                chosen.pop()
                for c, v in rows[p][0].items():
                    if c != p:
                        sums[c] = (sums[c] - v) % PRIME
        return True

    return found if visit(0) else None


def _template(
    chosen: Sequence[int],
    classes: Sequence[int],
    rows: Mapping[int, tuple[Row, Row]],
    class_atoms: Sequence[set[str]],
    group_classes: Sequence[set[int]],
) -> _Template | None:
    """The derivation of one found set as fractions, checked exactly; None if it fails."""
    comb: Row = {}
    for p in chosen:
        _axpy(comb, rows[p][1], 1)
    coefficients: list[tuple[int, Fraction]] = []
    for g, value in sorted(comb.items()):
        fraction = _reconstruct(value)
        if fraction is None:
            return None
        coefficients.append((g, fraction))
    total: dict[int, Fraction] = defaultdict(Fraction)
    for g, coefficient in coefficients:
        for c in group_classes[g]:
            total[c] += coefficient
    wanted = set(classes)
    if any(v != (1 if c in wanted else 0) for c, v in total.items()) or not wanted <= set(total):
        return None
    atoms = frozenset().union(*(class_atoms[c] for c in classes))
    return _Template(atoms, tuple(coefficients))


def _structure(groups: Sequence[frozenset[str]], *, fast: bool) -> _Structure:
    parent = _laminar(groups) if fast else None
    if parent is not None:
        return _Structure(list(groups), _regions(groups, parent))
    return _general(groups)


# --------------------------------------------------------------------------- the audit


def audit(figures: Iterable[Figure], *, fast: bool = True, same_people: bool = True) -> Audit:
    """Every set of people the figures let an attacker isolate, and the leaks among them.

    ``fast=False`` solves nested families by elimination too (for tests);
    ``same_people=False`` takes every population for different people (the audit before
    populations of one pool were merged; for tests).
    """
    figures = list(figures)
    derived: list[Derived] = []
    inconsistent: list[Derived] = []
    undecided: list[Undecided] = []

    by_population: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        by_population[figure.population].append(figure)
    cache: dict[frozenset[frozenset[str]], _Structure] = {}
    firsts: dict[str, dict[frozenset[str], Figure]] = {}
    minimums: dict[str, int] = {}
    for population, shown in sorted(by_population.items()):
        minimum = max(f.minimum for f in shown)
        minimums[population] = minimum
        # One figure per distinct group; a second figure with another n is a difference.
        first: dict[frozenset[str], Figure] = {}
        for figure in shown:
            if not figure.atoms:
                continue
            seen = first.setdefault(figure.atoms, figure)
            if seen.n != figure.n:
                derived.append(_difference(population, seen, figure, minimum))
        firsts[population] = first
        structure = _cached(cache, frozenset(first), fast)
        members = [first[atoms] for atoms in structure.groups]
        for template in structure.templates:
            found = _evaluate(population, template, members, minimum)
            if found.n < 0 or (not found.atoms and found.n != 0):
                inconsistent.append(found)
            elif found.atoms:
                derived.append(found)
        undecided.extend(Undecided(population, atoms) for atoms in structure.undecided)

    if same_people:
        pools: dict[str, list[str]] = defaultdict(list)
        for population, shown in sorted(by_population.items()):
            pool = next((f.pool for f in shown if f.pool), "")
            if pool and firsts[population]:
                pools[pool].append(population)
        for members_of_pool in pools.values():
            if len(members_of_pool) > 1:
                merged, unsolved = _same_people(members_of_pool, firsts, minimums, cache, fast)
                derived.extend(merged)
                undecided.extend(unsolved)

    derived.extend(_different_people(figures))
    leaks = tuple(d for d in derived if d.is_leak)
    return Audit(tuple(derived), leaks, tuple(inconsistent), tuple(undecided))


def _cached(
    cache: dict[frozenset[frozenset[str]], _Structure],
    family: frozenset[frozenset[str]],
    fast: bool,
) -> _Structure:
    if family not in cache:
        ordered = sorted(family, key=lambda s: (len(s), sorted(s)))
        cache[family] = _structure(ordered, fast=fast)
    return cache[family]


Counts = dict[frozenset[str], int]


def _agree(a: Counts, b: Counts) -> bool:
    """Whether two populations' counts agree in every group both show."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return all(large.get(atoms, n) == n for atoms, n in small.items())


def _same_people(
    populations: Sequence[str],
    firsts: Mapping[str, Mapping[frozenset[str], Figure]],
    minimums: Mapping[str, int],
    cache: dict[frozenset[frozenset[str]], _Structure],
    fast: bool,
) -> tuple[list[Derived], list[Undecided]]:
    """The sets of people derivable when populations of one pool with the same counts
    wherever both are shown are taken for one (see the module's docstring)."""
    # Populations with identical counts in identical groups add nothing to each other:
    # one representative (a "shape") each.
    shapes: list[Counts] = []
    shape_of: dict[frozenset[tuple[frozenset[str], int]], int] = {}
    holders: list[list[str]] = []
    for population in populations:
        counts = {atoms: figure.n for atoms, figure in firsts[population].items()}
        key = frozenset(counts.items())
        if key not in shape_of:
            shape_of[key] = len(shapes)
            shapes.append(counts)
            holders.append([])
        holders[shape_of[key]].append(population)
    if len(shapes) < 2:
        return [], []

    # Union-find over the shapes; a component keeps its merged counts, and two components
    # join only if those agree in every group both show.
    root = list(range(len(shapes)))
    merged: dict[int, Counts] = {i: dict(c) for i, c in enumerate(shapes)}

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    def union(a: int, b: int) -> bool:
        if not _agree(merged[a], merged[b]):
            return False
        if len(merged[a]) < len(merged[b]):
            a, b = b, a
        merged[a].update(merged.pop(b))
        root[b] = a
        return True

    buckets: dict[tuple[frozenset[str], int], list[int]] = defaultdict(list)
    for i, counts in enumerate(shapes):
        for atoms, n in counts.items():
            buckets[(atoms, n)].append(i)
    pairs: set[tuple[int, int]] = set()
    for sharing in buckets.values():
        here: dict[int, list[int]] = {}  # component (its root) -> its shapes seen here
        for i in sharing:
            refused: list[int] = []
            for head in here:
                a, b = find(head), find(i)
                if a != b and not union(a, b):
                    refused.append(head)
            # A refused union (the components disagree somewhere): each shape of the
            # other component that agrees with this one may still be its people.
            for head in refused:
                pairs.update(
                    (min(other, i), max(other, i))
                    for other in here[head]
                    if _agree(shapes[other], shapes[i])
                )
            regrouped: dict[int, list[int]] = defaultdict(list)
            for head, shown_here in here.items():
                regrouped[find(head)].extend(shown_here)
            regrouped[find(i)].append(i)
            here = regrouped
    families: dict[frozenset[tuple[frozenset[str], int]], list[int]] = {}
    components: dict[int, list[int]] = defaultdict(list)
    for i in range(len(shapes)):
        components[find(i)].append(i)
    for parts in components.values():
        if len(parts) > 1:
            families.setdefault(frozenset(merged[find(parts[0])].items()), parts)
    for a, b in sorted(pairs):
        if find(a) != find(b):
            families.setdefault(frozenset({**shapes[a], **shapes[b]}.items()), [a, b])

    derived: list[Derived] = []
    undecided: list[Undecided] = []
    for parts in families.values():
        members_here = [p for i in parts for p in holders[i]]
        shown: dict[frozenset[str], Figure] = {}
        for population in members_here:
            for atoms, figure in firsts[population].items():
                shown.setdefault(atoms, figure)
        minimum = min(minimums[p] for p in members_here)
        structure = _cached(cache, frozenset(shown), fast)
        figures = [shown[atoms] for atoms in structure.groups]
        for template in structure.templates:
            found = _counted(template, figures, minimum)
            if found is not None:
                derived.append(found)
        name = " = ".join(sorted(members_here))
        undecided.extend(Undecided(name, atoms) for atoms in structure.undecided)
    return derived, undecided


def _counted(template: _Template, figures: Sequence[Figure], minimum: int) -> Derived | None:
    """A merged family's derived set, a count only; None when its terms all count one
    population (found with that population) or the count disproves the premise."""
    used = {figures[g].population for g, _ in template.coefficients}
    if len(used) < 2 or not template.atoms:
        return None
    count = sum((c * figures[g].n for g, c in template.coefficients), Fraction(0))
    if count.denominator != 1 or count < 0:
        return None
    terms = tuple(
        Term(c, figures[g].label, figures[g].n, figures[g].population)
        for g, c in template.coefficients
    )
    return Derived(
        " = ".join(sorted(used)), template.atoms, int(count), None, minimum, terms, "same_people"
    )


def _evaluate(
    population: str, template: _Template, members: Sequence[Figure], minimum: int
) -> Derived:
    count = sum((c * members[g].n for g, c in template.coefficients), Fraction(0))
    totals = [members[g].total for g, _ in template.coefficients]
    mean: float | None = None
    terms = tuple(Term(c, members[g].label, members[g].n) for g, c in template.coefficients)
    if count.denominator != 1:
        return Derived(population, template.atoms, -1, None, minimum, terms)
    n = int(count)
    if n > 0 and all(t is not None for t in totals):
        total = sum((float(c) * (members[g].total or 0.0) for g, c in template.coefficients), 0.0)
        mean = total / n
    return Derived(population, template.atoms, n, mean, minimum, terms)


def _difference(population: str, a: Figure, b: Figure, minimum: int) -> Derived:
    big, small = (a, b) if a.n >= b.n else (b, a)
    mean = None
    if big.total is not None and small.total is not None and big.n != small.n:
        mean = (big.total - small.total) / (big.n - small.n)
    return Derived(
        population,
        a.atoms,
        big.n - small.n,
        mean,
        minimum,
        (
            Term(Fraction(1), big.label, big.n, big.population),
            Term(Fraction(-1), small.label, small.n, small.population),
        ),
        "different_people",
    )


def _different_people(figures: Sequence[Figure]) -> list[Derived]:
    """Figures about one subject in one group with different n (privacy.md section 3)."""
    by_subject: dict[tuple[frozenset[str], str], dict[int, Figure]] = defaultdict(dict)
    for figure in figures:
        for subject in figure.subjects:
            by_subject[(figure.atoms, subject)].setdefault(figure.n, figure)
    out: dict[tuple[frozenset[str], int, int], Derived] = {}
    for (atoms, subject), per_n in sorted(by_subject.items(), key=lambda kv: sorted(kv[0][0])):
        ns = sorted(per_n)
        for i, low in enumerate(ns):
            for high in ns[i + 1 :]:
                a, b = per_n[high], per_n[low]
                if a.population == b.population:
                    continue  # already reported with its population
                minimum = max(a.minimum, b.minimum)
                key = (atoms, low, high)
                if key not in out:
                    out[key] = _difference(subject, a, b, minimum)
    return list(out.values())
