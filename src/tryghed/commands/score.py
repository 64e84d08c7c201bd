"""``tryghed score RESPONSES.csv --instrument ID [--units UNITS.csv] [--min-group K] [--json]``.

Scores a CSV of anonymous responses for one instrument per unit (and, with a unit tree,
per subtree), with the minimum group size and the no-disclosure-by-subtraction rules of
privacy.md applied across the tree. The contract is in spec/statistics.md; a suppressed
group carries no numbers at all, not even its n.

Every figure comes from core.publication, the builder behind the web reports: each wave
is one publication over the file's units (the later wave compared with the earlier's
publication), mapped into the contract's JSON here, ``reliability``, ``reliability_by_scale``
and ``icc1``/``icc2`` too (privacy.md section 3: organisation-wide statistics only from
shown groups' data). With one top unit the whole file is its subtree, a shown group, and
alpha is over everyone, as on the web; otherwise the whole file is no group the command
shows, and alpha, like the ICC, is over the respondents of the units that show the
scale, given only where its complete cases and those respondents differ by 0 or at least
the minimum. Where the publication withholds alpha, ``alpha`` and ``n_complete`` are
null (docs/operations.md).

Beyond the contract's keys a shown group may carry (only when the instrument has them):
``also`` (the second range, ps7 0-100), ``level`` (vz-maturity), ``bands`` (need and
bipolar scales), ``scales`` (the instrument's other scales), ``key_figures``,
``dont_know`` (per item with a don't-know option, the share among the people its scale
is scored on) and ``distributions`` (choice items outside every scale, e.g. the source of
stress). Every one of these figures is suppressed on its own count: privacy.md counts the
minimum on the people who answered that scale or item; an item shown over its scale's
people is also hidden where its n differs from the scale's by 1 to minimum - 1.

Waves are taken in the order they first appear in the file: the first is the earlier one,
which the next is compared with. A file with a ``wave`` column needs a wave in every row.

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from tryghed.core import figures, publication, scoring, suppression, textfiles
from tryghed.core.instruments import Instrument, InstrumentError, Item, Scale, load_builtin

DEFAULT_MIN_GROUP = suppression.DEFAULT_MINIMUM["score"]
FLOOR_MIN_GROUP = suppression.FLOOR_MINIMUM["score"]
_CODE = re.compile(r"^[+-]?\d+$")

JsonDict = dict[str, Any]


class UsageError(Exception):
    """A problem with the input files: printed as one line, exit code 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "responses",
        metavar="RESPONSES.csv",
        help="one row per response; with a wave column, the first wave in the file is the earlier",
    )
    parser.add_argument("--instrument", required=True, metavar="ID", help="instrument id")
    parser.add_argument(
        "--units", metavar="UNITS.csv", help="unit tree (unit,parent): adds subtree scope"
    )
    parser.add_argument(
        "--min-group",
        type=int,
        default=DEFAULT_MIN_GROUP,
        metavar="K",
        help=f"minimum group size (default {DEFAULT_MIN_GROUP}, floor {FLOOR_MIN_GROUP})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--lang", choices=("da", "en"), default="en", help="table language")


