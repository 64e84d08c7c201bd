"""The organisation report ("organisationsrapport") for the AMO, HR and administrators.

``org_report_context`` turns one measurement's report data (``aggregates.report_data``) into
what the page, and the PDF and Excel exports, show: the heatmap of units x scales, the
unit-level correlations (seed 003), the key drivers and the "how much can we trust the
numbers" box. It reads only the report data and the response-rate counts; it never
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from tryghed.core.instruments import Instrument
from tryghed.results import charts
from tryghed.results.aggregates import group
from tryghed.results.charts import Chart, HeatCell, ScatterPoint
from tryghed.surveys.participation import RateRow

JsonDict = dict[str, Any]

#: Rows per heatmap page; an organisation of 2,000 units pages rather than scrolls forever.
PAGE_SIZE = 100
#: With more rows than this the heatmap opens at the first two levels below the top.
COLLAPSE_ABOVE = 60
DEPTHS = ("1", "2", "alle")
DIRECTIONS = ("asc", "desc")

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


@dataclass(frozen=True)
class Cell:
    value: float | None
    text: str  # the number as shown; "" when hidden
    reason: str | None  # why it is hidden
    symbol: str
    reason_text: str
    heat: HeatCell


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


def _columns(data: Mapping[str, Any], instruments: Sequence[Instrument], lang: str) -> list[Column]:
    by_id = {i.id: i for i in instruments}
    columns: list[Column] = []
    for iid, meta in data["instruments"].items():
        instrument = by_id.get(iid)
        main = meta["main_scale"]
        if instrument is None or main is None:
            continue
        scale_meta = meta["scales"][main]
        polarity = scale_meta["polarity"]
        name = instrument.name.get(lang)
        if polarity in ("higher_better", "lower_better"):
            low, high = scale_meta["score"]
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
            reference = meta["key_figures"].get(figure.id, {}).get("reference")
            if reference is None:
                continue
            if isinstance(reference, list):
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


def _cell(block: Mapping[str, Any], column: Column, lang: str) -> Cell:
    if block.get("suppressed", True):
        reason = str(block.get("reason", "below_minimum"))
        text = hidden_text(reason)
        heat = charts.heat_cell(None, low=column.low, high=column.high, lang=lang, hidden_text=text)
        return Cell(None, "", reason, HIDDEN_SYMBOLS.get(reason, "○"), text, heat)
    value = block["share"] if column.kind == "share" else block["mean"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        heat = charts.heat_cell(None, low=column.low, high=column.high, lang=lang, hidden_text="–")
        return Cell(None, "–", None, "", _("kan ikke beregnes"), heat)
    value = float(value)
    heat = charts.heat_cell(
        value,
        low=column.low,
        high=column.high,
        lang=lang,
        higher_is_better=column.higher_is_better,
    )
    text = _fmt_share(value, lang) if column.kind == "share" else _fmt_scale(value, lang)
    return Cell(value, text, None, "", "", heat)


def _block(g: Mapping[str, Any], column: Column) -> Mapping[str, Any]:
    """The group's figure for a column; a hidden group or instrument hides every cell."""
    if g.get("suppressed", True):
        return g
    instrument = g["instruments"].get(column.instrument)
    if instrument is None:
        return {"suppressed": True, "reason": "below_minimum"}
    where = "scales" if column.kind == "scale" else "key_figures"
    found: Mapping[str, Any] = instrument[where].get(
        column.figure, {"suppressed": True, "reason": "below_minimum"}
    )
    return found


def _row(
    g: Mapping[str, Any],
    columns: Sequence[Column],
    lang: str,
    **fields: Any,
) -> Row:
    return Row(cells=[_cell(_block(g, c), c, lang) for c in columns], **fields)


