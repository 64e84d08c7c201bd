"""{% unit_label unit %}: a unit's name, with its parent where another unit has the same name."""

from __future__ import annotations

from typing import Any

from django import template

from tryghed.orgs.labels import labels_for
from tryghed.orgs.models import Unit

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_label(context: template.Context, unit: Unit | None) -> str:
    if unit is None:
        return ""
    # Built once per request (else once per render): one query for a whole list.
    holder: Any = context.get("request") or context.render_context
    return labels_for(holder, unit.organisation_id)(unit)
