"""The publication as a typed model: what a measurement shows, record by record.

Framework-free. ``core.publication`` builds a measurement's publication and
``results.aggregates`` stores it as JSON (the shape in ``core.publication``'s docstring);
:func:`load` turns that JSON into the frozen records below, once per process, and
:func:`dump` is the one serializer back (``dump(load(d)) == d``, key order included, so
stored publications and their fingerprints stay what they were). Readers outside ``core``
use these attributes and accessors, never the JSON's keys (tests/core/test_figures.py
keeps them to it).

A publication is a frozen unit tree (``units``) and one record per (group, figure): a
group is a unit's own respondents (``"unit"``), its subtree (``"subtree"``) or the whole
measurement; a figure is a scale, an item, a key figure or a free-text question. Each
record is either its numbers or :class:`Hidden` with the reason, never both.

A page reads a *slice*: the header (tree, instruments, minimums, measurement-level
statistics) and the groups it may show, stored one row per group (``results.models``).
:class:`GroupSlots` holds the slice's groups; asking it for another group raises
:class:`OutsideSlice`, so a page can show nothing beyond what it loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Alpha",
    "Also",
    "Change",
    "Comments",
    "Correlation",
    "Drivers",
    "Group",
    "GroupSlots",
    "Hidden",
    "Icc",
    "InstrumentFigures",
    "InstrumentMeta",
    "ItemFigure",
    "ItemMeta",
    "KeyFigureMeta",
    "KeyShare",
    "Level",
    "MeasurementLevel",
    "MeasurementRef",
    "MinimumsRef",
    "OutsideSlice",
    "Pair",
    "Publication",
    "ScaleFigure",
    "ScaleMeta",
    "ScaleStatistics",
    "TextSlots",
    "UnitEntry",
    "Zone",
    "dump",
    "group_count",
    "load",
    "load_group",
    "load_header",
    "shown",
    "text_indices",
]

Json = dict[str, Any]
Pair = tuple[float | None, float | None]


def _pair(value: Sequence[Any] | None) -> Pair | None:
    return None if value is None else (value[0], value[1])


def _list(value: Pair | None) -> list[float | None] | None:
    return None if value is None else [value[0], value[1]]


@dataclass(frozen=True, slots=True)
class Hidden:
    """A figure (or a whole group) that is not shown: ``"below_minimum"`` or
    ``"complementary"`` (hidden so that a hidden neighbour cannot be subtracted)."""

    reason: str | None

    def dump(self) -> Json:
        return {"suppressed": True, "reason": self.reason}


def shown[T](record: T | Hidden | None) -> T | None:
    """The record when it is shown; None when it is hidden or absent."""
    return None if record is None or isinstance(record, Hidden) else record


# Records are frozen, so every hidden figure with the same reason can be one object: a
# large publication hides tens of thousands of figures.
_SHARED_HIDDEN = {reason: Hidden(reason) for reason in ("below_minimum", "complementary", None)}


def _hidden(reason: Any) -> Hidden:
    return _SHARED_HIDDEN.get(reason) or Hidden(reason)


def _hidden_or(raw: Mapping[str, Any], make: Any) -> Any:
    if raw.get("suppressed", True):
        return _hidden(raw.get("reason"))
    return make(raw)


# --------------------------------------------------------------------------- per group


@dataclass(frozen=True, slots=True)
class Change:
    """Welch change against the earlier wave's published figure (statistics.md)."""

    previous: int | None
    n_before: int
    mean_before: float | None
    difference: float | None
    ci95: Pair | None
    t: float | None
    df: float | None
    p: float | None
    hedges_g: float | None
    real: bool
    reading: str  # "real" | "indicative" | "unchanged"
    zero_variance: bool = False

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> Change:
        return cls(
            raw.get("previous"),
            raw["n_before"],
            raw.get("mean_before"),
            raw.get("difference"),
            _pair(raw.get("ci95")),
            raw.get("t"),
            raw.get("df"),
            raw.get("p"),
            raw.get("hedges_g"),
            bool(raw.get("real")),
            str(raw.get("reading", "indicative")),
            bool(raw.get("zero_variance", False)),
        )

    def dump(self) -> Json:
        out: Json = {
            "previous": self.previous,
            "n_before": self.n_before,
            "mean_before": self.mean_before,
            "difference": self.difference,
            "ci95": _list(self.ci95),
            "t": self.t,
            "df": self.df,
            "p": self.p,
            "hedges_g": self.hedges_g,
            "real": self.real,
        }
        if self.zero_variance:
            out["zero_variance"] = True
        out["reading"] = self.reading
        return out


