"""Scoring: from option codes to person scores and to figures for many groups at once.

The engine reads only the instrument (core.instruments); every rule below is a rule of
docs/instrument-format.md or spec/statistics.md:

- A person score exists when more than half of the scale's items are answered; "don't
  know" counts as unanswered. On a pooled scale (``aggregate: pooled``) one answered item
  is enough: its figure is the mean of every answer given. It is the mean of the answered items' points (reverse keying
  applied) rescaled linearly from the points range onto the scale's score range.
- A group's n is the number of people with a person score. Its mean is the mean of person
  scores (``aggregate: persons``) or the mean of every answer given (``aggregate: pooled``,
  vz-maturity). Item figures and rwg(j) use the answers of exactly the people counted in n.

Groups may overlap (a unit and its whole subtree), so figures are never computed group by
group. Each person belongs to one *atom* (a unit, or a unit x demographic cell); sums are
collected per atom with ``np.bincount`` and added up per group over the group's atoms. The
cost is linear in persons x items plus (atoms in groups) x statistics, which is what lets
200,000 respondents x 40 items in a 2,000-unit tree score in about half a second
(bench/bench_score.py).

Suppression is not done here: the caller decides what may be shown (core.suppression) from
the per-atom counts these tables expose (``atom_n`` and friends).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from tryghed.core import statistics
from tryghed.core.instruments import Band, Instrument, Item, KeyFigure, Level, Range, Scale, Text

__all__ = [
    "ZONE_LABELS",
    "BandShare",
    "GroupItem",
    "GroupRows",
    "GroupScale",
    "Groups",
    "ItemDistributions",
    "KeyFigureTable",
    "LevelReading",
    "ScaleFigures",
    "ScoredAnswers",
    "ZonePlacement",
    "also_range",
    "answers_matrix",
    "group_zone",
    "invalid_answers",
    "item_distributions",
    "key_figures",
    "level_reading",
    "reference_position",
    "reliability",
    "rescale",
    "scale_figures",
    "scale_points_range",
    "score_persons",
    "unit_icc",
    "zone_placement",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_BINS = 10


# --------------------------------------------------------------------------- answers


def rescale(values: npt.ArrayLike, source: Range, target: Range) -> FloatArray:
    """Linear map from ``source`` onto ``target`` (ps7: mean points 0..10 -> 0..70)."""
    factor = (target.max - target.min) / (source.max - source.min)
    return target.min + (np.asarray(values, dtype=np.float64) - source.min) * factor


def _rescale_float(value: float, source: Range, target: Range) -> float:
    return target.min + (value - source.min) * (target.max - target.min) / (source.max - source.min)


def scale_points_range(instrument: Instrument, scale: Scale) -> Range:
    """Lowest and highest points the scale's items can give, reverse keying applied."""
    ranges = [instrument.item(n).points_range for n in scale.items]
    known = [r for r in ranges if r is not None]
    return Range(min(r.min for r in known), max(r.max for r in known))


def answers_matrix(instrument: Instrument, rows: Iterable[Mapping[str, int | None]]) -> FloatArray:
    """Rows of ``{item id: code}`` (e.g. from the database) as the n x N code matrix."""
    column = {item.id: j for j, item in enumerate(instrument.items)}
    data: list[list[float]] = []
    for row in rows:
        values = [math.nan] * len(instrument.items)
        for item_id, code in row.items():
            if code is not None and item_id in column:
                values[column[item_id]] = float(code)
        data.append(values)
    return np.array(data, dtype=np.float64).reshape(len(data), len(instrument.items))


@dataclass(frozen=True, eq=False)
class _Tables:
    """Per-item lookup tables indexed by ``code - offset``; the last column is "missing".

    Tables are flattened (item j, column c at ``j * width + c``) so that one ``np.take``
    turns the whole n x N cell matrix into points, positions or flags.
    """

    offset: int
    width: int
    points: FloatArray  # points after reverse keying, NaN = no points
    position: FloatArray  # reverse-keyed option position 1..A (rwg), NaN
    dont_know: BoolArray
    valid: BoolArray  # a code the item offers (the "missing" column is valid)
    option_index: IntArray  # index of the option in item.options, -1


def _tables(instrument: Instrument) -> _Tables:
    codes = [o.code for item in instrument.items for o in item.options]
    low = min(codes, default=0)
    high = max(codes, default=0)
    width = high - low + 2
    n_items = len(instrument.items)
    points = np.full((n_items, width), np.nan)
    position = np.full((n_items, width), np.nan)
    dont_know = np.zeros((n_items, width), dtype=np.bool_)
    valid = np.zeros((n_items, width), dtype=np.bool_)
    valid[:, -1] = True
    option_index = np.full((n_items, width), -1, dtype=np.intp)
    for j, item in enumerate(instrument.items):
        if item.type != "choice":
            continue  # text and multi answers never enter the code matrix
        scored = item.scored_options
        for k, option in enumerate(item.options):
            col = option.code - low
            valid[j, col] = True
            option_index[j, col] = k
            dont_know[j, col] = option.dont_know
            if item.scored and option.points is not None:
                points[j, col] = option.points_reversed if item.reverse else option.points
        for k, option in enumerate(scored):
            position[j, option.code - low] = len(scored) - k if item.reverse else k + 1
    return _Tables(
        low,
        width,
        points.ravel(),
        position.ravel(),
        dont_know.ravel(),
        valid.ravel(),
        option_index.ravel(),
    )


