"""A measurement's publication: every figure its reports may ever show, built from answers.

Framework-free (numpy, core.scoring, core.suppression; no Django): ``build`` takes the
answers as code matrices over a unit tree frozen when the measurement opened, the
instruments, the minimums and the earlier wave's own publication, and returns one
JSON-serialisable dict. ``results.aggregates`` loads the answers from the database,
calls it once when the measurement is closed and stores the result; pages, charts, PDFs,
spreadsheets, focus areas, plans and APV pages read that stored dict and nothing else,
so one suppression engine decides every number anyone can see, and the anonymity audit
(``results.audit``) audits exactly what is published.

Groups. Every unit of the measurement (its scope, and any unit a response names) is
reported twice: ``"unit"`` (the unit's own respondents) and ``"subtree"`` (the unit and
every unit below it), and the whole measurement once more as ``"organisation"``. The
units are the atoms; a unit's parent in the report is its nearest ancestor in the report.

Suppression. Each kind of figure is decided with its own count (privacy.md: the minimum is
counted on the people who answered that scale or item) across all groups at once, so the
remainder and difference rules hold for every count a reader can see:

- a scale: people with a person score, ``min_group_score``, or ``min_group_sensitive``
  when the scale holds a sensitive item (krænkende handlinger, vold); a pooled scale
  (vz-maturity's total, the sum of its topics' answers) is hidden too wherever a scale
  inside it has answers but is hidden (``_pooled_with_its_parts``);
- an item's distribution: the people it is computed over (below), the item's minimum,
  and again the people who gave it a scored answer (its counts of scored codes are
  their figures: "don't know" must not pad them past the minimum);
- a key figure: people who answered one of its items, its items' minimum;
- free-text answers: people who wrote an answer to that question, ``min_group_comment``.

A hidden figure is ``{"suppressed": true, "reason": "below_minimum" | "complementary"}``
and nothing else; so is a whole group with fewer responses than ``min_group_score``.

An item is shown over the people its scale is scored on (those with a person score on the
largest scale holding it, when that scale has more than one item), "don't know" included:
then its mean points are a function of its shares and the item's figures say nothing
beyond its own distribution. Items outside a scale, and items whose only scale is that
item, are shown over everyone who answered them (a one-item scale never scores "don't
know", so its share would always read 0).

Shape (``SCHEMA``; ``G`` is a group, ``H`` a hidden figure; a unit's two groups and the
organisation point into ``groups``, where groups with the same respondents are stored
once: a unit without children in the report, and the top unit's subtree)::

    {"schema": SCHEMA,
     "measurement": {"id", "status", "previous": id | None},
     "minimums": {"score", "comment", "sensitive"},
     "instruments": {iid: {"version", "fingerprint", "variant_of", "main_scale",
         "scales": {sid: {"items": [item ids], "minimum", "sensitive", "polarity",
                          "score": [min, max], "also": [min, max] | None,
                          "bin_edges": [...], "bands": [ids], "levels": [values],
                          "consequences": [keys]}},
         "items": {item id: {"type", "minimum", "sensitive", "codes": [...],
                             "population": sid | None}},
         "key_figures": {fid: {"minimum", "reference": value | [low, high] | None,
                               "population": sid | None}},
         "texts": [item ids], "compared_with": previous measurement id | None}},
     "units": {unit id: {"parent": unit id | None, "path", "depth", "in_scope",
                         "children": [unit ids], "unit": g, "subtree": g}},
     "organisation": g,
     "groups": [G, ...],
     "texts": [every shown free-text answer once, in the order of a seeded hash],
     "measurement_level": {
         "scales": {iid: {sid: H | {"suppressed": false,
                                    "alpha": {"alpha", "ci95", "n_complete", "k"} | None,
                                    "icc": {"icc1", "icc2"} | None}}},
         "correlations": [{"a": "iid/sid", "b": "iid/sid", "r", "n_units", "ci95", "p"}],
         "drivers": {"iid/sid": H | {"suppressed": false, "names", "weights", "ci95",
                                     "r2", "n", "n_boot"}}}}

    G = H | {"suppressed": false,
             "instruments": {iid: {
                 "scales": {sid: H | {"suppressed": false, "n", "mean", "sd", "ci95",
                                      "rwg_j", "bins", ["also": {"mean", "sd", "ci95"}],
                                      ["level": {"lower", "upper"}], ["bands": {id: share}],
                                      ["dominant_band", "consequence"], ["change"]}},
                 "items": {item id: H | {"suppressed": false, "n", "counts": [per code],
                                         "dont_know": share | None, "mean_points"}},
                 "key_figures": {fid: H | {"suppressed": false, "n", "share",
                                           "reference", "position"}}}},
             "zone": None | {"safety_instrument", "focus_instrument", "safety",
                             "safety_ci95", "focus", "focus_ci95", "split", "zone",
                             "safety_uncertain", "focus_uncertain"},
             "comments": {item id: H | {"suppressed": false, "texts": [indices into
                                                                     "texts"]}}}

    change = {"previous", "n_before", "mean_before", "difference", "ci95", "t", "df",
              "p", "hedges_g", "real", "reading": "real" | "indicative"}

``group(data, unit, scope)`` and ``comment_texts(data, block)`` read it. A bipolar scale (guldkorn's Krav: good is the middle) has no mean, SD or CI, only its
bands, the dominant band and that band's consequence, and takes part in no change,
correlation or heat map. Numbers are unrounded; undefined ones are ``None``.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import math
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt

from tryghed.core import scoring, statistics, suppression, waves
from tryghed.core.instruments import Instrument, Item, KeyFigure, Scale

__all__ = [
    "ORGANISATION",
    "SCHEMA",
    "Answers",
    "Measured",
    "Minimums",
    "Report",
    "Tree",
    "build",
    "build_tree",
    "comment_texts",
    "group",
    "no_cycle_collection",
    "report_units",
    "unit_name",
]

# 2: closed measurements only, over the frozen tree, with unit names; waves from the
# earlier publication; key figures over their scale's people.
# 3: the same shape under stricter hiding: an item's distribution decided on its scored
# answers too (419e166), a pooled scale hidden where a scale inside it is (a9853a9), alpha
# and key drivers on at least the minimum of complete cases (4b03365, 5324ceb, b9d9dcc),
# rwg(j) and key figures not shown in a group beside a hidden item of theirs (red team).
# A publication stored under 2 is never rebuilt: it is tightened to these rules, hiding
# only (core.tighten, results.aggregates).
# 4: a person-score scale hidden in every group where an item of it with answers is hidden
# (_scale_with_its_items; red team: its mean and SD gave a hidden item's answers back),
# and a follow-up question where the item it follows is (_follow_ups_over_shown_items).
# Schema 3 was stored for minutes of development only, before the rwg(j) and key-figure
# rules landed; 2 and 3 are tightened alike.
# 5: a figure under a higher minimum (sensitive items, comments) shown only where the score
# minimum's decision on the same counts shows it (_Decider's floor; red team), and a
# free-text follow-up's comments hidden where the item it follows is
# (_texts_over_hidden_items). (The engine's choice weighed by what a hide costs, a215744,
# is a choice among safe ones, not a rule.)
# 6: figures decided apart that a reader may take for the same people (the same n in a
# group) give no small group together: on their true counts per unit, and as they look
# (_Decider.joint_hides; red team with the stronger audit).
# 7: the same on true counts once more per higher minimum, over the figures under it alone
# (two sensitive tick-all items apart only outside a leader's view; red team).
# 8: the participation rows' answered counts taken as one more figure that the joint rule
# respects and cannot hide (_Decider.respect; red team).
# 9: a region of such a row that no subgroup closes alone, the row's group not one the
# publication can hide, is closed too (a subgroup joins it, round by round); 8 left it.
SCHEMA = 9

JsonDict = dict[str, Any]
GroupKey = tuple[str, ...]
FloatArray = npt.NDArray[np.float64]
_T = TypeVar("_T")
_P = ParamSpec("_P")
IntArray = npt.NDArray[np.intp]

ORGANISATION: GroupKey = ("organisation",)
# Bootstrap work for the key drivers, in resampled values (rows x columns): 1,000
# resamples up to about 8,500 complete respondents, then fewer, at least 100, so a large
# organisation's report stays in seconds; its intervals are narrow anyway.
_DRIVER_BOOT_BUDGET = 60_000_000
_DRIVER_BOOT_RANGE = (100, 1000)
# --------------------------------------------------------------------------- the unit tree


@dataclass(frozen=True)
class Tree:
    """The report's units (the atoms) and its groups.

    ``slot`` maps every reported group key to the index of its distinct set of atoms: a
    unit without children in the report has the same atoms in both scopes, and with one
    top unit the organisation is that unit's subtree; such groups share one decision.
    """

    units: tuple[str, ...]
    index: Mapping[str, int]
    parent: Mapping[str, str | None]
    children: Mapping[str, tuple[str, ...]]
    path: Mapping[str, str]
    depth: Mapping[str, int]
    in_scope: frozenset[str]
    slot: Mapping[GroupKey, int]
    members: tuple[tuple[int, ...], ...]  # per slot: atom indices
    engine_groups: tuple[suppression.Group, ...]  # per slot, keyed by its first group key
    # Slots whose figures are never shown (``build_tree(..., organisation=False)``): decided
    # on the minimum alone, and no constraint on what the shown groups reveal.
    unpublished: frozenset[int] = frozenset()

    @property
    def n_atoms(self) -> int:
        return len(self.units)

    @property
    def n_slots(self) -> int:
        return len(self.members)

    def groups(self, atom: IntArray) -> scoring.Groups:
        return scoring.Groups.from_members(atom, self.n_atoms, self.members)


def report_units(tree: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, int, bool]]:
    """(pk, path, depth, in scope) of the frozen tree's units, in path order. A tree frozen
    before "in_scope" was stored counts every unit as in scope."""
    rows = [
        (int(u["id"]), str(u["path"]), int(u["depth"]), bool(u.get("in_scope", True))) for u in tree
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def build_tree(rows: Sequence[tuple[int, str, int, bool]], *, organisation: bool = True) -> Tree:
    """The report's groups over the frozen units. ``organisation=False`` (``tryghed
    score``, whose output lists units and subtrees only) keeps the whole-measurement
    group for the measurement-level figures but leaves it out of suppression, unless it is
    a reported group anyway (one top unit's subtree): a group nobody sees need not be
    protected, and protecting it could hide a shown unit for nothing."""
    units = tuple(str(pk) for pk, _, _, _ in rows)
    present = set(units)
    path = {str(pk): p for pk, p, _, _ in rows}
    parent: dict[str, str | None] = {}
    for unit in units:
        ancestors = [a for a in path[unit].strip("/").split("/")[:-1] if a]
        parent[unit] = next((a for a in reversed(ancestors) if a in present), None)
    children: dict[str, list[str]] = {u: [] for u in units}
    for unit in units:
        p = parent[unit]
        if p is not None:
            children[p].append(unit)
    index = {u: i for i, u in enumerate(units)}
    subtree: dict[str, frozenset[int]] = {}
    for unit in reversed(units):  # path order: every child after its parent
        subtree[unit] = frozenset({index[unit]}).union(*(subtree[c] for c in children[unit]))

    slot_of_atoms: dict[frozenset[int], int] = {}
    slot: dict[GroupKey, int] = {}
    members: list[tuple[int, ...]] = []
    engine: list[suppression.Group] = []

    def add(key: GroupKey, atoms: frozenset[int]) -> None:
        if atoms not in slot_of_atoms:
            slot_of_atoms[atoms] = len(members)
            members.append(tuple(sorted(atoms)))
            engine.append(suppression.Group(key, frozenset(units[a] for a in atoms)))
        slot[key] = slot_of_atoms[atoms]

    for unit in units:
        add(("unit", unit), frozenset({index[unit]}))
        add(("subtree", unit), subtree[unit])
    everyone = frozenset(range(len(units)))
    reported = everyone in slot_of_atoms
    add(ORGANISATION, everyone)
    unpublished = frozenset() if organisation or reported else frozenset({slot[ORGANISATION]})
    return Tree(
        units=units,
        index=index,
        parent=parent,
        children={u: tuple(c) for u, c in children.items()},
        path=path,
        depth={str(pk): d for pk, _, d, _ in rows},
        in_scope=frozenset(str(pk) for pk, _, _, s in rows if s),
        slot=slot,
        members=tuple(members),
        engine_groups=tuple(engine),
        unpublished=unpublished,
    )


def _slot_structure(
    tree: Tree,
) -> tuple[npt.NDArray[np.int64], list[npt.NDArray[np.int64]], npt.NDArray[np.int64]]:
    """The slots as one laminar family: each slot's smallest strictly larger slot (the
    sentinel ``n_slots`` for none), the slots level by level from the top, and each atom's
    smallest slot (its unit's own respondents)."""
    n_slots = tree.n_slots
    parent = np.full(n_slots, n_slots, dtype=np.int64)
    organisation = tree.slot[ORGANISATION]
    for unit in tree.units:
        own, below = tree.slot[("unit", unit)], tree.slot[("subtree", unit)]
        if own != below:
            parent[own] = below
        up = tree.parent[unit]
        target = tree.slot[("subtree", up)] if up is not None else organisation
        if target != below:
            parent[below] = target
    depth = np.full(n_slots, -1, dtype=np.int64)
    order = sorted(range(n_slots), key=lambda s: -len(tree.members[s]))
    for s in order:  # every larger slot first
        depth[s] = 0 if parent[s] == n_slots else depth[parent[s]] + 1
    levels = [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1)]
    lowest = np.array([tree.slot[("unit", unit)] for unit in tree.units], dtype=np.int64)
    return parent, levels, lowest


