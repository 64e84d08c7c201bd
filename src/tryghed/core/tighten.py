"""Tighten a publication stored under an earlier schema to the current hiding rules.

Framework-free. A measurement's publication is built once and stored; readers have seen its
figures and may remember every one of them (privacy.md section 0). When the hiding rules
get stricter (schema 3: see ``core.publication.SCHEMA``), a publication stored before must
hide what the current rules hide, and must not show anything new: not a figure it hid, and
not a second computation of a figure it showed (the two could differ, and their difference
is a figure about whoever made it: vz-maturity's pooled total changed its definition in
2a709d9). So :func:`tighten` only ever hides.

- With a publication built afresh from the same answers under the current rules
  (``fresh``), every figure hidden in either is hidden (with the fresh build's reason where
  it is the fresh build that hides it), every figure shown in both keeps the stored value,
  and a figure the fresh build does not have at all (a withheld alpha, a change against a
  wave that hides its figure now, a correlation) is dropped. Figures only the fresh build
  has stay absent.
- Without one (the answers are deleted: retention), the rules are applied as far as the
  stored figures decide them, and where they cannot be decided the figure is hidden:

  * an item's distribution (419e166: decided on its scored answers too) stays only where
    every option of the item carries points, or where the organisation's distribution
    shows no unscored answer at all (then the scored count is the count it was decided
    on, in every unit); otherwise it is hidden in every group, since the decision on
    other counts could hide it anywhere by difference;
  * a pooled scale (vz-maturity's total, a9853a9) is hidden wherever a scale inside it is
    hidden (whether that scale had answers there is not stored);
  * Cronbach's alpha (4b03365, 5324ceb) is withheld below the minimum of complete cases,
    and where the organisation's count for the scale and the complete cases differ by 1
    to minimum - 1 (or the complete cases exceed that count: not checkable);
  * key drivers (b9d9dcc) are hidden below the minimum of complete cases;
  * a person-score scale is hidden wherever an item of it is hidden (schema 4; whether
    the item had answers, or was hidden only by the one-set rule, is not stored), and a
    follow-up question wherever the item it follows is (dd9912a);
  * (schema 5) a free-text follow-up's comments are hidden wherever the item it follows
    is hidden, and an item or key figure under a minimum above the score minimum
    (sensitive: krænkende handlinger, vold) is hidden in every group but the whole
    organisation's: whether the score minimum's decision on the same counts shows it
    (a76a8e6) is not stored, and the engine never hides the whole organisation by
    difference. Comments, also under a higher minimum, are left as they were: a reader
    needs a figure over exactly the commenters to use that channel.

  * (schema 6) figures a reader may take for the same people (the same n in every group
    both show) give no group of 1 to score minimum - 1 together: where they do, the group
    is hidden in those of them that show it, as the builder's last step does on the
    figures it publishes (``publication.alike_figures_hidden``). The builder's other step,
    on each figure's true counts in every unit, needs the answers.
  * (schema 7) that step once more per higher minimum needs the answers too: without
    them, a publication of schema 6 stays as it was stored; (schemas 8 and 9) so does
    the same step with the participation rows' answered counts.

  The rules of schemas 3 to 5 are applied only to a publication stored before them: one
  stored under 5 was built under them, exactly, and the stored-figure versions are blunter.

Both ways, what rests on a figure hidden now is hidden with it: the items and key figures
counted over a hidden scale's people, a key figure or a scale's agreement (rwg(j)) beside
a hidden item of it, the zone of a group whose safety or focus scale is
hidden, the measurement-level figures of a scale hidden for the whole organisation, an ICC
or a correlation over units of which one now hides the scale, the drivers where a scale
they weigh is hidden, a change whose earlier figure the earlier wave no longer shows, and
every free-text answer no shown group lists any more (the texts left are renumbered in
their stored order).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from tryghed.core.instruments import Instrument, Scale
from tryghed.core.publication import (
    ORGANISATION,
    SCHEMA,
    GroupKey,
    JsonDict,
    alike_figures_hidden,
)

__all__ = ["Tightened", "tighten"]

_COMPLEMENTARY = "complementary"
_BELOW_MINIMUM = "below_minimum"


@dataclass(frozen=True)
class Tightened:
    """The tightened publication (schema ``SCHEMA``) and what tightening took away."""

    data: JsonDict
    from_schema: int
    # Figures (or parts of figures: a statistic, a change, a zone) that were shown and are
    # not any more; whole groups count once.
    hidden: int
    # Free-text answers no shown group lists any more, removed from the table.
    texts_removed: int
    # Whether a fresh build of the same answers was compared with.
    compared_with_fresh: bool


def tighten(
    stored: Mapping[str, Any],
    *,
    fresh: Mapping[str, Any] | None = None,
    instruments: Sequence[Instrument] = (),
    previous: Mapping[str, Any] | None = None,
) -> Tightened:
    """The stored publication under the current hiding rules, hiding only (module docstring).

    ``fresh``: the same measurement built afresh under the current rules, when its answers
    still exist; ignored unless it has the same groups in the same slots. ``instruments``:
    the measurement's instruments as frozen at its creation (one whose fingerprint is not
    the stored one's counts as unknown: its rules are then applied as if in doubt).
    ``previous``: the earlier wave's publication as it stands now (tightened itself), for
    the changes; without it every change is dropped."""
    data: JsonDict = copy.deepcopy(dict(stored))
    before = copy.deepcopy(data["groups"])
    counter = _Counter()
    usable = fresh if fresh is not None and _aligned(data, fresh) else None
    if usable is not None:
        data["groups"] = [
            _merge(old, new, counter)
            for old, new in zip(data["groups"], usable["groups"], strict=True)
        ]
        data["measurement_level"] = _merge_level(
            data.get("measurement_level", {}), usable.get("measurement_level", {}), counter
        )
    else:
        _Rules(data, instruments, counter, int(stored.get("schema", 0))).apply()
    _Consequences(
        data, before, previous, _known(data, instruments), counter, fresh=usable is not None
    ).apply()
    texts_removed = _drop_unlisted_texts(data)
    data["schema"] = SCHEMA
    return Tightened(
        data=data,
        from_schema=int(stored.get("schema", 0)),
        hidden=counter.hidden,
        texts_removed=texts_removed,
        compared_with_fresh=usable is not None,
    )


class _Counter:
    def __init__(self) -> None:
        self.hidden = 0

    def hide(self, reason: str) -> JsonDict:
        self.hidden += 1
        return {"suppressed": True, "reason": reason}


def _shown(block: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(block, dict) and block.get("suppressed") is False


def _slot_keys(data: Mapping[str, Any]) -> dict[int, list[GroupKey]]:
    keys: dict[int, list[GroupKey]] = {int(data["organisation"]): [ORGANISATION]}
    for unit, entry in data["units"].items():
        for scope in ("unit", "subtree"):
            keys.setdefault(int(entry[scope]), []).append((scope, str(unit)))
    return keys


def _group_of(data: Mapping[str, Any], key: GroupKey) -> dict[str, Any] | None:
    """The shown group of a group key in a publication; None if hidden or not a group there."""
    if key == ORGANISATION:
        slot = data["organisation"]
    else:
        entry = data["units"].get(key[1])
        if entry is None:
            return None
        slot = entry[key[0]]
    found = data["groups"][slot]
    return found if _shown(found) else None


def _aligned(stored: Mapping[str, Any], fresh: Mapping[str, Any]) -> bool:
    """Whether the fresh build has the stored one's groups in the same slots."""
    if fresh.get("measurement", {}).get("id") != stored.get("measurement", {}).get("id"):
        return False
    if len(fresh.get("groups", ())) != len(stored["groups"]):
        return False
    if fresh.get("organisation") != stored["organisation"]:
        return False
    slots = {u: (e["unit"], e["subtree"]) for u, e in stored["units"].items()}
    return slots == {u: (e["unit"], e["subtree"]) for u, e in fresh.get("units", {}).items()}


