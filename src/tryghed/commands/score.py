"""``tryghed score RESPONSES.csv --instrument ID [--units UNITS.csv] [--min-group K] [--json]``.

Scores a CSV of anonymous responses for one instrument per unit (and, with a unit tree,
per subtree), with the minimum group size and the no-disclosure-by-subtraction rules of
privacy.md applied across the tree. The contract is in spec/statistics.md; a suppressed
group carries no numbers at all, not even its n.

Beyond the contract's keys a shown group may carry (only when the instrument has them):
``also`` (the second range, ps7 0-100), ``level`` (vz-maturity), ``bands`` (need and
bipolar scales), ``scales`` (the instrument's other scales), ``key_figures``,
``dont_know`` (share per item with a don't-know option) and ``distributions`` (choice
items outside every scale, e.g. the source of stress). Every one of these figures is
suppressed on its own count: privacy.md counts the minimum on the people who answered
that scale or item.

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import re
import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, cast

import numpy as np
import numpy.typing as npt

from tryghed.core import scoring, statistics, suppression, textfiles
from tryghed.core.instruments import Instrument, InstrumentError, Item, Scale, load_builtin

DEFAULT_MIN_GROUP = suppression.DEFAULT_MINIMUM["score"]
FLOOR_MIN_GROUP = suppression.FLOOR_MINIMUM["score"]
_CODE = re.compile(r"^[+-]?\d+$")

JsonDict = dict[str, Any]


class UsageError(Exception):
    """A problem with the input files: printed as one line, exit code 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("responses", metavar="RESPONSES.csv", help="one row per response")
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
    return Responses(units, waves, codes)


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


@dataclass(frozen=True)
class _Block:
    """Something shown with its own count, so suppressed on its own."""

    key: tuple[str, ...]
    atom_counts: npt.NDArray[np.intp]
    min_size: int


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
        atoms = list(parent_of)
        place = {u: i for i, u in enumerate(_tree_order(parent_of))}
        groups = sorted(
            suppression.tree_groups(parent_of),
            key=lambda g: (place[_scope_unit(g)[1]], _scope_unit(g)[0] != "unit"),
        )
    else:
        atoms = sorted(set(data.units))
        groups = [suppression.Group(key=("unit", u), atoms=frozenset({u})) for u in atoms]
    return score(instrument, data, atoms, groups, min_group), parent_of


def _scope_unit(group: suppression.Group) -> tuple[str, str]:
    """("unit" | "subtree", unit) from a group key of tree_groups."""
    scope, unit = cast(tuple[str, str], group.key)
    return scope, unit


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


def score(
    instrument: Instrument,
    data: Responses,
    atoms: Sequence[str],
    groups: Sequence[suppression.Group],
    min_group: int,
) -> JsonDict:
    atom_index = {a: i for i, a in enumerate(atoms)}
    members = [[atom_index[str(a)] for a in g.atoms] for g in groups]
    person_atom = np.array([atom_index[u] for u in data.units], dtype=np.intp)
    waves = list(dict.fromkeys(data.waves))
    wave_array = np.array(data.waves, dtype=object)
    main = instrument.main_scale
    assert main is not None

    out_groups: list[JsonDict] = []
    reliability: dict[str | None, JsonDict] = {}
    by_scale: dict[str | None, JsonDict] = {}
    iccs: dict[str | None, tuple[float | None, float | None]] = {}
    for wave in waves:
        rows = np.flatnonzero(wave_array == wave) if len(waves) > 1 else np.arange(len(data.units))
        scored = scoring.score_persons(instrument, data.codes[rows])
        grouping = scoring.Groups.from_members(person_atom[rows], len(atoms), members)
        out_groups.extend(
            _wave_groups(instrument, scored, grouping, atoms, groups, wave, min_group)
        )
        # Each wave is its own measurement: reliability and ICC are never pooled across waves.
        reliability[wave] = _reliability(scored, main)
        by_scale[wave] = {
            s.id: _reliability(scored, s) for s in instrument.scales if len(s.items) > 1
        }
        icc = scoring.unit_icc(scored, main.id, person_atom[rows])
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
        result["changes"] = _changes(instrument, out_groups, waves)
    else:
        only = waves[0] if waves else None
        result["reliability"] = reliability.get(only, _reliability(None, main))
        result["reliability_by_scale"] = by_scale.get(only, {})
        result["icc1"], result["icc2"] = iccs.get(only, (None, None))
    return result