@dataclass(frozen=True, slots=True)
class Also:
    """A scale's figures on its second range (``also``)."""

    mean: float | None
    sd: float | None
    ci95: Pair | None


@dataclass(frozen=True, slots=True)
class Level:
    """A staircase scale's level: the step reached and the next one (None at the top)."""

    lower: Any
    upper: Any


@dataclass(frozen=True, slots=True)
class ScaleFigure:
    """A scale's figures for a group. A bipolar scale has no mean, SD or CI (None), only
    its bands, the dominant band and that band's consequence."""

    n: int
    mean: float | None
    sd: float | None
    ci95: Pair | None
    rwg_j: float | None
    bins: tuple[int, ...]
    also: Also | None = None
    level: Level | None = None
    bands: Mapping[str, float | None] | None = None
    dominant_band: str | None = None
    consequence: str | None = None
    change: Change | None = None

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> ScaleFigure:
        also = raw.get("also")
        level = raw.get("level")
        change = raw.get("change")
        return cls(
            raw["n"],
            raw.get("mean"),
            raw.get("sd"),
            _pair(raw.get("ci95")),
            raw.get("rwg_j"),
            tuple(raw.get("bins", ())),
            Also(also["mean"], also["sd"], _pair(also["ci95"])) if also is not None else None,
            Level(level["lower"], level["upper"]) if level is not None else None,
            raw.get("bands"),
            raw.get("dominant_band"),
            raw.get("consequence"),
            Change.load(change) if change is not None else None,
        )

    def dump(self, meta: ScaleMeta) -> Json:
        """As the builder writes it: which keys a scale carries follows its metadata."""
        out: Json = {"suppressed": False, "n": self.n}
        if meta.polarity != "bipolar":
            out["mean"] = self.mean
            out["sd"] = self.sd
            out["ci95"] = _list(self.ci95)
            if meta.also is not None:
                also = self.also or Also(None, None, None)
                out["also"] = {"mean": also.mean, "sd": also.sd, "ci95": _list(also.ci95)}
        out["rwg_j"] = self.rwg_j
        out["bins"] = list(self.bins)
        if meta.levels:
            level = self.level
            out["level"] = (
                {"lower": level.lower, "upper": level.upper} if level is not None else None
            )
        if meta.bands:
            out["bands"] = dict(self.bands or {})
            if meta.consequences:
                out["dominant_band"] = self.dominant_band
                out["consequence"] = self.consequence
        if self.change is not None:
            out["change"] = self.change.dump()
        return out


@dataclass(frozen=True, slots=True)
class ItemFigure:
    """An item's distribution for a group: answers per option code, the share answering
    "don't know" and the mean points (None where not shown)."""

    n: int
    counts: tuple[int, ...]
    dont_know: float | None
    mean_points: float | None

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> ItemFigure:
        return cls(raw["n"], tuple(raw["counts"]), raw.get("dont_know"), raw.get("mean_points"))

    def dump(self) -> Json:
        return {
            "suppressed": False,
            "n": self.n,
            "counts": list(self.counts),
            "dont_know": self.dont_know,
            "mean_points": self.mean_points,
        }


Reference = float | tuple[float, float] | None


def _reference(value: Any) -> Reference:
    return (value[0], value[1]) if isinstance(value, list | tuple) else value