# --------------------------------------------------------------------------- with a fresh build


def _merge(old: Any, new: Any, counter: _Counter) -> Any:
    """The stored value where the fresh build shows it too; hidden or dropped where not."""
    if isinstance(old, dict) and "suppressed" in old:
        if old["suppressed"] is not False:
            return old
        if not _shown(new):
            reason = new.get("reason") if isinstance(new, dict) else None
            return counter.hide(str(reason) if reason else _COMPLEMENTARY)
    if old is not None and new is None:
        counter.hidden += 1
        return None
    if isinstance(old, dict):
        out: JsonDict = {}
        for key, value in old.items():
            if not isinstance(new, dict) or key not in new:
                if value is not None:
                    counter.hidden += 1
                continue
            out[key] = _merge(value, new[key], counter)
        return out
    return old  # a number, a string or a list of them: the value readers saw


def _merge_level(old: Mapping[str, Any], new: Mapping[str, Any], counter: _Counter) -> JsonDict:
    out: JsonDict = dict(old)
    out["scales"] = _merge(old.get("scales", {}), new.get("scales", {}), counter)
    out["drivers"] = _merge(old.get("drivers", {}), new.get("drivers", {}), counter)
    pairs = {(c["a"], c["b"]) for c in new.get("correlations", ())}
    correlations = [c for c in old.get("correlations", ()) if (c["a"], c["b"]) in pairs]
    counter.hidden += len(old.get("correlations", ())) - len(correlations)
    out["correlations"] = correlations
    return out