def _reliability(scored: scoring.ScoredAnswers | None, scale: Scale) -> JsonDict:
    """Cronbach's alpha of one scale in one wave, with the complete answers it rests on."""
    if scored is None:
        return {"alpha": None, "alpha_ci95": None, "n_complete": 0}
    alpha = scoring.reliability(scored, scale.id) if len(scale.items) > 1 else None
    n_complete = (
        alpha.n_complete
        if alpha is not None
        else int((~np.isnan(scored.points[:, scored.columns(scale)]).any(axis=1)).sum())
    )
    return {
        "alpha": alpha.alpha if alpha is not None else None,
        "alpha_ci95": list(alpha.ci95) if alpha is not None else None,
        "n_complete": n_complete,
    }


def _changes(
    instrument: Instrument, groups: Sequence[JsonDict], waves: Sequence[str | None]
) -> list[JsonDict]:
    """The main scale's change of every group shown in both of two consecutive waves, from
    the figures each wave shows (n, mean, SD), never from a recomputation: the "before" is
    exactly what the earlier wave published (statistics.md, privacy.md section 3)."""
    main = instrument.main_scale
    if main is None or main.polarity == "bipolar":
        return []
    shown = {
        (g["wave"], g["scope"], g["unit"]): g
        for g in groups
        if not g["suppressed"] and g.get("mean") is not None and g.get("sd") is not None
    }
    out: list[JsonDict] = []
    for before_wave, after_wave in itertools.pairwise(waves):
        for g in groups:
            if g["wave"] != after_wave:
                continue
            after = shown.get((after_wave, g["scope"], g["unit"]))
            before = shown.get((before_wave, g["scope"], g["unit"]))
            if after is None or before is None:
                continue
            change = statistics.welch_change_from_summaries(
                n_before=int(before["n"]),
                mean_before=float(before["mean"]),
                sd_before=float(before["sd"]),
                n_after=int(after["n"]),
                mean_after=float(after["mean"]),
                sd_after=float(after["sd"]),
                scale_range=main.score.max - main.score.min,
            )
            if change is None:
                continue
            out.append(
                {
                    "unit": g["unit"],
                    "scope": g["scope"],
                    "before": before_wave,
                    "after": after_wave,
                    "n_before": change.n_before,
                    "n_after": change.n_after,
                    "mean_before": change.mean_before,
                    "mean_after": change.mean_after,
                    "diff": change.difference,
                    "diff_ci95": list(change.ci95),
                    "t": change.t,
                    "df": change.df,
                    "p": change.p,
                    "hedges_g": change.hedges_g,
                    "real": change.real,
                    "zero_variance": change.zero_variance,
                }
            )
    return out


def _min_for(items: Sequence[Item], min_group: int) -> int:
    """Sensitive items (krænkende handlinger, vold) need the higher minimum (privacy.md)."""
    if any(i.sensitive for i in items):
        return max(min_group, suppression.minimum_group_size("sensitive"))
    return min_group


def _decide(
    block: _Block, atoms: Sequence[str], groups: Sequence[suppression.Group]
) -> list[suppression.Decision]:
    counts: dict[Hashable, int] = {a: int(c) for a, c in zip(atoms, block.atom_counts, strict=True)}
    return suppress_distinct(groups, counts, block.min_size)


def suppress_distinct(
    groups: Sequence[suppression.Group], counts: Mapping[Hashable, int], min_size: int
) -> list[suppression.Decision]:
    """suppression.suppress for ``groups`` (decisions in their order), asking once per
    distinct set of atoms: a leaf's subtree is its unit, and such groups always get the
    same decision, so passing both only doubles the work."""
    first: dict[frozenset[Hashable], suppression.Group] = {}
    for group in groups:
        first.setdefault(group.atoms, group)
    decisions = suppression.suppress(list(first.values()), counts, min_size)
    return [decisions[first[group.atoms].key] for group in groups]


def _hidden(decision: suppression.Decision) -> JsonDict:
    return {"suppressed": True, "reason": decision.reason}


