"""Every count a publication shows, as the subtraction solver (core.disclosure) reads
them: per group, each scale's n with its mean, each item's and key figure's n, the number
of free-text answers shown, and a change's n and mean "before".

Read from the publication alone, so both the anonymity audit (results.audit, which adds
who sees which groups) and the store (results.aggregates, which checks the answers-by-code
line beside these counts when the publication is stored) use it without importing each
other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from tryghed.core import figures
from tryghed.core.disclosure import Figure
from tryghed.core.instruments import Instrument

__all__ = [
    "ORGANISATION",
    "GroupKey",
    "as_typed",
    "atoms_by_key",
    "figures_of",
    "publication_figures",
    "slot_of",
]

GroupKey = tuple[str, ...]  # ("unit", id) | ("subtree", id) | ("organisation",)
ORGANISATION: GroupKey = ("organisation",)


def as_typed(data: figures.Publication | Mapping[str, Any]) -> figures.Publication:
    # Stored JSON (a test's recomputed publication) is loaded into the typed model.
    return data if isinstance(data, figures.Publication) else figures.load(data)


def atoms_by_key(data: figures.Publication) -> dict[GroupKey, frozenset[str]]:
    units = data.units
    subtree: dict[str, frozenset[str]] = {}

    def below(unit: str) -> frozenset[str]:
        if unit not in subtree:
            found = {unit}
            stack = list(units[unit].children)
            while stack:
                child = stack.pop()
                found.add(child)
                stack.extend(units[child].children)
            subtree[unit] = frozenset(found)
        return subtree[unit]

    atoms: dict[GroupKey, frozenset[str]] = {ORGANISATION: frozenset(units)}
    for unit in units:
        atoms[("unit", unit)] = frozenset({unit})
        atoms[("subtree", unit)] = below(unit)
    return atoms


def slot_of(data: figures.Publication, key: GroupKey) -> int:
    if key == ORGANISATION:
        return data.organisation
    entry = data.units[key[1]]
    return entry.subtree if key[0] == "subtree" else entry.unit


def publication_figures(
    data: figures.Publication | Mapping[str, Any],
    instruments: Iterable[Instrument],
    keys: Iterable[GroupKey] | None = None,
    *,
    previous: figures.Publication | Mapping[str, Any] | None = None,
) -> list[Figure]:
    """:func:`measurement_figures` of a publication alone (no database): its groups are
    labelled with the unit names it holds. For attacking built publications in tests."""
    typed = as_typed(data)
    labels: dict[GroupKey, str] = {ORGANISATION: _("Hele organisationen")}
    for unit, entry in typed.units.items():
        name = entry.name or _("enhed %(id)s") % {"id": unit}
        labels[("unit", unit)] = _("%(name)s (kun egne svar)") % {"name": name}
        labels[("subtree", unit)] = _("%(name)s (hele enheden)") % {"name": name}
    earlier = as_typed(previous) if previous is not None else None
    by_key = figures_of(typed, earlier, keys, labels, {i.id: i for i in instruments})
    return [f for found in by_key.values() for f in found]


def figures_of(
    data: figures.Publication,
    previous: figures.Publication | None,
    keys: Iterable[GroupKey] | None,
    labels: Mapping[GroupKey, str],
    instruments: Mapping[str, Instrument],
) -> dict[GroupKey, list[Figure]]:
    atoms = atoms_by_key(data)
    before_atoms = atoms_by_key(previous) if previous is not None else {}
    out: dict[GroupKey, list[Figure]] = {}
    shared = _items_over_their_scale(data)
    for key in dict.fromkeys(atoms if keys is None else keys):
        if key not in atoms:
            continue
        block = data.groups[slot_of(data, key)]
        if isinstance(block, figures.Hidden):
            continue
        out[key] = _group_figures(
            data,
            block,
            atoms=atoms[key],
            before=before_atoms.get(key, atoms[key]),
            label=labels[key],
            instruments=instruments,
        )
        # An item or key figure counted over exactly its scale's people is a count of
        # those people (its share is not the scale's sum, so it carries no total there).
        out[key] = [
            replace(f, population=shared[f.population], total=None) if f.population in shared else f
            for f in out[key]
        ]
    return out


def _items_over_their_scale(data: figures.Publication) -> dict[str, str]:
    """Items and key figures whose n equals their scale's n in every group that shows
    both (the report data names that scale as their ``population``): their population ->
    the scale's.

    Then a shown item reveals its scale's count where the scale is hidden, and the audit
    must count them as one set of people. Those counted over the people who answered them
    stay a population of their own.
    """
    mid = data.measurement.id
    same: dict[str, bool] = {}
    target: dict[str, str] = {}
    for block in data.groups:
        if isinstance(block, figures.Hidden):
            continue
        for iid, records in block.instruments.items():
            meta = data.instruments[iid]
            sections: tuple[tuple[str, Mapping[str, Any], Mapping[str, Any]], ...] = (
                ("item", records.items, meta.items),
                ("key", records.key_figures, meta.key_figures),
            )
            for kind, shown_here, described in sections:
                for figure_id, figure in shown_here.items():
                    about = described.get(figure_id)
                    over = about.population if about is not None else None
                    if over is None or isinstance(figure, figures.Hidden):
                        continue
                    key = f"m{mid}/{iid}/{kind}/{figure_id}"
                    target[key] = f"m{mid}/{iid}/scale/{over}"
                    scale = records.scales.get(over)
                    if isinstance(scale, figures.ScaleFigure):
                        equal = scale.n == figure.n
                        same[key] = same.get(key, True) and equal
    return {k: v for k, v in target.items() if same.get(k, False)}


def _group_figures(
    data: figures.Publication,
    block: figures.Group,
    *,
    atoms: frozenset[str],
    before: frozenset[str],
    label: str,
    instruments: Mapping[str, Instrument],
) -> list[Figure]:
    mid = data.measurement.id
    pool = f"m{mid}"
    out: list[Figure] = []
    for iid, records in block.instruments.items():
        meta = data.instruments[iid]
        for sid, scale in records.scales.items():
            if isinstance(scale, figures.Hidden):
                continue
            population = f"m{mid}/{iid}/scale/{sid}"
            minimum = int(meta.scales[sid].minimum)
            out.append(
                Figure(
                    population,
                    label,
                    atoms,
                    int(scale.n),
                    minimum,
                    _total(scale.n, scale.mean),
                    frozenset({population}),
                    pool,
                )
            )
            change = scale.change
            if change is not None:
                earlier = f"m{change.previous}/{iid}/scale/{sid}"
                out.append(
                    Figure(
                        earlier,
                        _("%(group)s, før (måling %(id)s)")
                        % {"group": label, "id": change.previous},
                        before,
                        int(change.n_before),
                        minimum,
                        _total(change.n_before, change.mean_before),
                        frozenset({earlier}),
                        f"m{change.previous}",
                    )
                )
        for item_id, item in records.items.items():
            if isinstance(item, figures.Hidden):
                continue
            subject = f"m{mid}/{iid}/item/{item_id}"
            out.append(
                Figure(
                    subject,
                    label,
                    atoms,
                    int(item.n),
                    int(meta.items[item_id].minimum),
                    None,
                    frozenset({subject}),
                    pool,
                )
            )
        instrument = instruments.get(iid)
        for fid, key_figure in records.key_figures.items():
            if isinstance(key_figure, figures.Hidden):
                continue
            out.append(
                Figure(
                    f"m{mid}/{iid}/key/{fid}",
                    label,
                    atoms,
                    int(key_figure.n),
                    int(meta.key_figures[fid].minimum),
                    _total(key_figure.n, key_figure.share),
                    _key_subjects(mid, iid, instrument, fid),
                    pool,
                )
            )
    for item_id, comments in block.comments.items():
        if isinstance(comments, figures.Hidden):
            continue
        population = f"m{mid}/text/{item_id}"
        out.append(
            Figure(
                population,
                label,
                atoms,
                len(comments.texts),
                int(data.minimums.comment),
                None,
                frozenset({population}),
                pool,
            )
        )
    return out


def _total(n: object, mean: object) -> float | None:
    if isinstance(mean, int | float) and isinstance(n, int):
        return float(n) * float(mean)
    return None


def _key_subjects(mid: int, iid: str, instrument: Instrument | None, fid: str) -> frozenset[str]:
    """A key figure is about its items, and about every scale made of (at least) them."""
    subjects = {f"m{mid}/{iid}/key/{fid}"}
    if instrument is None:
        return frozenset(subjects)
    figure = next((k for k in instrument.key_figures if k.id == fid), None)
    if figure is None:
        return frozenset(subjects)
    items = set(figure.items)
    subjects |= {f"m{mid}/{instrument.id}/item/{instrument.item(n).id}" for n in items}
    subjects |= {
        f"m{mid}/{instrument.id}/scale/{s.id}" for s in instrument.scales if items <= set(s.items)
    }
    return frozenset(subjects)