# --------------------------------------------------------------------------- stored figures only


class _Rules:
    """The rules since the stored schema as far as the stored figures decide them; hidden
    where not."""

    def __init__(
        self,
        data: JsonDict,
        instruments: Sequence[Instrument],
        counter: _Counter,
        from_schema: int = 0,
    ):
        self.data = data
        self.counter = counter
        self.known = _known(data, instruments)
        self.from_schema = from_schema

    def apply(self) -> None:
        for iid, meta in self.data["instruments"].items():
            if self.from_schema < 4:
                self._items(iid, meta)
                self._pooled(iid, meta)
                self._scales_beside_hidden_items(iid, meta)
                self._follow_ups_beside_hidden_items(iid)
            if self.from_schema < 5:
                self._texts_beside_hidden_items(iid, meta)
                self._above_the_score_minimum(iid, meta)
        if self.from_schema < 4:
            self._alpha()
            self._drivers()
        if self.from_schema < 6:
            alike_figures_hidden(self.data, lambda: self.counter.hide(_COMPLEMENTARY))

    def _texts_beside_hidden_items(self, iid: str, meta: Mapping[str, Any]) -> None:
        """A free-text follow-up's comments are hidden where the item it follows is hidden
        (publication.Report._texts_over_hidden_items). Which texts are follow-ups is known
        only from the instrument the publication was built with; for another, every text
        of the instrument is hidden in a group where one of its items is."""
        instrument = self.known.get(iid)
        texts = list(meta.get("texts", ()))
        follows: dict[str, str | None] = {text: None for text in texts}
        if instrument is not None:
            for item in instrument.items:
                if item.id in follows:
                    follows[item.id] = (
                        instrument.item(item.show_if.item).id if item.show_if else None
                    )
        for group in self.data["groups"]:
            if not _shown(group):
                continue
            items = group["instruments"].get(iid, {}).get("items", {})
            hidden = {i for i, figure in items.items() if not _shown(figure)}
            comments = group.get("comments", {})
            for text in texts:
                earlier = follows[text]
                in_doubt = instrument is None and bool(hidden)
                if _shown(comments.get(text)) and (in_doubt or (earlier in hidden)):
                    comments[text] = self.counter.hide(_COMPLEMENTARY)

    def _above_the_score_minimum(self, iid: str, meta: Mapping[str, Any]) -> None:
        """An item or key figure under a minimum above the score minimum is hidden in every
        group but the organisation's (module docstring, schema 5)."""
        score = int(self.data.get("minimums", {}).get("score", 0))
        higher = {
            kind: {
                fid for fid, figure in meta.get(kind, {}).items() if int(figure["minimum"]) > score
            }
            for kind in ("items", "key_figures")
        }
        if not any(higher.values()):
            return
        organisation = int(self.data["organisation"])
        for slot, group in enumerate(self.data["groups"]):
            if slot == organisation or not _shown(group):
                continue
            block = group["instruments"].get(iid)
            if block is None:
                continue
            for kind, ids in higher.items():
                for fid in ids:
                    if _shown(block[kind].get(fid)):
                        block[kind][fid] = self.counter.hide(_COMPLEMENTARY)

    def _blocks(self, iid: str, kind: str) -> Iterable[dict[str, Any]]:
        """The instrument's ``kind`` ("scales", "items") of every shown group."""
        for group in self.data["groups"]:
            if _shown(group):
                block = group["instruments"].get(iid)
                if block is not None:
                    yield block[kind]

    def _items(self, iid: str, meta: Mapping[str, Any]) -> None:
        instrument = self.known.get(iid)
        by_id = {item.id: item for item in instrument.items} if instrument is not None else {}
        in_a_scale = (
            {n for s in instrument.scales for n in s.items} if instrument is not None else set()
        )
        org = self.data["groups"][self.data["organisation"]]
        for item_id, item_meta in meta.get("items", {}).items():
            if item_meta.get("type") != "choice":
                continue
            item = by_id.get(item_id)
            if item is not None:
                if not item.scored or item.number not in in_a_scale:
                    continue  # decided on its answers alone, as before
                unscored = [o.code for o in item.options if o.points is None]
                if not unscored:
                    continue  # every answer is a scored answer: the same count
                top = (
                    org["instruments"].get(iid, {}).get("items", {}).get(item_id)
                    if _shown(org)
                    else None
                )
                if _shown(top):
                    codes = list(item_meta.get("codes", ()))
                    counts = list(top.get("counts", ()))
                    if len(codes) == len(counts) and not any(
                        counts[codes.index(c)] for c in unscored if c in codes
                    ):
                        continue  # no unscored answer anywhere: the same count in every unit
            for items in self._blocks(iid, "items"):
                if _shown(items.get(item_id)):
                    items[item_id] = self.counter.hide(_COMPLEMENTARY)

    def _pooled(self, iid: str, meta: Mapping[str, Any]) -> None:
        scales_meta: Mapping[str, Any] = meta.get("scales", {})
        instrument = self.known.get(iid)
        for sid, scale_meta in scales_meta.items():
            inside = set(scale_meta.get("items", ()))
            parts = [
                other
                for other, other_meta in scales_meta.items()
                if other != sid and set(other_meta.get("items", ())) < inside
            ]
            if not parts:
                continue
            if instrument is not None and _scale(instrument, sid).aggregate != "pooled":
                continue  # an unknown instrument's containing scale counts as pooled
            for scales in self._blocks(iid, "scales"):
                if _shown(scales.get(sid)) and any(not _shown(scales.get(p)) for p in parts):
                    scales[sid] = self.counter.hide(_COMPLEMENTARY)

    def _scales_beside_hidden_items(self, iid: str, meta: Mapping[str, Any]) -> None:
        """A person-score scale is hidden where one of its items with answers is
        (publication._scale_with_its_items). Whether a hidden item had answers, and
        whether it was hidden for its own count or only by the one-set rule, is not stored:
        any hidden item of it hides the scale."""
        instrument = self.known.get(iid)
        for sid, scale_meta in meta.get("scales", {}).items():
            if instrument is not None and _scale(instrument, sid).aggregate == "pooled":
                continue  # the pooled rule above
            inside = list(scale_meta.get("items", ()))
            for group in self.data["groups"]:
                block = group["instruments"].get(iid) if _shown(group) else None
                if block is None or not _shown(block["scales"].get(sid)):
                    continue
                items = block.get("items", {})
                if any(i in items and not _shown(items[i]) for i in inside):
                    block["scales"][sid] = self.counter.hide(_COMPLEMENTARY)

    def _follow_ups_beside_hidden_items(self, iid: str) -> None:
        """A follow-up (``show_if``) is hidden where the item it follows is hidden
        (publication._follow_ups_over_shown_items). Which items are follow-ups is known
        only from the instrument the publication was built with; for another, every
        choice item beside a hidden one of the same instrument is hidden."""
        instrument = self.known.get(iid)
        follows: dict[str, str | None] | None = (
            {
                item.id: instrument.item(item.show_if.item).id if item.show_if else None
                for item in instrument.items
            }
            if instrument is not None
            else None
        )
        for items in self._blocks(iid, "items"):
            hidden = {i for i, figure in items.items() if not _shown(figure)}
            if not hidden:
                continue
            for item_id, figure in items.items():
                if not _shown(figure):
                    continue
                earlier = follows.get(item_id) if follows is not None else next(iter(hidden))
                if earlier is not None and earlier in hidden:
                    items[item_id] = self.counter.hide(_COMPLEMENTARY)
                    hidden.add(item_id)

    def _alpha(self) -> None:
        level = self.data.get("measurement_level", {})
        org = self.data["groups"][self.data["organisation"]]
        for iid, per_scale in level.get("scales", {}).items():
            for sid, block in per_scale.items():
                if not _shown(block) or not isinstance(block.get("alpha"), dict):
                    continue
                minimum = int(self.data["instruments"][iid]["scales"][sid]["minimum"])
                n_complete = int(block["alpha"]["n_complete"])
                figure = (
                    org["instruments"].get(iid, {}).get("scales", {}).get(sid)
                    if _shown(org)
                    else None
                )
                gap = int(figure["n"]) - n_complete if _shown(figure) else -1
                if n_complete < minimum or gap < 0 or 0 < gap < minimum:
                    block["alpha"] = None
                    self.counter.hidden += 1

    def _drivers(self) -> None:
        drivers = self.data.get("measurement_level", {}).get("drivers", {})
        for key, block in drivers.items():
            if _shown(block) and int(block.get("n", 0)) < _driver_minimum(self.data, key, block):
                drivers[key] = self.counter.hide(_BELOW_MINIMUM)


