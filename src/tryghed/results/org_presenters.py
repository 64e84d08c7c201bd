"""The organisation report ("organisationsrapport") for the AMO, HR and administrators.

``org_report_context`` turns one measurement's report data (``aggregates.report_data``) into
what the page, and the PDF and Excel exports, show, in the order a reader needs it:
participation, what stands out across units (best, weakest, biggest sure changes; ranked
only on comparable readings, ``results.readings``), the Vision Zero maturity, the heatmap
of units x scales with its change column against the earlier wave, the four zones across
units, and last, folded away, the method figures: reliability ("how much can we trust the
numbers"), the unit-level correlations (seed 003) and the key drivers. It reads only the report data and the response-rate counts; it never
computes a figure from responses, so the suppression decided in ``aggregates`` is the only
one (spec/privacy.md). Unit and instrument names come from the database and the frozen
instruments; they are not figures.

Heatmap columns (chosen here, one place):
- each instrument's main scale, when it has a direction (higher or lower is better); a
  bipolar scale (good is the middle) or a need scale (support: want less / fine / need
  more) cannot be coloured from bad to good, so it is left to the unit report;
- each key figure with a reference from the seeds (stress "often or all the time" against
  the national 17.7 %, seed 003; held back at least once against 50-70 %, seed 000): the
  share is what the organisation compares, and lower is better when the instrument's
  main scale is lower-is-better (both are shares of something unwanted).

A row is a unit with everything below it (the ``"subtree"`` group), as an AMO reads an
area; the top unit is the organisation row, shown once above the units.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from tryghed.core.figures import (
    Change,
    Group,
    Hidden,
    KeyShare,
    Level,
    Publication,
    ScaleFigure,
    UnitEntry,
    shown,
)
from tryghed.core.figures import Zone as PlacedZone
from tryghed.core.figures import load as load_publication
from tryghed.core.instruments import Instrument, load_builtin
from tryghed.core.scoring import ZONE_LABELS, Zone
from tryghed.orgs.labels import UnitLabels
from tryghed.results import charts, readings
from tryghed.results.charts import Chart, HeatCell, ScatterPoint
from tryghed.surveys.participation import RateRow

JsonDict = dict[str, Any]


def typed(data: Publication | Mapping[str, Any]) -> Publication:
    """The typed publication (``aggregates.publication``); stored JSON from a caller not yet
    moved to it is loaded."""
    return data if isinstance(data, Publication) else load_publication(data)


#: Rows per heatmap page; an organisation of 2,000 units pages rather than scrolls forever.
PAGE_SIZE = 100
#: With more rows than this the heatmap opens at the first two levels below the top.
COLLAPSE_ABOVE = 60
DEPTHS = ("1", "2", "alle")
DIRECTIONS = ("asc", "desc")

#: The Vision Zero maturity instrument: the organisation report shows its staircase.

HIDDEN_SYMBOLS: Mapping[str, str] = {"below_minimum": "○", "complementary": "◇"}


def hidden_text(reason: str) -> str:
    """Why a figure is not shown, in the words of spec/privacy.md."""
    if reason == "complementary":
        return _("skjult for at beskytte en mindre gruppe")
    return _("for få svar")


def depth_labels() -> list[tuple[str, str]]:
    return [
        ("1", _("Kun øverste niveau (fx områder)")),
        ("2", _("To niveauer (fx områder og afdelinger)")),
        ("alle", _("Alle enheder")),
    ]


# --------------------------------------------------------------------------- heatmap


@dataclass(frozen=True)
class Column:
    """One heatmap column: an instrument's main scale, or a key figure's share."""

    key: str  # "ps7.total" or "stress.stressed"
    instrument: str
    figure: str
    kind: Literal["scale", "share"]
    label: str
    instrument_name: str
    low: float
    high: float
    higher_is_better: bool
    range_text: str
    reference_text: str = ""
    sort_asc_url: str = ""
    sort_desc_url: str = ""
    sorted_dir: str = ""  # "asc" / "desc" when the table is sorted by this column
    # A change column follows this one: some group has a change against the earlier wave.
    show_change: bool = False


@dataclass(frozen=True)
class ChangeCell:
    """A scale's change against the earlier wave, as the publication holds it ("change")."""

    text: str  # the difference on the scale, signed: "+2,1", "−3,4"; "" when none is shown
    reading: str  # "real", "indicative", "unchanged" or "" (statistics.md)
    better: bool | None  # None: unchanged, or no change shown
    words: str  # the whole reading in words, for screen readers and the legend

    @property
    def tone(self) -> str:
        if self.better is None:
            return "same"
        return "better" if self.better else "worse"

    @property
    def sure_text(self) -> str:
        if self.reading == "real":
            return _("sikker")
        if self.reading == "indicative":
            return _("usikker")
        return ""


@dataclass(frozen=True)
class Cell:
    value: float | None
    text: str  # the number as shown; "" when hidden
    reason: str | None  # why it is hidden
    symbol: str
    reason_text: str
    heat: HeatCell
    change: ChangeCell | None = None
    change_column: bool = False  # a change column follows this cell's column


@dataclass(frozen=True)
class Row:
    unit_id: int | None
    name: str
    depth: int  # below the top of the report (1 = the first level)
    parent_name: str
    cells: list[Cell]
    order: int  # tree order, to sort ties and to go back
    url: str = ""  # the unit report


@dataclass(frozen=True)
class Heatmap:
    columns: list[Column]
    has_changes: bool
    organisation: Row | None
    rows: list[Row]  # this page's rows
    page: Page[Row] | None
    total_rows: int
    all_rows: int
    depth: str
    depth_options: list[tuple[str, str]]
    sort: str
    direction: str
    collapsed_by_default: bool
    reset_sort_url: str
    page_urls: Mapping[str, str]
    # Every query parameter but the one a form sets, to carry as hidden inputs.
    keep: Mapping[str, str] = field(default_factory=dict)


def _fmt_scale(value: float, lang: str) -> str:
    return charts.format_number(value, lang, 1)


def _bound(value: float, lang: str) -> str:
    return charts.format_number(value, lang, 0 if float(value).is_integer() else 1)


def _fmt_share(value: float, lang: str) -> str:
    return charts.format_percent(value, lang, 0)