def _shown_counts(
    data: JsonDict, n_slots: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], list[tuple[str, ...]]]:
    """Per figure of a built publication (each scale, item, key figure and comment block):
    the slots that show it and its n there, as the anonymity audit reads them, and which
    figure each row is: (instrument id, "scales" | "items" | "key_figures", id) or
    ("text", item id)."""
    figures: list[tuple[str, ...]] = []
    # Per (instrument id, kind), or ("text", "") for comments: figure id -> row.
    row_of: dict[tuple[str, str], dict[str, int]] = {}
    cell_row: list[int] = []
    cell_group: list[int] = []
    cell_n: list[int] = []
    texts = row_of.setdefault(("text", ""), {})
    for g, group in enumerate(data["groups"]):
        if group.get("suppressed"):
            continue
        for iid, block in group["instruments"].items():
            for kind in ("scales", "items", "key_figures"):
                records = block.get(kind)
                if not records:
                    continue
                rows = row_of.setdefault((iid, kind), {})
                for fid, record in records.items():
                    if record.get("suppressed") or (n := record.get("n")) is None:
                        continue
                    row = rows.get(fid)
                    if row is None:
                        row = rows[fid] = len(figures)
                        figures.append((iid, kind, fid))
                    cell_row.append(row)
                    cell_group.append(g)
                    cell_n.append(n)
        for item_id, comments in group.get("comments", {}).items():
            if not comments.get("suppressed"):
                row = texts.get(item_id)
                if row is None:
                    row = texts[item_id] = len(figures)
                    figures.append(("text", item_id))
                cell_row.append(row)
                cell_group.append(g)
                cell_n.append(len(comments.get("texts", ())))
    shown = np.zeros((len(figures), n_slots), dtype=np.bool_)
    counts = np.zeros((len(figures), n_slots), dtype=np.int64)
    shown[cell_row, cell_group] = True
    counts[cell_row, cell_group] = np.asarray(cell_n).astype(np.int64)
    return shown, counts, figures


def _figure_minimums(data: JsonDict, figures: Sequence[tuple[str, ...]]) -> npt.NDArray[np.int64]:
    """Each figure's minimum (``_shown_counts``'s rows), from the publication's metadata."""
    score = int(data["minimums"]["score"])
    out: list[int] = []
    for figure in figures:
        if figure[0] == "text":
            out.append(int(data["minimums"]["comment"]))
            continue
        meta = data["instruments"].get(figure[0], {}).get(figure[1], {}).get(figure[2], {})
        out.append(max(int(meta.get("minimum", score)), score))
    return np.array(out, dtype=np.int64)


def alike_figures_hidden(data: JsonDict, hide: Callable[[], JsonDict]) -> None:
    """Hide, in a stored publication (``core.tighten``, once its answers are gone), what
    figures that look alike give away together (``_apparent_hides``), until nothing is:
    each chosen figure's record in the chosen group becomes ``hide()``."""
    units = data["units"]
    rows = sorted(
        (
            (int(uid), str(entry["path"]), int(entry["depth"]), bool(entry.get("in_scope", True)))
            for uid, entry in units.items()
        ),
        key=lambda row: (row[1], row[0]),
    )
    tree = build_tree(rows)
    aligned = tree.n_slots == len(data["groups"]) and all(
        tree.slot[("unit", uid)] == int(entry["unit"])
        and tree.slot[("subtree", uid)] == int(entry["subtree"])
        for uid, entry in units.items()
    )
    if not aligned:
        raise ValueError("the stored groups are not the slots of the stored unit tree")
    parent, levels, _ = _slot_structure(tree)
    size = np.array([len(m) for m in tree.members], dtype=np.int64)
    floor = int(data["minimums"]["score"])
    while True:
        shown, counts, figures = _shown_counts(data, tree.n_slots)
        chosen = _apparent_hides(
            shown, counts, parent, levels, floor, size, _figure_minimums(data, figures)
        )
        if not chosen:
            return
        for row, g in chosen:
            figure = figures[row]
            group = data["groups"][g]
            if figure[0] == "text":
                group["comments"][figure[1]] = hide()
            else:
                group["instruments"][figure[0]][figure[1]][figure[2]] = hide()


def _apparent_hides(
    shown: npt.NDArray[np.bool_],
    group_n: npt.NDArray[np.int64],
    parent: npt.NDArray[np.int64],
    levels: Sequence[npt.NDArray[np.int64]],
    floor: int,
    size: npt.NDArray[np.int64],
    minimum: npt.NDArray[np.int64] | None = None,
) -> list[tuple[int, int]]:
    """(figure, group) pairs to hide so that figures a reader may take for the same people,
    true or not, give no small count together: figures whose n agree in every group both
    show (and that share one) are one set of people to the reader (the anonymity audit's
    premise, core.disclosure), whose count in each group is the one shown. A region of
    their groups together holding 1 to their lowest ``minimum`` - 1 by those counts (or
    ``floor`` - 1 without one) is one the audit reports, and the reader cannot tell it
    from a true one: it is closed in those of the figures that show the group chosen to
    go. So is a negative one: the set is then not one set of people, but a pair in it may
    be."""
    n_keys, n_slots = shown.shape
    if n_keys < 2:
        return []
    # Union-find over the figures that agree wherever both show a group.
    root = list(range(n_keys))

    def find(k: int) -> int:
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    # Each class's count per group (-1: none shown); a union that would give a group two
    # counts is refused (the reader sees they are not the same people), and the pair is
    # then checked on its own.
    value = np.where(shown, group_n, -1)
    refused: list[list[int]] = []
    for j in range(n_keys):
        both = shown[j][None, :] & shown[j + 1 :]
        agree = ~(both & (group_n[j][None, :] != group_n[j + 1 :])).any(axis=1)
        for k in (np.flatnonzero(agree & both.any(axis=1)) + j + 1).tolist():
            a, b = find(j), find(k)
            if a == b:
                continue
            known = (value[a] >= 0) & (value[b] >= 0)
            if (value[a][known] != value[b][known]).any():
                refused.append([j, k])
                continue
            root[b] = a
            value[a] = np.maximum(value[a], value[b])
    classes: dict[int, list[int]] = {}
    for k in range(n_keys):
        classes.setdefault(find(k), []).append(k)
    hide: list[tuple[int, int]] = []
    for members in [*classes.values(), *refused]:
        if len(members) < 2:
            continue
        together = shown[members].any(axis=0)
        count = np.full(n_slots, -1, dtype=np.int64)
        for k in members:
            count = np.where(shown[k], group_n[k], count)
        # Each shown group's count less its largest shown subgroups' counts.
        nearest = np.full(n_slots + 1, -1, dtype=np.int64)
        for level in levels:
            nearest[level] = np.where(together[level], level, nearest[parent[level]])
        above = np.where(together, nearest[parent], -1)
        region = count.copy()
        inner = np.flatnonzero(together & (above >= 0))
        np.subtract.at(region, above[inner], count[inner])
        # A negative region shows the class is not one set of people, but a pair inside
        # it may be (red team: 8 - 6 - 5 = -3 hid 8 - 6 = 2): closed too.
        lowest = int(minimum[members].min()) if minimum is not None else floor
        small = np.flatnonzero(together & (region != 0) & (region < lowest))
        if not small.size:
            continue
        g = int(small[np.argmin(size[small])])
        # As in ``_Decider.joint_hides``: the group, or one of its largest shown subgroups
        # with a region of at least the minimum, whichever fewer of the figures show; the
        # top only when nothing else closes it.
        candidates = [] if above[g] < 0 else [g]
        candidates += np.flatnonzero(together & (above == g) & (region >= lowest)).tolist()
        if not candidates:
            candidates = [g]
        showing = {t: [k for k in members if shown[k, t]] for t in candidates}
        chosen = min(candidates, key=lambda t: (len(showing[t]), size[t], t))
        hide += [(k, chosen) for k in showing[chosen]]
    return hide