def _known(data: Mapping[str, Any], instruments: Sequence[Instrument]) -> dict[str, Instrument]:
    """The instruments whose content is the one the publication was built with."""
    meta = data["instruments"]
    return {
        i.id: i
        for i in instruments
        if i.id in meta and meta[i.id].get("fingerprint") == i.fingerprint
    }


def _scale(instrument: Instrument, scale_id: str) -> Scale:
    return instrument.scale(scale_id)


def _driver_minimum(data: Mapping[str, Any], key: str, block: Mapping[str, Any]) -> int:
    """The highest minimum of the scales the drivers weigh: the outcome's main scale and the
    predictors' scales (the sensitive minimum where one of them cannot be found)."""
    meta = data["instruments"]
    outcome_id, _, scale_id = key.partition("/")
    names = list(block.get("names", ()))
    predictor = next(
        (m for m in meta.values() if names and all(n in m.get("scales", {}) for n in names)),
        None,
    )
    outcome = meta.get(outcome_id, {}).get("scales", {}).get(scale_id)
    if predictor is None or outcome is None:
        return int(data["minimums"]["sensitive"])
    minimums = [int(outcome["minimum"])] + [int(predictor["scales"][n]["minimum"]) for n in names]
    return max(minimums)


# --------------------------------------------------------------------------- what rests on them