def _columns(data: Publication, instruments: Sequence[Instrument], lang: str) -> list[Column]:
    columns: list[Column] = []
    # In the measurement's order of instruments: the publication's header is a dict whose
    # keys PostgreSQL's jsonb stores in its own order, so a process that reads it back
    # would otherwise order the columns unlike the one that built it.
    for instrument in instruments:
        iid = instrument.id
        meta = data.instruments.get(iid)
        main = meta.main_scale if meta is not None else None
        if meta is None or main is None:
            continue
        scale_meta = meta.scales[main]
        polarity = scale_meta.polarity
        name = instrument.name.get(lang)
        if polarity in ("higher_better", "lower_better") and scale_meta.score is not None:
            low, high = (float(v or 0.0) for v in scale_meta.score)
            columns.append(
                Column(
                    key=f"{iid}.{main}",
                    instrument=iid,
                    figure=main,
                    kind="scale",
                    label=instrument.scale(main).name.get(lang),
                    instrument_name=name,
                    low=float(low),
                    high=float(high),
                    higher_is_better=polarity == "higher_better",
                    range_text=f"{_bound(low, lang)}–{_bound(high, lang)}",
                )
            )
        for figure in instrument.key_figures:
            figure_meta = meta.key_figures.get(figure.id)
            reference = figure_meta.reference if figure_meta is not None else None
            if reference is None:
                continue
            if isinstance(reference, tuple):
                ref_text = _("reference %(low)s–%(high)s") % {
                    "low": _fmt_share(reference[0], lang),
                    "high": _fmt_share(reference[1], lang),
                }
            else:
                ref_text = _("reference %(value)s") % {
                    "value": charts.format_percent(reference, lang, 1)
                }
            columns.append(
                Column(
                    key=f"{iid}.{figure.id}",
                    instrument=iid,
                    figure=figure.id,
                    kind="share",
                    label=figure.label.get(lang),
                    instrument_name=name,
                    low=0.0,
                    high=1.0,
                    higher_is_better=polarity == "higher_better",
                    range_text=_("andel"),
                    reference_text=ref_text,
                )
            )
    return columns


def _change_sign(change: Change | None, column: Column) -> tuple[float, str, bool | None] | None:
    """A published change as (difference, reading, better); ``better`` is None when it is
    unchanged. None without a change. No text: ``change_cell`` words it."""
    if change is None or change.difference is None:
        return None
    difference = float(change.difference)
    reading = change.reading
    if reading == "unchanged" or round(difference, 1) == 0:
        return difference, reading, None
    return difference, reading, difference > 0 if column.higher_is_better else difference < 0


def change_cell(change: Change | None, column: Column, lang: str) -> ChangeCell | None:
    """The published change of a scale as the heatmap shows it; None without one."""
    sign = _change_sign(change, column)
    if sign is None:
        return None
    difference, reading, better = sign
    if better is None:
        return ChangeCell(charts.format_number(0.0, lang, 1), reading, None, _("uændret"))
    amount = charts.format_number(abs(difference), lang, 1)
    text = ("+" if difference > 0 else charts.MINUS) + amount
    moved = (
        _("steget %(amount)s") % {"amount": amount}
        if difference > 0
        else _("faldet %(amount)s") % {"amount": amount}
    )
    tone = _("bedre") if better else _("dårligere")
    sure = _("sikker ændring") if reading == "real" else _("usikker: kan skyldes tilfældigheder")
    return ChangeCell(text, reading, better, f"{moved} ({tone}), {sure}")


Block = ScaleFigure | KeyShare | Hidden
_NOT_THERE = Hidden("below_minimum")


def _value(block: Block, column: Column) -> float | None:
    """The number a cell shows (and sorts by); None when hidden or not computable."""
    if isinstance(block, Hidden):
        return None
    if column.kind == "share":
        value = block.share if isinstance(block, KeyShare) else None
    else:
        value = block.mean if isinstance(block, ScaleFigure) else None
    if value is None or math.isnan(value):
        return None
    return float(value)


def _change(block: Block) -> Change | None:
    return block.change if isinstance(block, ScaleFigure) else None


def _has_change(block: Block, column: Column) -> bool:
    """Whether the cell carries a change (``_cell(...).change is not None``), cheaply."""
    if column.kind != "scale" or _value(block, column) is None:
        return False
    change = _change(block)
    return change is not None and change.difference is not None


def _cell(block: Block, column: Column, lang: str) -> Cell:
    if isinstance(block, Hidden):
        reason = str(block.reason or "below_minimum")
        text = hidden_text(reason)
        heat = charts.heat_cell(None, low=column.low, high=column.high, lang=lang, hidden_text=text)
        return Cell(None, "", reason, HIDDEN_SYMBOLS.get(reason, "○"), text, heat)
    value = _value(block, column)
    if value is None:
        heat = charts.heat_cell(None, low=column.low, high=column.high, lang=lang, hidden_text="–")
        return Cell(None, "–", None, "", _("kan ikke beregnes"), heat)
    heat = charts.heat_cell(
        value,
        low=column.low,
        high=column.high,
        lang=lang,
        higher_is_better=column.higher_is_better,
    )
    text = _fmt_share(value, lang) if column.kind == "share" else _fmt_scale(value, lang)
    change = change_cell(_change(block), column, lang) if column.kind == "scale" else None
    return Cell(value, text, None, "", "", heat, change)


def _block(g: Group | Hidden, column: Column) -> Block:
    """The group's figure for a column; a hidden group or instrument hides every cell."""
    if isinstance(g, Hidden):
        return g
    instrument = g.instruments.get(column.instrument)
    if instrument is None:
        return _NOT_THERE
    table = instrument.scales if column.kind == "scale" else instrument.key_figures
    return table.get(column.figure, _NOT_THERE)


def _row(
    g: Group | Hidden,
    columns: Sequence[Column],
    lang: str,
    **fields: Any,
) -> Row:
    return Row(cells=[_cell(_block(g, c), c, lang) for c in columns], **fields)