def _query(params: Mapping[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def _sort_rows(rows: list[Row], index: int, direction: str) -> list[Row]:
    """Shown values in order; hidden and missing values last, in tree order, either way."""
    shown = [r for r in rows if r.cells[index].value is not None]
    rest = [r for r in rows if r.cells[index].value is None]
    shown.sort(
        key=lambda r: ((r.cells[index].value or 0.0) * (-1 if direction == "desc" else 1), r.order)
    )
    return shown + rest


def _tree_order(units: Mapping[str, Any], names: Mapping[int, str]) -> list[str]:
    """Depth first with siblings by name (the stored order is by path, so by id)."""

    def by_name(ids: Sequence[str]) -> list[str]:
        return sorted(ids, key=lambda u: (names.get(int(u), "").casefold(), int(u)))

    order: list[str] = []
    stack = list(reversed(by_name([u for u, unit in units.items() if unit["parent"] is None])))
    while stack:
        uid = stack.pop()
        order.append(uid)
        stack.extend(reversed(by_name(units[uid]["children"])))
    return order


def heatmap(
    data: Mapping[str, Any],
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
    columns = _columns(data, instruments, lang)
    keys = [c.key for c in columns]
    sort = params.get("sort", "")
    sort = sort if sort in keys else ""
    direction = params.get("dir", "asc")
    direction = direction if direction in DIRECTIONS else "asc"

    organisation_slot = data["organisation"]
    units: Mapping[str, Any] = data["units"]
    top_depth = min((u["depth"] for u in units.values()), default=0)
    candidates: list[Row] = []
    for order, uid in enumerate(_tree_order(units, names)):
        unit = units[uid]
        if unit["subtree"] == organisation_slot:
            continue  # the top unit is the organisation row
        parent = unit["parent"]
        candidates.append(
            _row(
                group(data, uid, "subtree"),
                columns,
                lang,
                unit_id=int(uid),
                name=names.get(int(uid), uid),
                depth=max(1, unit["depth"] - top_depth),
                parent_name=names.get(int(parent), "") if parent is not None else "",
                order=order,
                url=unit_url(int(uid)) if unit_url is not None else "",
            )
        )
    collapsed_default = len(candidates) > COLLAPSE_ABOVE
    depth = params.get("niveau", "")
    if depth not in DEPTHS:
        depth = "2" if collapsed_default else "alle"
    rows = candidates if depth == "alle" else [r for r in candidates if r.depth <= int(depth)]
    if sort:
        rows = _sort_rows(rows, keys.index(sort), direction)

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
        data["groups"][organisation_slot],
        columns,
        lang,
        unit_id=None,
        name=_("Hele organisationen"),
        depth=0,
        parent_name="",
        order=-1,
    )
    return Heatmap(
        columns=columns,
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


def _default_rank(key: str) -> int:
    instruments = {side.split("/", 1)[0] for side in key.split("|")}
    if "amk" in instruments:
        return 0
    if instruments & {"ps7", "ps7-hem"}:
        return 1
    return 2


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
    data: Mapping[str, Any],
    instruments: Sequence[Instrument],
    names: Mapping[int, str],
    *,
    lang: str,
    params: Mapping[str, str],
) -> CorrelationView:
    by_id = {i.id: i for i in instruments}
    mains = {
        f"{iid}/{meta['main_scale']}"
        for iid, meta in data["instruments"].items()
        if meta["main_scale"] is not None
    }
    keep = {k: params[k] for k in ("sort", "dir", "niveau", "side") if params.get(k)}
    found: list[Correlation] = []
    for entry in data["measurement_level"]["correlations"]:
        r = entry["r"]
        if r is None or math.isnan(r):
            continue
        key = f"{entry['a']}|{entry['b']}"
        ci = entry.get("ci95")
        ci_text = (
            f"{charts.format_number(ci[0], lang, 2)}–{charts.format_number(ci[1], lang, 2)}"
            if ci and ci[0] is not None and ci[1] is not None
            else "–"
        )
        found.append(
            Correlation(
                key=key,
                a_label=_scale_label(entry["a"], by_id, lang),
                b_label=_scale_label(entry["b"], by_id, lang),
                r=float(r),
                r_text=charts.format_number(r, lang, 2),
                ci_text=ci_text,
                n_units=int(entry["n_units"]),
                strength=_strength(r),
                main=entry["a"] in mains and entry["b"] in mains,
                url=_query(keep, par=key) + "#sammenhaenge",
            )
        )
    pairs = sorted((c for c in found if c.main), key=lambda c: (-abs(c.r), c.key))
    chosen = next((c for c in found if c.key == params.get("par")), None)
    if chosen is None and pairs:
        # Seed 003's view first: work-environment competence (amk) against the rest, else
        # psychological safety against the rest; the strongest such pair.
        chosen = min(pairs, key=lambda c: (_default_rank(c.key), -abs(c.r), c.key))
    chart = _scatter(data, chosen, names, lang) if chosen is not None else None
    return CorrelationView(pairs, found, chosen, chart, keep)


def _scatter(
    data: Mapping[str, Any], chosen: Correlation, names: Mapping[int, str], lang: str
) -> Chart:
    a, b = chosen.key.split("|")

    def value(g: Mapping[str, Any], key: str) -> float | None:
        iid, sid = key.split("/", 1)
        if g.get("suppressed", True) or iid not in g["instruments"]:
            return None
        block = g["instruments"][iid]["scales"].get(sid, {})
        if block.get("suppressed", True) or block.get("mean") is None:
            return None
        return float(block["mean"])

    def scale_range(key: str) -> tuple[float, float]:
        iid, sid = key.split("/", 1)
        low, high = data["instruments"][iid]["scales"][sid]["score"]
        return float(low), float(high)

    # The correlation is over units' own respondents (disjoint groups), so are the dots.
    points = [
        ScatterPoint(
            names.get(int(uid), uid), value(group(data, uid), a), value(group(data, uid), b)
        )
        for uid in data["units"]
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
    data: Mapping[str, Any], instruments: Sequence[Instrument], *, lang: str
) -> list[Driver]:
    by_id = {i.id: i for i in instruments}
    nuggets = by_id.get("guldkorn")
    out: list[Driver] = []
    for key, entry in data["measurement_level"]["drivers"].items():
        outcome = _scale_label(key, by_id, lang)
        if entry.get("suppressed", True):
            reason = str(entry.get("reason", "below_minimum"))
            out.append(Driver(key, outcome, hidden_text(reason), [], "", 0, 0, "", ""))
            continue
        r2 = float(entry["r2"])
        rows: list[DriverRow] = []
        bars: list[tuple[str, float, tuple[float, float] | None]] = []
        for name, weight, ci in zip(entry["names"], entry["weights"], entry["ci95"], strict=True):
            label = nuggets.scale(name).name.get(lang) if nuggets is not None else name
            ci_pair = (float(ci[0]), float(ci[1])) if ci and None not in ci else None
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
                n=int(entry["n"]),
                n_boot=int(entry["n_boot"]),
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
    data: Mapping[str, Any],
    instruments: Sequence[Instrument],
    total: RateRow | None,
    *,
    lang: str,
) -> Trust:
    by_id = {i.id: i for i in instruments}
    rows: list[TrustRow] = []
    for iid, meta in data["instruments"].items():
        main = meta["main_scale"]
        if main is None or iid not in by_id:
            continue
        label = _scale_label(f"{iid}/{main}", by_id, lang)
        block = data["measurement_level"]["scales"].get(iid, {}).get(main)
        if block is None:
            continue
        if block.get("suppressed", True):
            reason = hidden_text(str(block.get("reason", "below_minimum")))
            rows.append(TrustRow(label, reason, "", "", "", "", "", ""))
            continue
        alpha = block.get("alpha")
        icc = block.get("icc")
        alpha_value = alpha.get("alpha") if alpha else None
        ci = alpha.get("ci95") if alpha else None
        icc1 = icc.get("icc1") if icc else None
        icc2 = icc.get("icc2") if icc else None
        rows.append(
            TrustRow(
                label=label,
                hidden="",
                alpha_text=(
                    charts.format_number(alpha_value, lang, 2) if alpha_value is not None else "–"
                ),
                alpha_ci_text=(
                    f"{charts.format_number(ci[0], lang, 2)}–{charts.format_number(ci[1], lang, 2)}"
                    if ci and None not in ci
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


# --------------------------------------------------------------------------- the whole page


@dataclass(frozen=True)
class OrgReport:
    heatmap: Heatmap
    correlations: CorrelationView
    drivers: list[Driver]
    trust: Trust
    has_figures: bool
    minimum: int


def org_report_context(
    *,
    data: Mapping[str, Any],
    instruments: Sequence[Instrument],
    unit_names: Mapping[int, str],
    total: RateRow | None,
    lang: str,
    params: Mapping[str, str],
    page_size: int | None = PAGE_SIZE,
    unit_url: Callable[[int], str] | None = None,
) -> OrgReport:
    """Everything the organisation report shows, for the page and the exports.

    ``data`` is ``aggregates.report_data(measurement)``; ``total`` the response-rate total
    of ``surveys.participation.response_rates`` (suppressed counts only); ``params`` the query string
    (``sort``, ``dir``, ``niveau``, ``side``, ``par``). An export passes
    ``params={"niveau": "alle"}`` and ``page_size=None`` for every unit on one page.
    ``unit_url`` links a heatmap row to that unit's report (the page passes it)."""
    organisation = data["groups"][data["organisation"]]
    return OrgReport(
        heatmap=heatmap(
            data,
            instruments,
            unit_names,
            lang=lang,
            params=params,
            page_size=page_size,
            unit_url=unit_url,
        ),
        correlations=correlations(data, instruments, unit_names, lang=lang, params=params),
        drivers=drivers(data, instruments, lang=lang),
        trust=trust(data, instruments, total, lang=lang),
        has_figures=not organisation.get("suppressed", True),
        minimum=int(data["minimums"]["score"]),
    )