class _Decider:
    """One suppression decision per slot for a per-atom count and a minimum.

    Asks the engine once per distinct (minimum, counts): items answered by everyone share
    their scale's counts. The groups are the same for every call, so the engine's plan for
    them is prepared once.

    ``floor`` (the score minimum): a count decided under a higher minimum (sensitive items,
    comments) is shown only where the floor's decision on the same counts shows it too.
    Figures over the same people under two minimums (risk5's workload and its krænkende
    handlinger, answered by everyone) are hidden apart: under 10 a team of ten was shown
    and the subtree above it hidden, under 5 the other way round, and the reader who saw
    the same n wherever both were shown took the subtree's 12 minus the team's 10 for the
    two beside it (red team, tests/privacy/test_redteam_weighted_sensitive_minimum.py).
    Shown where the floor's decision shows the group, every figure on those counts lies
    in that one safe family; the higher minimum's own family is safe for it, and so is
    the part of it the floor's keeps (a region of the common part is a union of regions
    of the higher one's).
    """

    def __init__(self, tree: Tree, floor: int | None = None) -> None:
        self._tree = tree
        self._floor = floor
        self._memo: dict[tuple[int, bytes], list[suppression.Decision]] = {}
        self._plan = suppression.prepare(
            [g for s, g in enumerate(tree.engine_groups) if s not in tree.unpublished]
        )
        self._published_slots = np.asarray(
            [s for s in range(tree.n_slots) if s not in tree.unpublished], dtype=np.intp
        )
        # The plan takes the counts of its atoms (unit ids) in its own order.
        self._atom_order = np.asarray(
            [tree.index[str(unit)] for unit in self._plan.atoms], dtype=np.intp
        )
        # Per (minimum, counts): the slots ``joint_hides`` hid on top of the decision.
        self._blocked: dict[tuple[int, bytes], npt.NDArray[np.bool_]] = {}
        self._restricted: dict[tuple[int, bytes], list[suppression.Decision]] = {}
        self._atom_counts: dict[tuple[int, bytes], npt.NDArray[np.int64]] = {}
        # How many figures asked for each decision: what hiding a group in it costs.
        self._uses: dict[tuple[int, bytes], int] = {}
        # Decisions whose hidden groups hide a scale's there too (its items'): the scale's.
        self._carries: dict[tuple[int, bytes], set[tuple[int, bytes]]] = {}
        # Counts of respondents the reader sees beside the figures, which the rule must
        # respect and cannot hide (``respect``): per slot shown and n, and per atom.
        self._seen: (
            tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.int64]] | None
        ) = None

    def respect(
        self,
        shown: npt.NDArray[np.bool_],
        n: npt.NDArray[np.int64],
        atom_counts: npt.NDArray[np.int64],
    ) -> None:
        """Counts of the respondents of groups that a reader sees elsewhere, decided
        elsewhere (the participation rows' answered counts: ``shown`` per slot, with ``n``
        there, of ``atom_counts`` per atom): ``joint_hides`` takes them as one more figure
        that the publication's figures must not give small groups with, and closes every
        region in the publication's own figures."""
        self._seen = (
            np.asarray(shown, dtype=np.bool_),
            np.asarray(n, dtype=np.int64),
            np.asarray(atom_counts, dtype=np.int64),
        )

    def decide(
        self, atom_counts: npt.ArrayLike, min_size: int, extra: npt.ArrayLike | None = None
    ) -> list[suppression.Decision]:
        """``extra``: per slot, what else is lost where the slot is hidden
        (``suppression.Plan.decide``); unpublished slots' extras are ignored.

        One decision per (minimum, counts): the first one asked for, with or without
        ``extra``, is the one every later figure with the same counts gets. Figures with
        the same n in every group are, for a reader, likely the same people (an item and
        the distribution of its answers, two items the same people answered), so they
        must show one safe family between them: two safe decisions for the same counts
        can together leave a group of 1 to minimum - 1 derivable (a team shown in one and
        the subtree above it in the other). Before, an item weighed with its scale's cost
        could be decided differently from a figure with the same counts decided without
        it, or from an item of the same scale with the same counts weighed after the
        scale had lost a group."""
        counts_array = np.ascontiguousarray(np.asarray(atom_counts), dtype=np.int64)
        key = (min_size, counts_array.tobytes())
        self._uses[key] = self._uses.get(key, 0) + 1
        restricted = self._restricted.get(key)
        if restricted is not None:
            return restricted
        if key not in self._memo:
            self._memo[key] = self._decided(counts_array, min_size, extra)
            self._atom_counts[key] = counts_array
        decisions = self._memo[key]
        blocked = self._blocked.get(key)
        if blocked is not None:
            decisions = [
                d
                if not d.shown or not blocked[s]
                else suppression.Decision(False, "complementary", d.n)
                for s, d in enumerate(decisions)
            ]
        self._restricted[key] = decisions
        return decisions

    def _decided(
        self, counts_array: npt.NDArray[np.int64], min_size: int, extra: npt.ArrayLike | None
    ) -> list[suppression.Decision]:
        """The engine's decisions for one (minimum, counts), with the floor rule."""
        published: npt.NDArray[np.int64] | None = None
        if extra is not None:
            published = np.asarray(extra, dtype=np.int64)[self._published_slots]
            if not published.any():
                published = None  # nothing weighs more: the plain decision
        decisions = self._engine(counts_array, min_size, published)
        if self._floor is not None and min_size > self._floor:
            floor_key = (self._floor, counts_array.tobytes())
            if floor_key not in self._memo:
                self._memo[floor_key] = self._decided(counts_array, self._floor, None)
                self._atom_counts[floor_key] = counts_array
            floor = self._memo[floor_key]
            decisions = [
                d if not d.shown or f.shown else suppression.Decision(False, "complementary", d.n)
                for d, f in zip(decisions, floor, strict=True)
            ]
        return decisions

    def carries(self, item: tuple[int, npt.ArrayLike], scale: tuple[int, npt.ArrayLike]) -> None:
        """Where the decision for ``item`` (minimum, counts) hides a group, the scale
        decided on ``scale`` is hidden too (``_scale_with_its_items``): hiding a group in
        the item's decision costs the scale's figures as well (``joint_hides``)."""
        key = (item[0], np.ascontiguousarray(np.asarray(item[1]), dtype=np.int64).tobytes())
        over = (scale[0], np.ascontiguousarray(np.asarray(scale[1]), dtype=np.int64).tobytes())
        if key != over:
            self._carries.setdefault(key, set()).add(over)

    def joint_hides(self, published_figures: JsonDict | None = None) -> bool:
        """Hide the groups that figures decided apart would give away together; True when
        it hid any (the figures must then be decided again).

        A reader takes two figures with the same n in a group for the same people there
        (an item everyone answered and a scale of another questionnaire; privacy.md
        section 0's reader remembers both). Each figure's own groups are safe for its
        counts, but one figure's team beside another's subtree left the subtree's own few
        people as the difference (red team with the stronger audit, tests/privacy/
        test_redteam_same_people.py: Hjemmeplejen Nord's 3 in the demo). So for every
        figure decided so far (each distinct minimum and counts), the groups it shows and
        the groups any other figure shows with the same count there form one family, and
        each region of that family (a group minus its largest shown subgroups; every set
        the reader can derive from it is a union of regions) must hold none or at least
        the score minimum of the figure's people: the reader's subtraction gives a count,
        and the figure's own decision already protects its sums. The same again for each
        higher minimum m (sensitive items, comments), over the figures under m or more
        alone, judged by m: two sensitive tick-all items that differ only in a unit a
        leader does not see agree in everything the leader sees, who takes one's 15
        minus the other's 10 for 5 people who ticked (red team, tests/privacy/
        test_redteam_view_alike.py). These checks run on true counts, so they hold in
        every reader's view: a narrower view's regions are unions of these. A region
        below that is closed by hiding, in the figures that show it with that count (at
        its tier), its group or one of its largest shown subgroups, whichever costs fewer
        figures (the organisation only when it has no shown subgroup left), until none is
        left. Then the same for the figures of ``published_figures`` (the publication
        built with these decisions) that only look alike (``_apparent_hides``): a group
        hidden there is hidden in every decision that shows it with that count. Hiding
        only ever merges regions, so every figure's own decision stays safe."""
        if self._floor is None or not self._memo:
            return False
        floor = self._floor
        tree = self._tree
        n_slots = tree.n_slots
        keys = list(self._memo)
        decided = np.array([[d.shown for d in self._memo[k]] for k in keys], dtype=np.bool_)
        group_n = np.array([[d.n for d in self._memo[k]] for k in keys], dtype=np.int64)
        atoms = np.stack([self._atom_counts[k] for k in keys])
        blocked = np.zeros((len(keys), n_slots), dtype=np.bool_)
        for row, key in enumerate(keys):
            if key in self._blocked:
                blocked[row] = self._blocked[key]
        published = np.ones(n_slots, dtype=np.bool_)
        published[list(tree.unpublished)] = False
        organisation = tree.slot[ORGANISATION]
        parent, levels, lowest = _slot_structure(tree)
        size = np.array([len(m) for m in tree.members], dtype=np.int64)
        uses = np.array([self._uses.get(k, 1) for k in keys], dtype=np.int64)
        row_of = {k: row for row, k in enumerate(keys)}
        carried = [[row_of[c] for c in self._carries.get(k, ()) if c in row_of] for k in keys]
        key_minimum = np.array([k[0] for k in keys], dtype=np.int64)
        if self._seen is not None:
            # The counts seen elsewhere: one more row, judged by the floor, never hidden.
            other_shown, other_n, other_atoms = self._seen
            decided = np.vstack([decided, other_shown[None, :]])
            group_n = np.vstack([group_n, other_n[None, :]])
            atoms = np.vstack([atoms, other_atoms[None, :]])
            blocked = np.vstack([blocked, np.zeros((1, n_slots), dtype=np.bool_)])
            uses = np.append(uses, 0)
            carried.append([])
            key_minimum = np.append(key_minimum, floor)
        hideable = np.arange(decided.shape[0]) < len(keys)
        rows = np.repeat(np.arange(decided.shape[0]), len(lowest)).reshape(decided.shape[0], -1)
        hid = False
        tiers = self._tiers({k[0] for k in keys})
        tier_index = 0
        while True:
            shown = decided & ~blocked & published[None, :]
            # Each figure's family: its own groups, and others' groups with its count there;
            # at a tier above the floor, of the figures under that minimum or a higher one.
            tier = tiers[tier_index]
            member = key_minimum >= tier
            shown_t = shown & member[:, None]
            code = np.arange(n_slots, dtype=np.int64)[None, :] * (int(group_n.max()) + 1) + group_n
            family = (shown_t | np.isin(code, code[shown_t])) & member[:, None]
            # The nearest group of the family at or above each slot (-1: none); the
            # sentinel column n_slots stands for "above the top".
            nearest = np.full((decided.shape[0], n_slots + 1), -1, dtype=np.int64)
            for level in levels:
                nearest[:, level] = np.where(
                    family[:, level], level[None, :], nearest[:, parent[level]]
                )
            owner = nearest[:, lowest]  # per figure and atom: the group whose region it is in
            inside = owner >= 0
            region = np.zeros((decided.shape[0], n_slots), dtype=np.int64)
            np.add.at(region, (rows[inside], owner[inside]), atoms[inside])
            small = family & (region > 0) & (region < tier)
            hide: list[tuple[int, int]] = []
            for k in np.flatnonzero(small.any(axis=1)).tolist():
                slots = np.flatnonzero(small[k])
                g = int(slots[np.argmin(size[slots])])
                # The region closes when its group goes, or when one of its largest shown
                # subgroups joins it with enough people. Of those, the one that costs fewer
                # figures (those showing it with this count, and the scales their items
                # hide with them); the organisation's total, the figure everyone reads,
                # only when it has no shown subgroup left.
                # The family's groups whose nearest family group above is g (its largest
                # shown subgroups), in slot order.
                in_family = np.flatnonzero(family[k])
                below = in_family[(in_family != g) & (nearest[k, parent[in_family]] == g)].tolist()
                closing = [t for t in below if region[k, t] + region[k, g] >= tier]
                if g == organisation:
                    # Never the organisation while a subgroup can go: one that closes the
                    # region, else the one that brings the most people into it.
                    candidates = closing or (
                        [max(below, key=lambda t: (int(region[k, t]), -t))] if below else [g]
                    )
                else:
                    candidates = [g, *closing]
                # Per candidate: every figure that shows it with this figure's count there,
                # and what hiding it there costs (with the scales their items hide).
                showing = {
                    t: shown_t[:, t] & (group_n[:, t] == group_n[k, t]) & hideable
                    for t in candidates
                }
                # Only where a figure of the publication can go (the counts seen elsewhere
                # cannot; a region of theirs alone is their own rule's).
                candidates = [t for t in candidates if showing[t].any()]
                if not candidates:
                    # The group is shown only by the counts seen elsewhere and no subgroup
                    # closes the region alone (a row of 17 over a subtree of 15 whose own
                    # region is 0: red team, tests/privacy/test_redteam_waves_reorg.py):
                    # the publication's subgroup that brings the most people joins it,
                    # and the next round goes on until the region closes.
                    joining = {
                        t: shown_t[:, t] & (group_n[:, t] == group_n[k, t]) & hideable
                        for t in below
                    }
                    below = [t for t in below if joining[t].any()]
                    if not below:
                        continue
                    candidates = [max(below, key=lambda t: (int(region[k, t]), -t))]
                    showing = {candidates[0]: joining[candidates[0]]}

                costs: dict[int, int] = {}
                for t in candidates:
                    rows_t = np.flatnonzero(showing[t]).tolist()
                    over = {c for j in rows_t for c in carried[j] if shown[c, t]} - set(rows_t)
                    costs[t] = int(uses[rows_t].sum()) + sum(int(uses[c]) for c in over)
                chosen = min(candidates, key=lambda t: (costs[t], size[t], t))
                hide += [(j, chosen) for j in np.flatnonzero(showing[chosen]).tolist()]
            if not hide:
                if tier_index + 1 < len(tiers):
                    tier_index += 1
                    continue
                break
            for k, g in hide:
                blocked[k, g] = True
            hid = True
            tier_index = 0
        if published_figures is not None and not hid:
            seen_shown, seen_n, seen = _shown_counts(published_figures, n_slots)
            seen_shown &= published[None, :]
            seen_minimum = _figure_minimums(published_figures, seen)
            for row, g in _apparent_hides(
                seen_shown, seen_n, parent, levels, floor, size, seen_minimum
            ):
                same = decided[:, g] & ~blocked[:, g] & (group_n[:, g] == seen_n[row, g])
                same &= hideable
                if same.any():
                    blocked[same, g] = True
                    hid = True
        if hid:
            for row, key in enumerate(keys):
                self._blocked[key] = blocked[row].copy()
            self._restricted.clear()
        return hid

    def _tiers(self, minimums: set[int]) -> list[int]:
        """The minimums ``joint_hides`` judges regions by, the floor first: each higher
        one over the figures under it or more alone."""
        assert self._floor is not None
        return [self._floor, *sorted(m for m in minimums if m > self._floor)]

    def _engine(
        self,
        counts_array: npt.NDArray[np.int64],
        min_size: int,
        published: npt.NDArray[np.int64] | None,
    ) -> list[suppression.Decision]:
        """The engine's decisions for one (minimum, counts, extra)."""
        planned = iter(self._plan.decide(counts_array[self._atom_order], min_size, published))
        decisions: list[suppression.Decision] = []
        for s in range(self._tree.n_slots):
            if s in self._tree.unpublished:
                n = int(counts_array[list(self._tree.members[s])].sum())
                shown = n >= min_size
                reason: suppression.Reason | None = None if shown else "below_minimum"
                decisions.append(suppression.Decision(shown, reason, n))
            else:
                decisions.append(next(planned))
        return decisions


@dataclass
class Answers:
    """One measurement's responses, as code matrices per instrument and per-atom tallies."""

    atom: IntArray  # per response; -1 for a unit outside the report
    codes: dict[str, FloatArray]  # instrument id -> n x N option codes, NaN = no answer
    multi_n: dict[str, IntArray]  # multi item id -> per atom: people who ticked an option
    multi_counts: dict[str, IntArray]  # multi item id -> atoms x options
    texts: dict[str, list[tuple[int, str]]]  # text item id -> (atom, text)
    responses: IntArray  # per atom: responses

    @property
    def n(self) -> int:
        return int(self.atom.shape[0])


def _score(instrument: Instrument, codes: FloatArray) -> scoring.ScoredAnswers:
    """Person scores; a stored code that is no option of its item counts as no answer (the
    survey validates answers, so only a damaged row has one)."""
    try:
        return scoring.score_persons(instrument, codes)
    except ValueError:
        cleaned = codes.copy()
        for row, number, _ in scoring.invalid_answers(instrument, cleaned):
            cleaned[row, number - 1] = np.nan
        return scoring.score_persons(instrument, cleaned)


# --------------------------------------------------------------------------- one wave


