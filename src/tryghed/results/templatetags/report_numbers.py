"""Numbers in report templates, written as the charts and presenters write them."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from tryghed.results import charts

register = template.Library()


@register.filter
def number(value: float | int | str | None, decimals: int = 1) -> str:
    """{{ mean|number:1 }}: "3,5" in Danish, "−0,4" with the minus sign; "" for no value.

    Used instead of floatformat, which writes a negative number with a hyphen.
    """
    if value is None or value == "":
        return ""
    try:
        figure = float(value)
    except (TypeError, ValueError):
        return ""
    return charts.format_number(figure, get_language() or "da", int(decimals))