def _reference_json(value: Reference) -> Any:
    return [value[0], value[1]] if isinstance(value, tuple) else value


@dataclass(frozen=True, slots=True)
class KeyShare:
    """A key figure for a group: the share, its reference and where it lies against it."""

    n: int
    share: float | None
    reference: Reference
    position: str | None

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> KeyShare:
        return cls(
            raw["n"], raw.get("share"), _reference(raw.get("reference")), raw.get("position")
        )

    def dump(self) -> Json:
        return {
            "suppressed": False,
            "n": self.n,
            "share": self.share,
            "reference": _reference_json(self.reference),
            "position": self.position,
        }


@dataclass(frozen=True, slots=True)
class Comments:
    """A shown free-text question of a group: indices into the publication's texts."""

    texts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Zone:
    """A group's point in the four zones (both axes as shares of their range)."""

    safety_instrument: str
    focus_instrument: str
    safety: float
    safety_ci95: Pair | None
    focus: float
    focus_ci95: Pair | None
    split: float
    zone: str
    safety_uncertain: bool
    focus_uncertain: bool

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> Zone:
        return cls(
            raw["safety_instrument"],
            raw["focus_instrument"],
            raw["safety"],
            _pair(raw.get("safety_ci95")),
            raw["focus"],
            _pair(raw.get("focus_ci95")),
            raw["split"],
            raw["zone"],
            raw["safety_uncertain"],
            raw["focus_uncertain"],
        )

    def dump(self) -> Json:
        return {
            "safety_instrument": self.safety_instrument,
            "focus_instrument": self.focus_instrument,
            "safety": self.safety,
            "safety_ci95": _list(self.safety_ci95),
            "focus": self.focus,
            "focus_ci95": _list(self.focus_ci95),
            "split": self.split,
            "zone": self.zone,
            "safety_uncertain": self.safety_uncertain,
            "focus_uncertain": self.focus_uncertain,
        }


@dataclass(frozen=True, slots=True)
class InstrumentFigures:
    """One instrument's records for a group, by scale id, item id and key figure id."""

    scales: Mapping[str, ScaleFigure | Hidden]
    items: Mapping[str, ItemFigure | Hidden]
    key_figures: Mapping[str, KeyShare | Hidden]

    def scale(self, scale_id: str | None) -> ScaleFigure | Hidden | None:
        return None if scale_id is None else self.scales.get(scale_id)

    def item(self, item_id: str) -> ItemFigure | Hidden | None:
        return self.items.get(item_id)

    def key_figure(self, figure_id: str) -> KeyShare | Hidden | None:
        return self.key_figures.get(figure_id)


@dataclass(frozen=True, slots=True)
class Group:
    """A shown group's records: per instrument, its four-zones point, its comments."""

    instruments: Mapping[str, InstrumentFigures]
    zone: Zone | None
    comments: Mapping[str, Comments | Hidden]

    def instrument(self, instrument_id: str) -> InstrumentFigures | None:
        return self.instruments.get(instrument_id)

    def scale(self, instrument_id: str, scale_id: str | None) -> ScaleFigure | Hidden | None:
        found = self.instruments.get(instrument_id)
        return None if found is None else found.scale(scale_id)

    def item(self, instrument_id: str, item_id: str) -> ItemFigure | Hidden | None:
        found = self.instruments.get(instrument_id)
        return None if found is None else found.items.get(item_id)

    def key_figure(self, instrument_id: str, figure_id: str) -> KeyShare | Hidden | None:
        found = self.instruments.get(instrument_id)
        return None if found is None else found.key_figures.get(figure_id)