def _wave_groups(
    instrument: Instrument,
    scored: scoring.ScoredAnswers,
    grouping: scoring.Groups,
    atoms: Sequence[str],
    groups: Sequence[suppression.Group],
    wave: str | None,
    min_group: int,
) -> list[JsonDict]:
    # Suppression depends only on the counts and the minimum, and items answered by
    # everyone share their scale's counts: decide each distinct case once.
    memo: dict[tuple[int, bytes], list[suppression.Decision]] = {}

    def decide(
        key: tuple[str, ...], counts: npt.NDArray[np.intp], items: Sequence[Item]
    ) -> list[suppression.Decision]:
        block = _Block(key, counts, _min_for(items, min_group))
        memo_key = (block.min_size, np.ascontiguousarray(counts, dtype=np.int64).tobytes())
        if memo_key not in memo:
            memo[memo_key] = _decide(block, atoms, groups)
        return memo[memo_key]

    scales = [scoring.scale_figures(scored, s.id, grouping) for s in instrument.scales]
    scale_decisions = []
    item_decisions = []
    for figures in scales:
        items = [instrument.item(n) for n in figures.scale.items]
        scale_decisions.append(decide(("scale", figures.scale.id), figures.atom_n, items))
        item_decisions.append(
            [
                decide(("item", figures.scale.id, item.id), figures.atom_item_n[:, k], [item])
                for k, item in enumerate(items)
            ]
        )
    key_tables = scoring.key_figures(scored, grouping)
    key_decisions = {
        fid: decide(("key", fid), table.atom_n, [instrument.item(n) for n in table.figure.items])
        for fid, table in key_tables.items()
    }
    distributions = scoring.item_distributions(scored, grouping)
    in_scales = {n for s in instrument.scales for n in s.items}
    dk_items = [i for i in instrument.items if i.type == "choice" and i.dont_know is not None]
    free_items = [i for i in instrument.items if i.type == "choice" and i.number not in in_scales]
    dist_decisions = {
        item.number: decide(
            ("distribution", item.id), distributions.atom_responded[:, item.number - 1], [item]
        )
        for item in {*dk_items, *free_items}
    }

    result: list[JsonDict] = []
    for g, group in enumerate(groups):
        scope, unit = _scope_unit(group)
        main_decision = scale_decisions[0][g]
        entry: JsonDict = {"unit": unit, "wave": wave, "scope": scope}
        if not main_decision.shown:
            entry.update(_hidden(main_decision))
            result.append(entry)
            continue
        entry["suppressed"] = False
        entry.update(_scale_json(scales[0], g, item_decisions[0]))
        if len(scales) > 1:
            entry["scales"] = {
                figures.scale.id: (
                    _scale_json(figures, g, item_decisions[s])
                    if scale_decisions[s][g].shown
                    else _hidden(scale_decisions[s][g])
                )
                for s, figures in enumerate(scales)
                if s > 0
            }
        if key_tables:
            entry["key_figures"] = {
                fid: (
                    {"n": int(table.n[g]), "share": _num(table.share[g])}
                    if key_decisions[fid][g].shown
                    else _hidden(key_decisions[fid][g])
                )
                for fid, table in key_tables.items()
            }
        if dk_items:
            entry["dont_know"] = {
                item.id: (
                    {
                        "n": int(distributions.responded(item.number)[g]),
                        "share": _num(distributions.dont_know_share(item.number)[g]),
                    }
                    if dist_decisions[item.number][g].shown
                    else _hidden(dist_decisions[item.number][g])
                )
                for item in dk_items
            }
        if free_items:
            entry["distributions"] = {
                item.id: (
                    _distribution_json(distributions, item, g)
                    if dist_decisions[item.number][g].shown
                    else _hidden(dist_decisions[item.number][g])
                )
                for item in free_items
            }
        result.append(entry)
    return result