class _Consequences:
    """Hide what rests on a figure that is hidden now (module docstring)."""

    def __init__(
        self,
        data: JsonDict,
        before: list[Any],
        previous: Mapping[str, Any] | None,
        known: Mapping[str, Instrument],
        counter: _Counter,
        *,
        fresh: bool = False,
    ) -> None:
        self.data = data
        self.before = before
        self.previous = previous
        self.known = known
        self.counter = counter
        self.keys = _slot_keys(data)
        # Compared with a fresh build, rwg(j) and key figures beside a hidden item were
        # decided there on why the item is hidden (publication._agreement_over_shown_items,
        # an item hidden for its own counts, not one hidden only by the one-set rule, which
        # rests on the minimum); the stored figures alone cannot tell the two apart.
        self.fresh = fresh

    def apply(self) -> None:
        for g, group in enumerate(self.data["groups"]):
            if not _shown(group):
                continue
            for iid, block in group["instruments"].items():
                self._over_hidden_scales(iid, block)
                if not self.fresh:
                    self._key_figures_over_hidden_items(iid, block)
                    self._agreement_over_hidden_items(iid, block)
                self._changes(g, iid, block["scales"])
            self._zone(group)
        self._measurement_level()

    def _over_hidden_scales(self, iid: str, block: dict[str, Any]) -> None:
        meta = self.data["instruments"].get(iid, {})
        for kind, kind_meta in (("items", "items"), ("key_figures", "key_figures")):
            figures = block.get(kind, {})
            for figure_id, figure_meta in meta.get(kind_meta, {}).items():
                population = figure_meta.get("population")
                if population is None or not _shown(figures.get(figure_id)):
                    continue
                if not _shown(block["scales"].get(population)):
                    figures[figure_id] = self.counter.hide(_COMPLEMENTARY)

    def _key_figures_over_hidden_items(self, iid: str, block: dict[str, Any]) -> None:
        """A key figure beside a hidden item of it gives that item's count away
        (publication._key_figures_over_shown_items); which items a key figure counts is not
        stored, so for an instrument not known any hidden item of it hides them all."""
        items = block.get("items", {})
        hidden = {i for i, figure in items.items() if not _shown(figure)}
        if not hidden:
            return
        instrument = self.known.get(iid)
        keys = block.get("key_figures", {})
        for figure_id, figure in keys.items():
            if not _shown(figure):
                continue
            if instrument is not None:
                found = next((k for k in instrument.key_figures if k.id == figure_id), None)
                inside = {instrument.item(n).id for n in found.items} if found is not None else None
                if inside is not None and not inside & hidden:
                    continue
            keys[figure_id] = self.counter.hide(_COMPLEMENTARY)

    def _agreement_over_hidden_items(self, iid: str, block: dict[str, Any]) -> None:
        """rwg(j) follows from its items' variances: withheld where one of them is hidden
        (publication._agreement_over_shown_items)."""
        meta = self.data["instruments"].get(iid, {}).get("scales", {})
        items = block.get("items", {})
        for sid, figure in block["scales"].items():
            if not _shown(figure) or figure.get("rwg_j") is None:
                continue
            inside = meta.get(sid, {}).get("items", ())
            if any(i in items and not _shown(items[i]) for i in inside):
                figure["rwg_j"] = None
                self.counter.hidden += 1

    def _changes(self, g: int, iid: str, scales: dict[str, Any]) -> None:
        for sid, figure in scales.items():
            if not _shown(figure) or "change" not in figure:
                continue
            if not self._earlier_shows(g, iid, sid, figure["change"]):
                del figure["change"]
                self.counter.hidden += 1

    def _earlier_shows(self, g: int, iid: str, sid: str, change: Mapping[str, Any]) -> bool:
        """Whether every group this slot stands for shows, in the earlier wave's publication
        as it stands now, the figure the change starts from."""
        if self.previous is None:
            return False
        for key in self.keys.get(g, []):
            found = _group_of(self.previous, key)
            if found is None:
                return False
            earlier = found["instruments"].get(iid, {}).get("scales", {}).get(sid)
            if not _shown(earlier) or earlier.get("n") != change.get("n_before"):
                return False
            if earlier.get("mean") != change.get("mean_before"):
                return False
        return True

    def _zone(self, group: dict[str, Any]) -> None:
        zone = group.get("zone")
        if not isinstance(zone, dict):
            return
        meta = self.data["instruments"]
        for iid in (zone.get("safety_instrument"), zone.get("focus_instrument")):
            main = meta.get(iid, {}).get("main_scale") if isinstance(iid, str) else None
            block = group["instruments"].get(iid, {}) if isinstance(iid, str) else {}
            if main is None or not _shown(block.get("scales", {}).get(main)):
                group["zone"] = None
                self.counter.hidden += 1
                return

    def _measurement_level(self) -> None:
        level = self.data.get("measurement_level")
        if not isinstance(level, dict):
            return
        org = self.data["groups"][self.data["organisation"]]
        unit_slots = sorted({int(e["unit"]) for e in self.data["units"].values()})
        newly_hidden: set[str] = set()  # "iid/sid" hidden now in a unit's own group
        for g in unit_slots:
            was, now = self.before[g], self.data["groups"][g]
            if not _shown(was):
                continue
            for iid, block in was["instruments"].items():
                for sid, figure in block["scales"].items():
                    current = (
                        now["instruments"].get(iid, {}).get("scales", {}).get(sid)
                        if _shown(now)
                        else None
                    )
                    if _shown(figure) and not _shown(current):
                        newly_hidden.add(f"{iid}/{sid}")
        org_hidden: set[str] = set()
        for iid, per_scale in level.get("scales", {}).items():
            for sid, block in per_scale.items():
                top = (
                    org["instruments"].get(iid, {}).get("scales", {}).get(sid)
                    if _shown(org)
                    else None
                )
                if not _shown(top):
                    org_hidden.add(f"{iid}/{sid}")
                    if _shown(block):
                        reason = top.get("reason") if isinstance(top, dict) else None
                        per_scale[sid] = self.counter.hide(str(reason or _COMPLEMENTARY))
                    continue
                if (
                    _shown(block)
                    and block.get("icc") is not None
                    and f"{iid}/{sid}" in newly_hidden
                ):
                    block["icc"] = None
                    self.counter.hidden += 1
        # A correlation is over the units shown on both scales: one fewer now is another one.
        kept = [c for c in level.get("correlations", ()) if not {c["a"], c["b"]} & newly_hidden]
        self.counter.hidden += len(level.get("correlations", ())) - len(kept)
        level["correlations"] = kept
        drivers = level.get("drivers", {})
        for key, block in drivers.items():
            if not _shown(block):
                continue
            weighed = {key} | {
                f"{iid}/{name}"
                for name in block.get("names", ())
                for iid, meta in self.data["instruments"].items()
                if name in meta.get("scales", {})
            }
            if weighed & org_hidden:
                drivers[key] = self.counter.hide(_COMPLEMENTARY)


def _drop_unlisted_texts(data: JsonDict) -> int:
    """Remove the free-text answers no shown group lists; renumber the rest in their order."""
    listed: set[int] = set()
    for group in data["groups"]:
        if _shown(group):
            for block in group.get("comments", {}).values():
                if _shown(block):
                    listed.update(int(k) for k in block["texts"])
    texts = data.get("texts", [])
    if len(listed) == len(texts):
        return 0
    new_index = {old: new for new, old in enumerate(sorted(listed))}
    data["texts"] = [texts[old] for old in sorted(listed)]
    for group in data["groups"]:
        if _shown(group):
            for block in group.get("comments", {}).values():
                if _shown(block):
                    block["texts"] = [new_index[int(k)] for k in block["texts"]]
    return len(texts) - len(listed)
