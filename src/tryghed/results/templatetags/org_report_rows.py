"""The organisation report's long repeated rows, written in Python.

An organisation of 2,000 units puts a few thousand rows on the page (the units by zone,
the numbers behind the zone map and the scatter, the heatmap's cells); written by the
template language, each variable costs a lookup and an escape through several layers, which
made up most of the page's rendering time (docs/benchmarks.md). These filters write the
same HTML, escaped the same way, in one pass. Everything else on the page stays in the
templates.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tryghed.results.org_presenters import Cell, ZoneRow

register = template.Library()


def _e(value: object) -> str:
    # conditional_escape, without its lazy-string wrapper: these are thousands of calls.
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape(str(value))


# The same few thousand names, numbers and words come back row after row (20,000 escapes
# on a page of 2,000 units); html.escape is five replaces each time.
_escape = functools.lru_cache(maxsize=8192)(html.escape)


def _heat_cell(cell: Cell, no_change: str) -> str:
    if cell.reason:
        out = (
            f'<td class="num {_e(cell.heat.css_class)} heat-hidden"><span aria-hidden="true">'
            f'{_e(cell.symbol)}</span><span class="visually-hidden">{_e(cell.reason_text)}'
            "</span></td>"
        )
    else:
        marker = (
            f' <span class="heat-marker" aria-hidden="true">{_e(cell.heat.marker)}</span>'
            if cell.heat.marker
            else ""
        )
        out = f'<td class="num {_e(cell.heat.css_class)}">{_e(cell.text)}{marker}</td>'
    if cell.change_column:
        change = cell.change
        if change:
            sure = (
                f' <span class="change-sure" aria-hidden="true">{_e(change.sure_text)}</span>'
                if change.sure_text
                else ""
            )
            out += (
                f'<td class="num heat-change change-{_e(change.tone)}">{_e(change.text)}{sure}'
                f'<span class="visually-hidden">: {_e(change.words)}</span></td>'
            )
        else:
            out += (
                '<td class="num heat-change change-none"><span aria-hidden="true">–</span>'
                f'<span class="visually-hidden">{no_change}</span></td>'
            )
    return out + "\n"


@register.filter
def heat_cells(cells: Sequence[Cell]) -> SafeString:
    """{{ row.cells|heat_cells }}: a heatmap row's cells, each with its change cell when
    its column has one."""
    no_change = _e(_("ingen ændring at vise"))
    return mark_safe("".join(_heat_cell(cell, no_change) for cell in cells))  # noqa: S308


@register.filter
def zone_items(rows: Sequence[ZoneRow]) -> SafeString:
    """{{ g.units|zone_items }}: the units of one zone as list items, linked when they have
    a report the reader may open."""
    uncertain = f' <span class="muted">({_e(_("usikker"))})</span>'
    return mark_safe(  # noqa: S308
        "".join(
            "<li>"
            + (f'<a href="{_e(r.url)}">{_e(r.unit)}</a>' if r.url else _e(r.unit))
            + (uncertain if r.uncertain else "")
            + "</li>"
            for r in rows
        )
    )


@register.filter
def zone_table_rows(rows: Sequence[ZoneRow]) -> SafeString:
    """{{ zm.rows|zone_table_rows }}: the numbers behind the zone map, one row per unit."""
    uncertain = f" ({_e(_('usikker'))})"
    return mark_safe(  # noqa: S308
        "".join(
            f'<tr><th scope="row">{_e(r.unit)}</th><td class="num">{_e(r.safety_text)}</td>'
            f'<td class="num">{_e(r.focus_text)}</td><td>{_e(r.zone_name)}'
            f"{uncertain if r.uncertain else ''}</td></tr>"
            for r in rows
        )
    )


def _table_row(line: Sequence[str]) -> str:
    cells = "".join(
        f'<th scope="row">{_e(cell)}</th>' if i == 0 else f'<td class="num">{_e(cell)}</td>'
        for i, cell in enumerate(line)
    )
    return f"<tr>{cells}</tr>"


@register.filter
def table_body_rows(table: Sequence[Sequence[str]]) -> SafeString:
    """{{ chart.table|table_body_rows }}: a chart's table without its header line, the
    first cell of each row as the row's header."""
    return mark_safe("".join(_table_row(line) for line in table[1:]))  # noqa: S308