@dataclass
class _InstrumentFigures:
    instrument: Instrument
    scored: scoring.ScoredAnswers
    scales: dict[str, scoring.ScaleFigures]
    scale_decisions: dict[str, list[suppression.Decision]]
    # (scale id, item number) -> the item's decisions on its scored answers among the
    # scale's people, chosen with the scale's cost (``_scale_with_its_items``); the item's
    # own figures use these, so the scale and its items rest on one decision.
    item_scored: dict[tuple[str, int], list[suppression.Decision]] = field(default_factory=dict)


@dataclass
class Minimums:
    score: int
    comment: int
    sensitive: int

    @classmethod
    def chosen(
        cls, score: int | None = None, comment: int | None = None, sensitive: int | None = None
    ) -> Minimums:
        """The minimums from an organisation's choices (None: the default); comment and
        sensitive minimums are never below the score minimum."""
        at_least = suppression.minimum_group_size("score", score)
        return cls(
            score=at_least,
            comment=max(suppression.minimum_group_size("comment", comment), at_least),
            sensitive=max(suppression.minimum_group_size("sensitive", sensitive), at_least),
        )

    def for_items(self, items: Iterable[Item]) -> int:
        """Sensitive items (krænkende handlinger, vold) use the higher minimum."""
        return self.sensitive if any(item.sensitive for item in items) else self.score


def _scale_items(instrument: Instrument, scale: Scale) -> list[Item]:
    return [instrument.item(n) for n in scale.items]


def _figures(
    instrument: Instrument,
    codes: FloatArray,
    groups: scoring.Groups,
    decider: _Decider,
    minimums: Minimums,
    scale_ids: Iterable[str] | None = None,
) -> _InstrumentFigures:
    scored = _score(instrument, codes)
    wanted = [s for s in instrument.scales if scale_ids is None or s.id in scale_ids]
    scales = {s.id: scoring.scale_figures(scored, s.id, groups) for s in wanted}
    return _decided(instrument, scored, scales, decider, minimums)


def _decided(
    instrument: Instrument,
    scored: scoring.ScoredAnswers,
    scales: dict[str, scoring.ScaleFigures],
    decider: _Decider,
    minimums: Minimums,
) -> _InstrumentFigures:
    """The scales' decisions over their scored figures (``_figures``; again, unscored,
    when the decider has hidden more: ``Report.build``)."""
    wanted = [s for s in instrument.scales if s.id in scales]
    decisions = {
        s.id: decider.decide(scales[s.id].atom_n, minimums.for_items(_scale_items(instrument, s)))
        for s in wanted
    }
    item_scored: dict[tuple[str, int], list[suppression.Decision]] = {}
    for scale in wanted:
        if scale.aggregate == "pooled":
            decisions[scale.id] = _pooled_with_its_parts(scale, wanted, decisions)
        else:
            decisions[scale.id] = _scale_with_its_items(
                instrument,
                scale,
                scales[scale.id],
                decisions[scale.id],
                decider,
                minimums,
                item_scored,
            )
    return _InstrumentFigures(instrument, scored, scales, decisions, item_scored)


def _scale_with_its_items(
    instrument: Instrument,
    scale: Scale,
    figures: scoring.ScaleFigures,
    own: list[suppression.Decision],
    decider: _Decider,
    minimums: Minimums,
    item_scored: dict[tuple[str, int], list[suppression.Decision]],
) -> list[suppression.Decision]:
    """A person-score scale's decisions, hidden (complementary) in every group where one of
    its items has scored answers from the scale's people but is hidden on their count (too
    few gave one there, or the engine hid it by difference).

    A person's score is the mean of the items they answered, so beside the shown items the
    scale's mean and SD carry the hidden item's answers: in a ps7 team of six who all said
    "Meget enig" to six items, the two who answered item 3 said "Meget enig" and "Meget
    uenig", and the team's mean and SD gave that back (red team,
    tests/privacy/test_redteam_scale_mean_hidden_item.py). It is exact only where the
    shown items' answers are alike, but it is a figure about fewer than the minimum.
    Hidden wherever such an item is, the scale cannot be had from other groups either, by
    the argument for vz-maturity's pooled total (``_pooled_with_its_parts``): a
    combination of shown groups that made this group's people would make the item's
    answers from the same groups' item figures, all shown there, which the engine's
    decisions for the item rule out. The item's count is the one its own figures are
    decided on (``_Figures._choice_item``, same decider, so the same decisions).

    Which groups hide such an item by difference is the engine's choice, and hiding it
    where the scale is shown costs the scale there too, and the figures counted over the
    scale's people (``_one_set_of_people``). So an item that lies in this scale alone is
    decided with that cost on every group where the scale is still shown
    (``suppression.Plan.decide``'s ``extra``): of the safe choices, the one that loses
    least in all. The item's own figures then use the same decisions (``item_scored``,
    filled here); an item in more than one scale keeps the plain decision, the one every
    scale it is in sees."""
    out = own
    # Lost with the scale in one group, besides the item itself: the scale and the other
    # figures over its people.
    over_people = sum(
        1 for item in instrument.items if _population_scale(instrument, item) is scale
    ) + sum(1 for f in instrument.key_figures if _key_figure_population(instrument, f) is scale)
    also_lost = 1 + max(over_people - 1, 0)
    for column, number in enumerate(scale.items):
        item = instrument.item(number)
        if not item.scored:
            continue
        minimum = minimums.for_items([item])
        counts = figures.atom_item_n[:, column]
        if sum(1 for s in instrument.scales if number in s.items) == 1:
            extra = np.asarray([also_lost if d.shown else 0 for d in out], dtype=np.int64)
            item_decisions = decider.decide(counts, minimum, extra)
            item_scored[(scale.id, number)] = item_decisions
        else:
            item_decisions = decider.decide(counts, minimum)
        decider.carries(
            (minimum, counts), (minimums.for_items(_scale_items(instrument, scale)), figures.atom_n)
        )
        item_n = figures.item_n[:, column]
        for g, decision in enumerate(out):
            if decision.shown and item_n[g] > 0 and not item_decisions[g].shown:
                if out is own:
                    out = list(own)  # the decider's lists are shared: never changed in place
                out[g] = suppression.Decision(False, "complementary", decision.n)
    return out


def _pooled_with_its_parts(
    scale: Scale, scales: Sequence[Scale], decisions: Mapping[str, list[suppression.Decision]]
) -> list[suppression.Decision]:
    """A pooled scale's decisions, hidden (complementary) in every group where one of the
    scales inside it (vz-maturity's topics) has scored answers but is hidden.

    A pooled figure is the sum of every answer over their count, so it is the sum of its
    parts': shown beside all parts but one, it gives away the hidden part's sum and count,
    a figure about fewer than the minimum (red team, tests/privacy/test_redteam_vz_pooled.py).
    Hidden wherever a part is, it cannot be worked out from other groups either: a
    combination of shown totals that made this group's would make the hidden part's from
    the same groups' parts, all shown there, which the engine's decisions for that part
    rule out. Hiding more only widens the remainders around it."""
    inside = set(scale.items)
    parts = [s for s in scales if s is not scale and set(s.items) < inside]
    own = decisions[scale.id]
    if not parts:
        return own
    out = list(own)  # the decider's lists are shared: never changed in place
    for g, decision in enumerate(own):
        if decision.shown and any(
            not decisions[part.id][g].shown and decisions[part.id][g].n > 0 for part in parts
        ):
            out[g] = suppression.Decision(False, "complementary", decision.n)
    return out


# --------------------------------------------------------------------------- JSON helpers


