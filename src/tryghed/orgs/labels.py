"""How a unit is named wherever it is listed or chosen.

Its own name, and where another unit of the organisation bears the same name, the units
above it as far up as it takes to tell them apart: "Dagplejen (Børn og Unge)". One query
per organisation; a page or a form builds the labels once and reuses them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tryghed.orgs.models import Unit


class UnitLabels:
    """The labels of one organisation's units (closed units included: their names clash too)."""

    def __init__(self, organisation_id: int) -> None:
        self._build(
            Unit.objects.filter(organisation_id=organisation_id).values_list(
                "pk", "name", "parent_id"
            )
        )

    @classmethod
    def of_tree(cls, rows: Iterable[tuple[int, str, int | None]]) -> UnitLabels:
        """The labels of a tree given as (id, name, parent id): a measurement's frozen tree,
        with the names as they stood at closing, rather than today's units."""
        labels = cls.__new__(cls)
        labels._build(rows)
        return labels

    def _build(self, rows: Iterable[tuple[int, str, int | None]]) -> None:
        self._name: dict[int, str] = {}
        self._parent: dict[int, int | None] = {}
        for pk, name, parent_id in rows:
            self._name[pk] = name
            self._parent[pk] = parent_id
        counts = Counter(self._name.values())
        self._labels: dict[int, str] = {}
        clashing: dict[str, list[int]] = {}
        for pk, name in self._name.items():
            if counts[name] > 1:
                clashing.setdefault(name, []).append(pk)
            else:
                self._labels[pk] = name
        for name, pks in clashing.items():
            for pk, label in self._told_apart(name, pks).items():
                self._labels[pk] = label

    def _ancestors(self, pk: int) -> list[str]:
        names, parent = [], self._parent.get(pk)
        while parent is not None and parent in self._name:
            names.append(self._name[parent])
            parent = self._parent.get(parent)
        return names

    def _told_apart(self, name: str, pks: list[int]) -> dict[int, str]:
        """Add ancestors, nearest first, until the units' labels differ (or the tree ends)."""
        chains = {pk: self._ancestors(pk) for pk in pks}
        longest = max((len(chain) for chain in chains.values()), default=0)
        depth = 1
        while depth < longest:
            shown = Counter(tuple(chain[:depth]) for chain in chains.values())
            if all(count == 1 for count in shown.values()):
                break
            depth += 1
        labels = {}
        for pk, chain in chains.items():
            context = ", ".join(chain[:depth])
            labels[pk] = f"{name} ({context})" if context else name
        return labels

    def __call__(self, unit: Unit | int) -> str:
        pk = unit if isinstance(unit, int) else unit.pk
        label = self._labels.get(pk)
        if label is not None:
            return label
        return unit.name if isinstance(unit, Unit) else str(pk)


def unit_label(unit: Unit) -> str:
    """One unit's label (one query); for lists and forms build ``UnitLabels`` once."""
    return UnitLabels(unit.organisation_id)(unit)


def labels_for(holder: Any, organisation_id: int) -> UnitLabels:
    """The organisation's labels, built once per ``holder`` (a request, a form field)."""
    cache: dict[int, UnitLabels] | None = getattr(holder, "_tryghed_unit_labels", None)
    if cache is None:
        cache = {}
        holder._tryghed_unit_labels = cache
    if organisation_id not in cache:
        cache[organisation_id] = UnitLabels(organisation_id)
    return cache[organisation_id]