def _column_cells(
    col: FloatArray, j: int, tables: _Tables
) -> tuple[npt.NDArray[np.int32], BoolArray]:
    """Flat table indices for the codes of item column j, and where a code is no option.

    Done column by column: the temporaries stay small (one column), which is most of the
    speed on 200,000 x 40 answers.
    """
    missing_col = tables.width - 1
    missing = np.isnan(col)
    shifted = col - tables.offset
    with np.errstate(invalid="ignore"):
        outside = ~((shifted >= 0) & (shifted <= missing_col - 1)) & ~missing
    shifted[missing | outside] = missing_col
    cells = shifted.astype(np.int32)
    bad = outside | (cells != shifted)
    cells += j * tables.width
    bad |= ~tables.valid[cells]
    return cells, bad


def invalid_answers(instrument: Instrument, answers: npt.ArrayLike) -> list[tuple[int, int, float]]:
    """(row, item number, code) of every code that is not an option of its choice item."""
    data = np.asarray(answers, dtype=np.float64)
    tables = _tables(instrument)
    found: list[tuple[int, int, float]] = []
    for j, item in enumerate(instrument.items):
        if item.type == "choice":
            _, bad = _column_cells(data[:, j], j, tables)
            found.extend((int(r), j + 1, float(data[r, j])) for r in np.flatnonzero(bad))
    return sorted(found)


@dataclass(frozen=True, eq=False)
class ScoredAnswers:
    """The answers of n people to one instrument, looked up once for every later figure.

    ``points``: n x N, reverse keying applied, NaN for missing, don't know and unscored.
    ``scores``: scale id -> (n,) person scores on the score range, NaN without a score.
    ``answered`` and ``points_sum``: per scale and person, the answered items and the sum
    of their points (0 for people without a score), for the pooled aggregate.
    """

    instrument: Instrument
    codes: FloatArray
    cells: npt.NDArray[np.int32]  # n x N flat indices into the lookup tables
    points: FloatArray
    scores: Mapping[str, FloatArray]
    answered: Mapping[str, IntArray]
    points_sum: Mapping[str, FloatArray]
    _tables: _Tables

    @property
    def n(self) -> int:
        return int(self.codes.shape[0])

    def columns(self, scale: Scale) -> IntArray:
        return np.asarray([n - 1 for n in scale.items], dtype=np.intp)

    @property
    def tables_width(self) -> int:
        """Columns per item in the lookup tables: codes offset..max, then "missing"."""
        return self._tables.width

    @property
    def tables_offset(self) -> int:
        return self._tables.offset

    def code_index_of_column(self, j: int, rows: IntArray) -> IntArray:
        """``code - offset`` of item column j for ``rows``; ``width - 1`` = no answer."""
        result: IntArray = self.cells[rows, j].astype(np.intp) - j * self._tables.width
        return result

    def position_of_column(self, j: int, rows: IntArray) -> FloatArray:
        result: FloatArray = self._tables.position[self.cells[rows, j]]
        return result

    def position(self, cols: Sequence[int] | IntArray) -> FloatArray:
        """Reverse-keyed option positions 1..A of the given columns (for rwg), NaN."""
        result: FloatArray = np.take(self._tables.position, self.cells[:, cols])
        return result

    def dont_know(self, cols: Sequence[int] | IntArray) -> BoolArray:
        result: BoolArray = np.take(self._tables.dont_know, self.cells[:, cols])
        return result

    def option_index(self, cols: Sequence[int] | IntArray) -> IntArray:
        """Index of the answered option in ``item.options``; -1 for no answer."""
        result: IntArray = np.take(self._tables.option_index, self.cells[:, cols])
        return result


def _enclosing_scale(instrument: Instrument, scale: Scale) -> Scale | None:
    """The largest other scale holding every item of ``scale`` and more, if any."""
    inside = set(scale.items)
    larger = [s for s in instrument.scales if s is not scale and inside < set(s.items)]
    return max(larger, key=lambda s: len(s.items)) if larger else None