def _query(params: Mapping[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def _sort_rows(rows: list[Row], values: Mapping[int, float | None], direction: str) -> list[Row]:
    """Shown values in order; hidden and missing values last, in tree order, either way.
    ``values`` is each row's value in the sort column, by the row's ``order``."""
    shown = [r for r in rows if values[r.order] is not None]
    rest = [r for r in rows if values[r.order] is None]
    sign = -1 if direction == "desc" else 1
    shown.sort(key=lambda r: ((values[r.order] or 0.0) * sign, r.order))
    return shown + rest


def _tree_order(units: Mapping[str, UnitEntry], names: Mapping[int, str]) -> list[str]:
    """Depth first with siblings by name (the stored order is by path, so by id)."""
    # The page asks three times per request for the same (read-only) publication's units
    # and the same names: 2,000 units sorted by name each time. The last answer is kept,
    # holding the units it was for, so an identical mapping is never a different one.
    last = _last_tree_order[0]
    if last is not None and last[0] is units and last[1] == names:
        return list(last[2])
    order = _sorted_tree(units, names)
    _last_tree_order[0] = (units, dict(names), tuple(order))
    return order


_last_tree_order: list[tuple[Mapping[str, UnitEntry], dict[int, str], tuple[str, ...]] | None] = [
    None
]


def _sorted_tree(units: Mapping[str, UnitEntry], names: Mapping[int, str]) -> list[str]:
    def by_name(ids: Sequence[str]) -> list[str]:
        return sorted(ids, key=lambda u: (names.get(int(u), "").casefold(), int(u)))

    order: list[str] = []
    stack = list(reversed(by_name([u for u, unit in units.items() if unit.parent is None])))
    while stack:
        uid = stack.pop()
        order.append(uid)
        stack.extend(reversed(by_name(units[uid].children)))
    return order


def heatmap(
    data: Publication | JsonDict,
    instruments: Sequence[Instrument],
    names: Mapping[int, str],
    *,
    lang: str,
    params: Mapping[str, str],
    page_size: int | None = PAGE_SIZE,
    unit_url: Callable[[int], str] | None = None,
) -> Heatmap:
    """The heatmap for the query ``params`` (sort, dir, niveau, side); ``page_size=None``
    puts every row on one page (the exports)."""
    data = typed(data)
    columns = _columns(data, instruments, lang)
    keys = [c.key for c in columns]
    sort = params.get("sort", "")
    sort = sort if sort in keys else ""
    direction = params.get("dir", "asc")
    direction = direction if direction in DIRECTIONS else "asc"

    organisation_slot = data.organisation
    units = data.units
    top_depth = min((u.depth for u in units.values()), default=0)
    # Every unit is a candidate row, but only the rows of the page shown get their cells
    # (and links) built: the rest need no more than a value to sort by and whether any
    # cell carries a change. Rows of ``candidates`` have no cells; ``groups`` has their
    # figures, by the row's ``order``.
    candidates: list[Row] = []
    groups: dict[int, Group | Hidden] = {}
    for order, uid in enumerate(_tree_order(units, names)):
        unit = units[uid]
        if unit.subtree == organisation_slot:
            continue  # the top unit is the organisation row
        parent = unit.parent
        groups[order] = data.groups[unit.subtree]
        candidates.append(
            Row(
                unit_id=int(uid),
                name=names.get(int(uid), uid),
                depth=max(1, unit.depth - top_depth),
                parent_name=names.get(int(parent), "") if parent is not None else "",
                cells=[],
                order=order,
            )
        )
    collapsed_default = len(candidates) > COLLAPSE_ABOVE
    depth = params.get("niveau", "")
    if depth not in DEPTHS:
        depth = "2" if collapsed_default else "alle"
    rows = candidates if depth == "alle" else [r for r in candidates if r.depth <= int(depth)]
    if sort:
        column = columns[keys.index(sort)]
        values = {o: _value(_block(g, column), column) for o, g in groups.items()}
        rows = _sort_rows(rows, values, direction)

    base = {"sort": sort, "dir": direction if sort else "", "niveau": params.get("niveau", "")}
    columns = [
        replace(
            c,
            sort_asc_url=_query(base, sort=c.key, dir="asc", side=None),
            sort_desc_url=_query(base, sort=c.key, dir="desc", side=None),
            sorted_dir=direction if c.key == sort else "",
        )
        for c in columns
    ]
    page: Page[Row] | None = None
    shown = rows
    page_urls: dict[str, str] = {}
    if page_size is not None and len(rows) > page_size:
        page = Paginator(rows, page_size).get_page(params.get("side"))
        shown = list(page.object_list)
        if page.has_previous():
            page_urls["previous"] = _query(base, side=str(page.previous_page_number()))
        if page.has_next():
            page_urls["next"] = _query(base, side=str(page.next_page_number()))

    organisation_row = _row(
        data.groups[organisation_slot],
        columns,
        lang,
        unit_id=None,
        name=_("Hele organisationen"),
        depth=0,
        parent_name="",
        order=-1,
    )
    changed = [
        organisation_row.cells[i].change is not None
        or (c.kind == "scale" and any(_has_change(_block(g, c), c) for g in groups.values()))
        for i, c in enumerate(columns)
    ]
    columns = [replace(c, show_change=flag) for c, flag in zip(columns, changed, strict=True)]
    shown = [
        replace(
            r,
            cells=[_cell(_block(groups[r.order], c), c, lang) for c in columns],
            url=unit_url(r.unit_id) if unit_url is not None and r.unit_id is not None else "",
        )
        for r in shown
    ]
    if any(changed):

        def with_flags(row: Row) -> Row:
            cells = [replace(c, change_column=f) for c, f in zip(row.cells, changed, strict=True)]
            return replace(row, cells=cells)

        organisation_row = with_flags(organisation_row)
        shown = [with_flags(r) for r in shown]
    if page is not None:
        page.object_list = shown  # the page's rows with their cells
    return Heatmap(
        columns=columns,
        has_changes=any(changed),
        organisation=organisation_row,
        rows=shown,
        page=page,
        total_rows=len(rows),
        all_rows=len(candidates),
        depth=depth,
        depth_options=depth_labels(),
        sort=sort,
        direction=direction,
        collapsed_by_default=collapsed_default,
        reset_sort_url=_query(base, sort=None, dir=None, side=None),
        page_urls=page_urls,
        keep={k: v for k, v in base.items() if v and k != "niveau"},
    )


def page_query(
    data: Publication | JsonDict,
    instruments: Sequence[Instrument],
    params: Mapping[str, str],
) -> tuple[tuple[str, str], ...]:
    """The query ``params`` as the page reads them: an unknown ``sort``, ``dir`` or
    ``niveau`` left out, ``side`` as the number of the page it shows (none for the first),
    ``par`` as the pair it picks (empty where it picks the default: the method figures are
    open all the same). Two queries that show the same page give the same answer, so the
    page kept for one serves the other and a made-up value keeps no page of its own."""
    data = typed(data)
    keys = {c.key for c in _columns(data, instruments, "da")}
    sort = params.get("sort", "")
    sort = sort if sort in keys else ""
    direction = params.get("dir", "asc")
    depth = params.get("niveau", "")
    query = {
        "sort": sort,
        "dir": (direction if direction in DIRECTIONS else "asc") if sort else "",
        "niveau": depth if depth in DEPTHS else "",
    }
    units = data.units
    top_depth = min((u.depth for u in units.values()), default=0)
    depths = [max(1, u.depth - top_depth) for u in units.values() if u.subtree != data.organisation]
    if depth not in DEPTHS:
        depth = "2" if len(depths) > COLLAPSE_ABOVE else "alle"
    rows = len(depths) if depth == "alle" else sum(1 for d in depths if d <= int(depth))
    if rows > PAGE_SIZE and "side" in params:
        number = Paginator(range(rows), PAGE_SIZE).get_page(params["side"]).number
        query["side"] = str(number) if number > 1 else ""
    found = [
        f"{c.a}|{c.b}"
        for c in data.measurement_level.correlations
        if c.r is not None and not math.isnan(c.r)
    ]
    kept = tuple((k, v) for k, v in query.items() if v)
    if "par" in params:
        return (*kept, ("par", params["par"] if params["par"] in found else ""))
    return kept


# --------------------------------------------------------------------------- correlations


@dataclass(frozen=True)
class Correlation:
    key: str  # "ps7/total|tavshed/total"
    a_label: str
    b_label: str
    r: float
    r_text: str
    ci_text: str
    n_units: int
    strength: str
    main: bool  # both are an instrument's main scale
    url: str = ""


@dataclass(frozen=True)
class CorrelationView:
    pairs: list[Correlation]  # the main scales' pairs, strongest first
    options: list[Correlation]  # every pair in the report data, for the chooser
    chosen: Correlation | None
    chart: Chart | None
    keep: Mapping[str, str]


def _scale_label(key: str, by_id: Mapping[str, Instrument], lang: str) -> str:
    iid, sid = key.split("/", 1)
    instrument = by_id.get(iid)
    if instrument is None:
        return key
    return instrument.scale(sid).name.get(lang)


def _default_rank(key: str, by_id: Mapping[str, Instrument]) -> int:
    """The lowest ``display: lead`` among the pair's instruments; undeclared comes last.
    An instrument not given is read from its built-in file, as a frozen copy would be."""
    builtin = load_builtin()
    leads = [
        lead
        for iid in (side.split("/", 1)[0] for side in key.split("|"))
        if (instrument := by_id.get(iid) or builtin.get(iid)) is not None
        and (lead := instrument.shown_as.lead) is not None
    ]
    return min(leads, default=sys.maxsize)


def _strength(r: float) -> str:
    size = abs(r)
    if size >= 0.7:
        word = _("stærk")
    elif size >= 0.4:
        word = _("moderat")
    elif size >= 0.2:
        word = _("svag")
    else:
        return _("ingen tydelig sammenhæng")
    direction = _("positiv") if r > 0 else _("negativ")
    return _("%(strength)s, %(direction)s") % {"strength": word, "direction": direction}


def correlations(
    data: Publication | JsonDict,
    instruments: Sequence[Instrument],
    names: Mapping[int, str],
    *,
    lang: str,
    params: Mapping[str, str],
) -> CorrelationView:
    data = typed(data)
    by_id = {i.id: i for i in instruments}
    mains = {
        f"{iid}/{meta.main_scale}"
        for iid, meta in data.instruments.items()
        if meta.main_scale is not None
    }
    keep = {k: params[k] for k in ("sort", "dir", "niveau", "side") if params.get(k)}
    found: list[Correlation] = []
    for entry in data.measurement_level.correlations:
        r = entry.r
        if r is None or math.isnan(r):
            continue
        key = f"{entry.a}|{entry.b}"
        ci = entry.ci95
        ci_text = (
            f"{charts.format_number(ci[0], lang, 2)}–{charts.format_number(ci[1], lang, 2)}"
            if ci and ci[0] is not None and ci[1] is not None
            else "–"
        )
        found.append(
            Correlation(
                key=key,
                a_label=_scale_label(entry.a, by_id, lang),
                b_label=_scale_label(entry.b, by_id, lang),
                r=float(r),
                r_text=charts.format_number(r, lang, 2),
                ci_text=ci_text,
                n_units=int(entry.n_units),
                strength=_strength(r),
                main=entry.a in mains and entry.b in mains,
                url=_query(keep, par=key) + "#sammenhaenge",
            )
        )
    pairs = sorted((c for c in found if c.main), key=lambda c: (-abs(c.r), c.key))
    chosen = next((c for c in found if c.key == params.get("par")), None)
    if chosen is None and pairs:
        # Seed 003's view first: work-environment competence (amk) against the rest, else
        # psychological safety against the rest; the strongest such pair.
        chosen = min(pairs, key=lambda c: (_default_rank(c.key, by_id), -abs(c.r), c.key))
    chart = _scatter(data, chosen, names, lang) if chosen is not None else None
    return CorrelationView(pairs, found, chosen, chart, keep)


def _scatter(data: Publication, chosen: Correlation, names: Mapping[int, str], lang: str) -> Chart:
    a, b = chosen.key.split("|")

    def value(g: Group | Hidden, key: str) -> float | None:
        iid, sid = key.split("/", 1)
        block = shown(g.scale(iid, sid)) if isinstance(g, Group) else None
        if block is None or block.mean is None:
            return None
        return float(block.mean)

    def scale_range(key: str) -> tuple[float, float]:
        iid, sid = key.split("/", 1)
        score = data.instruments[iid].scales[sid].score
        low, high = score if score is not None else (0.0, 1.0)
        return float(low or 0.0), float(high or 0.0)

    # The correlation is over units' own respondents (disjoint groups), so are the dots.
    points = [
        ScatterPoint(names.get(int(uid), uid), value(data.group(uid), a), value(data.group(uid), b))
        for uid in data.units
    ]
    return charts.unit_scatter(
        points=points,
        x_label=chosen.a_label,
        y_label=chosen.b_label,
        r=chosen.r,
        lang=lang,
        id_prefix="org-scatter",
        x_range=scale_range(a),
        y_range=scale_range(b),
    )


# --------------------------------------------------------------------------- key drivers


@dataclass(frozen=True)
class DriverRow:
    name: str
    weight: float
    weight_text: str
    ci_text: str
    share_text: str  # of R², the explained part


@dataclass(frozen=True)
class Driver:
    key: str
    outcome: str
    hidden: str  # why it is hidden, "" when shown
    rows: list[DriverRow]
    r2_text: str
    n: int
    n_boot: int
    svg: str
    alt: str


def _driver_svg(
    rows: Sequence[tuple[str, float, tuple[float, float] | None]],
    *,
    ident: str,
    title: str,
    desc: str,
) -> str:
    """Horizontal bars for the weights with their bootstrap intervals as whiskers.

    Each label stands on its own line above its bar, so it is never cut and its type stays
    at 15 units (about 11 px in a card on a 360 px phone, as in ``charts``). Presentation
    attributes only (the CSP allows no style), a text alternative in ``<title>``/``<desc>``,
    and the same figures in the table under it."""
    width, left, bar_w, row_h, top = 400.0, 8.0, 376.0, 46.0, 4.0
    height = top * 2 + row_h * len(rows) + 4
    high = max([0.05] + [max(w, ci[1] if ci else w) for _, w, ci in rows])
    scale = bar_w / high
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="{charts.WHITE}"/>',
    ]
    for i, (label, weight, ci) in enumerate(rows):
        y = top + i * row_h
        short = label if len(label) <= 44 else label[:43] + "…"
        parts.append(
            f'<text x="{left:g}" y="{y + 15:g}" font-size="15" fill="{charts.INK}">'
            f"{escape(short)}</text>"
        )
        parts.append(
            f'<rect x="{left:g}" y="{y + 21:g}" width="{max(1.0, weight * scale):.2f}" '
            f'height="16" fill="{charts.BLUE}"/>'
        )
        if ci is not None:
            x1, x2, mid = left + ci[0] * scale, left + ci[1] * scale, y + 29
            parts.append(
                f'<path d="M{x1:.2f} {mid:g}H{x2:.2f}M{x1:.2f} {mid - 7:g}V{mid + 7:g}'
                f'M{x2:.2f} {mid - 7:g}V{mid + 7:g}" stroke="{charts.INK}" stroke-width="2" '
                'fill="none"/>'
            )
    parts.append(
        f'<path d="M{left:g} {top:g}V{height - 2:g}" stroke="{charts.INK_SOFT}" fill="none"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def drivers(
    data: Publication | JsonDict, instruments: Sequence[Instrument], *, lang: str
) -> list[Driver]:
    data = typed(data)
    by_id = {i.id: i for i in instruments}
    nuggets = next((i for i in instruments if i.shown_as.driver == "predictor"), None)
    out: list[Driver] = []
    for key, entry in data.measurement_level.drivers.items():
        outcome = _scale_label(key, by_id, lang)
        if isinstance(entry, Hidden):
            reason = str(entry.reason or "below_minimum")
            out.append(Driver(key, outcome, hidden_text(reason), [], "", 0, 0, "", ""))
            continue
        r2 = float(entry.r2 or 0.0)
        rows: list[DriverRow] = []
        bars: list[tuple[str, float, tuple[float, float] | None]] = []
        for name, weight, ci in zip(entry.names, entry.weights, entry.ci95, strict=True):
            label = nuggets.scale(name).name.get(lang) if nuggets is not None else name
            ci_pair = (
                (float(ci[0]), float(ci[1]))
                if ci is not None and ci[0] is not None and ci[1] is not None
                else None
            )
            rows.append(
                DriverRow(
                    name=label,
                    weight=float(weight),
                    weight_text=charts.format_percent(weight, lang, 1),
                    ci_text=(
                        f"{charts.format_percent(ci_pair[0], lang, 1)}–"
                        f"{charts.format_percent(ci_pair[1], lang, 1)}"
                        if ci_pair
                        else "–"
                    ),
                    share_text=charts.format_percent(weight / r2, lang, 0) if r2 > 0 else "–",
                )
            )
            bars.append((label, float(weight), ci_pair))
        order = sorted(range(len(rows)), key=lambda k: -rows[k].weight)
        rows = [rows[k] for k in order]
        bars = [bars[k] for k in order]
        r2_text = charts.format_percent(r2, lang, 0)
        alt = _(
            "Relative vægte for %(outcome)s: %(list)s. Tilsammen forklarer de %(r2)s af "
            "forskellene mellem medarbejderne."
        ) % {
            "outcome": outcome,
            "list": "; ".join(f"{r.name} {r.weight_text} ({r.ci_text})" for r in rows),
            "r2": r2_text,
        }
        ident = "driver-" + key.replace("/", "-")
        title = _("Hvad hænger sammen med %(outcome)s?") % {"outcome": outcome}
        out.append(
            Driver(
                key=key,
                outcome=outcome,
                hidden="",
                rows=rows,
                r2_text=r2_text,
                n=int(entry.n),
                n_boot=int(entry.n_boot),
                svg=_driver_svg(bars, ident=ident, title=title, desc=alt),
                alt=alt,
            )
        )
    return out


# --------------------------------------------------------------------------- trust box


@dataclass(frozen=True)
class TrustRow:
    label: str
    hidden: str
    alpha_text: str
    alpha_ci_text: str
    alpha_reading: str
    icc1_text: str
    icc2_text: str
    icc_reading: str


@dataclass(frozen=True)
class Trust:
    rows: list[TrustRow]
    responses: int | None
    invited: int | None
    rate_text: str
    rate_hidden: str = ""


def _alpha_reading(alpha: float) -> str:
    if alpha >= 0.8:
        return _("Spørgsmålene måler tydeligt det samme.")
    if alpha >= 0.7:
        return _("Spørgsmålene hænger godt nok sammen til en samlet score.")
    if alpha >= 0.6:
        return _("Spørgsmålene hænger kun nogenlunde sammen: læs også de enkelte spørgsmål.")
    return _("Spørgsmålene hænger svagt sammen: læs de enkelte spørgsmål frem for scoren.")


def _icc_reading(icc2: float) -> str:
    if icc2 >= 0.7:
        return _("Enhedernes gennemsnit er pålidelige nok til at sammenligne enheder.")
    if icc2 >= 0.5:
        return _("Sammenlign enheder med forsigtighed: små forskelle kan være tilfældige.")
    return _("Forskellene mellem enheder er usikre: sammenlign dem ikke enhed for enhed.")


def trust(
    data: Publication | JsonDict,
    instruments: Sequence[Instrument],
    total: RateRow | None,
    *,
    lang: str,
) -> Trust:
    data = typed(data)
    by_id = {i.id: i for i in instruments}
    rows: list[TrustRow] = []
    for iid in by_id:  # the measurement's order, not the stored header's (``_columns``)
        meta = data.instruments.get(iid)
        main = meta.main_scale if meta is not None else None
        if main is None:
            continue
        label = _scale_label(f"{iid}/{main}", by_id, lang)
        block = data.measurement_level.scales.get(iid, {}).get(main)
        if block is None:
            continue
        if isinstance(block, Hidden):
            reason = hidden_text(str(block.reason or "below_minimum"))
            rows.append(TrustRow(label, reason, "", "", "", "", "", ""))
            continue
        alpha, icc = block.alpha, block.icc
        alpha_value = alpha.alpha if alpha else None
        ci = alpha.ci95 if alpha else None
        icc1 = icc.icc1 if icc else None
        icc2 = icc.icc2 if icc else None
        rows.append(
            TrustRow(
                label=label,
                hidden="",
                alpha_text=(
                    charts.format_number(alpha_value, lang, 2) if alpha_value is not None else "–"
                ),
                alpha_ci_text=(
                    f"{charts.format_number(ci[0], lang, 2)}–{charts.format_number(ci[1], lang, 2)}"
                    if ci is not None and ci[0] is not None and ci[1] is not None
                    else ""
                ),
                alpha_reading=(
                    _alpha_reading(alpha_value)
                    if alpha_value is not None
                    else _("Ét spørgsmål: ingen alpha.")
                ),
                icc1_text=charts.format_number(icc1, lang, 2) if icc1 is not None else "–",
                icc2_text=charts.format_number(icc2, lang, 2) if icc2 is not None else "–",
                icc_reading=_icc_reading(icc2) if icc2 is not None else "",
            )
        )
    # Participation is suppressed in surveys.participation (privacy.md section 4): a
    # hidden total carries no counts, only its reason.
    rate = ""
    if total is not None and total.rate is not None:
        rate = charts.format_percent(total.rate, lang, 0)
    return Trust(
        rows=rows,
        responses=total.responses if total is not None and rate else None,
        invited=total.invited if total is not None and rate else None,
        rate_text=rate,
        rate_hidden=total.hidden_text if total is not None else "",
    )


# --------------------------------------------------------------------------- what stands out


@dataclass(frozen=True)
class Standout:
    """One unit's published figure on one heatmap scale."""

    unit: str
    url: str
    scale: str
    value_text: str  # as published, on the scale's own range
    range_text: str
    direction: str  # "Højere er bedre." / "Lavere er bedre."


@dataclass(frozen=True)
class ScaleExtremes:
    scale: str
    range_text: str
    direction: str
    organisation_text: str  # "" when hidden
    best: Standout
    weakest: Standout


@dataclass(frozen=True)
class ChangeStandout:
    unit: str
    url: str
    scale: str
    before_text: str
    after_text: str
    range_text: str
    words: str  # "steget 5,2 (bedre), sikker ændring"
    better: bool


@dataclass(frozen=True)
class Standouts:
    """What stands out across units: per scale the best and the weakest unit, the weakest
    points over all scales on the common 0–100 reading (``readings``, one per scale), and the biggest
    sure changes. Units are those without units below them in the report (teams), so no
    unit is ranked against a part of itself; only shown figures take part."""

    units_compared: int
    scales: list[ScaleExtremes]
    weakest: list[Standout]
    improved: list[ChangeStandout]
    declined: list[ChangeStandout]
    has_changes: bool  # the publication carries changes (an earlier wave to compare with)


#: A leaf unit's reading on one heatmap scale, before it is worded: (unit id, column, reading).
type _Pick = tuple[str, Column, readings.Reading]


def standouts(
    data: Publication | JsonDict,
    hm: Heatmap,
    names: Mapping[int, str],
    *,
    lang: str,
    unit_url: Callable[[int], str] | None = None,
    count: int = 3,
    labels: Mapping[int, str] | None = None,
) -> Standouts:
    """``labels`` name the units in the text (namesakes told apart, see ``unit_labels``);
    ``names`` order them."""
    data = typed(data)
    labels = names if labels is None else labels
    units = data.units
    leaves = [
        uid
        for uid in _tree_order(units, names)
        if not units[uid].children and units[uid].subtree != data.organisation
    ]
    scale_columns = [(i, c) for i, c in enumerate(hm.columns) if c.kind == "scale"]
    organisation = hm.organisation
    directions: dict[str, str] = {}

    # Every leaf on every scale takes part, but only the few picked become text and links.
    def standout(uid: str, column: Column, found: readings.Reading) -> Standout:
        return Standout(
            unit=labels.get(int(uid), uid),
            url=unit_url(int(uid)) if unit_url is not None else "",
            scale=column.label,
            value_text=_fmt_scale(found.native, lang),
            range_text=column.range_text,
            direction=directions[column.key],
        )

    per_scale: list[ScaleExtremes] = []
    lowest_per_scale: list[_Pick] = []
    improved: list[tuple[float, _Pick, Change]] = []
    declined: list[tuple[float, _Pick, Change]] = []
    has_changes = False
    compared: set[str] = set()
    leaf_groups = [(uid, data.groups[units[uid].subtree]) for uid in leaves]
    for index, column in scale_columns:
        meta = data.instruments[column.instrument].scales[column.figure]
        polarity = meta.polarity
        low, high = (float(v or 0.0) for v in (meta.score or (0.0, 0.0)))
        direction = readings.direction_words(polarity, reading=False).rstrip(".")
        directions[column.key] = direction
        # The lowest (first of equals) and the highest (last of equals) in tree order.
        lowest: _Pick | None = None
        highest: _Pick | None = None
        shown = 0
        for uid, g in leaf_groups:
            if isinstance(g, Hidden):
                continue
            block = _block(g, column)
            # readings.scale_reading, with the scale's range read once per column
            if not isinstance(block, ScaleFigure) or block.mean is None:
                continue
            found = readings.reading(mean=float(block.mean), low=low, high=high, polarity=polarity)
            if found is None or found.value is None:
                continue
            compared.add(uid)
            pick = (uid, column, found)
            shown += 1
            if lowest is None or found.value < (lowest[2].value or 0.0):
                lowest = pick
            if highest is None or found.value >= (highest[2].value or 0.0):
                highest = pick
            change = block.change
            if change is None:
                continue
            has_changes = True
            sign = _change_sign(change, column)
            if sign is None or sign[2] is None or sign[1] != "real":
                continue
            if change.mean_before is None:
                continue
            before = readings.reading(
                mean=float(change.mean_before),
                low=found.low,
                high=found.high,
                polarity=found.polarity,
            )
            if before is None or before.value is None:
                continue
            # Sizes compare on the common reading: points of 0–100, better minus worse.
            size = found.value - before.value
            (improved if sign[2] else declined).append((abs(size), pick, change))
        if lowest is not None:
            lowest_per_scale.append(lowest)
        if shown < 2 or lowest is None or highest is None:
            continue
        org_cell = organisation.cells[index] if organisation is not None else None
        per_scale.append(
            ScaleExtremes(
                scale=column.label,
                range_text=column.range_text,
                direction=direction,
                organisation_text=org_cell.text if org_cell is not None else "",
                best=standout(*highest),
                weakest=standout(*lowest),
            )
        )
    # The weakest points on the common reading, one per scale, so one scale that reads low
    # everywhere does not fill the list: each scale's lowest, ranked (a scale's first
    # reading in the ranking of all of them is its lowest).
    weakest: list[Standout] = []
    ranked = readings.weakest(lowest_per_scale, lambda pick: pick[2], len(lowest_per_scale))
    for uid, column, found in ranked:
        if len(weakest) < count and all(w.scale != column.label for w in weakest):
            weakest.append(standout(uid, column, found))

    def changed(entries: list[tuple[float, _Pick, Change]]) -> list[ChangeStandout]:
        out: list[ChangeStandout] = []
        for _size, pick, change in sorted(entries, key=lambda t: -t[0])[:count]:
            uid, column, found = pick
            cell = change_cell(change, column, lang)
            assert cell is not None and cell.better is not None
            after = standout(uid, column, found)
            out.append(
                ChangeStandout(
                    unit=after.unit,
                    url=after.url,
                    scale=column.label,
                    before_text=_fmt_scale(float(change.mean_before or 0.0), lang),
                    after_text=after.value_text,
                    range_text=column.range_text,
                    words=cell.words,
                    better=cell.better,
                )
            )
        return out

    return Standouts(
        units_compared=len(compared),
        scales=per_scale,
        weakest=weakest,
        improved=changed(improved),
        declined=changed(declined),
        has_changes=has_changes,
    )


# --------------------------------------------------------------------------- four zones


@dataclass(frozen=True)
class ZoneRow:
    unit: str
    url: str
    zone: str  # "learning", ...
    zone_name: str
    safety_text: str  # 0–100
    focus_text: str
    uncertain: bool


@dataclass(frozen=True)
class ZoneGroup:
    zone: str
    name: str
    meaning: str
    units: list[ZoneRow]


@dataclass(frozen=True)
class ZoneMap:
    organisation: ZoneRow | None
    groups: list[ZoneGroup]  # learning, comfort, anxiety, apathy
    rows: list[ZoneRow]  # every placed unit, in tree order
    hidden: int  # units of the map's level without a zone (hidden or not measured)
    svg: str
    alt: str


ZONE_ORDER: tuple[Zone, ...] = ("learning", "comfort", "anxiety", "apathy")


def _zone_meaning(zone: str) -> str:
    meanings = {
        "learning": _("Høj tryghed og højt fokus på opgaven: her lærer man af fejl og siger til."),
        "comfort": _("Høj tryghed, lavt fokus på opgaven: rart at være, men man udfordrer lidt."),
        "anxiety": _("Lav tryghed, højt fokus på opgaven: høje krav, men man tør ikke sige til."),
        "apathy": _("Lav tryghed og lavt fokus på opgaven: engagementet er lavt."),
    }
    return meanings[zone]


def zone_map(
    data: Publication | JsonDict,
    names: Mapping[int, str],
    *,
    lang: str,
    unit_url: Callable[[int], str] | None = None,
    labels: Mapping[int, str] | None = None,
) -> ZoneMap | None:
    """The four zones of seed 000 across units, from the zones the publication carries per
    group (``zone``). Units without units below them (teams), as in ``standouts``; None
    when the measurement places no group (no opgavefokus, or no safety scale)."""
    data = typed(data)
    labels = names if labels is None else labels
    units = data.units
    organisation_block = data.groups[data.organisation]
    placed = [g.zone for g in data.groups if isinstance(g, Group) and g.zone is not None]
    if not placed:
        return None

    def zone_of(block: Group | Hidden) -> PlacedZone | None:
        return block.zone if isinstance(block, Group) else None

    def row(block: Group | Hidden, name: str, url: str) -> ZoneRow | None:
        zone = zone_of(block)
        if zone is None:
            return None
        return ZoneRow(
            unit=name,
            url=url,
            zone=str(zone.zone),
            zone_name=ZONE_LABELS[cast(Zone, zone.zone)].get(lang),
            safety_text=charts.format_number(float(zone.safety) * 100, lang, 1),
            focus_text=charts.format_number(float(zone.focus) * 100, lang, 1),
            uncertain=bool(zone.safety_uncertain or zone.focus_uncertain),
        )

    leaves = [
        uid
        for uid in _tree_order(units, names)
        if not units[uid].children and units[uid].subtree != data.organisation
    ]
    rows: list[ZoneRow] = []
    points: list[tuple[float, float]] = []
    hidden = 0
    for uid in leaves:
        block = data.groups[units[uid].subtree]
        found = row(block, labels.get(int(uid), uid), unit_url(int(uid)) if unit_url else "")
        zone = zone_of(block)
        if found is None or zone is None:
            hidden += 1
            continue
        rows.append(found)
        points.append((float(zone.focus), float(zone.safety)))
    organisation = row(organisation_block, _("Hele organisationen"), "")
    split = float(placed[0].split)
    groups = [
        ZoneGroup(
            zone=zone,
            name=ZONE_LABELS[zone].get(lang),
            meaning=_zone_meaning(zone),
            units=[r for r in rows if r.zone == zone],
        )
        for zone in ZONE_ORDER
    ]
    counts = "; ".join(_("%(zone)s: %(n)s") % {"zone": g.name, "n": len(g.units)} for g in groups)
    alt = _("Enhederne fordelt på de fire zoner: %(counts)s.") % {"counts": counts}
    if organisation is not None:
        alt += " " + _("Hele organisationen ligger i zonen %(zone)s.") % {
            "zone": organisation.zone_name
        }
    org_zone = zone_of(organisation_block)
    org_point = (float(org_zone.focus), float(org_zone.safety)) if org_zone is not None else None
    svg = _zone_map_svg(points, org_point, split, lang=lang, title=_("De fire zoner"), desc=alt)
    return ZoneMap(organisation, groups, rows, hidden, svg, alt)


def _zone_map_svg(
    points: Sequence[tuple[float, float]],
    organisation: tuple[float, float] | None,
    split: float,
    *,
    lang: str,
    title: str,
    desc: str,
) -> str:
    """Every unit as a dot in the four zones (x = focus on the task, y = safety, both 0–100)
    and the organisation as a larger diamond; the zones' names in their corners. The same
    units are listed by zone under the chart, so the chart is never the only way in."""
    ident = "org-zones"
    x0, y0, size = 56.0, 8.0, 328.0
    width, height = 400.0, y0 + size + 44.0

    def px(share: float) -> float:
        return x0 + min(max(share, 0.0), 1.0) * size

    def py(share: float) -> float:
        return y0 + (1.0 - min(max(share, 0.0), 1.0)) * size

    sx, sy = px(split), py(split)
    tints = {"learning": "#dff2ec", "comfort": "#e1edf7", "anxiety": "#fbe6d9", "apathy": "#ececec"}
    boxes: dict[Zone, tuple[float, float, float, float]] = {
        "comfort": (x0, y0, sx, sy),
        "learning": (sx, y0, x0 + size, sy),
        "apathy": (x0, sy, sx, y0 + size),
        "anxiety": (sx, sy, x0 + size, y0 + size),
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="{charts.WHITE}"/>',
    ]
    for zone, (left, top, right, bottom) in boxes.items():
        parts.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" '
            f'height="{bottom - top:.1f}" fill="{tints[zone]}" class="zone-{zone}"/>'
        )
        at_right = zone in ("learning", "anxiety")
        at_top = zone in ("learning", "comfort")
        lx = right - 6 if at_right else left + 6
        ly = top + 20 if at_top else bottom - 8
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="16" font-weight="700" '
            f'fill="{charts.INK}" text-anchor="{"end" if at_right else "start"}">'
            f"{escape(ZONE_LABELS[zone].get(lang))}</text>"
        )
    parts.append(
        f'<rect x="{x0:g}" y="{y0:g}" width="{size:g}" height="{size:g}" fill="none" '
        f'stroke="{charts.INK}" stroke-width="1.5"/>'
    )
    parts.append(
        f'<path d="M{sx:.1f} {y0:g}V{y0 + size:g}M{x0:g} {sy:.1f}H{x0 + size:g}" '
        f'stroke="{charts.INK}" stroke-width="1.5" stroke-dasharray="5 4" fill="none"/>'
    )
    for fx, sf in points:
        parts.append(
            f'<circle cx="{px(fx):.1f}" cy="{py(sf):.1f}" r="6" fill="{charts.BLUE}" '
            f'fill-opacity="0.8" stroke="{charts.WHITE}" stroke-width="1.5" class="unit-point"/>'
        )
    if organisation is not None:
        cx, cy, r = px(organisation[0]), py(organisation[1]), 10.0
        parts.append(
            f'<polygon points="{cx:.1f},{cy - r:.1f} {cx + r:.1f},{cy:.1f} {cx:.1f},{cy + r:.1f} '
            f'{cx - r:.1f},{cy:.1f}" fill="{charts.VERMILLION}" stroke="{charts.INK}" '
            'stroke-width="1.5" class="organisation-point"/>'
        )
    mid_y = y0 + size / 2
    safety = escape(_("Psykologisk tryghed"))
    focus = escape(_("Fokus på opgaven"))
    parts.append(
        f'<text x="16" y="{mid_y:.1f}" font-size="15" fill="{charts.INK}" text-anchor="middle" '
        f'transform="rotate(-90 16 {mid_y:.1f})">{safety}</text>'
    )
    parts.append(
        f'<text x="{x0 + size / 2:.1f}" y="{y0 + size + 30:.1f}" font-size="15" '
        f'fill="{charts.INK}" text-anchor="middle">{focus}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- maturity


@dataclass(frozen=True)
class MaturityRow:
    unit: str
    depth: int
    value_text: str
    level_text: str
    hidden: str


@dataclass(frozen=True)
class Maturity:
    """The Vision Zero maturity (vz-maturity) of the organisation: the staircase, the
    topics that pull it down, and each unit's level as the publication shows it."""

    chart: Chart
    level_text: str
    topics_behind: list[tuple[str, str]]  # (topic, mean as shown)
    rows: list[MaturityRow]
    range_text: str


def _level_text(level: Level | None, names: Sequence[str]) -> str:
    if level is None:
        return ""

    def named(value: int) -> str:
        return names[value - 1] if 0 < value <= len(names) else str(value)

    lower = int(level.lower)
    upper = level.upper
    if upper is None or int(upper) == lower:
        return named(lower)
    return _("mellem %(lower)s og %(upper)s") % {"lower": named(lower), "upper": named(int(upper))}


def maturity(
    data: Publication | JsonDict,
    instruments: Sequence[Instrument],
    names: Mapping[int, str],
    *,
    lang: str,
) -> Maturity | None:
    """None when the measurement asked no instrument shown as a staircase (vz-maturity)."""
    data = typed(data)
    instrument = next((i for i in instruments if i.shown_as.kind == "staircase"), None)
    if instrument is None:
        return None
    maturity_id = instrument.id
    meta = data.instrument(maturity_id)
    if meta is None or instrument.main_scale is None:
        return None
    scale = instrument.main_scale
    level_names = [level.label.get(lang) for level in scale.levels]

    def block_of(g: Group | Hidden) -> ScaleFigure | Hidden:
        if isinstance(g, Hidden):
            return g
        return g.scale(maturity_id, scale.id) or _NOT_THERE

    top = data.groups[data.organisation]
    block = block_of(top)
    hidden = hidden_text(str(block.reason)) if isinstance(block, Hidden) else ""
    figure = shown(block)
    ci = figure.ci95 if figure is not None else None
    chart = charts.maturity_staircase(
        score=None if figure is None or figure.mean is None else float(figure.mean),
        ci95=None if ci is None or ci[0] is None or ci[1] is None else (float(ci[0]), float(ci[1])),
        n=None if figure is None else int(figure.n),
        levels=level_names or None,
        lang=lang,
        id_prefix="org-stairs",
        hidden_text=hidden or None,
    )
    topics: list[tuple[float, str, str]] = []
    top_items = top.instrument(maturity_id) if isinstance(top, Group) else None
    if figure is not None and top_items is not None:
        for item_id, item_block in top_items.items.items():
            item_figure = shown(item_block)
            if item_figure is None or item_figure.mean_points is None:
                continue
            item = instrument.item(int(item_id.rsplit(".", 1)[1]))
            value = float(item_figure.mean_points)
            topics.append((value, item.text.get(lang), charts.format_number(value, lang, 1)))
    topics.sort(key=lambda t: t[0])
    units = data.units
    top_depth = min((u.depth for u in units.values()), default=0)
    rows: list[MaturityRow] = []
    for uid in _tree_order(units, names):
        unit = units[uid]
        if unit.subtree == data.organisation:
            continue
        b = block_of(data.groups[unit.subtree])
        if isinstance(b, Hidden):
            rows.append(
                MaturityRow(
                    names.get(int(uid), uid),
                    unit.depth - top_depth,
                    "",
                    "",
                    hidden_text(str(b.reason or "below_minimum")),
                )
            )
            continue
        rows.append(
            MaturityRow(
                names.get(int(uid), uid),
                unit.depth - top_depth,
                charts.format_number(float(b.mean), lang, 1) if b.mean is not None else "",
                _level_text(b.level, level_names),
                "",
            )
        )
    low, high = (float(v or 0.0) for v in (meta.scales[scale.id].score or (0.0, 0.0)))
    return Maturity(
        chart=chart,
        level_text="" if figure is None else _level_text(figure.level, level_names),
        topics_behind=[(text, value) for _v, text, value in topics[:3]],
        rows=rows,
        range_text=f"{_bound(low, lang)}–{_bound(high, lang)}",
    )


# --------------------------------------------------------------------------- the whole page


@dataclass(frozen=True)
class OrgReport:
    """In the order the page reads: participation (in ``trust``), what stands out, the
    organisation's maturity, the heatmap, the four zones; the method figures (reliability,
    correlations, drivers) last, folded away unless asked for (``method_open``)."""

    heatmap: Heatmap
    correlations: CorrelationView
    drivers: list[Driver]
    trust: Trust
    has_figures: bool
    minimum: int
    standouts: Standouts
    zones: ZoneMap | None
    maturity: Maturity | None
    method_open: bool


def unit_labels(data: Publication, names: Mapping[int, str]) -> dict[int, str]:
    """Each unit as the report's text and lists name it: its name at closing, and where
    another unit of the measurement has the same name, the units above it as well
    ("Udskolingen (Åbyskolen)", orgs.labels). The heatmap and the maturity table keep
    the bare names: their rows stand in the tree, under their parents."""
    found = UnitLabels.of_tree(
        (
            int(uid),
            names.get(int(uid), uid),
            int(entry.parent) if entry.parent is not None else None,
        )
        for uid, entry in data.units.items()
    )
    return {int(uid): found(int(uid)) for uid in data.units}


def org_report_context(
    *,
    data: Publication | JsonDict,
    instruments: Sequence[Instrument],
    unit_names: Mapping[int, str],
    total: RateRow | None,
    lang: str,
    params: Mapping[str, str],
    page_size: int | None = PAGE_SIZE,
    unit_url: Callable[[int], str] | None = None,
) -> OrgReport:
    """Everything the organisation report shows, for the page and the exports.

    ``data`` is ``aggregates.publication(measurement)``; ``total`` the response-rate total
    of ``surveys.participation.response_rates`` (suppressed counts only); ``params`` the query string
    (``sort``, ``dir``, ``niveau``, ``side``, ``par``). An export passes
    ``params={"niveau": "alle"}`` and ``page_size=None`` for every unit on one page.
    ``unit_url`` links a heatmap row to that unit's report (the page passes it)."""
    data = typed(data)
    organisation = data.groups[data.organisation]
    labels = unit_labels(data, unit_names)
    hm = heatmap(
        data,
        instruments,
        unit_names,
        lang=lang,
        params=params,
        page_size=page_size,
        unit_url=unit_url,
    )
    return OrgReport(
        heatmap=hm,
        standouts=standouts(data, hm, unit_names, lang=lang, unit_url=unit_url, labels=labels),
        zones=zone_map(data, unit_names, lang=lang, unit_url=unit_url, labels=labels),
        maturity=maturity(data, instruments, unit_names, lang=lang),
        method_open="par" in params,
        correlations=correlations(data, instruments, labels, lang=lang, params=params),
        drivers=drivers(data, instruments, lang=lang),
        trust=trust(data, instruments, total, lang=lang),
        has_figures=isinstance(organisation, Group),
        minimum=int(data.minimums.score),
    )