def load_group(raw: Mapping[str, Any]) -> Group | Hidden:
    """One group's records as stored (a row of the publication, or an entry of ``groups``)."""
    if raw.get("suppressed", True):
        return _hidden(raw.get("reason"))
    instruments = {
        iid: InstrumentFigures(
            {k: _hidden_or(v, ScaleFigure.load) for k, v in block["scales"].items()},
            {k: _hidden_or(v, ItemFigure.load) for k, v in block["items"].items()},
            {k: _hidden_or(v, KeyShare.load) for k, v in block["key_figures"].items()},
        )
        for iid, block in raw["instruments"].items()
    }
    zone = raw.get("zone")
    comments = {
        k: _hidden_or(v, lambda c: Comments(tuple(c["texts"])))
        for k, v in raw.get("comments", {}).items()
    }
    return Group(instruments, Zone.load(zone) if zone is not None else None, comments)


def _dump_group(group: Group | Hidden, meta: Mapping[str, InstrumentMeta]) -> Json:
    if isinstance(group, Hidden):
        return group.dump()
    instruments: Json = {}
    for iid, block in group.instruments.items():
        scales = meta[iid].scales
        instruments[iid] = {
            "scales": {
                k: v.dump() if isinstance(v, Hidden) else v.dump(scales[k])
                for k, v in block.scales.items()
            },
            "items": {k: v.dump() for k, v in block.items.items()},
            "key_figures": {k: v.dump() for k, v in block.key_figures.items()},
        }
    return {
        "suppressed": False,
        "instruments": instruments,
        "zone": group.zone.dump() if group.zone is not None else None,
        "comments": {
            k: v.dump() if isinstance(v, Hidden) else {"suppressed": False, "texts": list(v.texts)}
            for k, v in group.comments.items()
        },
    }


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True, slots=True)
class ScaleMeta:
    """What a reader needs to know of a scale: its items, minimum, range and readings."""

    items: tuple[str, ...]
    minimum: int
    sensitive: bool
    polarity: str
    score: Pair | None
    also: Pair | None
    bin_edges: tuple[float, ...]
    bands: tuple[str, ...]
    levels: tuple[Any, ...]
    consequences: tuple[str, ...]

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> ScaleMeta:
        return cls(
            tuple(raw.get("items", ())),
            raw["minimum"],
            bool(raw.get("sensitive", False)),
            str(raw.get("polarity", "")),
            _pair(raw.get("score")),
            _pair(raw.get("also")),
            tuple(raw.get("bin_edges", ())),
            tuple(raw.get("bands", ())),
            tuple(raw.get("levels", ())),
            tuple(raw.get("consequences", ())),
        )

    def dump(self) -> Json:
        return {
            "items": list(self.items),
            "minimum": self.minimum,
            "sensitive": self.sensitive,
            "polarity": self.polarity,
            "score": _list(self.score),
            "also": _list(self.also),
            "bin_edges": list(self.bin_edges),
            "bands": list(self.bands),
            "levels": list(self.levels),
            "consequences": list(self.consequences),
        }


@dataclass(frozen=True, slots=True)
class ItemMeta:
    type: str
    minimum: int
    sensitive: bool
    codes: tuple[int, ...]
    population: str | None

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> ItemMeta:
        return cls(
            str(raw.get("type", "choice")),
            raw["minimum"],
            bool(raw.get("sensitive", False)),
            tuple(raw.get("codes", ())),
            raw.get("population"),
        )

    def dump(self) -> Json:
        return {
            "type": self.type,
            "minimum": self.minimum,
            "sensitive": self.sensitive,
            "codes": list(self.codes),
            "population": self.population,
        }


@dataclass(frozen=True, slots=True)
class KeyFigureMeta:
    minimum: int
    reference: Reference
    population: str | None

    def dump(self) -> Json:
        return {
            "minimum": self.minimum,
            "reference": _reference_json(self.reference),
            "population": self.population,
        }