def score_persons(instrument: Instrument, answers: npt.ArrayLike) -> ScoredAnswers:
    """Person scores for every scale of ``instrument``.

    ``answers``: n x N option codes, column j = item j + 1, NaN = no answer. Text and multi
    columns are ignored. A code that is not an option of its item raises ValueError: an
    unknown code must never be scored silently as "no answer".
    """
    codes = np.asarray(answers, dtype=np.float64)
    n_items = len(instrument.items)
    if codes.ndim != 2 or codes.shape[1] != n_items:
        raise ValueError(f"answers must be n x {n_items} (one column per item of {instrument.id})")
    # Column-major, once: reading a column of a row-major 200,000 x 40 matrix would touch
    # every cache line of it, forty times over.
    codes = np.asfortranarray(codes)
    n = codes.shape[0]
    tables = _tables(instrument)
    # Column-major: every later step reads whole columns.
    cells = np.empty((n, n_items), dtype=np.int32, order="F")
    points = np.empty((n, n_items), dtype=np.float64, order="F")
    first_bad: tuple[int, int] | None = None
    for j, item in enumerate(instrument.items):
        if item.type != "choice":
            cells[:, j] = j * tables.width + tables.width - 1  # never read as an answer
            points[:, j] = np.nan
            continue
        col_cells, bad = _column_cells(codes[:, j], j, tables)
        if bad.any():
            row = int(np.argmax(bad))
            if first_bad is None or row < first_bad[0]:
                first_bad = (row, j)
        cells[:, j] = col_cells
        points[:, j] = tables.points[col_cells]
    if first_bad is not None:
        r, c = first_bad
        raise ValueError(
            f"row {r + 1}: {instrument.items[c].id}: code {codes[r, c]:g} is not an option"
        )

    scores: dict[str, FloatArray] = {}
    answered: dict[str, IntArray] = {}
    sums: dict[str, FloatArray] = {}
    # Larger scales first: a scale inside a larger one (vz-maturity's topics inside its
    # total) is scored over the larger scale's people, so a topic shows one number, the
    # same as its item inside the total, over one set of people (privacy.md section 3).
    for scale in sorted(instrument.scales, key=lambda s: -len(s.items)):
        enclosing = _enclosing_scale(instrument, scale)
        count = np.zeros(n, dtype=np.intp)
        total = np.zeros(n)
        for number in scale.items:
            col = points[:, number - 1]
            has = ~np.isnan(col)
            count += has
            np.add(total, col, out=total, where=has)  # no temporary column of zeros
        # More than half of the items answered; on a pooled scale, the mean of every answer
        # given (vz-maturity; seed 004: "den gennemsnitlige score på de samlede svar"),
        # anyone who gave one: a person who said "Ved ikke" to most topics still counts,
        # with their "Ved ikke" shares, instead of dropping out of every figure.
        pooled = scale.aggregate == "pooled"
        enough = count > 0 if pooled else 2 * count > len(scale.items)
        if enclosing is not None:
            enough &= ~np.isnan(scores[enclosing.id])
        with np.errstate(invalid="ignore", divide="ignore"):
            person = rescale(total / count, scale_points_range(instrument, scale), scale.score)
        person[~enough] = np.nan
        count[~enough] = 0
        total[~enough] = 0.0
        scores[scale.id] = person
        answered[scale.id] = count
        sums[scale.id] = total
    return ScoredAnswers(
        instrument=instrument,
        codes=codes,
        cells=cells,
        points=points,
        scores={scale.id: scores[scale.id] for scale in instrument.scales},
        answered=answered,
        points_sum=sums,
        _tables=tables,
    )


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True, eq=False)
class Groups:
    """Possibly overlapping groups of people, as sets of atoms.

    ``atom[i]`` is the atom (unit, or unit x demographic cell) of person i, -1 for none.
    Group g consists of atoms ``indices[indptr[g]:indptr[g + 1]]``; an atom may be in many
    groups (a unit is in its own group and in every ancestor's subtree).
    """

    atom: IntArray
    n_atoms: int
    indptr: IntArray
    indices: IntArray

    @classmethod
    def from_members(
        cls, atom: npt.ArrayLike, n_atoms: int, members: Sequence[Iterable[int]]
    ) -> Groups:
        atoms = np.asarray(atom, dtype=np.intp)
        if atoms.size and (atoms.min() < -1 or atoms.max() >= n_atoms):
            raise ValueError(f"person atoms must lie in -1..{n_atoms - 1}")
        lists = [sorted(set(m)) for m in members]
        for m in lists:
            if m and (m[0] < 0 or m[-1] >= n_atoms):
                raise ValueError(f"atom indices must lie in 0..{n_atoms - 1}")
        indptr = np.zeros(len(lists) + 1, dtype=np.intp)
        indptr[1:] = np.cumsum([len(m) for m in lists])
        indices = np.fromiter((a for m in lists for a in m), dtype=np.intp, count=int(indptr[-1]))
        return cls(atoms, n_atoms, indptr, indices)

    @classmethod
    def disjoint(cls, labels: npt.ArrayLike, n_groups: int) -> Groups:
        """Each person in at most one group (``labels`` 0..n_groups-1, -1 for none)."""
        return cls.from_members(labels, n_groups, [[g] for g in range(n_groups)])

    @property
    def n_groups(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @cached_property
    def _identity(self) -> bool:
        return self.n_groups == self.n_atoms and bool(
            np.all(np.diff(self.indptr) == 1)
            and np.array_equal(self.indices, np.arange(self.n_atoms))
        )

    def by_atom(self, values: npt.NDArray[np.float64]) -> FloatArray:
        """Sums of per-person values (n, or n x c) per atom (atoms, or atoms x c)."""
        columns = int(np.prod(values.shape[1:], dtype=np.int64))  # -1 fails on 0 rows
        matrix = values.reshape(values.shape[0], columns)
        keep = self.atom >= 0
        atom = self.atom[keep]
        out = np.empty((self.n_atoms, matrix.shape[1]))
        for c in range(matrix.shape[1]):
            out[:, c] = np.bincount(atom, weights=matrix[keep, c], minlength=self.n_atoms)
        return out.reshape(self.n_atoms, *values.shape[1:])

    def reduce(self, per_atom: npt.NDArray[np.float64]) -> FloatArray:
        """Sum per-atom statistics (atoms on axis 0) over each group's atoms."""
        if self._identity:
            return np.array(per_atom, dtype=np.float64)
        out = np.zeros((self.n_groups, *per_atom.shape[1:]), dtype=np.float64)
        starts = self.indptr[:-1]
        nonempty = starts < self.indptr[1:]
        if self.indices.size and nonempty.any():
            out[nonempty] = np.add.reduceat(per_atom[self.indices], starts[nonempty], axis=0)
        return out


def _squares_about_group_means(
    groups: Groups,
    atom: IntArray,
    y: FloatArray,
    atom_n: FloatArray,
    atom_sum: FloatArray,
    group_mean: FloatArray,
) -> FloatArray:
    """Σ (y − group mean)² per group, without the cancellation of Σy² − n·ȳ².

    Two passes: each atom's squares about its own mean, then each (group, atom) pair adds
    n_atom·(atom mean − group mean)², a sum of squares of differences. Identical scores give
    exactly 0 (the one-pass form leaves ~1e-14 of the score², an SD of ~3e-7 at 53.2).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        atom_mean = np.where(atom_n > 0, atom_sum / atom_n, 0.0)
    within = np.bincount(atom, weights=(y - atom_mean[atom]) ** 2, minlength=groups.n_atoms)
    if groups._identity:
        return within.astype(np.float64)
    counts = np.diff(groups.indptr)
    owner = np.repeat(np.arange(groups.n_groups), counts)
    members = groups.indices
    with np.errstate(invalid="ignore"):
        between = atom_n[members] * (atom_mean[members] - group_mean[owner]) ** 2
    terms = np.where(atom_n[members] > 0, within[members] + between, 0.0)
    out = np.zeros(groups.n_groups, dtype=np.float64)
    starts = groups.indptr[:-1]
    nonempty = counts > 0
    if terms.size and nonempty.any():
        out[nonempty] = np.add.reduceat(terms, starts[nonempty])
    return out


def _t975(n: npt.NDArray[np.float64]) -> FloatArray:
    """Student t 0.975 quantile for n - 1 df; NaN where n < 2."""
    from scipy import stats as scipy_stats  # imported when used: 0.7 s at start-up

    df = np.where(n >= 2, n - 1, np.nan)
    # Once per distinct size: thousands of groups share a few hundred sizes, and the
    # quantile costs about 5 µs a value.
    distinct, where = np.unique(df, return_inverse=True)
    quantiles = np.asarray(scipy_stats.t.ppf(0.975, distinct), dtype=np.float64)
    result: FloatArray = quantiles[where.reshape(df.shape)]
    return result


def _rwg(var_sum: FloatArray, n_used: FloatArray, sigma2: float) -> FloatArray:
    """rwg(j) from the sum of item variances over the J items with 2+ answers."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(n_used > 0, var_sum / n_used, np.nan) / sigma2
        value = n_used * (1.0 - ratio) / (n_used * (1.0 - ratio) + ratio)
    result: FloatArray = np.where(ratio >= 1.0, 0.0, value)
    return result


# --------------------------------------------------------------------------- scale figures


@dataclass(frozen=True, slots=True)
class BandShare:
    """Share of the scored answers (of people with a person score) in one band."""

    band: Band
    count: int
    share: float | None


@dataclass(frozen=True, slots=True)
class GroupItem:
    """An item's figures in one group: people with a person score who answered it."""

    item_id: str
    n: int
    mean_points: float | None


@dataclass(frozen=True, slots=True)
class GroupScale:
    """One group's figures on one scale, as plain Python values (None = undefined)."""

    scale: Scale
    n: int
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None
    rwg_j: float | None
    items: tuple[GroupItem, ...]
    bin_edges: tuple[float, ...]
    bins: tuple[int, ...]
    bands: tuple[BandShare, ...]
    n_answers: int

    def also(self) -> tuple[float | None, float | None, tuple[float, float] | None]:
        """Mean, SD and CI on the scale's second presentation range (ps7: 0-100)."""
        return also_range(self.scale, self.mean, self.sd, self.ci95)

    def level(self) -> LevelReading | None:
        return level_reading(self.scale, self.mean) if self.mean is not None else None


def also_range(
    scale: Scale, mean: float | None, sd: float | None, ci95: tuple[float, float] | None
) -> tuple[float | None, float | None, tuple[float, float] | None]:
    """A group's mean, SD and CI on ``scale``'s second presentation range (ps7: 0-100)."""
    if scale.also is None:
        raise ValueError(f"scale {scale.id} has no second range")
    target, source = scale.also, scale.score
    factor = (target.max - target.min) / (source.max - source.min)
    also_mean = _rescale_float(mean, source, target) if mean is not None else None
    also_sd = sd * factor if sd is not None else None
    ci = (
        (_rescale_float(ci95[0], source, target), _rescale_float(ci95[1], source, target))
        if ci95 is not None
        else None
    )
    return also_mean, also_sd, ci


@dataclass(frozen=True, eq=False)
class ScaleFigures:
    """Figures of one scale for every group (arrays with groups on axis 0).

    ``atom_n`` and ``atom_item_n`` are the same counts per atom: what suppression needs.
    For ``aggregate: pooled`` the mean is the mean of every answer (rescaled), and SD and CI
    come from the ratio estimator with people as clusters (answers of one person are not
    independent); when everyone answers every item this equals the persons mean and SD.
    """

    scale: Scale
    item_ids: tuple[str, ...]
    n: IntArray
    mean: FloatArray
    sd: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    rwg_j: FloatArray
    n_answers: IntArray
    item_n: IntArray  # G x k
    item_mean: FloatArray  # G x k, mean points
    bin_edges: FloatArray
    bins: IntArray  # G x B
    band_counts: IntArray  # G x bands: scored answers (of people with a score) in each band
    atom_n: IntArray
    atom_item_n: IntArray  # atoms x k

    @property
    def n_groups(self) -> int:
        return int(self.n.shape[0])

    def group(self, g: int) -> GroupScale:
        rows = self.rows
        band_total = rows.n_answers[g]
        low = rows.ci_low[g]
        return GroupScale(
            scale=self.scale,
            n=rows.n[g],
            mean=rows.mean[g],
            sd=rows.sd[g],
            ci95=(low, rows.ci_high[g]) if low is not None else None,
            rwg_j=rows.rwg_j[g],
            items=tuple(
                GroupItem(item_id, n, mean)
                for item_id, n, mean in zip(
                    self.item_ids, rows.item_n[g], rows.item_mean[g], strict=True
                )
            ),
            bin_edges=rows.bin_edges,
            bins=tuple(rows.bins[g]),
            bands=tuple(
                BandShare(band, count, count / band_total if band_total else None)
                for band, count in zip(self.scale.bands, rows.band_counts[g], strict=True)
            ),
            n_answers=band_total,
        )

    @cached_property
    def rows(self) -> GroupRows:
        """The arrays as Python values, made once: a publication reads every group."""

        def optional(values: list[float]) -> list[float | None]:
            return [None if math.isnan(v) else v for v in values]

        return GroupRows(
            n=self.n.tolist(),
            mean=optional(self.mean.tolist()),
            sd=optional(self.sd.tolist()),
            ci_low=optional(self.ci_low.tolist()),
            ci_high=self.ci_high.tolist(),
            rwg_j=optional(self.rwg_j.tolist()),
            item_n=self.item_n.tolist(),
            item_mean=[optional(row) for row in self.item_mean.tolist()],
            bin_edges=tuple(self.bin_edges.tolist()),
            bins=self.bins.tolist(),
            band_counts=self.band_counts.tolist(),
            n_answers=self.n_answers.tolist(),
        )


@dataclass(frozen=True)
class GroupRows:
    """ScaleFigures' arrays as lists of Python values, indexed by group (NaN as None, as
    in :class:`GroupScale`). Read-only: the lists are shared."""

    n: list[int]
    mean: list[float | None]
    sd: list[float | None]
    ci_low: list[float | None]  # None: no CI (then ci_high is NaN too)
    ci_high: list[float]
    rwg_j: list[float | None]
    item_n: list[list[int]]
    item_mean: list[list[float | None]]
    bin_edges: tuple[float, ...]
    bins: list[list[int]]
    band_counts: list[list[int]]
    n_answers: list[int]


def _common_option_count(items: Sequence[Item]) -> int | None:
    counts = {len(item.scored_options) for item in items}
    return counts.pop() if len(counts) == 1 else None


def scale_figures(
    scored: ScoredAnswers, scale_id: str, groups: Groups, *, n_bins: int = DEFAULT_BINS
) -> ScaleFigures:
    """n, mean, SD, 95 % CI, rwg(j), item figures, score bins and band counts per group.

    Every sum is collected per atom with one ``np.bincount`` per column over the people
    with a person score, then added up per group. Values are centred (on the middle of the
    score, points or option range) before they are squared, so the one-pass variance
    keeps its precision.
    """
    instrument = scored.instrument
    scale = instrument.scale(scale_id)
    items = [instrument.item(n) for n in scale.items]
    k = len(items)
    person = scored.scores[scale.id]
    points_range = scale_points_range(instrument, scale)
    score_centre = (scale.score.min + scale.score.max) / 2.0
    points_centre = (points_range.min + points_range.max) / 2.0
    factor = (scale.score.max - scale.score.min) / (points_range.max - points_range.min)
    n_options = _common_option_count(items)
    option_centre = ((n_options or 0) + 1) / 2.0
    pooled = scale.aggregate == "pooled"

    rows = np.flatnonzero(~np.isnan(person) & (groups.atom >= 0))  # people counted in n
    atom = groups.atom[rows]
    n_atoms = groups.n_atoms

    def per_atom(weights: npt.NDArray[np.float64] | npt.NDArray[np.bool_] | None) -> FloatArray:
        result: FloatArray = np.bincount(atom, weights=weights, minlength=n_atoms).astype(
            np.float64, copy=False
        )
        return result

    # Columns of the per-atom table: persons (3 or 8), then 4 per item, then 1 per band.
    n_person = 8 if pooled else 3
    table = np.empty((n_atoms, n_person + 4 * k + len(scale.bands)))
    y = person[rows] - score_centre
    table[:, 0] = per_atom(None)
    table[:, 1] = per_atom(y)
    table[:, 2] = per_atom(y * y)
    m = scored.answered[scale.id][rows].astype(np.float64)
    if pooled:
        ps = scored.points_sum[scale.id][rows] - points_centre * m  # centred points per person
        for c, w in enumerate((m, ps, ps * ps, ps * m, m * m), start=3):
            table[:, c] = per_atom(w)
    # Lookup per code column (code - offset): is the code in the band?
    codes_of_column = np.arange(scored.tables_width) + scored.tables_offset
    band_tables = [np.isin(codes_of_column, band.codes) for band in scale.bands]
    band_cols = np.zeros((rows.size, len(scale.bands)))
    for idx, item in enumerate(items):
        j = item.number - 1
        pts = scored.points[rows, j]
        answered = ~np.isnan(pts)
        pos = scored.position_of_column(j, rows) - option_centre
        pts[~answered] = 0.0
        pos[~answered] = 0.0
        base = n_person + 4 * idx
        table[:, base] = per_atom(answered)
        table[:, base + 1] = per_atom(pts)
        table[:, base + 2] = per_atom(pos)
        table[:, base + 3] = per_atom(pos * pos)
        if band_tables:
            code_col = scored.code_index_of_column(j, rows)
            for b, in_band in enumerate(band_tables):
                band_cols[:, b] += in_band[code_col] & answered
    for b in range(len(scale.bands)):
        table[:, n_person + 4 * k + b] = per_atom(band_cols[:, b])
    summed = groups.reduce(table)

    n = summed[:, 0]
    item_sum = summed[:, n_person : n_person + 4 * k].reshape(-1, k, 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        if pooled:
            # Ratio estimator, people as clusters: mean = sum(points) / sum(answers).
            m_sum, s_sum, ss, sm, mm = (summed[:, c] for c in range(3, 8))
            ratio = np.where(m_sum > 0, s_sum / m_sum, np.nan)
            resid = np.maximum(ss - 2 * ratio * sm + ratio * ratio * mm, 0.0)
            sd = np.where(n >= 2, np.sqrt(resid / (n - 1)) / (m_sum / n), np.nan) * factor
            mean = rescale(ratio + points_centre, points_range, scale.score)
        else:
            s1 = summed[:, 1]
            mean_c = np.where(n > 0, s1 / n, np.nan)
            mean = mean_c + score_centre
            squares = _squares_about_group_means(groups, atom, y, table[:, 0], table[:, 1], mean_c)
            sd = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)
        # Identical non-integer scores leave rounding noise: it is no spread (statistics.md).
        sd = np.where(sd < statistics.zero_sd_below(scale.score.max - scale.score.min), 0.0, sd)
        half = _t975(n) * sd / np.sqrt(n)

        item_n = item_sum[:, :, 0]
        item_mean = np.where(item_n > 0, item_sum[:, :, 1] / item_n, np.nan)
        used = item_n >= 2
        var = np.where(
            used, (item_sum[:, :, 3] - item_sum[:, :, 2] ** 2 / item_n) / (item_n - 1), 0.0
        )
    if n_options is not None and n_options >= 2:
        rwg = _rwg(
            np.maximum(var, 0.0).sum(axis=1),
            used.sum(axis=1).astype(np.float64),
            (n_options**2 - 1) / 12.0,
        )
    else:
        rwg = np.full(groups.n_groups, np.nan)

    # -- distribution of person scores in equal bins over the score range
    edges = np.linspace(scale.score.min, scale.score.max, n_bins + 1)
    share = (person[rows] - scale.score.min) / (scale.score.max - scale.score.min)
    bin_index = np.clip(np.floor(share * n_bins), 0, n_bins - 1).astype(np.intp)
    bins_atom = np.bincount(atom * n_bins + bin_index, minlength=n_atoms * n_bins)
    bins = groups.reduce(bins_atom.reshape(n_atoms, n_bins).astype(np.float64))

    return ScaleFigures(
        scale=scale,
        item_ids=tuple(item.id for item in items),
        n=np.rint(n).astype(np.intp),
        mean=mean,
        sd=sd,
        ci_low=mean - half,
        ci_high=mean + half,
        rwg_j=rwg,
        n_answers=np.rint(item_n.sum(axis=1)).astype(np.intp),
        item_n=np.rint(item_n).astype(np.intp),
        item_mean=item_mean,
        bin_edges=edges,
        bins=np.rint(bins).astype(np.intp),
        band_counts=np.rint(summed[:, n_person + 4 * k :]).astype(np.intp),
        atom_n=np.rint(table[:, 0]).astype(np.intp),
        atom_item_n=np.rint(table[:, n_person : n_person + 4 * k : 4]).astype(np.intp),
    )


# --------------------------------------------------------------------------- item distributions


@dataclass(frozen=True, eq=False)
class ItemDistributions:
    """Answers per option for every choice item, over everyone in the group who answered it.

    Unlike item figures this is not limited to people with a person score: "don't know" is
    information (people do not know), and on a one-item scale a don't-know answer never
    makes a person score, so its share would always read 0.
    """

    instrument: Instrument
    counts: tuple[IntArray, ...]  # per item: G x options (in item.options order)
    atom_responded: IntArray  # atoms x N

    def responded(self, item_number: int) -> IntArray:
        result: IntArray = self.counts[item_number - 1].sum(axis=1)
        return result

    def shares(self, item_number: int) -> FloatArray:
        """G x options: share of each option among those who answered the item."""
        counts = self.counts[item_number - 1].astype(np.float64)
        total = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            result: FloatArray = np.where(total > 0, counts / total, np.nan)
        return result

    def dont_know_share(self, item_number: int) -> FloatArray:
        """Share of "don't know" among those who answered; NaN without a don't-know option."""
        item = self.instrument.item(item_number)
        dk = item.dont_know
        if dk is None:
            return np.full(self.counts[item_number - 1].shape[0], np.nan)
        return self.shares(item_number)[:, item.options.index(dk)]


def item_distributions(scored: ScoredAnswers, groups: Groups) -> ItemDistributions:
    """Counts per option (don't know included) for every choice item, per group."""
    instrument = scored.instrument
    rows = np.flatnonzero(groups.atom >= 0)
    atom = groups.atom[rows]
    width = scored.tables_width
    counts: list[IntArray] = []
    responded = np.zeros((groups.n_atoms, len(instrument.items)), dtype=np.intp)
    for j, item in enumerate(instrument.items):
        if item.type != "choice":
            counts.append(np.zeros((groups.n_groups, len(item.options)), dtype=np.intp))
            continue
        code_col = scored.code_index_of_column(j, rows)
        per_code = np.bincount(atom * width + code_col, minlength=groups.n_atoms * width).reshape(
            groups.n_atoms, width
        )
        per_option = per_code[:, [o.code - scored.tables_offset for o in item.options]]
        responded[:, j] = per_option.sum(axis=1)
        counts.append(np.rint(groups.reduce(per_option.astype(np.float64))).astype(np.intp))
    return ItemDistributions(instrument, tuple(counts), responded)


# --------------------------------------------------------------------------- key figures


@dataclass(frozen=True, eq=False)
class KeyFigureTable:
    """A share figure per group: ``count`` of ``n`` people (those who answered an item)."""

    figure: KeyFigure
    n: IntArray
    count: IntArray
    atom_n: IntArray

    @property
    def share(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 0, self.count / self.n, np.nan)


def key_figures(scored: ScoredAnswers, groups: Groups) -> dict[str, KeyFigureTable]:
    """Every key figure of the instrument per group.

    A person is counted in n when they answered at least one of the figure's items with a
    real option (don't know counts as unanswered). Rule ``any``: one answer in ``codes`` is
    enough; rule ``all``: every item must be answered with one of ``codes``.
    """
    result: dict[str, KeyFigureTable] = {}
    for figure in scored.instrument.key_figures:
        cols = [n - 1 for n in figure.items]
        codes = scored.codes[:, cols]
        real = ~np.isnan(codes) & ~scored.dont_know(cols)
        hit = np.isin(codes, figure.codes) & real
        answered = real.any(axis=1)
        counts = hit.any(axis=1) if figure.rule == "any" else hit.all(axis=1)
        atom = groups.by_atom(np.column_stack([answered, counts & answered]).astype(np.float64))
        summed = groups.reduce(atom)
        result[figure.id] = KeyFigureTable(
            figure=figure,
            n=np.rint(summed[:, 0]).astype(np.intp),
            count=np.rint(summed[:, 1]).astype(np.intp),
            atom_n=np.rint(atom[:, 0]).astype(np.intp),
        )
    return result


ReferencePosition = Literal["above", "below", "within", "equal"]


def reference_position(figure: KeyFigure, share: float) -> ReferencePosition | None:
    """Where a share lies against the figure's reference value or range.

    stress: 0.25 against 0.177 is "above"; tavshed: 0.6 against 0.50-0.70 is "within".
    None when the figure has no reference or the share is undefined.
    """
    if math.isnan(share):
        return None
    if figure.reference_range is not None:
        low, high = figure.reference_range
        return "below" if share < low else "above" if share > high else "within"
    if figure.reference is not None and figure.reference.value is not None:
        value = figure.reference.value
        return "above" if share > value else "below" if share < value else "equal"
    return None


# --------------------------------------------------------------------------- levels and zones


@dataclass(frozen=True, slots=True)
class LevelReading:
    """Where a score lies among named levels: on ``lower`` or between ``lower`` and ``upper``."""

    lower: Level
    upper: Level | None

    def text(self, lang: str = "da") -> str:
        def named(level: Level) -> str:
            return f"{level.label.get(lang)} ({level.value:g})"

        if self.upper is None:
            return named(self.lower)
        word = ("between", "and") if lang.lower().startswith("en") else ("mellem", "og")
        return f"{word[0]} {named(self.lower)} {word[1]} {named(self.upper)}"


def level_reading(scale: Scale, score: float) -> LevelReading | None:
    """3.5 on vz-maturity reads "mellem Aktivt (3) og Proaktivt (4)" (seed 004)."""
    levels = scale.levels
    if not levels or math.isnan(score):
        return None
    for level in levels:
        if score == level.value:
            return LevelReading(level, None)
    if score < levels[0].value:
        return LevelReading(levels[0], None)
    for lower, upper in itertools.pairwise(levels):
        if lower.value < score < upper.value:
            return LevelReading(lower, upper)
    return LevelReading(levels[-1], None)


Zone = Literal["learning", "comfort", "anxiety", "apathy"]

ZONE_LABELS: Mapping[Zone, Text] = {
    "learning": Text(da="Læring", en="Learning"),
    "comfort": Text(da="Komfort", en="Comfort"),
    "anxiety": Text(da="Angst", en="Anxiety"),
    "apathy": Text(da="Apati", en="Apathy"),
}


@dataclass(frozen=True, slots=True)
class ZonePlacement:
    """A group's point in the four zones (seed 000), both axes as shares 0..1 of the range.

    The report shows the point with its intervals, not a bare label: when an interval
    crosses the split the zone is not certain on that axis.
    """

    safety: float
    safety_ci95: tuple[float, float] | None
    focus: float
    focus_ci95: tuple[float, float] | None
    split: float
    zone: Zone
    safety_uncertain: bool
    focus_uncertain: bool

    @property
    def label(self) -> Text:
        return ZONE_LABELS[self.zone]

    @property
    def uncertain(self) -> bool:
        return self.safety_uncertain or self.focus_uncertain


def zone_placement(
    safety_mean: float,
    safety_ci95: tuple[float, float] | None,
    safety_range: Range,
    focus_mean: float,
    focus_ci95: tuple[float, float] | None,
    focus_range: Range,
    split: float = 0.5,
) -> ZonePlacement:
    """Place a group: high safety and high focus = Læring, high/low = Komfort, low/high =
    Angst, low/low = Apati. A value on the split counts as high."""

    def share_ci(ci: tuple[float, float] | None, rng: Range) -> tuple[float, float] | None:
        return (rng.share(ci[0]), rng.share(ci[1])) if ci is not None else None

    def crosses(ci: tuple[float, float] | None) -> bool:
        # Without an interval (n < 2) nothing supports the label: treat as uncertain.
        return ci is None or ci[0] < split < ci[1]

    safety = safety_range.share(safety_mean)
    focus = focus_range.share(focus_mean)
    s_ci = share_ci(safety_ci95, safety_range)
    f_ci = share_ci(focus_ci95, focus_range)
    high_safety, high_focus = safety >= split, focus >= split
    zone: Zone
    if high_safety:
        zone = "learning" if high_focus else "comfort"
    else:
        zone = "anxiety" if high_focus else "apathy"
    return ZonePlacement(
        safety=safety,
        safety_ci95=s_ci,
        focus=focus,
        focus_ci95=f_ci,
        split=split,
        zone=zone,
        safety_uncertain=crosses(s_ci),
        focus_uncertain=crosses(f_ci),
    )


def group_zone(safety: GroupScale, focus: GroupScale, split: float = 0.5) -> ZonePlacement | None:
    """The zone of one group from its safety scale (ps7, ps7-hem) and focus scale
    (opgavefokus) figures; None when either has no mean."""
    if safety.mean is None or focus.mean is None:
        return None
    return zone_placement(
        safety.mean,
        safety.ci95,
        safety.scale.score,
        focus.mean,
        focus.ci95,
        focus.scale.score,
        split,
    )


# --------------------------------------------------------------------------- measurement level


def reliability(scored: ScoredAnswers, scale_id: str) -> statistics.AlphaResult | None:
    """Cronbach's alpha of a scale over all respondents, on item points as scored."""
    scale = scored.instrument.scale(scale_id)
    return statistics.cronbach_alpha(scored.points[:, scored.columns(scale)])


def unit_icc(
    scored: ScoredAnswers, scale_id: str, unit: npt.ArrayLike
) -> statistics.IccResult | None:
    """ICC(1) and ICC(2) of person scores by unit (one-way ANOVA)."""
    return statistics.icc(scored.scores[scale_id], unit)