def _num(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _scale_json(
    figures: scoring.ScaleFigures, g: int, item_decisions: Sequence[Sequence[suppression.Decision]]
) -> JsonDict:
    group = figures.group(g)
    scale: Scale = figures.scale
    out: JsonDict = {"n": group.n}
    if scale.polarity != "bipolar":
        # A bipolar scale (guldkorn's Krav: good is the middle) has shares only, no mean.
        out["mean"] = group.mean
        out["sd"] = group.sd
        out["ci95"] = list(group.ci95) if group.ci95 is not None else None
    out |= {
        "rwg_j": group.rwg_j,
        "items": {
            item.item_id: (
                {"n": item.n, "mean_points": item.mean_points}
                if item_decisions[k][g].shown
                else _hidden(item_decisions[k][g])
            )
            for k, item in enumerate(group.items)
        },
    }
    if scale.also is not None:
        mean, sd, ci = group.also()
        out["also"] = {
            "min": scale.also.min,
            "max": scale.also.max,
            "mean": mean,
            "sd": sd,
            "ci95": list(ci) if ci is not None else None,
        }
    if scale.levels:
        reading = group.level()
        out["level"] = (
            {
                "lower": reading.lower.value,
                "upper": reading.upper.value if reading.upper is not None else None,
            }
            if reading is not None
            else None
        )
    if scale.bands:
        out["bands"] = [
            {"id": b.band.id, "codes": list(b.band.codes), "share": b.share} for b in group.bands
        ]
    return out


def _distribution_json(distributions: scoring.ItemDistributions, item: Item, g: int) -> JsonDict:
    counts = distributions.counts[item.number - 1][g]
    total = int(counts.sum())
    return {
        "n": total,
        "shares": {
            str(option.code): (int(counts[k]) / total if total else None)
            for k, option in enumerate(item.options)
        },
    }


# --------------------------------------------------------------------------- table


_REASONS = {
    "below_minimum": "too few answers",
    "complementary": "hidden to protect a smaller group",
}
_REASONS_DA = {
    "below_minimum": "for få svar",
    "complementary": "skjult for at beskytte en mindre gruppe",
}


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
    people as its unit row) is left out."""
    reasons = _REASONS_DA if lang == "da" else _REASONS
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
        return [name, *([_fmt(group["wave"])] if has_wave else []), group["scope"]]

    lead_header = ["unit", *(["wave"] if has_wave else []), "scope"]
    main = instrument.main_scale
    assert main is not None
    print(
        f"{instrument.name.get(lang)} ({instrument.id} v{instrument.version}), "
        f"minimum group size {result['min_group']}",
        file=out,
    )
    for scale in instrument.scales:
        print(file=out)
        rng = f"{scale.score.min:g}-{scale.score.max:g}"
        print(f"{scale.name.get(lang)} [{scale.id}, {rng}, {scale.polarity}]", file=out)
        # A bipolar or need scale is read by its bands, never as "higher is better".
        by_bands = scale.polarity in ("bipolar", "need") and bool(scale.bands)
        header = [*lead_header, "n"]
        if not by_bands or scale.polarity == "need":
            header += ["mean", "sd", "95% CI", "rwg(j)"]
        if scale.also is not None:
            header.append(f"mean {scale.also.min:g}-{scale.also.max:g}")
        header.extend(b.label.get(lang) for b in scale.bands)
        if scale.levels:
            header.append("level")
        rows: list[list[str]] = []
        for group in rows_for:
            row = lead(group)
            figures: JsonDict = group
            if not group["suppressed"] and scale.id != main.id:
                figures = group["scales"][scale.id]
            if figures.get("suppressed"):
                row.append(reasons.get(figures["reason"], str(figures["reason"])))
                rows.append(row)
                continue
            ci = figures["ci95"]
            row.append(str(figures["n"]))
            if not by_bands or scale.polarity == "need":
                row += [
                    _fmt(figures["mean"]),
                    _fmt(figures["sd"]),
                    f"{ci[0]:.1f}-{ci[1]:.1f}" if ci else "-",
                    _fmt(figures["rwg_j"], 2),
                ]
            if "also" in figures:
                row.append(_fmt(figures["also"]["mean"]))
            for band in figures.get("bands", []):
                row.append(f"{band['share'] * 100:.0f}%" if band["share"] is not None else "-")
            if scale.levels:
                reading = (
                    scoring.level_reading(scale, figures["mean"])
                    if figures["mean"] is not None
                    else None
                )
                row.append(reading.text(lang) if reading is not None else "-")
            rows.append(row)
        _print_aligned(header, rows, out)
    for figure in instrument.key_figures:
        print(file=out)
        ref = ""
        if figure.reference is not None and figure.reference.value is not None:
            ref = f" (reference {figure.reference.value * 100:.1f}%)"
        elif figure.reference_range is not None:
            low, high = figure.reference_range
            ref = f" (reference {low * 100:.0f}-{high * 100:.0f}%)"
        print(f"{figure.label.get(lang)}{ref}", file=out)
        rows = []
        for group in rows_for:
            row = lead(group)
            kf = group if group["suppressed"] else group["key_figures"][figure.id]
            if kf.get("suppressed"):
                row.append(reasons.get(kf["reason"], str(kf["reason"])))
            else:
                share = kf["share"]
                row += [str(kf["n"]), f"{share * 100:.1f}%" if share is not None else "-"]
            rows.append(row)
        _print_aligned([*lead_header, "n", "share"], rows, out)
    dk_items = [i for i in instrument.items if i.type == "choice" and i.dont_know is not None]
    if dk_items:
        print(file=out)
        print("Don't know (share of those who answered the item)", file=out)
        _print_item_table(
            rows_for,
            lead,
            lead_header,
            [(i.id, str(i.number)) for i in dk_items],
            "dont_know",
            reasons,
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
            name = item.reference.label.get(lang) if item.reference.label else "reference"
            rows.append(
                [
                    name,
                    *([""] if has_wave else []),
                    "",
                    "",
                    *(
                        f"{reference[o.code] * 100:.0f}%" if o.code in reference else "-"
                        for o in item.options
                    ),
                ]
            )
        for group in rows_for:
            row = lead(group)
            cell = group if group["suppressed"] else group["distributions"][item.id]
            if cell.get("suppressed"):
                row.append(reasons.get(cell["reason"], str(cell["reason"])))
            else:
                row.append(str(cell["n"]))
                row += [
                    f"{share * 100:.0f}%" if share is not None else "-"
                    for share in cell["shares"].values()
                ]
            rows.append(row)
        _print_aligned([*lead_header, "n", *labels], rows, out)
    print(file=out)
    if "changes" in result:
        _print_changes(result["changes"], out)
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
                f"Cronbach's alpha ({main.id}){label}: {rel['alpha']:.2f} "
                f"(95% CI {low:.2f}-{high:.2f}, {rel['n_complete']} complete answers)",
                file=out,
            )
        else:
            print(
                f"Cronbach's alpha ({main.id}){label}: - ({rel['n_complete']} complete answers)",
                file=out,
            )
        print(f"ICC(1){label}: {_fmt(icc1, 2)}   ICC(2){label}: {_fmt(icc2, 2)}", file=out)


def _print_changes(changes: Sequence[JsonDict], out: TextIO) -> None:
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
                change["scope"],
                f"{change['before']}->{change['after']}",
                _fmt(change["mean_before"]),
                _fmt(change["mean_after"]),
                _fmt(change["diff"]),
                f"{_fmt(low)}..{_fmt(high)}",
                _fmt(change["p"], 3),
                reading,
            ]
        )
    header = ["unit", "scope", "waves", "before", "after", "diff", "95% CI", "p", "reading"]
    _print_aligned(header, rows, out)
    print(file=out)


def _print_item_table(
    groups: Sequence[JsonDict],
    lead: Callable[[JsonDict], list[str]],
    lead_header: Sequence[str],
    columns: Sequence[tuple[str, str]],
    key: str,
    reasons: Mapping[str, str],
    out: TextIO,
) -> None:
    """One share per item (its number as the column head) for every group."""
    rows = []
    for group in groups:
        row = lead(group)
        if group["suppressed"]:
            row.append(reasons.get(group["reason"], str(group["reason"])))
        else:
            for item_id, _ in columns:
                cell = group[key][item_id]
                share = cell.get("share")
                row.append(
                    "hidden"
                    if cell.get("suppressed")
                    else f"{share * 100:.0f}%"
                    if share is not None
                    else "-"
                )
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
    numeric = re.compile(r"^-?[\d.]+%?$|^-$|^[\d.]+-[\d.]+$")
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