@dataclass(frozen=True, slots=True)
class InstrumentMeta:
    """An instrument as the publication knows it: version, scales, items, key figures,
    free-text questions and the earlier measurement its changes compare with."""

    version: Any
    fingerprint: str | None
    variant_of: str | None
    main_scale: str | None
    scales: Mapping[str, ScaleMeta]
    items: Mapping[str, ItemMeta]
    key_figures: Mapping[str, KeyFigureMeta]
    texts: tuple[str, ...]
    compared_with: int | None

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> InstrumentMeta:
        return cls(
            raw.get("version"),
            raw.get("fingerprint"),
            raw.get("variant_of"),
            raw.get("main_scale"),
            {k: ScaleMeta.load(v) for k, v in raw.get("scales", {}).items()},
            {k: ItemMeta.load(v) for k, v in raw.get("items", {}).items()},
            {
                k: KeyFigureMeta(v["minimum"], _reference(v.get("reference")), v.get("population"))
                for k, v in raw.get("key_figures", {}).items()
            },
            tuple(raw.get("texts", ())),
            raw.get("compared_with"),
        )

    def dump(self) -> Json:
        return {
            "version": self.version,
            "fingerprint": self.fingerprint,
            "variant_of": self.variant_of,
            "main_scale": self.main_scale,
            "scales": {k: v.dump() for k, v in self.scales.items()},
            "items": {k: v.dump() for k, v in self.items.items()},
            "key_figures": {k: v.dump() for k, v in self.key_figures.items()},
            "texts": list(self.texts),
            "compared_with": self.compared_with,
        }

    def shares_only(self, item_id: str) -> bool:
        """Whether the item is read as shares only: every scale it is in is bipolar. A
        bipolar scale carries shares only, never a mean (statistics.md), and the mean
        points of its items would give it by another name (guldkorn's Krav has one item)."""
        scales = [scale for scale in self.scales.values() if item_id in scale.items]
        return bool(scales) and all(scale.polarity == "bipolar" for scale in scales)


@dataclass(frozen=True, slots=True)
class UnitEntry:
    """A unit of the frozen tree: its name at closing, place, and its two groups' slots."""

    name: str
    parent: str | None
    path: str
    depth: int
    in_scope: bool
    children: tuple[str, ...]
    unit: int
    subtree: int
    # Publications stored before names were kept have none (then ``name`` is "").
    has_name: bool = True

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> UnitEntry:
        name = raw.get("name")
        return cls(
            name if isinstance(name, str) else "",
            raw.get("parent"),
            raw.get("path", ""),
            raw.get("depth", 0),
            raw.get("in_scope", True),
            tuple(raw.get("children", ())),
            raw["unit"],
            raw["subtree"],
            "name" in raw,
        )

    def dump(self) -> Json:
        out: Json = {"name": self.name} if self.has_name else {}
        out.update(
            {
                "parent": self.parent,
                "path": self.path,
                "depth": self.depth,
                "in_scope": self.in_scope,
                "children": list(self.children),
                "unit": self.unit,
                "subtree": self.subtree,
            }
        )
        return out


@dataclass(frozen=True, slots=True)
class MeasurementRef:
    id: int
    status: str
    previous: int | None


@dataclass(frozen=True, slots=True)
class MinimumsRef:
    """The minimum group sizes the publication was decided with."""

    score: int
    comment: int
    sensitive: int


# --------------------------------------------------------------------------- measurement level


@dataclass(frozen=True, slots=True)
class Alpha:
    alpha: float | None
    ci95: Pair | None
    n_complete: int
    k: int


@dataclass(frozen=True, slots=True)
class Icc:
    icc1: float | None
    icc2: float | None