def run(args: argparse.Namespace) -> int:
    try:
        instruments = load_builtin()
    except InstrumentError as exc:
        print(f"error: a built-in instrument is invalid: {exc}", file=sys.stderr)
        return 1
    try:
        result, parent_of = score_files(
            Path(args.responses),
            instruments=instruments,
            instrument_id=args.instrument,
            units_path=Path(args.units) if args.units else None,
            min_group=args.min_group,
            warn=sys.stderr,
        )
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print_table(result, instruments[args.instrument], args.lang, sys.stdout, parent_of)
    return 0


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Responses:
    units: list[str]
    waves: list[str | None]
    codes: npt.NDArray[np.float64]  # n x N
    multi: dict[str, npt.NDArray[np.bool_]]  # multi item id -> n x options: ticked


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = textfiles.decode(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: neither UTF-8 nor Windows-1252 text") from exc
    first = text.split("\n", 1)[0]
    # Danish spreadsheets export with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UsageError(f"{path}: the file is empty") from None
    rows: list[tuple[int, list[str]]] = []
    # A spreadsheet's row, not the file's line: a quoted text may hold line breaks.
    for row, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise UsageError(
                f"{path}: row {row}: {len(values)} fields, the header has {len(header)}"
            )
        rows.append((row, values + [""] * (len(header) - len(values))))
    return header, rows


def read_responses(path: Path, instrument: Instrument, warn: TextIO) -> Responses:
    header, rows = _read_csv(path)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise UsageError(f"{path}: column '{name}' appears twice")
        seen.add(name)
    if "unit" not in header:
        raise UsageError(f"{path}: the required column 'unit' is missing")
    by_id = {item.id: item for item in instrument.items}
    item_columns: list[tuple[int, Item]] = []
    unknown: list[str] = []
    for c, name in enumerate(header):
        if name in ("unit", "wave"):
            continue
        item = by_id.get(name)
        if item is None:
            unknown.append(name)
        else:
            item_columns.append((c, item))
    if unknown:
        print(f"warning: ignoring unknown column(s): {', '.join(unknown)}", file=warn)
    if not item_columns:
        raise UsageError(
            f"{path}: no column of {instrument.id} (expected e.g. {instrument.items[0].id})"
        )
    unit_col = header.index("unit")
    wave_col = header.index("wave") if "wave" in header else None
    codes = np.full((len(rows), len(instrument.items)), np.nan)
    multi = {
        item.id: np.zeros((len(rows), len(item.options)), dtype=np.bool_)
        for item in instrument.items
        if item.type == "multi"
    }
    units: list[str] = []
    waves: list[str | None] = []
    for r, (row, values) in enumerate(rows):
        unit = values[unit_col].strip()
        if not unit:
            raise UsageError(f"{path}: row {row}, column unit: the unit is empty")
        units.append(unit)
        wave = values[wave_col].strip() if wave_col is not None else ""
        waves.append(wave or None)
        for c, item in item_columns:
            cell = values[c].strip()
            if not cell or item.type == "text":
                continue
            # A multi item holds several codes separated by ";" (e.g. "1;3").
            parts = [p.strip() for p in cell.split(";")] if item.type == "multi" else [cell]
            for part in parts:
                option = item.option(int(part)) if _CODE.match(part) else None
                if option is None:
                    allowed = ", ".join(str(code) for code in item.codes)
                    raise UsageError(
                        f"{path}: row {row}, column {item.id}: invalid code '{part}' "
                        f"(allowed: {allowed})"
                    )
            if item.type == "choice":
                codes[r, item.number - 1] = float(int(parts[0]))
            elif item.type == "multi":
                for part in parts:
                    multi[item.id][r, item.codes.index(int(part))] = True
    if wave_col is not None and None in waves and any(w is not None for w in waves):
        # A row without a wave in a file of waves would be a wave of its own ("None"),
        # compared with the others as if it were one.
        empty = next(row for (row, _), wave in zip(rows, waves, strict=True) if wave is None)
        raise UsageError(
            f"{path}: row {empty}, column wave: the wave is empty (every row needs one "
            "when any row has one)"
        )
    return Responses(units, waves, codes, multi)


def read_units(path: Path) -> dict[str, str | None]:
    """unit -> parent (None for a root), in file order; refuses unknown parents and cycles."""
    header, rows = _read_csv(path)
    for column in ("unit", "parent"):
        if column not in header:
            raise UsageError(f"{path}: the required column '{column}' is missing")
    unit_col, parent_col = header.index("unit"), header.index("parent")
    parent_of: dict[str, str | None] = {}
    row_of: dict[str, int] = {}
    for row, values in rows:
        unit = values[unit_col].strip()
        if not unit:
            raise UsageError(f"{path}: row {row}, column unit: the unit is empty")
        if unit in parent_of:
            raise UsageError(f"{path}: row {row}: unit '{unit}' appears twice (row {row_of[unit]})")
        parent_of[unit] = values[parent_col].strip() or None
        row_of[unit] = row
    for unit, parent in parent_of.items():
        if parent is not None and parent not in parent_of:
            raise UsageError(
                f"{path}: row {row_of[unit]}, column parent: '{parent}' is not a unit in the file"
            )
    for start in parent_of:
        path_seen: list[str] = []
        node: str | None = start
        while node is not None:
            if node in path_seen:
                cycle = " -> ".join([*path_seen[path_seen.index(node) :], node])
                raise UsageError(f"{path}: the units form a cycle: {cycle}")
            path_seen.append(node)
            node = parent_of[node]
    return parent_of


# --------------------------------------------------------------------------- scoring


def score_files(
    responses_path: Path,
    *,
    instruments: Mapping[str, Instrument],
    instrument_id: str,
    units_path: Path | None,
    min_group: int,
    warn: TextIO,
) -> tuple[JsonDict, dict[str, str | None] | None]:
    """The whole command as a function: validated input in, the JSON result (and the unit
    tree, when given) out."""
    instrument = instruments.get(instrument_id)
    if instrument is None:
        known = ", ".join(sorted(instruments))
        raise UsageError(f"unknown instrument '{instrument_id}' (known: {known})")
    if min_group < FLOOR_MIN_GROUP:
        raise UsageError(
            f"--min-group {min_group} is below the floor of {FLOOR_MIN_GROUP}: an organisation "
            f"may raise the minimum group size, never lower it (privacy.md)"
        )
    if instrument.main_scale is None:
        raise UsageError(f"instrument '{instrument_id}' has no scored scale")
    data = read_responses(responses_path, instrument, warn)
    parent_of = read_units(units_path) if units_path is not None else None
    if parent_of is not None:
        missing = sorted(set(data.units) - parent_of.keys())
        if missing:
            raise UsageError(
                f"{responses_path}: unit(s) not in {units_path}: {', '.join(missing[:10])}"
                + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            )
    return score(instrument, data, parent_of, min_group), parent_of


def _tree_order(parent_of: Mapping[str, str | None]) -> list[str]:
    """Units depth first, children in file order: how an organisation chart reads."""
    children: dict[str | None, list[str]] = {}
    for unit, parent in parent_of.items():
        children.setdefault(parent, []).append(unit)
    order: list[str] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        order.append(unit)
        stack.extend(reversed(children.get(unit, [])))
    return order


@dataclass(frozen=True)
class Units:
    """The units as the publication builder's tree. Names become integer ids (1, 2, ...,
    in report order) and paths are built from those ids, so a name may hold "/" or any
    other character."""

    tree: publication.Tree
    order: tuple[str, ...]  # unit names, in the order the groups are listed
    id_of: Mapping[str, str]  # name -> the builder's unit id
    scopes: tuple[str, ...]  # ("unit",) without a unit file, else ("unit", "subtree")

    @property
    def names(self) -> dict[str, str]:
        return {unit_id: name for name, unit_id in self.id_of.items()}


def units_tree(names: Sequence[str], parent_of: Mapping[str, str | None] | None) -> Units:
    """With a unit file: its tree, every unit reported as itself and as its subtree.
    Without: the units side by side, each reported as itself only, and each a group of
    its own for suppression: a unit without children has the same people in both scopes,
    so the builder's subtree groups add nothing. Either way the whole file is no group
    the command shows, so it is left out of suppression (``organisation=False``):
    protecting it could only hide a shown unit for nothing (statistics.md: without a unit
    file, only the minimum applies)."""
    if parent_of is None:
        order = sorted(set(names))
        parents: Mapping[str, str | None] = dict.fromkeys(order)
        scopes: tuple[str, ...] = ("unit",)
    else:
        order = _tree_order(parent_of)
        parents = parent_of
        scopes = ("unit", "subtree")
    id_of = {name: str(k) for k, name in enumerate(order, start=1)}
    rows: list[tuple[int, str, int, bool]] = []
    for name in order:  # depth first: every parent before its children, as build_tree needs
        chain: list[str] = []
        node: str | None = name
        while node is not None:
            chain.append(id_of[node])
            node = parents[node]
        rows.append((int(id_of[name]), "/" + "/".join(reversed(chain)) + "/", len(chain) - 1, True))
    tree = publication.build_tree(rows, organisation=False)
    return Units(tree, tuple(order), id_of, scopes)


def wave_answers(
    instrument: Instrument, data: Responses, rows: npt.NDArray[np.intp], units: Units
) -> publication.Answers:
    """The builder's input for the responses ``rows``: one atom (unit) per response."""
    n_atoms = units.tree.n_atoms
    index = units.tree.index
    atom = np.array(
        [index[units.id_of[data.units[r]]] for r in rows.tolist()], dtype=np.intp
    ).reshape(-1)
    multi_n: dict[str, npt.NDArray[np.intp]] = {}
    multi_counts: dict[str, npt.NDArray[np.intp]] = {}
    for item in instrument.items:
        if item.type != "multi":
            continue
        ticks = data.multi[item.id][rows]
        multi_n[item.id] = np.bincount(atom[ticks.any(axis=1)], minlength=n_atoms).astype(np.intp)
        counts = np.zeros((n_atoms, len(item.options)), dtype=np.intp)
        np.add.at(counts, atom, ticks.astype(np.intp))
        multi_counts[item.id] = counts
    return publication.Answers(
        atom=atom,
        codes={instrument.id: data.codes[rows]},
        multi_n=multi_n,
        multi_counts=multi_counts,
        texts={},  # the command shows no free texts
        responses=np.bincount(atom, minlength=n_atoms).astype(np.intp),
    )


def score(
    instrument: Instrument,
    data: Responses,
    parent_of: Mapping[str, str | None] | None,
    min_group: int,
) -> JsonDict:
    """Every wave's publication (core.publication, the builder behind the web reports),
    each later wave compared with the one before it, in the contract's JSON."""
    main = instrument.main_scale
    assert main is not None
    waves = list(dict.fromkeys(data.waves))
    minimums = publication.Minimums.chosen(score=min_group)
    out_groups: list[JsonDict] = []
    changes: list[JsonDict] = []
    reliability: dict[str | None, JsonDict] = {}
    by_scale: dict[str | None, JsonDict] = {}
    iccs: dict[str | None, tuple[float | None, float | None]] = {}
    units = units_tree(data.units, parent_of) if data.units else None
    previous: JsonDict | None = None
    wave_array = np.array(data.waves, dtype=object)
    for number, wave in enumerate(waves, start=1):
        assert units is not None
        rows = np.flatnonzero(wave_array == wave) if len(waves) > 1 else np.arange(len(data.units))
        measured = publication.Measured(
            id=number,
            status="closed",
            previous_id=number - 1 if previous is not None else None,
            previous=previous,
        )
        report = publication.Report(
            measured,
            [instrument],
            units.tree,
            units.names,
            wave_answers(instrument, data, rows, units),
            minimums,
        )
        published = report.build()
        typed = figures.load(published)
        groups = [
            (name, scope, typed.group(units.id_of[name], scope))
            for name in units.order
            for scope in units.scopes
        ]
        out_groups.extend(
            _group_json(instrument, block, name, wave, scope) for name, scope, block in groups
        )
        if previous is not None:
            changes.extend(_changes(main, groups, waves[number - 2], wave))
        previous = published
        # Alpha and ICC as the publication gives them (privacy.md section 3: only from
        # shown groups' data). Where the whole file is no group the command shows, both
        # are over the respondents of the units that show the scale (Report._alpha, _icc).
        level = typed.measurement_level.scales[instrument.id]
        reliability[wave] = _reliability(level[main.id])
        by_scale[wave] = {
            s.id: _reliability(level[s.id]) for s in instrument.scales if len(s.items) > 1
        }
        main_level = level[main.id]
        icc = None if isinstance(main_level, figures.Hidden) else main_level.icc
        iccs[wave] = (icc.icc1, icc.icc2) if icc is not None else (None, None)

    result: JsonDict = {
        "instrument": instrument.id,
        "min_group": min_group,
        "groups": out_groups,
    }
    if len(waves) > 1:
        result["reliability"] = {str(w): reliability[w] for w in waves}
        result["reliability_by_scale"] = {str(w): by_scale[w] for w in waves}
        result["icc1"] = {str(w): iccs[w][0] for w in waves}
        result["icc2"] = {str(w): iccs[w][1] for w in waves}
        result["changes"] = changes
    else:
        only = waves[0] if waves else None
        result["reliability"] = reliability.get(only, dict(_EMPTY_RELIABILITY))
        result["reliability_by_scale"] = by_scale.get(only, {})
        result["icc1"], result["icc2"] = iccs.get(only, (None, None))
    return result


_EMPTY_RELIABILITY: JsonDict = {"alpha": None, "alpha_ci95": None, "n_complete": 0}


def _reliability(level: figures.ScaleStatistics | figures.Hidden) -> JsonDict:
    """Cronbach's alpha of one scale in one wave as the publication gives it, with the
    complete answers it rests on; both null where the publication withholds it."""
    alpha = None if isinstance(level, figures.Hidden) else level.alpha
    if alpha is None or alpha.alpha is None:
        return {"alpha": None, "alpha_ci95": None, "n_complete": None}
    return {"alpha": alpha.alpha, "alpha_ci95": _list(alpha.ci95), "n_complete": alpha.n_complete}


def _changes(
    main: Scale,
    groups: Sequence[tuple[str, str, figures.Group | figures.Hidden]],
    before: str | None,
    after: str | None,
) -> list[JsonDict]:
    """The main scale's change of every group, as the later wave's publication gives it:
    from the figures the earlier wave's publication shows (statistics.md, privacy.md
    section 3), only where both waves show the group."""
    out: list[JsonDict] = []
    for name, scope, block in groups:
        if isinstance(block, figures.Hidden):
            continue
        shown = next(iter(block.instruments.values())).scales[main.id]
        if isinstance(shown, figures.Hidden) or shown.change is None:
            continue
        change = shown.change
        out.append(
            {
                "unit": name,
                "scope": scope,
                "before": before,
                "after": after,
                "n_before": change.n_before,
                "n_after": shown.n,
                "mean_before": change.mean_before,
                "mean_after": shown.mean,
                "diff": change.difference,
                "diff_ci95": _list(change.ci95),
                "t": change.t,
                "df": change.df,
                "p": change.p,
                "hedges_g": change.hedges_g,
                "real": change.real,
                "zero_variance": change.zero_variance,
            }
        )
    return out


def suppress_distinct(
    groups: Sequence[suppression.Group], counts: Mapping[Hashable, int], min_size: int
) -> list[suppression.Decision]:
    """suppression.suppress for ``groups`` (decisions in their order), asking once per
    distinct set of atoms: a leaf's subtree is its unit, and such groups always get the
    same decision, so passing both only doubles the work. (The command no longer uses
    it: bench/bench_score.py does.)"""
    first: dict[frozenset[Hashable], suppression.Group] = {}
    for group in groups:
        first.setdefault(group.atoms, group)
    decisions = suppression.suppress(list(first.values()), counts, min_size)
    return [decisions[first[group.atoms].key] for group in groups]


def _list(pair: figures.Pair | None) -> list[float | None] | None:
    return None if pair is None else [pair[0], pair[1]]


def _group_json(
    instrument: Instrument,
    block: figures.Group | figures.Hidden,
    name: str,
    wave: str | None,
    scope: str,
) -> JsonDict:
    """One group of the publication in the contract's shape: the main scale's figures at
    the top, every other figure of the instrument beside them, each hidden on its own."""
    main = instrument.main_scale
    assert main is not None
    entry: JsonDict = {"unit": name, "wave": wave, "scope": scope}
    if isinstance(block, figures.Hidden):
        return entry | block.dump()
    records = block.instruments[instrument.id]
    scales, items = records.scales, records.items
    main_figure = scales[main.id]
    if isinstance(main_figure, figures.Hidden):
        return entry | main_figure.dump()
    entry["suppressed"] = False
    entry.update(_scale_json(instrument, main, main_figure, items))
    others = [s for s in instrument.scales if s.id != main.id]
    if others:
        entry["scales"] = {
            s.id: figure.dump()
            if isinstance(figure, figures.Hidden)
            else _scale_json(instrument, s, figure, items)
            for s in others
            for figure in [scales[s.id]]
        }
    if instrument.key_figures:
        entry["key_figures"] = {
            f.id: kf.dump() if isinstance(kf, figures.Hidden) else {"n": kf.n, "share": kf.share}
            for f in instrument.key_figures
            for kf in [records.key_figures[f.id]]
        }
    choice = [i for i in instrument.items if i.type == "choice"]
    dk_items = [i for i in choice if i.dont_know is not None]
    if dk_items:
        # The share of "don't know" among the item's people (its scale's, see
        # core.publication), not among everyone who answered the item.
        entry["dont_know"] = {
            i.id: item.dump()
            if isinstance(item, figures.Hidden)
            else {"n": item.n, "share": item.dont_know}
            for i in dk_items
            for item in [items[i.id]]
        }
    in_scales = {n for s in instrument.scales for n in s.items}
    free_items = [i for i in choice if i.number not in in_scales]
    if free_items:
        entry["distributions"] = {
            i.id: item.dump() if isinstance(item, figures.Hidden) else _distribution_json(i, item)
            for i in free_items
            for item in [items[i.id]]
        }
    return entry


def _scale_json(
    instrument: Instrument,
    scale: Scale,
    block: figures.ScaleFigure,
    items: Mapping[str, figures.ItemFigure | figures.Hidden],
) -> JsonDict:
    out: JsonDict = {"n": block.n}
    # A bipolar scale (guldkorn's Krav: good is the middle) has shares only, no mean: not
    # the scale's, nor its items' mean points (statistics.md).
    bipolar = scale.polarity == "bipolar"
    if not bipolar:
        out["mean"] = block.mean
        out["sd"] = block.sd
        out["ci95"] = _list(block.ci95)
    out["rwg_j"] = block.rwg_j
    out["items"] = {
        item.id: figure.dump()
        if isinstance(figure, figures.Hidden)
        else {"n": figure.n}
        if bipolar
        else {"n": figure.n, "mean_points": figure.mean_points}
        for item in (instrument.item(number) for number in scale.items)
        for figure in [items[item.id]]
    }
    if scale.also is not None:
        also = block.also or figures.Also(None, None, None)
        out["also"] = {
            "min": scale.also.min,
            "max": scale.also.max,
            "mean": also.mean,
            "sd": also.sd,
            "ci95": _list(also.ci95),
        }
    if scale.levels:
        level = block.level
        out["level"] = {"lower": level.lower, "upper": level.upper} if level is not None else None
    if scale.bands:
        shares = block.bands or {}
        out["bands"] = [
            {"id": band.id, "codes": list(band.codes), "share": shares.get(band.id or str(k))}
            for k, band in enumerate(scale.bands)
        ]
    return out


def _distribution_json(item: Item, block: figures.ItemFigure) -> JsonDict:
    total = int(block.n)
    return {
        "n": total,
        "shares": {
            str(option.code): (int(count) / total if total else None)
            for option, count in zip(item.options, block.counts, strict=True)
        },
    }


# --------------------------------------------------------------------------- table


_REASONS = {
    "below_minimum": "too few answers",
    "complementary": "hidden to protect a smaller group",
}

# The table's own words in Danish (``--lang da``); the instruments' texts come in both.
_DANISH = {
    **{
        "too few answers": "for få svar",
        "hidden to protect a smaller group": "skjult for at beskytte en mindre gruppe",
    },
    "unit": "enhed",
    "wave": "måling",
    "scope": "gruppe",
    "scope:unit": "egne svar",
    "scope:subtree": "i alt",
    "mean": "gns.",
    "sd": "sd",
    "95% CI": "95 %-interval",
    "rwg(j)": "enighed",
    "level": "niveau",
    "share": "andel",
    "hidden": "skjult",
    "reference": "reference",
    "waves": "målinger",
    "before": "før",
    "after": "efter",
    "diff": "forskel",
    "reading": "aflæsning",
    "real": "sikker",
    "indicative": "vejledende",
    "no change": "uændret",
    "higher_better": "højere er bedre",
    "lower_better": "lavere er bedre",
    "bipolar": "midten er bedst",
    "need": "behov",
    "minimum group size": "mindste gruppe",
    "Don't know (share of those who answered the item)": (
        "Ved ikke (andel af dem, der svarede på spørgsmålet)"
    ),
    "complete answers": "fuldstændige besvarelser",
    "no answers": "ingen svar",
    "too few answers, or hidden to protect a smaller group": (
        "for få svar eller skjult for at beskytte en mindre gruppe"
    ),
}


@dataclass(frozen=True)
class _Words:
    """The table's words and numbers in one language: Danish with decimal commas and an
    en dash between an interval's ends, English as the JSON's numbers read."""

    lang: str

    def __call__(self, text: str) -> str:
        return _DANISH.get(text, text) if self.lang == "da" else text

    def reason(self, reason: str) -> str:
        return self(_REASONS.get(reason, reason))

    def scope(self, scope: str) -> str:
        return _DANISH.get(f"scope:{scope}", scope) if self.lang == "da" else scope

    def number(self, value: Any, digits: int = 1) -> str:
        text = _fmt(value, digits)
        return text.replace(".", ",") if self.lang == "da" else text

    def share(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "-"
        text = f"{value * 100:.{digits}f}"
        return f"{text.replace('.', ',')} %" if self.lang == "da" else f"{text}%"

    def interval(self, low: Any, high: Any, digits: int = 1, *, sep: str = "-") -> str:
        between = "–" if self.lang == "da" else sep
        return f"{self.number(low, digits)}{between}{self.number(high, digits)}"


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_table(
    result: JsonDict,
    instrument: Instrument,
    lang: str,
    out: TextIO,
    parent_of: Mapping[str, str | None] | None = None,
) -> None:
    """The JSON result as aligned text: one table per scale and key figure, then the
    measurement figures. Units are indented by depth; a leaf's subtree row (the same
    people as its unit row) is left out. ``lang`` "da": the table's words in Danish and
    numbers with decimal commas, as a Danish reader expects them."""
    w = _Words(lang)
    groups: list[JsonDict] = result["groups"]
    has_wave = any(g["wave"] is not None for g in groups)
    depth: dict[str, int] = {}
    parents_with_children: set[str] = set()
    if parent_of is not None:
        for unit in parent_of:
            d, node = 0, parent_of[unit]
            while node is not None:
                d, node = d + 1, parent_of[node]
            depth[unit] = d
        parents_with_children = {p for p in parent_of.values() if p is not None}
    rows_for = [g for g in groups if g["scope"] == "unit" or g["unit"] in parents_with_children]

    def lead(group: JsonDict) -> list[str]:
        name = "  " * depth.get(str(group["unit"]), 0) + str(group["unit"])
        return [name, *([_fmt(group["wave"])] if has_wave else []), w.scope(group["scope"])]

    lead_header = [w("unit"), *([w("wave")] if has_wave else []), w("scope")]
    main = instrument.main_scale
    assert main is not None
    print(
        f"{instrument.name.get(lang)} ({instrument.id} v{instrument.version}), "
        f"{w('minimum group size')} {result['min_group']}",
        file=out,
    )
    for scale in instrument.scales:
        print(file=out)
        rng = f"{w.number(scale.score.min, 0)}-{w.number(scale.score.max, 0)}"
        print(f"{scale.name.get(lang)} [{scale.id}, {rng}, {w(scale.polarity)}]", file=out)
        # A bipolar or need scale is read by its bands, never as "higher is better".
        by_bands = scale.polarity in ("bipolar", "need") and bool(scale.bands)
        header = [*lead_header, "n"]
        if not by_bands or scale.polarity == "need":
            header += [w("mean"), w("sd"), w("95% CI"), w("rwg(j)")]
        if scale.also is not None:
            header.append(f"{w('mean')} {scale.also.min:g}-{scale.also.max:g}")
        header.extend(b.label.get(lang) for b in scale.bands)
        if scale.levels:
            header.append(w("level"))
        rows: list[list[str]] = []
        for group in rows_for:
            row = lead(group)
            scale_cell: JsonDict = group
            if not group["suppressed"] and scale.id != main.id:
                scale_cell = group["scales"][scale.id]
            if scale_cell.get("suppressed"):
                row.append(w.reason(scale_cell["reason"]))
                rows.append(row)
                continue
            ci = scale_cell.get("ci95")
            row.append(str(scale_cell["n"]))
            if not by_bands or scale.polarity == "need":
                row += [
                    w.number(scale_cell["mean"]),
                    w.number(scale_cell["sd"]),
                    w.interval(ci[0], ci[1]) if ci else "-",
                    w.number(scale_cell["rwg_j"], 2),
                ]
            if "also" in scale_cell:
                row.append(w.number(scale_cell["also"]["mean"]))
            for band in scale_cell.get("bands", []):
                row.append(w.share(band["share"]))
            if scale.levels:
                reading = (
                    scoring.level_reading(scale, scale_cell["mean"])
                    if scale_cell["mean"] is not None
                    else None
                )
                row.append(reading.text(lang) if reading is not None else "-")
            rows.append(row)
        _print_aligned(header, rows, out)
    for figure in instrument.key_figures:
        print(file=out)
        ref = ""
        if figure.reference is not None and figure.reference.value is not None:
            ref = f" ({w('reference')} {w.share(figure.reference.value, 1)})"
        elif figure.reference_range is not None:
            low, high = figure.reference_range
            ref = f" ({w('reference')} {w.interval(low * 100, high * 100, 0)} %)"
            if lang != "da":
                ref = f" (reference {low * 100:.0f}-{high * 100:.0f}%)"
        print(f"{figure.label.get(lang)}{ref}", file=out)
        rows = []
        for group in rows_for:
            row = lead(group)
            kf = group if group["suppressed"] else group["key_figures"][figure.id]
            if kf.get("suppressed"):
                row.append(w.reason(kf["reason"]))
            else:
                row += [str(kf["n"]), w.share(kf["share"], 1)]
            rows.append(row)
        _print_aligned([*lead_header, "n", w("share")], rows, out)
    dk_items = [i for i in instrument.items if i.type == "choice" and i.dont_know is not None]
    if dk_items:
        print(file=out)
        print(w("Don't know (share of those who answered the item)"), file=out)
        _print_item_table(
            rows_for,
            lead,
            lead_header,
            [(i.id, str(i.number)) for i in dk_items],
            "dont_know",
            w,
            out,
        )
    in_scales = {n for scale in instrument.scales for n in scale.items}
    for item in instrument.items:
        if item.type != "choice" or item.number in in_scales:
            continue
        print(file=out)
        print(f"{item.id}: {item.text.get(lang)}", file=out)
        labels = [o.label.get(lang) if o.label is not None else str(o.code) for o in item.options]
        rows = []
        if item.reference is not None:
            reference = dict(item.reference.shares)
            name = item.reference.label.get(lang) if item.reference.label else w("reference")
            rows.append(
                [
                    name,
                    *([""] if has_wave else []),
                    "",
                    "",
                    *(w.share(reference.get(o.code)) for o in item.options),
                ]
            )
        for group in rows_for:
            row = lead(group)
            cell = group if group["suppressed"] else group["distributions"][item.id]
            if cell.get("suppressed"):
                row.append(w.reason(cell["reason"]))
            else:
                row.append(str(cell["n"]))
                row += [w.share(share) for share in cell["shares"].values()]
            rows.append(row)
        _print_aligned([*lead_header, "n", *labels], rows, out)
    print(file=out)
    if "changes" in result:
        _print_changes(result["changes"], w, out)
    per_wave = "changes" in result
    for label, rel, icc1, icc2 in (
        [
            (f" [{wave}]", rel, result["icc1"][wave], result["icc2"][wave])
            for wave, rel in result["reliability"].items()
        ]
        if per_wave
        else [("", result["reliability"], result["icc1"], result["icc2"])]
    ):
        if rel["alpha"] is not None:
            low, high = rel["alpha_ci95"]
            print(
                f"Cronbach's alpha ({main.id}){label}: {w.number(rel['alpha'], 2)} "
                f"({w('95% CI')} {w.interval(low, high, 2)}, "
                f"{rel['n_complete']} {w('complete answers')})",
                file=out,
            )
        else:
            why = _alpha_withheld(rel["n_complete"] == 0, w)
            print(f"Cronbach's alpha ({main.id}){label}: - ({why})", file=out)
        print(f"ICC(1){label}: {w.number(icc1, 2)}   ICC(2){label}: {w.number(icc2, 2)}", file=out)


def _alpha_withheld(empty: bool, w: _Words) -> str:
    """Why a wave's alpha is not shown. An empty file has no answers (n_complete 0);
    otherwise the publication withholds it (n_complete null): too few complete answers
    among the shown units, or a number that would tell about a smaller group."""
    if empty:
        return w("no answers")
    return w("too few answers, or hidden to protect a smaller group")


def _print_changes(changes: Sequence[JsonDict], w: _Words, out: TextIO) -> None:
    """One line per group shown in both waves: before, after, difference with CI, reading."""
    if not changes:
        return
    rows = []
    for change in changes:
        low, high = change["diff_ci95"]
        reading = "real" if change["real"] else "indicative"
        if change["zero_variance"] and change["diff"] == 0:
            reading = "no change"
        rows.append(
            [
                change["unit"],
                w.scope(change["scope"]),
                f"{change['before']}->{change['after']}",
                w.number(change["mean_before"]),
                w.number(change["mean_after"]),
                w.number(change["diff"]),
                w.interval(low, high, sep=".."),
                w.number(change["p"], 3),
                w(reading),
            ]
        )
    header = [
        w(word)
        for word in ("unit", "scope", "waves", "before", "after", "diff", "95% CI", "p", "reading")
    ]
    _print_aligned(header, rows, out)
    print(file=out)


def _print_item_table(
    groups: Sequence[JsonDict],
    lead: Callable[[JsonDict], list[str]],
    lead_header: Sequence[str],
    columns: Sequence[tuple[str, str]],
    key: str,
    w: _Words,
    out: TextIO,
) -> None:
    """One share per item (its number as the column head) for every group."""
    rows = []
    for group in groups:
        row = lead(group)
        if group["suppressed"]:
            row.append(w.reason(group["reason"]))
        else:
            for item_id, _ in columns:
                cell = group[key][item_id]
                row.append(w("hidden") if cell.get("suppressed") else w.share(cell.get("share")))
        rows.append(row)
    _print_aligned([*lead_header, *(head for _, head in columns)], rows, out)


def _print_aligned(header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Columns padded to the widest full row; a short row's last cell (the reason a group
    is hidden) runs on without widening its column."""
    full = [list(header), *(list(r) for r in rows if len(r) >= len(header))]
    widths = [max(len(r[c]) for r in full) for c in range(len(header))]
    for c in range(len(header)):
        for short in rows:
            if len(short) < len(header) and c < len(short) - 1:
                widths[c] = max(widths[c], len(short[c]))
    numeric = re.compile(r"^-?[\d.,]+ ?%?$|^-$|^-?[\d.,]+(-|–|\.\.)-?[\d.,]+$")
    for number, row in enumerate([list(header), *(list(x) for x in rows)]):
        cells = []
        for c, cell in enumerate(row):
            if c >= len(widths) or (len(row) < len(header) and c == len(row) - 1):
                cells.append(cell)
            elif number > 0 and numeric.match(cell):
                cells.append(cell.rjust(widths[c]))
            else:
                cells.append(cell.ljust(widths[c]))
        print("  ".join(cells).rstrip(), file=out)