def _num(value: float | np.floating[Any] | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _nums(values: npt.ArrayLike) -> list[float | None]:
    """``[_num(v) for v in values]`` for a numeric array, in one pass."""
    array = np.asarray(values, dtype=np.float64)
    out: list[float | None] = array.tolist()
    for k in np.flatnonzero(~np.isfinite(array)).tolist():
        out[k] = None
    return out


def _pair(values: tuple[float, float] | None) -> list[float | None] | None:
    return [_num(values[0]), _num(values[1])] if values is not None else None


def _hidden(decision: suppression.Decision) -> JsonDict:
    return {"suppressed": True, "reason": decision.reason}


def _population_scale(instrument: Instrument, item: Item) -> Scale | None:
    """The scale an item's distribution is computed over (see the module docstring)."""
    holding = [s for s in instrument.scales if item.number in s.items]
    if not holding:
        return None
    largest = max(holding, key=lambda s: len(s.items))
    return largest if len(largest.items) > 1 else None


def _key_figure_population(instrument: Instrument, figure: KeyFigure) -> Scale | None:
    """The scale a key figure is computed over: the largest holding all its items, when
    it has more than one item; else None (everyone who answered one of its items)."""
    holding = [s for s in instrument.scales if all(n in s.items for n in figure.items)]
    if not holding:
        return None
    largest = max(holding, key=lambda s: len(s.items))
    return largest if len(largest.items) > 1 else None


def _masked(groups: scoring.Groups, keep: npt.NDArray[np.bool_]) -> scoring.Groups:
    return scoring.Groups(
        atom=np.where(keep, groups.atom, -1),
        n_atoms=groups.n_atoms,
        indptr=groups.indptr,
        indices=groups.indices,
    )


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while the JSON is built: at 2,000 units the builder
    makes millions of dicts and lists and no reference cycles, and each of the collector's
    full passes walks all of them and everything else the process holds (an earlier
    publication read for the changes, too) to find nothing, about a sixth of the build.
    Nests: an inner pause leaves the collector as the outer one set it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _comment_seed(measurement_id: int, item_id: str, key: GroupKey) -> str:
    # The prefix of the hashes that order the texts: the same order on every run and machine.
    return f"tryghed-comments:{measurement_id}:{item_id}:{'/'.join(key)}"


# --------------------------------------------------------------------------- the report


def group(data: Mapping[str, Any], unit: int | str | None, scope: str = "unit") -> JsonDict:
    """A group of report data: a unit's ``"unit"`` or ``"subtree"`` group, or with
    ``unit=None`` the whole measurement's."""
    slot = data["organisation"] if unit is None else data["units"][str(unit)][scope]
    found: JsonDict = data["groups"][slot]
    return found


def unit_name(data: Mapping[str, Any], unit: int | str, fallback: str = "") -> str:
    """The unit's name as it stood at closing (the frozen tree); ``fallback`` for report
    data stored before names were kept in it."""
    entry = data["units"].get(str(unit))
    name = entry.get("name") if entry is not None else None
    return name if isinstance(name, str) and name else fallback


def comment_texts(data: Mapping[str, Any], block: Mapping[str, Any]) -> list[str]:
    """The texts of a shown comments block, in its stored (random) order."""
    if block.get("suppressed", True):
        return []
    table = data["texts"]
    return [table[k] for k in block["texts"]]


@dataclass(frozen=True)
class Measured:
    """What the publication says of its measurement, and the earlier wave it compares with."""

    id: int
    status: str
    previous_id: int | None = None
    # The earlier wave's own publication, when it is published; else None (no changes).
    previous: Mapping[str, Any] | None = None


def build(
    measured: Measured,
    instruments: Sequence[Instrument],
    tree: Tree,
    names: Mapping[str, str],
    answers: Answers,
    minimums: Minimums,
) -> JsonDict:
    """The publication of one measurement (the shape in the module docstring): every figure,
    suppression applied, from its answers over ``tree`` (made by :func:`build_tree` from
    the frozen unit tree, as ``answers`` was loaded against it)."""
    return Report(measured, instruments, tree, names, answers, minimums).build()


class Report:
    def __init__(
        self,
        measured: Measured,
        instruments: Sequence[Instrument],
        tree: Tree,
        names: Mapping[str, str],
        answers: Answers,
        minimums: Minimums,
        seen: Mapping[GroupKey, int] | None = None,
    ) -> None:
        """``seen``: per group, a count of its respondents that readers see beside the
        publication (the participation rows' answered; ``_Decider.respect``)."""
        self.measured = measured
        self.minimums = minimums
        self.instruments = list(instruments)
        self.tree = tree
        self.names = dict(names)
        self.decider = _Decider(self.tree, minimums.score)
        self.answers = answers
        self.groups = self.tree.groups(self.answers.atom)
        # What depends on the answers alone, worked out once for every round of ``build``.
        self._computed: dict[tuple[object, ...], object] = {}
        self.figures = self._decided_figures()
        slot_responses = self.groups.reduce(self.answers.responses.astype(np.float64)[:, None])
        self.slot_responses = np.rint(slot_responses[:, 0]).astype(np.intp)
        if seen:
            shown = np.zeros(self.tree.n_slots, dtype=np.bool_)
            n = self.slot_responses.astype(np.int64)
            for key, count in seen.items():
                g = self.tree.slot.get(key)
                if g is not None:
                    shown[g], n[g] = True, count
            self.decider.respect(shown, n, self.answers.responses.astype(np.int64))

    def _once(
        self,
        key: tuple[object, ...],
        compute: Callable[_P, _T],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T:
        """``compute(*args, **kwargs)``, worked out once per builder. ``build`` decides
        the figures again in later rounds, but the answers and their scores stay the same
        objects, so a figure of the answers (``key`` naming it, with the people it is
        computed over) is the same in every round."""
        if key not in self._computed:
            self._computed[key] = compute(*args, **kwargs)
        return self._computed[key]  # type: ignore[return-value]

    # -- groups

    def _decided_figures(
        self, earlier: Mapping[str, _InstrumentFigures] | None = None
    ) -> dict[str, _InstrumentFigures]:
        """Each instrument's figures and decisions; with ``earlier``, its scored figures
        again, decided anew."""
        earlier = earlier or {}
        return {
            i.id: _decided(
                i, earlier[i.id].scored, earlier[i.id].scales, self.decider, self.minimums
            )
            if i.id in earlier
            else _figures(i, self.answers.codes[i.id], self.groups, self.decider, self.minimums)
            for i in self.instruments
        }

    def build(self) -> JsonDict:
        """The publication. Built again, figures decided anew, while the decider hides
        groups that figures decided apart would give away together
        (``_Decider.joint_hides``): each round only hides, so it ends."""
        with no_cycle_collection():
            # The decisions first, and the groups they give away together hidden before
            # anything is built: most often the one build that follows is the last.
            self._decide_the_rest()
            while self.decider.joint_hides():
                self.figures = self._decided_figures(self.figures)
                self._decide_the_rest()
            while True:
                data = self._build()
                if not self.decider.joint_hides(data):
                    return data
                self.figures = self._decided_figures(self.figures)

    def _decide_the_rest(self) -> None:
        """Ask the decider for every decision ``_build`` asks for besides those
        ``_decided_figures`` made (the scales', and items weighed with their scale's cost):
        the items', key figures' and texts', none of them weighed. The decider's first
        decision for a count is the one every later figure gets, and the weighed ones come
        first in both, so these are the decisions ``_build`` would have made. One left out
        here costs ``build`` a round, not safety: it checks again on what it built."""
        for instrument in self.instruments:
            figures = self.figures[instrument.id]
            for item in instrument.items:
                if item.type == "multi":
                    self._multi_decisions(item)
                elif item.type == "choice":
                    distributions = self._item_distributions(instrument, item, figures)
                    self._choice_decisions(instrument, item, figures, distributions)
            for figure in instrument.key_figures:
                self._key_figure_decisions(instrument, figure, figures)
        by_item = self._text_items()
        for item_id, entries in self.answers.texts.items():
            self._text_decisions(by_item[item_id], entries)

    def _build(self) -> JsonDict:
        instrument_blocks = {i.id: self._instrument_groups(i) for i in self.instruments}
        comments, texts = self._comments(self._texts_over_hidden_items(instrument_blocks))
        zones = self._zones()
        changes, compared = self._changes()
        groups = [
            self._group(g, instrument_blocks, comments, zones, changes)
            for g in range(self.tree.n_slots)
        ]
        slot = self.tree.slot
        units: JsonDict = {
            unit: {
                "name": self.names.get(unit, ""),
                "parent": self.tree.parent[unit],
                "path": self.tree.path[unit],
                "depth": self.tree.depth[unit],
                "in_scope": unit in self.tree.in_scope,
                "children": list(self.tree.children[unit]),
                "unit": slot[("unit", unit)],
                "subtree": slot[("subtree", unit)],
            }
            for unit in self.tree.units
        }
        return {
            "schema": SCHEMA,
            "measurement": {
                "id": self.measured.id,
                "status": self.measured.status,
                "previous": self.measured.previous_id,
            },
            "minimums": {
                "score": self.minimums.score,
                "comment": self.minimums.comment,
                "sensitive": self.minimums.sensitive,
            },
            "instruments": {
                i.id: self._instrument_meta(i, compared.get(i.id)) for i in self.instruments
            },
            "units": units,
            "organisation": slot[ORGANISATION],
            "groups": groups,
            "texts": texts,
            "measurement_level": self._measurement_level(),
        }

    def _group(
        self,
        g: int,
        instrument_blocks: Mapping[str, list[JsonDict]],
        comments: Mapping[str, list[JsonDict]],
        zones: Sequence[JsonDict | None],
        changes: Mapping[tuple[str, str], Mapping[int, JsonDict]],
    ) -> JsonDict:
        if self.slot_responses[g] < self.minimums.score:
            return {"suppressed": True, "reason": "below_minimum"}
        blocks: JsonDict = {}
        for instrument_id, per_slot in instrument_blocks.items():
            block = per_slot[g]
            for scale_id, scale_block in block["scales"].items():
                change = changes.get((instrument_id, scale_id), {}).get(g)
                if change is not None and not scale_block["suppressed"]:
                    scale_block["change"] = change
            blocks[instrument_id] = block
        return {
            "suppressed": False,
            "instruments": blocks,
            "zone": zones[g],
            "comments": {item_id: per_slot[g] for item_id, per_slot in comments.items()},
        }

    def _instrument_groups(self, instrument: Instrument) -> list[JsonDict]:
        """Per slot: the instrument's scales, items and key figures."""
        figures = self.figures[instrument.id]
        n_slots = self.tree.n_slots
        scales: list[JsonDict] = [{} for _ in range(n_slots)]
        for scale in instrument.scales:
            blocks = self._scale_blocks(
                scale, figures.scales[scale.id], figures.scale_decisions[scale.id]
            )
            for g in range(n_slots):
                scales[g][scale.id] = blocks[g]
        items = self._items(instrument, figures)
        keys = self._key_figures(instrument, figures)
        related = self._related_to_scales(instrument)
        for g in range(n_slots):
            # Items hidden on their own counts, before the one-set rule hides more.
            hidden = {i for i, block in items[g].items() if block.get("suppressed", True)}
            _follow_ups_over_shown_items(instrument, items[g], hidden)
            self._one_set_of_people(related, scales[g], items[g], keys[g])
            _key_figures_over_shown_items(instrument, hidden, keys[g])
            _agreement_over_shown_items(instrument, hidden, scales[g])
        return [
            {"scales": scales[g], "items": items[g], "key_figures": keys[g]} for g in range(n_slots)
        ]

    def _related_to_scales(self, instrument: Instrument) -> list[tuple[str, bool, str, int]]:
        """(item or key figure id, whether a key figure, the scale whose people it is
        computed over, the minimum for their difference) of the instrument's item
        distributions and key figures computed over a scale's people."""
        related: list[tuple[str, bool, Scale | None, list[Item]]] = []
        for item in instrument.items:
            if item.type == "choice":
                population = _population_scale(instrument, item)
                related.append((item.id, False, population, [item]))
        for figure in instrument.key_figures:
            population = _key_figure_population(instrument, figure)
            members = [instrument.item(n) for n in figure.items]
            related.append((figure.id, True, population, members))
        return [
            (
                figure_id,
                is_key,
                population.id,
                max(
                    self.minimums.for_items(members),
                    self.minimums.for_items(_scale_items(instrument, population)),
                ),
            )
            for figure_id, is_key, population, members in related
            if population is not None
        ]

    def _one_set_of_people(
        self,
        related: Sequence[tuple[str, bool, str, int]],
        scales: Mapping[str, JsonDict],
        items: dict[str, JsonDict],
        keys: dict[str, JsonDict],
    ) -> None:
        """Hide, in one group, an item distribution or key figure computed over a scale's
        people where that scale is hidden, or whose people differ from the scale's by 1 to
        minimum - 1 (privacy.md section 3, "one set of people per item and group"): the
        scale's n minus the figure's n would be a group that small, and a figure shown
        where its scale is hidden gives the scale's count in a group the engine hid it in.
        Hiding a shown figure only widens the remainders around it, so the suppression
        engine's rules across groups still hold. ``related``: from _related_to_scales."""
        for figure_id, is_key, population_id, minimum in related:
            blocks = keys if is_key else items
            block = blocks.get(figure_id)
            if block is None or block.get("suppressed", True):
                continue
            scale_block = scales.get(population_id)
            if scale_block is None:
                continue
            if scale_block.get("suppressed", True):
                # Counted over the scale's people, it would show their count (or a count
                # close to it) where the scale itself is hidden.
                blocks[figure_id] = {"suppressed": True, "reason": "complementary"}
                continue
            gap = int(scale_block["n"]) - int(block["n"])
            if 0 < gap < minimum:
                blocks[figure_id] = {"suppressed": True, "reason": "complementary"}

    def _scale_blocks(
        self,
        scale: Scale,
        table: scoring.ScaleFigures,
        decisions: Sequence[suppression.Decision],
    ) -> list[JsonDict]:
        """Per slot: the scale's figures, or why they are hidden."""
        rows = table.rows
        bipolar = scale.polarity == "bipolar"
        band_keys = [band.id or str(k) for k, band in enumerate(scale.bands)]
        out: list[JsonDict] = []
        for g, decision in enumerate(decisions):
            if not decision.shown:
                out.append(_hidden(decision))
                continue
            block: JsonDict = {"suppressed": False, "n": rows.n[g]}
            mean = rows.mean[g]
            if not bipolar:
                low = rows.ci_low[g]
                ci95 = (low, rows.ci_high[g]) if low is not None else None
                block["mean"] = mean
                block["sd"] = rows.sd[g]
                block["ci95"] = _pair(ci95)
                if scale.also is not None:
                    also_mean, also_sd, also_ci = scoring.also_range(scale, mean, rows.sd[g], ci95)
                    block["also"] = {"mean": also_mean, "sd": also_sd, "ci95": _pair(also_ci)}
            block["rwg_j"] = rows.rwg_j[g]
            block["bins"] = list(rows.bins[g])
            if scale.levels:
                reading = scoring.level_reading(scale, mean) if mean is not None else None
                block["level"] = (
                    {
                        "lower": reading.lower.value,
                        "upper": reading.upper.value if reading.upper is not None else None,
                    }
                    if reading is not None
                    else None
                )
            if scale.bands:
                total = rows.n_answers[g]
                shares = {
                    key: count / total if total else None
                    for key, count in zip(band_keys, rows.band_counts[g], strict=True)
                }
                block["bands"] = shares
                if scale.consequences:
                    known = [(share, key) for key, share in shares.items() if share is not None]
                    best = max((s for s, _ in known), default=None)
                    leaders = [key for share, key in known if share == best]
                    # A tie names no single level: the report shows the shares only.
                    dominant = leaders[0] if len(leaders) == 1 else None
                    block["dominant_band"] = dominant
                    block["consequence"] = (
                        dominant if dominant is not None and scale.consequence(dominant) else None
                    )
            out.append(block)
        return out

    def _items(
        self, instrument: Instrument, figures: _InstrumentFigures
    ) -> list[dict[str, JsonDict]]:
        out: list[dict[str, JsonDict]] = [{} for _ in range(self.tree.n_slots)]
        for item in instrument.items:
            if item.type == "multi":
                blocks = self._multi_item(item)
            elif item.type == "choice":
                distributions = self._item_distributions(instrument, item, figures)
                blocks = self._choice_item(instrument, item, figures, distributions)
            else:
                continue
            for g, block in enumerate(blocks):
                out[g][item.id] = block
        return out

    def _item_distributions(
        self, instrument: Instrument, item: Item, figures: _InstrumentFigures
    ) -> scoring.ItemDistributions:
        """The distributions of the items computed over the same people as ``item`` (its
        population scale's, or all who answered)."""
        population = _population_scale(instrument, item)
        key = population.id if population is not None else None
        return self._once(("distributions", instrument.id, key), self._distributions, figures, key)

    def _distributions(
        self, figures: _InstrumentFigures, scale_id: str | None
    ) -> scoring.ItemDistributions:
        return scoring.item_distributions(figures.scored, self._groups_over(figures, scale_id))

    def _groups_over(self, figures: _InstrumentFigures, scale_id: str | None) -> scoring.Groups:
        """The groups counted over the people with a score on ``scale_id`` (all who
        answered, for None): the population an item or key figure is computed over."""
        if scale_id is None:
            return self.groups
        return _masked(self.groups, ~np.isnan(figures.scored.scores[scale_id]))

    def _choice_item(
        self,
        instrument: Instrument,
        item: Item,
        figures: _InstrumentFigures,
        distributions: scoring.ItemDistributions,
    ) -> list[JsonDict]:
        minimum = self.minimums.for_items([item])
        decisions, scored = self._choice_decisions(instrument, item, figures, distributions)
        # Mean points come from the scale the item is scored in, over the same people.
        population = _population_scale(instrument, item)
        scale = population or next((s for s in instrument.scales if item.number in s.items), None)
        profile = figures.scales[scale.id] if scale is not None and item.scored else None
        column = scale.items.index(item.number) if scale is not None else -1
        counts = distributions.counts[item.number - 1]
        n_list = counts.sum(axis=1).tolist()
        counts_list = counts.tolist()
        dont_know = (
            _nums(distributions.dont_know_share(item.number))
            if item.dont_know is not None
            else None
        )
        item_n = profile.item_n[:, column].tolist() if profile is not None else None
        item_mean = _nums(profile.item_mean[:, column]) if profile is not None else None
        blocks: list[JsonDict] = []
        for g, decision in enumerate(decisions):
            if not decision.shown:
                blocks.append(_hidden(decision))
                continue
            if scored is not None and item_n is not None and item_n[g] > 0 and not scored[g].shown:
                blocks.append({"suppressed": True, "reason": "complementary"})
                continue
            mean_points = None
            # "An item mean for a group: 5 responses", counted on the scored answers.
            if item_n is not None and item_mean is not None and item_n[g] >= minimum:
                mean_points = item_mean[g]
            blocks.append(
                {
                    "suppressed": False,
                    "n": n_list[g],
                    "counts": counts_list[g],
                    "dont_know": dont_know[g] if dont_know is not None else None,
                    "mean_points": mean_points,
                }
            )
        return blocks

    def _choice_decisions(
        self,
        instrument: Instrument,
        item: Item,
        figures: _InstrumentFigures,
        distributions: scoring.ItemDistributions,
    ) -> tuple[list[suppression.Decision], list[suppression.Decision] | None]:
        """A choice item's decisions on the people who answered it, and (for a scored item
        of a scale) on those who gave a scored answer.

        The counts of the scored codes are the item's scored answers (its mean points, and
        on vz-maturity its one-item topic): they rest on the people who gave one, so they
        are decided on those people's count too. Else "don't know" (or an unscored option)
        pads a distribution whose real answers are "for få svar" (red team, 2a709d9)."""
        minimum = self.minimums.for_items([item])
        decisions = self.decider.decide(distributions.atom_responded[:, item.number - 1], minimum)
        population = _population_scale(instrument, item)
        scale = population or next((s for s in instrument.scales if item.number in s.items), None)
        if scale is None or not item.scored:
            return decisions, None
        scored = figures.item_scored.get((scale.id, item.number))
        if scored is None:
            column = scale.items.index(item.number)
            scored = self.decider.decide(figures.scales[scale.id].atom_item_n[:, column], minimum)
        return decisions, scored

    def _multi_decisions(self, item: Item) -> list[suppression.Decision]:
        return self.decider.decide(self.answers.multi_n[item.id], self.minimums.for_items([item]))

    def _multi_item(self, item: Item) -> list[JsonDict]:
        """A tick-all-that-apply item: people who ticked something, and ticks per option."""
        decisions = self._multi_decisions(item)
        n, per_option = self._once(("multi", item.id), self._multi_counts, item)
        return [
            {
                "suppressed": False,
                "n": n[g],
                "counts": list(per_option[g]),
                "dont_know": None,
                "mean_points": None,
            }
            if decision.shown
            else _hidden(decision)
            for g, decision in enumerate(decisions)
        ]

    def _multi_counts(self, item: Item) -> tuple[list[int], list[list[int]]]:
        """Per slot: the people who ticked something, and the ticks per option."""
        ticked = self.answers.multi_n[item.id].astype(np.float64)
        n = np.rint(self.groups.reduce(ticked[:, None])[:, 0]).astype(np.intp)
        per_option = np.rint(
            self.groups.reduce(self.answers.multi_counts[item.id].astype(np.float64))
        ).astype(np.intp)
        return n.tolist(), per_option.tolist()

    def _key_figure_decisions(
        self, instrument: Instrument, figure: KeyFigure, figures: _InstrumentFigures
    ) -> tuple[scoring.KeyFigureTable, list[suppression.Decision]]:
        """A key figure's table and decisions. Over the people of the scale holding the
        figure's items, like item distributions: over everyone who answered, a key
        figure's n could exceed its scale's by one."""
        population = _key_figure_population(instrument, figure)
        key = population.id if population is not None else None
        tables = self._once(("key figures", instrument.id, key), self._key_tables, figures, key)
        table = tables[figure.id]
        minimum = self.minimums.for_items(instrument.item(n) for n in figure.items)
        return table, self.decider.decide(table.atom_n, minimum)

    def _key_tables(
        self, figures: _InstrumentFigures, scale_id: str | None
    ) -> dict[str, scoring.KeyFigureTable]:
        return scoring.key_figures(figures.scored, self._groups_over(figures, scale_id))

    def _key_figures(
        self, instrument: Instrument, figures: _InstrumentFigures
    ) -> list[dict[str, JsonDict]]:
        out: list[dict[str, JsonDict]] = [{} for _ in range(self.tree.n_slots)]
        for figure in instrument.key_figures:
            table, decisions = self._key_figure_decisions(instrument, figure, figures)
            figure_id = figure.id
            shares = table.share
            for g in range(self.tree.n_slots):
                if not decisions[g].shown:
                    out[g][figure_id] = _hidden(decisions[g])
                    continue
                share = float(shares[g])
                out[g][figure_id] = {
                    "suppressed": False,
                    "n": int(table.n[g]),
                    "share": _num(share),
                    "reference": _reference(figure),
                    "position": scoring.reference_position(figure, share),
                }
        return out

    # -- comments, zones, change

    def _texts_over_hidden_items(
        self, instrument_blocks: Mapping[str, Sequence[JsonDict]]
    ) -> dict[str, set[int]]:
        """Per free-text follow-up (``show_if``): the slots where the item it follows is
        hidden. Its comments are hidden there too (``_comments``), as a choice follow-up's
        figures are (``_follow_ups_over_shown_items``): the follow-up is asked of those who
        gave some answers to the earlier item, so the number of its comments shown in a
        group counts at least that many such answers where the earlier item's own counts
        are hidden (red team of the uploaded instruments; an uploaded file may ask one)."""
        out: dict[str, set[int]] = {}
        for instrument in self.instruments:
            per_slot = instrument_blocks[instrument.id]
            for item in instrument.items:
                if item.type != "text" or item.show_if is None:
                    continue
                followed = instrument.item(item.show_if.item).id
                out[item.id] = {
                    g
                    for g, block in enumerate(per_slot)
                    if block["items"].get(followed, {}).get("suppressed", False)
                }
        return out

    def _text_items(self) -> dict[str, Item]:
        return {item.id: item for i in self.instruments for item in i.items if item.type == "text"}

    def _text_decisions(
        self, item: Item, entries: Sequence[tuple[int, str]]
    ) -> tuple[IntArray, list[suppression.Decision]]:
        """A text item's texts' atoms, and its decisions on their counts."""
        minimum = (
            max(self.minimums.comment, self.minimums.sensitive)
            if item.sensitive
            else self.minimums.comment
        )
        atom_of = np.fromiter((a for a, _ in entries), dtype=np.intp, count=len(entries))
        counts = np.bincount(atom_of, minlength=self.tree.n_atoms)
        return atom_of, self.decider.decide(counts, minimum)

    def _comments(
        self, over_hidden_items: Mapping[str, Container[int]] | None = None
    ) -> tuple[dict[str, list[JsonDict]], list[str]]:
        """Per text item and slot: indices into one table of texts (a subtree repeats its
        units' texts, so each text is stored once). The table holds only texts of shown
        groups, in the order of a seeded hash of each text's item and string; each group's
        list is its texts in the table's order (its indices ascending).

        A text is known by its item and its number in the answers; before the hash order,
        the table is in (item, text, number) order, so equal strings of an item stay
        together with their numbers ascending.

        Why this order reveals nothing (privacy.md sections 0-3): the order of two texts
        in any list is the order of their hashes, a function of the two texts alone. A
        reader can compute it from a list's strings (the seed is the measurement id, no
        secret), so a list's order adds nothing to its set of strings: not who wrote what,
        not which texts of a parent come from a hidden child or from the people placed
        directly in it, and nothing about the texts outside the reader's role. It differs
        per item and per measurement, so it links no texts of one person across items or
        waves. Nested groups list their common texts in the same relative order. (A plain
        shuffle of the table is not enough: a text's place before the shuffle is its
        alphabetical rank in the whole table, so a team's order, with the seed known,
        told its leader about the texts of every other shown group; attacked in
        tests/privacy/test_redteam_comment_order.py.)"""
        by_item = self._text_items()
        # Per item: its texts, and per slot the numbers of the slot's texts (in no order
        # that matters: sorted by table position below), or the decision that hides them.
        per_item: dict[str, tuple[list[str], list[IntArray | suppression.Decision]]] = {}
        in_table: dict[str, IntArray] = {}  # per item: numbers of the texts of shown slots
        for item_id, entries in self.answers.texts.items():
            texts = [text for _, text in entries]
            atom_of, decisions = self._text_decisions(by_item[item_id], entries)
            hidden_over = over_hidden_items.get(item_id) if over_hidden_items else None
            if hidden_over:
                decisions = [
                    suppression.Decision(False, "complementary", d.n)
                    if d.shown and g in hidden_over
                    else d
                    for g, d in enumerate(decisions)
                ]
            # (text, number) order: a stable sort by text keeps numbers ascending.
            by_text: list[int] = sorted(range(len(texts)), key=texts.__getitem__)
            in_order = np.asarray(by_text, dtype=np.intp).reshape(len(texts))
            by_atom = in_order[np.argsort(atom_of[in_order], kind="stable")]
            starts = np.zeros(self.tree.n_atoms + 1, dtype=np.intp)
            np.cumsum(np.bincount(atom_of, minlength=self.tree.n_atoms), out=starts[1:])
            shown_atom = np.zeros(self.tree.n_atoms, dtype=np.bool_)
            blocks: list[IntArray | suppression.Decision] = []
            for g, atoms in enumerate(self.tree.members):
                decision = decisions[g]
                if not decision.shown:
                    blocks.append(decision)
                    continue
                shown_atom[list(atoms)] = True
                if len(atoms) == 1:
                    blocks.append(by_atom[starts[atoms[0]] : starts[atoms[0] + 1]])
                else:
                    blocks.append(
                        np.concatenate([by_atom[starts[a] : starts[a + 1]] for a in atoms])
                    )
            per_item[item_id] = (texts, blocks)
            in_table[item_id] = in_order[shown_atom[atom_of[in_order]]]
        # The table: every shown text once, in (item, text, number) order, then put in the
        # order of a seeded hash of each text's item and string (equal strings of an item
        # stay together, numbers ascending). Not a secret: the order only has to be
        # unrelated to who wrote what, and a list's order must follow from its own texts.
        table = [(item_id, number) for item_id in sorted(in_table) for number in in_table[item_id]]
        keys: list[bytes] = []
        for item_id in sorted(in_table):
            texts = per_item[item_id][0]
            base = hashlib.blake2b(digest_size=8)
            base.update(_comment_seed(self.measured.id, item_id, ()).encode() + b"\0")
            hashed: dict[str, bytes] = {}
            for number in in_table[item_id].tolist():
                text = texts[number]
                digest = hashed.get(text)
                if digest is None:
                    h = base.copy()
                    h.update(text.encode())
                    digest = hashed[text] = h.digest()
                keys.append(digest)
        # A stable sort: equal keys (equal strings of an item) keep (text, number) order.
        order = sorted(range(len(table)), key=keys.__getitem__)
        position = np.empty(len(table), dtype=np.intp)
        position[np.asarray(order, dtype=np.intp)] = np.arange(len(table))
        first: dict[str, int] = {}  # where each item's texts begin in the table
        offset = 0
        for item_id in sorted(in_table):
            first[item_id] = offset
            offset += len(in_table[item_id])
        out: dict[str, list[JsonDict]] = {}
        for item_id, (texts, blocks) in per_item.items():
            in_item = in_table[item_id]
            position_of = np.full(len(texts), -1, dtype=np.intp)
            position_of[in_item] = position[first[item_id] : first[item_id] + len(in_item)]
            result: list[JsonDict] = []
            for block in blocks:
                if isinstance(block, suppression.Decision):
                    result.append(_hidden(block))
                    continue
                result.append({"suppressed": False, "texts": np.sort(position_of[block]).tolist()})
            out[item_id] = result
        return out, [per_item[table[k][0]][0][table[k][1]] for k in order]

    def _zones(self) -> list[JsonDict | None]:
        n_slots = self.tree.n_slots
        zones: list[JsonDict | None] = [None] * n_slots
        focus = next((i for i in self.instruments if i.zones is not None), None)
        if focus is None or focus.zones is None:
            return zones
        present = {i.id: i for i in self.instruments}
        safety = next((present[s] for s in focus.zones.safety if s in present), None)
        focus_instrument = present.get(focus.zones.focus)
        if safety is None or focus_instrument is None:
            return zones
        safety_scale, focus_scale = safety.main_scale, focus_instrument.main_scale
        if safety_scale is None or focus_scale is None:
            return zones
        s_fig = self.figures[safety.id]
        f_fig = self.figures[focus_instrument.id]
        s_table, f_table = s_fig.scales[safety_scale.id], f_fig.scales[focus_scale.id]
        # scoring.group_zone from the tables' rows: a GroupScale per group is not needed.
        s_rows, f_rows = s_table.rows, f_table.rows
        for g in range(n_slots):
            if not (
                s_fig.scale_decisions[safety_scale.id][g].shown
                and f_fig.scale_decisions[focus_scale.id][g].shown
            ):
                continue
            s_mean, f_mean = s_rows.mean[g], f_rows.mean[g]
            if s_mean is None or f_mean is None:
                continue
            s_low, f_low = s_rows.ci_low[g], f_rows.ci_low[g]
            placement = scoring.zone_placement(
                s_mean,
                (s_low, s_rows.ci_high[g]) if s_low is not None else None,
                s_table.scale.score,
                f_mean,
                (f_low, f_rows.ci_high[g]) if f_low is not None else None,
                f_table.scale.score,
                focus.zones.split,
            )
            zones[g] = {
                "safety_instrument": safety.id,
                "focus_instrument": focus_instrument.id,
                "safety": placement.safety,
                "safety_ci95": _pair(placement.safety_ci95),
                "focus": placement.focus,
                "focus_ci95": _pair(placement.focus_ci95),
                "split": placement.split,
                "zone": placement.zone,
                "safety_uncertain": placement.safety_uncertain,
                "focus_uncertain": placement.focus_uncertain,
            }
        return zones

    def _changes(
        self,
    ) -> tuple[dict[tuple[str, str], dict[int, JsonDict]], dict[str, int]]:
        """Welch change per group and scale against the previous wave, where both waves show
        the group; only the same instrument id and version (ps7 never against ps7-hem),
        never a bipolar scale.

        The "before" figure of a group is exactly the figure (n, mean, SD) that group shows
        in the earlier measurement's own stored publication (privacy.md section 3, waves),
        never recomputed from its answers on this wave's tree, which could show a group the
        earlier wave hid. Hidden there, or not a group there: no change. A slot that stands
        for several groups (a unit without children here) gets a change only when they
        all read the same figure there."""
        before, previous_id = self.measured.previous, self.measured.previous_id
        if before is None or previous_id is None:
            return {}, {}
        comparable: list[Instrument] = []
        for instrument in self.instruments:
            # The earlier publication is keyed by instrument id: its entry is the same id.
            meta = before["instruments"].get(instrument.id)
            if meta is not None and waves.comparable(
                instrument.id, meta.get("version"), instrument.id, instrument.version
            ):
                comparable.append(instrument)
        if not comparable:
            return {}, {}
        keys_of_slot: dict[int, list[GroupKey]] = {}
        for key, g in self.tree.slot.items():
            keys_of_slot.setdefault(g, []).append(key)
        # The earlier publication's distinct groups, and per slot the ones its keys read
        # there (most slots: one, read by both of a unit's keys); none when a key is no
        # group there. Each distinct group is read once per scale below.
        distinct: list[JsonDict] = []
        number_of: dict[int, int] = {}
        before_groups: list[list[int]] = []
        for g in range(self.tree.n_slots):
            found = [_group_by_key(before, key) for key in keys_of_slot.get(g, [])]
            numbers: list[int] = []
            for f in found:
                if f is None:
                    numbers = []
                    break
                k = number_of.setdefault(id(f), len(distinct))
                if k == len(distinct):
                    distinct.append(f)
                if k not in numbers:
                    numbers.append(k)
            before_groups.append(numbers)
        single = np.array([n[0] if len(n) == 1 else -1 for n in before_groups], dtype=np.intp)
        several = [(g, n) for g, n in enumerate(before_groups) if len(n) > 1]
        out: dict[tuple[str, str], dict[int, JsonDict]] = {}
        for instrument in comparable:
            now = self.figures[instrument.id]
            before_scales = before["instruments"][instrument.id]["scales"]
            scales_before = [
                None
                if block.get("suppressed", True)
                else block["instruments"].get(instrument.id, {}).get("scales", {})
                for block in distinct
            ]
            for scale in instrument.scales:
                if scale.polarity == "bipolar" or scale.id not in before_scales:
                    continue
                summaries = [_shown_summary(found, scale.id) for found in scales_before]
                known = np.array([s is not None for s in summaries] + [False], dtype=np.bool_)
                values = np.array(
                    [s if s is not None else (0, np.nan, np.nan) for s in summaries]
                    + [(0, np.nan, np.nan)],
                    dtype=np.float64,
                ).reshape(len(summaries) + 1, 3)
                # Slots read from one earlier group: that group's figure (index -1: none).
                has_before = known[single]
                n1, m1, sd1 = (np.where(has_before, values[single, c], d) for c, d in _UNKNOWN)
                # A slot read from several: their figure when they all show the same one.
                for g, numbers in several:
                    first = summaries[numbers[0]]
                    if first is not None and all(summaries[k] == first for k in numbers[1:]):
                        n1[g], m1[g], sd1[g] = first
                        has_before[g] = True
                shown = has_before & np.array(
                    [d.shown for d in now.scale_decisions[scale.id]], dtype=np.bool_
                )
                out[(instrument.id, scale.id)] = _changes_by_slot(
                    n1, m1, sd1, now.scales[scale.id], shown, previous_id
                )
        return out, {i.id: previous_id for i in comparable}

    # -- measurement level

    def _measurement_level(self) -> JsonDict:
        top = self.tree.slot[ORGANISATION]
        scales: JsonDict = {}
        for instrument in self.instruments:
            figures = self.figures[instrument.id]
            per_scale: JsonDict = {}
            for scale in instrument.scales:
                decision = figures.scale_decisions[scale.id][top]
                if not decision.shown:
                    per_scale[scale.id] = _hidden(decision)
                    continue
                alpha = self._alpha(figures, instrument, scale)
                icc = self._icc(figures, scale.id)
                per_scale[scale.id] = {
                    "suppressed": False,
                    "alpha": (
                        {
                            "alpha": alpha.alpha,
                            "ci95": _pair(alpha.ci95),
                            "n_complete": alpha.n_complete,
                            "k": alpha.k,
                        }
                        if alpha is not None
                        else None
                    ),
                    "icc": {"icc1": icc.icc1, "icc2": icc.icc2} if icc is not None else None,
                }
            scales[instrument.id] = per_scale
        return {
            "scales": scales,
            "correlations": self._correlations(),
            "drivers": self._drivers(),
        }

    def _alpha(
        self, figures: _InstrumentFigures, instrument: Instrument, scale: Scale
    ) -> statistics.AlphaResult | None:
        """Cronbach's alpha of a multi-item scale over the whole measurement, whose group
        then shows the scale. When that group is shown nowhere (``build_tree(...,
        organisation=False)``, ``tryghed score``), over the respondents of the units whose
        own group shows the scale, as the ICC (privacy.md section 3): over everyone, its
        n_complete minus the shown units' n gave a hidden unit's n. There it is given only
        when its complete cases and those respondents of the scale differ by 0 or at least
        the minimum (one set of people per scale and group), on both paths; otherwise None.
        Either way its complete cases must be at least the minimum: a pooled scale (vz-maturity's
        total) counts everyone who gave one answer, so an organisation of twelve where ten
        said "Ved ikke" to one topic each had alpha over the two who answered every topic
        (red team, tests/privacy/test_redteam_vz_pooled.py)."""
        if len(scale.items) < 2:
            return None
        minimum = self.minimums.for_items(_scale_items(instrument, scale))
        scores = figures.scored.scores[scale.id]
        if self.tree.slot[ORGANISATION] not in self.tree.unpublished:
            alpha = self._once(
                ("alpha", instrument.id, scale.id),
                lambda: scoring.reliability(figures.scored, scale.id),
            )
        else:
            keep = self._shown_units_rows(figures, scale.id)
            alpha = self._once(
                ("alpha", instrument.id, scale.id, np.packbits(keep).tobytes()),
                lambda: statistics.cronbach_alpha(
                    figures.scored.points[:, figures.scored.columns(scale)][keep]
                ),
            )
            scores = scores[keep]
        if alpha is None or alpha.n_complete < minimum:
            return None
        # One set of people on both paths: the scale's people minus the complete cases are
        # those who skipped an item, whose count a hidden item n keeps back (ps7: two who
        # skipped item 3 in an organisation of twelve; tests/privacy/test_redteam_alpha_gap.py).
        people = int(np.count_nonzero(~np.isnan(scores)))
        return None if 0 < people - alpha.n_complete < minimum else alpha

    def _shown_units_rows(
        self, figures: _InstrumentFigures, scale_id: str
    ) -> npt.NDArray[np.bool_]:
        """The respondents of the units whose own group shows the scale."""
        decisions = figures.scale_decisions[scale_id]
        shown_atom = np.array(
            [decisions[self.tree.slot[("unit", unit)]].shown for unit in self.tree.units],
            dtype=np.bool_,
        )
        atom = self.answers.atom
        keep = atom >= 0
        keep[keep] = shown_atom[atom[keep]]
        return keep

    def _icc(self, figures: _InstrumentFigures, scale_id: str) -> statistics.IccResult | None:
        """ICC(1) and ICC(2) over the respondents of the units whose own group shows this
        scale, and only when at least two do (privacy.md section 3, organisation-wide
        statistics): over every respondent, they pinned a hidden team's mean.

        The other measurement-level figures stay within what is shown as well: alpha and
        the drivers pool the whole organisation and appear only when the organisation
        group shows the scale (then its people are a shown group; where that group is
        shown nowhere, alpha is over the same respondents as the ICC: ``_alpha``);
        correlations use the means of units shown on both scales."""
        atom = self.answers.atom
        keep = self._shown_units_rows(figures, scale_id)
        if np.count_nonzero(np.bincount(atom[keep], minlength=self.tree.n_atoms)) < 2:
            return None
        return self._once(
            ("icc", figures.instrument.id, scale_id, np.packbits(keep).tobytes()),
            lambda: statistics.icc(figures.scored.scores[scale_id][keep], atom[keep]),
        )

    def _correlations(self) -> list[JsonDict]:
        """Pearson r across units (unit scope, disjoint) that are shown on both scales."""
        unit_slots = [(unit, self.tree.slot[("unit", unit)]) for unit in self.tree.units]
        means: dict[str, dict[str, float]] = {}
        for instrument in self.instruments:
            figures = self.figures[instrument.id]
            for scale in instrument.scales:
                if scale.polarity == "bipolar":
                    continue
                table = figures.scales[scale.id]
                decisions = figures.scale_decisions[scale.id]
                means[f"{instrument.id}/{scale.id}"] = {
                    unit: float(table.mean[g])
                    for unit, g in unit_slots
                    if decisions[g].shown and not math.isnan(table.mean[g])
                }
        out: list[JsonDict] = []
        units = {key: frozenset(per_unit) for key, per_unit in means.items()}
        for a, b in itertools.combinations(means, 2):
            result = self._once(
                ("correlation", a, b, units[a], units[b]),
                statistics.unit_correlation,
                means[a],
                means[b],
            )
            if result is None:
                continue
            out.append(
                {
                    "a": a,
                    "b": b,
                    "r": result.r,
                    "n_units": result.n_units,
                    "ci95": _pair(result.ci95),
                    "p": result.p,
                }
            )
        return out

    def _drivers(self) -> JsonDict:
        """Relative weights of the six golden nuggets on safety and on stress (pooled people).

        The instruments' files declare the roles (``display: driver``): the predictors'
        scales, and the outcomes whose main scale they are weighed against, by id."""
        predictor = next((i for i in self.instruments if i.shown_as.driver == "predictor"), None)
        nuggets = self.figures.get(predictor.id) if predictor is not None else None
        if nuggets is None:
            return {}
        outcomes = sorted(i.id for i in self.instruments if i.shown_as.driver == "outcome")
        top = self.tree.slot[ORGANISATION]
        columns: list[FloatArray] = []
        names: list[str] = []
        for scale in nuggets.instrument.scales:
            scores = nuggets.scored.scores[scale.id]
            if scale.polarity == "bipolar":
                # Good is the middle: the distance from it is what can go with strain.
                scores = np.abs(scores - (scale.score.min + scale.score.max) / 2.0)
            columns.append(scores)
            names.append(scale.id)
        nuggets_shown = all(d[top].shown for d in nuggets.scale_decisions.values())
        # The minimum of the scales weighed: the nuggets' and each outcome's main scale's.
        nugget_items = [
            item for s in nuggets.instrument.scales for item in _scale_items(nuggets.instrument, s)
        ]
        out: JsonDict = {}
        x = np.column_stack(columns)
        answered = ~np.isnan(x).any(axis=1)
        weighed: list[tuple[str, FloatArray, int, int]] = []  # key, outcome, resamples, minimum
        for outcome_id in outcomes:
            outcome = self.figures.get(outcome_id)
            if outcome is None or outcome.instrument.main_scale is None:
                continue
            main = outcome.instrument.main_scale
            key = f"{outcome_id}/{main.id}"
            decision = outcome.scale_decisions[main.id][top]
            if not decision.shown or not nuggets_shown:
                hide = decision if not decision.shown else _first_hidden(nuggets, top)
                out[key] = _hidden(hide)
                continue
            y = outcome.scored.scores[main.id]
            complete = int(np.count_nonzero(answered & ~np.isnan(y)))
            budget = _DRIVER_BOOT_BUDGET // max(1, complete * (len(names) + 1))
            n_boot = max(_DRIVER_BOOT_RANGE[0], min(_DRIVER_BOOT_RANGE[1], budget))
            minimum = self.minimums.for_items(
                [*nugget_items, *_scale_items(outcome.instrument, main)]
            )
            weighed.append((key, y, n_boot, minimum))
            out[key] = None  # keeps the outcomes' order; filled or removed below
        if not weighed:
            return out
        # One set of Poisson draws for both outcomes: each person counts the same in both.
        results = self._once(
            ("drivers", *((key, n_boot) for key, _, n_boot, _ in weighed)),
            lambda: statistics.relative_weights_each(
                x,
                [y for _, y, _, _ in weighed],
                names,
                n_boot=[n_boot for _, _, n_boot, _ in weighed],
                seed=self.measured.id,
            ),
        )
        for (key, _, n_boot, minimum), weights in zip(weighed, results, strict=True):
            if weights is None:
                del out[key]
                continue
            if weights.n < minimum:
                # Complete cases (all six nuggets and the outcome) below the minimum, though
                # each scale is shown over more: a figure about too few (privacy.md section
                # 2; tests/privacy/test_redteam_drivers_minimum.py).
                out[key] = {"suppressed": True, "reason": "below_minimum"}
                continue
            out[key] = {
                "suppressed": False,
                "names": list(weights.names),
                "weights": list(weights.weights),
                "ci95": [_pair(ci) for ci in weights.ci95],
                "r2": weights.r2,
                "n": weights.n,
                "n_boot": n_boot,
            }
        return out

    # -- metadata

    def _instrument_meta(self, instrument: Instrument, compared_with: int | None) -> JsonDict:
        figures = self.figures[instrument.id]
        scales: JsonDict = {}
        for scale in instrument.scales:
            items = _scale_items(instrument, scale)
            scales[scale.id] = {
                "items": [item.id for item in items],
                "minimum": self.minimums.for_items(items),
                "sensitive": any(item.sensitive for item in items),
                "polarity": scale.polarity,
                "score": [scale.score.min, scale.score.max],
                "also": [scale.also.min, scale.also.max] if scale.also is not None else None,
                "bin_edges": [float(e) for e in figures.scales[scale.id].bin_edges],
                "bands": [b.id for b in scale.bands],
                "levels": [level.value for level in scale.levels],
                "consequences": [key for key, _ in scale.consequences],
            }
        item_meta: JsonDict = {}
        for item in instrument.items:
            if item.type == "text":
                continue
            population = _population_scale(instrument, item) if item.type == "choice" else None
            item_meta[item.id] = {
                "type": item.type,
                "minimum": self.minimums.for_items([item]),
                "sensitive": item.sensitive,
                "codes": list(item.codes),
                "population": population.id if population is not None else None,
            }
        key_figures: JsonDict = {}
        for figure in instrument.key_figures:
            population = _key_figure_population(instrument, figure)
            key_figures[figure.id] = {
                "minimum": self.minimums.for_items(instrument.item(n) for n in figure.items),
                "reference": _reference(figure),
                "population": population.id if population is not None else None,
            }
        main = instrument.main_scale
        return {
            "version": instrument.version,
            "fingerprint": instrument.fingerprint,
            "variant_of": instrument.variant_of,
            "main_scale": main.id if main is not None else None,
            "scales": scales,
            "items": item_meta,
            "key_figures": key_figures,
            "texts": [item.id for item in instrument.items if item.type == "text"],
            "compared_with": compared_with,
        }


def _follow_ups_over_shown_items(
    instrument: Instrument, items: dict[str, JsonDict], hidden: set[str]
) -> None:
    """Hide, in one group, a follow-up (``show_if``) where the item it follows is hidden on
    its own counts, and count it as hidden so (``hidden``, extended in place).

    A follow-up is asked of those who gave some answers to the earlier item, so its n is
    their count there, which the engine decides as a count of its own. Område (nine: Team
    A's three, Team B's six) showed the earlier item, Team B hid it (Område minus Team B is
    three); the follow-up's Område and Team B were both five, a difference of 0, and both
    shown: Team B's five "Altid" beside Område's distribution left four "Aldrig", Team A's
    three among them (red team, tests/privacy/test_redteam_uploaded_follow_up.py; risk5's
    "fra hvem" items are the same channel). Where the earlier item is shown, the follow-up's
    n repeats its shown counts. Hiding a shown figure only widens the remainders around
    it. A free-text follow-up's comments are hidden the same way
    (``Report._texts_over_hidden_items``, tests/privacy/test_redteam_uploaded_text_follow_up.py)."""
    for item in instrument.items:  # a follow-up follows an earlier item: one pass is enough
        if item.show_if is None or item.id in hidden or item.id not in items:
            continue
        if instrument.item(item.show_if.item).id in hidden:
            items[item.id] = {"suppressed": True, "reason": "complementary"}
            hidden.add(item.id)


def _key_figures_over_shown_items(
    instrument: Instrument, hidden: Container[str], keys: dict[str, JsonDict]
) -> None:
    """Hide, in one group, a key figure where one of its items is hidden on its own counts
    (``hidden``: too few answered it there, or the engine hid it by difference).

    A key figure counts the people answering its items with some codes; beside its shown
    items' distributions, the count left over is the hidden item's. risk5's "workload
    often" in a team of six where two answered item 3 ("for få svar") and the shown items
    1-2 had no "Ofte" or "Altid": its 2 of 6 said both answered item 3 "Altid" (red team,
    tests/privacy/test_redteam_key_figure_hidden_item.py). An item hidden only because
    its n and its scale's differ by 1 to minimum - 1 (``_one_set_of_people``) rests on at
    least the minimum, and what is left over tells nothing of that gap: the key figure
    stays. Hiding a shown figure only widens the remainders around it."""
    for figure in instrument.key_figures:
        block = keys.get(figure.id)
        if block is None or block.get("suppressed", True):
            continue
        if any(instrument.item(number).id in hidden for number in figure.items):
            keys[figure.id] = {"suppressed": True, "reason": "complementary"}


def _agreement_over_shown_items(
    instrument: Instrument, hidden: Container[str], scales: Mapping[str, JsonDict]
) -> None:
    """Withhold, in one group, a shown scale's rwg(j) where an item of the scale is hidden
    on its own counts (``hidden``: too few answered it there, or the engine hid it by
    difference).

    rwg(j) is worked out from each item's variance over the group's people who answered
    it, and a shown item's variance follows from its distribution: beside the shown items
    it gives away the hidden items' variance. Two of a team of six answered ps7 item 3
    ("for få svar"), one "Meget enig" and one "Meget uenig": their (1 - 5)^2 / 2 was read
    off the team's agreement (red team, tests/privacy/test_redteam_rwg_hidden_item.py).
    Any such item withholds it, also one that rwg(j) does not use (under two answers):
    whether it is shown must not tell how many answered a hidden item. An item hidden only
    by the one-set rule rests on at least the minimum; its variance tells nothing of the
    gap it was hidden for."""
    for scale in instrument.scales:
        block = scales.get(scale.id)
        if block is None or block.get("suppressed", True) or block.get("rwg_j") is None:
            continue
        if any(instrument.item(number).id in hidden for number in scale.items):
            block["rwg_j"] = None


def _first_hidden(figures: _InstrumentFigures, g: int) -> suppression.Decision:
    return next(d[g] for d in figures.scale_decisions.values() if not d[g].shown)


def _reference(figure: KeyFigure) -> float | list[float] | None:
    if figure.reference_range is not None:
        return [figure.reference_range[0], figure.reference_range[1]]
    if figure.reference is not None and figure.reference.value is not None:
        return figure.reference.value
    return None


def _group_by_key(data: Mapping[str, Any], key: GroupKey) -> JsonDict | None:
    """The group a publication shows for a group key, or None when it has no such group."""
    if key == ORGANISATION:
        slot = data["organisation"]
    else:
        unit = data["units"].get(key[1])
        if unit is None:
            return None
        slot = unit[key[0]]
    found: JsonDict = data["groups"][slot]
    return found


# (column of the summaries, value of a slot without one): n 0, mean and SD NaN.
_UNKNOWN = ((0, 0.0), (1, np.nan), (2, np.nan))


def _shown_summary(
    scales: Mapping[str, Any] | None, scale_id: str
) -> tuple[int, float, float] | None:
    """(n, mean, SD) of a scale that a shown group of the earlier publication shows (its
    instrument's ``scales``; None for a hidden group); else None."""
    if scales is None:
        return None
    scale = scales.get(scale_id)
    if scale is None or scale.get("suppressed", True):
        return None
    if scale.get("mean") is None or scale.get("sd") is None:
        return None
    return (int(scale["n"]), float(scale["mean"]), float(scale["sd"]))


def _changes_by_slot(
    n_before: FloatArray,
    mean_before: FloatArray,
    sd_before: FloatArray,
    after: scoring.ScaleFigures,
    shown: npt.NDArray[np.bool_],
    previous_id: int,
) -> dict[int, JsonDict]:
    """statistics.welch_change for every slot at once, from each wave's n, mean and SD.

    The same formulas (Welch 1947; Hedges' g with J = 1 - 3/(4(n1 + n2) - 9)); from the
    groups' summaries so that 2,000 units x 10 scales take one pass, not 20,000 calls. The
    earlier wave's summaries are those its publication shows; for a pooled scale
    (vz-maturity) these are the summaries the report shows (people as clusters). Slots
    where either wave is hidden or has n < 2 get none; where neither wave has any spread,
    the zero-variance reading of statistics.md (``"zero_variance": true``, no t or p).
    """
    from scipy import stats as scipy_stats  # imported when used: 0.7 s at start-up

    n1, n2 = n_before, after.n.astype(np.float64)
    m1, m2 = mean_before, after.mean
    scale = after.scale
    # statistics.md, "Zero variance": an SD under 1e-9 x the range is 0, and two groups
    # without spread get the zero-variance reading, whatever the scores' decimals.
    tiny = statistics.zero_sd_below(scale.score.max - scale.score.min)
    sd1 = np.where(sd_before < tiny, 0.0, sd_before)
    sd2 = np.where(after.sd < tiny, 0.0, after.sd)
    v1, v2 = sd1**2, sd2**2
    with np.errstate(invalid="ignore", divide="ignore"):
        part1, part2 = v1 / n1, v2 / n2
        se2 = part1 + part2
        enough = shown & (n1 >= 2) & (n2 >= 2) & np.isfinite(se2)
        usable = enough & (se2 > 0)
        flat = enough & (se2 == 0)
        se = np.sqrt(se2)
        df = se2 * se2 / (part1 * part1 / (n1 - 1) + part2 * part2 / (n2 - 1))
        difference = m2 - m1
        t = difference / se
        p = 2.0 * scipy_stats.t.sf(np.abs(t), df)
        half = scipy_stats.t.ppf(0.975, df) * se
        pooled_sd = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
        g = (1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)) * difference / pooled_sd
    out: dict[int, JsonDict] = {}
    at = np.flatnonzero(usable)
    with np.errstate(invalid="ignore"):
        real_at = (n1[at] >= 10) & (n2[at] >= 10) & (p[at] < 0.05)
        low, high = difference[at] - half[at], difference[at] + half[at]
    for slot, n_before, mean_before, diff, low_k, high_k, t_k, df_k, p_k, g_k, real in zip(
        at.tolist(),
        n1[at].astype(np.int64).tolist(),
        _nums(m1[at]),
        _nums(difference[at]),
        _nums(low),
        _nums(high),
        _nums(t[at]),
        _nums(df[at]),
        _nums(p[at]),
        _nums(g[at]),
        real_at.tolist(),
        strict=True,
    ):
        out[slot] = {
            "previous": previous_id,
            "n_before": n_before,
            "mean_before": mean_before,
            "difference": diff,
            "ci95": [low_k, high_k],
            "t": t_k,
            "df": df_k,
            "p": p_k,
            "hedges_g": g_k,
            "real": real,
            "reading": "real" if real else "indicative",
        }
    for slot in np.flatnonzero(flat):
        result = statistics.welch_change_from_summaries(
            n_before=int(n1[slot]),
            mean_before=float(m1[slot]),
            sd_before=0.0,
            n_after=int(n2[slot]),
            mean_after=float(m2[slot]),
            sd_after=0.0,
            scale_range=scale.score.max - scale.score.min,
        )
        if result is None:
            continue
        out[int(slot)] = {
            "previous": previous_id,
            "n_before": result.n_before,
            "mean_before": _num(result.mean_before),
            "difference": result.difference,
            "ci95": [result.ci95[0], result.ci95[1]],
            "t": None,
            "df": None,
            "p": None,
            "hedges_g": None,
            "real": result.real,
            "zero_variance": True,
            "reading": "real"
            if result.real
            else ("unchanged" if result.difference == 0 else "indicative"),
        }
    return out


# --------------------------------------------------------------------------- the publication