@dataclass(frozen=True, slots=True)
class ScaleStatistics:
    """A scale's reliability and ICC over the whole measurement (shown groups only)."""

    alpha: Alpha | None
    icc: Icc | None

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> ScaleStatistics:
        alpha, icc = raw.get("alpha"), raw.get("icc")
        return cls(
            Alpha(alpha["alpha"], _pair(alpha["ci95"]), alpha["n_complete"], alpha["k"])
            if alpha is not None
            else None,
            Icc(icc["icc1"], icc["icc2"]) if icc is not None else None,
        )

    def dump(self) -> Json:
        alpha, icc = self.alpha, self.icc
        return {
            "suppressed": False,
            "alpha": {
                "alpha": alpha.alpha,
                "ci95": _list(alpha.ci95),
                "n_complete": alpha.n_complete,
                "k": alpha.k,
            }
            if alpha is not None
            else None,
            "icc": {"icc1": icc.icc1, "icc2": icc.icc2} if icc is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Correlation:
    """Pearson r across units shown on both scales ("iid/sid" each)."""

    a: str
    b: str
    r: float | None
    n_units: int
    ci95: Pair | None
    p: float | None

    def dump(self) -> Json:
        return {
            "a": self.a,
            "b": self.b,
            "r": self.r,
            "n_units": self.n_units,
            "ci95": _list(self.ci95),
            "p": self.p,
        }


@dataclass(frozen=True, slots=True)
class Drivers:
    """Relative weights of the predictors on an outcome's main scale (pooled people)."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    ci95: tuple[Pair | None, ...]
    r2: float | None
    n: int
    n_boot: int

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> Drivers:
        return cls(
            tuple(raw["names"]),
            tuple(raw["weights"]),
            tuple(_pair(c) for c in raw["ci95"]),
            raw.get("r2"),
            raw["n"],
            raw["n_boot"],
        )

    def dump(self) -> Json:
        return {
            "suppressed": False,
            "names": list(self.names),
            "weights": list(self.weights),
            "ci95": [_list(c) for c in self.ci95],
            "r2": self.r2,
            "n": self.n,
            "n_boot": self.n_boot,
        }


@dataclass(frozen=True, slots=True)
class MeasurementLevel:
    scales: Mapping[str, Mapping[str, ScaleStatistics | Hidden]]
    correlations: tuple[Correlation, ...]
    drivers: Mapping[str, Drivers | Hidden]  # by "iid/sid" of the outcome

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> MeasurementLevel:
        return cls(
            {
                iid: {sid: _hidden_or(v, ScaleStatistics.load) for sid, v in per.items()}
                for iid, per in raw.get("scales", {}).items()
            },
            tuple(
                Correlation(c["a"], c["b"], c["r"], c["n_units"], _pair(c["ci95"]), c["p"])
                for c in raw.get("correlations", ())
            ),
            {k: _hidden_or(v, Drivers.load) for k, v in raw.get("drivers", {}).items()},
        )

    def dump(self) -> Json:
        return {
            "scales": {
                iid: {sid: v.dump() for sid, v in per.items()} for iid, per in self.scales.items()
            },
            "correlations": [c.dump() for c in self.correlations],
            "drivers": {k: v.dump() for k, v in self.drivers.items()},
        }


# --------------------------------------------------------------------------- the publication


class OutsideSlice(Exception):
    """A reader asked for a group its slice of the publication does not hold: a page read
    beyond what it loaded (a programming error, never a reason to load more)."""


class GroupSlots:
    """The groups of a slice by slot, out of ``count`` slots in the whole publication.
    Iteration gives the slice's groups in slot order."""

    __slots__ = ("_groups", "_order", "count")

    def __init__(self, groups: Mapping[int, Group | Hidden], count: int) -> None:
        self._groups = groups
        self._order = tuple(sorted(groups))
        self.count = count

    def __getitem__(self, slot: int) -> Group | Hidden:
        try:
            return self._groups[slot]
        except KeyError:
            raise OutsideSlice(f"group {slot} is not in this slice of the publication") from None

    def __contains__(self, slot: object) -> bool:
        return slot in self._groups

    def __iter__(self) -> Iterator[Group | Hidden]:
        return (self._groups[slot] for slot in self._order)

    def __len__(self) -> int:
        return len(self._order)

    @property
    def slots(self) -> tuple[int, ...]:
        return self._order

    @property
    def complete(self) -> bool:
        return len(self._order) == self.count


class TextSlots:
    """The free-text answers a slice shows, by their index in the publication's texts
    (each stored once, in random order); ``complete`` when it holds all of them."""

    __slots__ = ("_texts", "complete")

    def __init__(self, texts: Mapping[int, str], *, complete: bool) -> None:
        self._texts = texts
        self.complete = complete

    def __getitem__(self, index: int) -> str:
        try:
            return self._texts[index]
        except KeyError:
            raise OutsideSlice(f"text {index} is not in this slice of the publication") from None

    def __iter__(self) -> Iterator[str]:
        return (self._texts[index] for index in sorted(self._texts))

    def __len__(self) -> int:
        return len(self._texts)


def text_indices(groups: Iterable[Group | Hidden]) -> set[int]:
    """The indices of the texts the shown comments of ``groups`` show."""
    found: set[int] = set()
    for group in groups:
        if isinstance(group, Group):
            for block in group.comments.values():
                if isinstance(block, Comments):
                    found.update(block.texts)
    return found


@dataclass(frozen=True, slots=True)
class Publication:
    """A closed measurement's publication: every figure any page may ever show of it."""

    schema: int
    measurement: MeasurementRef
    minimums: MinimumsRef
    instruments: Mapping[str, InstrumentMeta]
    units: Mapping[str, UnitEntry]
    organisation: int  # the slot of the whole measurement's group
    groups: GroupSlots  # by slot; a unit's two groups point here (a slice holds some)
    texts: TextSlots  # the shown free-text answers (a slice holds those of its groups)
    measurement_level: MeasurementLevel

    def has_unit(self, unit: int | str) -> bool:
        return str(unit) in self.units

    def unit(self, unit: int | str) -> UnitEntry | None:
        return self.units.get(str(unit))

    def group(self, unit: int | str | None, scope: str = "unit") -> Group | Hidden:
        """A unit's own or subtree group, or with ``unit=None`` the whole measurement's."""
        if unit is None:
            return self.groups[self.organisation]
        entry = self.units[str(unit)]
        return self.groups[entry.subtree if scope == "subtree" else entry.unit]

    def shown_group(self, unit: int | str | None, scope: str = "unit") -> Group | None:
        """The group when it is shown, else None (also for a unit not in the publication)."""
        if unit is not None and str(unit) not in self.units:
            return None
        found = self.group(unit, scope)
        return None if isinstance(found, Hidden) else found

    def unit_name(self, unit: int | str, fallback: str = "") -> str:
        """The unit's name at closing; ``fallback`` for data stored before names were kept."""
        entry = self.units.get(str(unit))
        return entry.name if entry is not None and entry.name else fallback

    def instrument(self, instrument_id: str) -> InstrumentMeta | None:
        return self.instruments.get(instrument_id)

    def scale_meta(self, instrument_id: str, scale_id: str) -> ScaleMeta | None:
        meta = self.instruments.get(instrument_id)
        return None if meta is None else meta.scales.get(scale_id)

    def comment_texts(self, block: Comments | Hidden | None) -> list[str]:
        """The texts of a shown comments block, in its stored (random) order."""
        if block is None or isinstance(block, Hidden):
            return []
        return [self.texts[k] for k in block.texts]

    def unit_ids(self) -> Iterator[str]:
        return iter(self.units)


def load(raw: Mapping[str, Any]) -> Publication:
    """The typed publication of stored publication JSON, every group (the one loader)."""
    stored = raw["groups"]
    return load_header(
        raw,
        GroupSlots(dict(enumerate(map(load_group, stored))), len(stored)),
        TextSlots(dict(enumerate(raw.get("texts", ()))), complete=True),
    )


def group_count(header: Mapping[str, Any]) -> int:
    """How many groups the publication has: every group is some unit's or the whole
    measurement's, so the highest slot they name is the last."""
    named = [int(header["organisation"])]
    for entry in header["units"].values():
        named += [int(entry["unit"]), int(entry["subtree"])]
    return max(named) + 1


def load_header(raw: Mapping[str, Any], groups: GroupSlots, texts: TextSlots) -> Publication:
    """The publication of its stored header (everything but the groups and the texts), a
    slice of groups loaded with :func:`load_group` and the texts they show."""
    measurement = raw.get("measurement", {})
    minimums = raw["minimums"]
    return Publication(
        schema=int(raw.get("schema", 0)),
        measurement=MeasurementRef(
            measurement.get("id", 0), measurement.get("status", ""), measurement.get("previous")
        ),
        minimums=MinimumsRef(minimums["score"], minimums["comment"], minimums["sensitive"]),
        instruments={k: InstrumentMeta.load(v) for k, v in raw["instruments"].items()},
        # In the builder's order, by path (``publication.report_units``): PostgreSQL's
        # jsonb keeps an object's keys in an order of its own, so the header read back
        # there would list the units unlike the process that built it.
        units={
            k: UnitEntry.load(v)
            for k, v in sorted(
                raw["units"].items(),
                # A unit's key is its id: by length, then text, is by number.
                key=lambda unit: (unit[1].get("path", ""), len(unit[0]), unit[0]),
            )
        },
        organisation=raw["organisation"],
        groups=groups,
        texts=texts,
        measurement_level=MeasurementLevel.load(raw.get("measurement_level", {})),
    )


def dump(publication: Publication) -> Json:
    """The publication as stored JSON, exactly as the builder writes it (the whole
    publication: a slice cannot be dumped)."""
    if not publication.groups.complete or not publication.texts.complete:
        raise OutsideSlice("a slice of the publication cannot be dumped as the whole")
    meta = publication.instruments
    m = publication.measurement
    minimums = publication.minimums
    return {
        "schema": publication.schema,
        "measurement": {"id": m.id, "status": m.status, "previous": m.previous},
        "minimums": {
            "score": minimums.score,
            "comment": minimums.comment,
            "sensitive": minimums.sensitive,
        },
        "instruments": {k: v.dump() for k, v in meta.items()},
        "units": {k: v.dump() for k, v in publication.units.items()},
        "organisation": publication.organisation,
        "groups": [_dump_group(g, meta) for g in publication.groups],
        "texts": list(publication.texts),
        "measurement_level": publication.measurement_level.dump(),
    }


def field_names() -> frozenset[str]:
    """Every key of the stored JSON the model reads: a reader outside ``core`` that asks
    for one of these by string is reading the publication around its types."""
    from dataclasses import fields

    classes: list[type[Any]] = [
        Hidden, Change, Also, Level, ScaleFigure, ItemFigure, KeyShare, Comments, Zone,
        InstrumentFigures, Group, ScaleMeta, ItemMeta, KeyFigureMeta, InstrumentMeta,
        UnitEntry, MeasurementRef, MinimumsRef, Alpha, Icc, ScaleStatistics, Correlation,
        Drivers, MeasurementLevel, Publication,
    ]  # fmt: skip
    names = {f.name for cls in classes for f in fields(cls)} | {"suppressed"}
    return frozenset(names - {"has_name"})


def dump_slice(publication: Publication, slots: Sequence[int], *, organisation_wide: bool) -> Json:
    """The part of the stored JSON a reader's pages may draw on (the anonymity audit's
    slice): the groups of ``slots``, the instruments' metadata and the minimums, and the
    organisation-wide statistics when ``organisation_wide``."""
    meta = publication.instruments
    minimums = publication.minimums
    part: Json = {
        "groups": [_dump_group(publication.groups[s], meta) for s in slots],
        "instruments": {k: v.dump() for k, v in meta.items()},
        "minimums": {
            "score": minimums.score,
            "comment": minimums.comment,
            "sensitive": minimums.sensitive,
        },
    }
    if organisation_wide:
        part["measurement_level"] = publication.measurement_level.dump()
    return part
