"""Reads for focus areas, plans and "I sagde – vi gjorde", scoped to what the user may see.

Leaders see the plans of their subtree, the AMO and administrators every plan; another
organisation's plan, or one outside a leader's subtree, is a 404 by construction. Report
figures come only from the report data (results.aggregates), so a hidden figure is never
shown here either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tryghed.actions.models import (
    Action,
    ActionPlan,
    FigureKind,
    FocusArea,
    PlanHistory,
)
from tryghed.core import figures, statistics, waves
from tryghed.core.instruments import Instrument
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import OrgAccess, unit_ancestors, visible_units
from tryghed.results import readings
from tryghed.results.aggregates import is_published, publication
from tryghed.results.readings import Reading
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments

# A unit's report, on these pages, is the unit as a whole: its own people and its teams'.
SCOPE = "subtree"


# --------------------------------------------------------------------------- access


def can_manage_plans(access: OrgAccess) -> bool:
    """Leaders (their subtree), the AMO and administrators write focus areas and plans."""
    return access.can_view_structure


def can_sign_off(access: OrgAccess) -> bool:
    return Role.AMO in access.roles


def focus_areas(access: OrgAccess) -> QuerySet[FocusArea]:
    if not can_manage_plans(access):
        return FocusArea.objects.none()
    return (
        FocusArea.objects.filter(organisation=access.organisation)
        .filter(access.unit_filter("unit__"))
        .select_related("unit", "measurement")
    )


def get_focus_area(access: OrgAccess, focus_id: int) -> FocusArea:
    try:
        return focus_areas(access).get(pk=focus_id)
    except FocusArea.DoesNotExist:
        raise Http404 from None


def plans(access: OrgAccess) -> QuerySet[ActionPlan]:
    if not can_manage_plans(access):
        return ActionPlan.objects.none()
    return (
        ActionPlan.objects.filter(organisation=access.organisation)
        .filter(access.unit_filter("focus_area__unit__"))
        .select_related("focus_area__unit", "focus_area__measurement", "signed_off_by")
    )


def get_plan(access: OrgAccess, plan_id: int) -> ActionPlan:
    try:
        return plans(access).get(pk=plan_id)
    except ActionPlan.DoesNotExist:
        raise Http404 from None


def get_action(plan: ActionPlan, action_id: int) -> Action:
    try:
        return plan.actions.select_related("owner_person").get(pk=action_id)
    except Action.DoesNotExist:
        raise Http404 from None


def plan_actions(plan: ActionPlan) -> QuerySet[Action]:
    return plan.actions.select_related("owner_person")


def plan_history(plan: ActionPlan) -> QuerySet[PlanHistory]:
    return plan.history.select_related("action")


def closed_measurements(access: OrgAccess) -> QuerySet[Measurement]:
    return Measurement.objects.filter(
        organisation=access.organisation, status=Status.CLOSED
    ).order_by("-opens_on", "-pk")


def get_measurement(access: OrgAccess, measurement_id: int) -> Measurement:
    """A measurement of the organisation; only a closed one has results to choose from."""
    try:
        return Measurement.objects.get(organisation=access.organisation, pk=measurement_id)
    except Measurement.DoesNotExist:
        raise Http404 from None


def feedback_unit(access: OrgAccess, unit_id: int) -> Unit:
    """A unit whose "I sagde – vi gjorde" page the user may read: any unit they see, and an
    employee's own unit."""
    own = Q(pk__in=access.employee_unit_ids)
    if access.sees_whole_organisation:
        allowed = Q()
    elif access.can_view_structure:
        allowed = access.unit_filter() | own
    else:
        allowed = own
    units = Unit.objects.filter(organisation=access.organisation).filter(allowed)
    try:
        return units.get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None


def reads_unit_as_a_whole(access: OrgAccess, unit: Unit) -> bool:
    """Whether the reader may open the unit's report (the unit with the units below it):
    the AMO and administrators, and a leader of the unit or a unit above it. Anyone else
    reading its "I sagde – vi gjorde" (an employee of it) reads what their feedback page
    shows, the unit's own respondents: the group the anonymity audit checks for them."""
    return access.can_view_structure and (
        Unit.objects.filter(access.unit_filter(), pk=unit.pk).exists()
    )


def feedback_units(access: OrgAccess) -> list[Unit]:
    """The units whose feedback page the user is pointed to first: their own."""
    ids = list(access.employee_unit_ids)
    ids += [m.unit.pk for m in access.memberships if m.role == Role.LEADER and m.unit is not None]
    return list(Unit.objects.filter(pk__in=ids, organisation=access.organisation))


def feedback_plans(unit: Unit) -> list[ActionPlan]:
    """The plans of the unit and of the units above it: what is being done for its people."""
    ids = [u.pk for u in unit_ancestors(unit)] + [unit.pk]
    return list(
        ActionPlan.objects.filter(focus_area__unit_id__in=ids)
        .select_related("focus_area__unit", "focus_area__measurement")
        .prefetch_related("actions")
        .order_by("focus_area__unit__path", "pk")
    )


def visible_plan_units(access: OrgAccess) -> QuerySet[Unit]:
    return visible_units(access).filter(is_active=True).order_by("path")


# --------------------------------------------------------------------------- report figures


@dataclass(frozen=True)
class Figure:
    """One shown figure of a unit's report that can become a focus area."""

    kind: str
    instrument_id: str
    figure_id: str
    instrument_name: str
    label: str
    n: int
    mean: float
    ci95: tuple[float, float] | None
    score: tuple[float, float] | None
    # The mean on the reports' common reading (0–100, 100 the best end); its value is None
    # where "better" has no direction (a need or bipolar scale): such a figure is not ranked.
    reading: Reading | None
    # What a high number means, in words, for this figure.
    direction: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.instrument_id}:{self.figure_id}"

    @property
    def standing(self) -> float | None:
        """0 = worst end of the scale, 1 = best; None where it is not ranked."""
        found = self.reading
        if found is None or not found.rankable or found.value is None:
            return None
        return found.value / 100

    def baseline(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "ci95": list(self.ci95) if self.ci95 is not None else None,
            "score": list(self.score) if self.score is not None else None,
        }


def _shown_group(data: figures.Publication, unit_id: int) -> figures.Group | None:
    return data.shown_group(unit_id, SCOPE)


def report_figures(measurement: Measurement, unit: Unit, lang: str) -> list[Figure]:
    """The unit's shown scale and item figures in one measurement, weakest scales first.

    "Weakest" is ranked on the reports' common reading (``readings.weakest``): only means
    of scales with a direction, placed on 0–100 with 100 the best end, are ranked with
    each other; a need scale (support: "vil have mere") or a bipolar one follows unranked.
    Only a closed measurement has results to act on; a bipolar scale without a mean stays
    out (its bands are read on the report)."""
    if not is_published(measurement):
        return []
    data = publication(measurement, units=[unit.pk])
    shown = _shown_group(data, unit.pk)
    if shown is None:
        return []
    instruments = {i.id: i for i in measurement_instruments(measurement)}
    scales: list[Figure] = []
    items: list[Figure] = []
    for iid, block in shown.instruments.items():
        instrument = instruments.get(iid)
        meta = data.instrument(iid)
        if instrument is None or meta is None:
            continue
        name = instrument.name.get(lang)
        scale_names = {s.id: s.name.get(lang) for s in instrument.scales}
        item_polarity: dict[int, str] = {}
        for scale in instrument.scales:
            for number in scale.items:
                item_polarity.setdefault(number, scale.polarity)
        for sid, record in block.scales.items():
            scale_figure = figures.shown(record)
            if scale_figure is None or scale_figure.mean is None:
                continue
            scale_meta = meta.scales[sid]
            ci = scale_figure.ci95
            found = readings.scale_reading(scale_meta, scale_figure) if scale_meta.score else None
            scales.append(
                Figure(
                    kind=FigureKind.SCALE,
                    instrument_id=iid,
                    figure_id=sid,
                    instrument_name=name,
                    label=scale_names.get(sid, sid),
                    n=int(scale_figure.n),
                    mean=float(scale_figure.mean),
                    ci95=_interval(ci),
                    score=_interval(scale_meta.score),
                    reading=found,
                    direction=readings.direction_words(
                        scale_meta.polarity, reading=found is not None
                    ),
                )
            )
        item_texts = {item.id: item.text.get(lang) for item in instrument.items}
        item_of = {item.id: item for item in instrument.items}
        for item_id, item_record in block.items.items():
            item_figure = figures.shown(item_record)
            if item_figure is None or item_figure.mean_points is None:
                continue
            item = item_of.get(item_id)
            polarity = item_polarity.get(item.number, "") if item is not None else ""
            points = float(item_figure.mean_points)
            items.append(
                Figure(
                    kind=FigureKind.ITEM,
                    instrument_id=iid,
                    figure_id=item_id,
                    instrument_name=name,
                    label=item_texts.get(item_id, item_id),
                    n=int(item_figure.n),
                    mean=points,
                    ci95=None,
                    score=None,
                    reading=(
                        readings.item_reading(item, points, polarity) if item is not None else None
                    ),
                    direction=readings.item_direction(item, polarity) if item is not None else "",
                )
            )
    ranked = readings.weakest(scales, _reading, count=len(scales))
    keys = {f.key for f in ranked}
    return ranked + [f for f in scales if f.key not in keys] + items


def _reading(figure: Figure) -> Reading | None:
    return figure.reading


def find_figure(measurement: Measurement, unit: Unit, key: str, lang: str) -> Figure | None:
    return next((f for f in report_figures(measurement, unit, lang) if f.key == key), None)


def shown_baseline(focus: FocusArea, lang: str) -> dict[str, Any] | None:
    """The figure a focus area starts from as its measurement's publication shows it now
    (mean, CI, n, scale); None where the publication no longer shows it.

    ``focus.baseline`` is a copy taken when the area was chosen. A publication stored under
    earlier rules is tightened when they get stricter (core.tighten), hiding figures that
    give a small group away; a copy would go on showing them (a subtree's n of 15 beside
    a participation row of 17 gave the row's unit's own 2 people: red team,
    tests/privacy/test_redteam_waves_reorg.py). So pages read the figure from the
    publication, where the tightened value is the stored one, never a new computation."""
    key = f"{focus.kind}:{focus.instrument_id}:{focus.figure_id}"
    figure = find_figure(focus.measurement, focus.unit, key, lang)
    return figure.baseline() if figure is not None else None


def weakest_scales(measurement: Measurement, unit: Unit, count: int, lang: str) -> list[Figure]:
    """The ``count`` weakest scales on the common reading, comparable ones only (never a
    need or bipolar scale, never a share of people beside a mean)."""
    scales = [f for f in report_figures(measurement, unit, lang) if f.kind == FigureKind.SCALE]
    return readings.weakest(scales, _reading, count=count)


def figure_label(focus: FocusArea, lang: str) -> str:
    """The name of the figure a focus area starts from, in the reader's language."""
    for instrument in measurement_instruments(focus.measurement):
        if instrument.id != focus.instrument_id:
            continue
        if focus.kind == FigureKind.SCALE:
            for scale in instrument.scales:
                if scale.id == focus.figure_id:
                    return f"{instrument.name.get(lang)}: {scale.name.get(lang)}"
        for item in instrument.items:
            if item.id == focus.figure_id:
                return f"{instrument.name.get(lang)}: {item.text.get(lang)}"
    return focus.figure_id


# --------------------------------------------------------------------------- key results


@dataclass(frozen=True)
class KeyResult:
    instrument: str
    scale: str
    mean: float
    score: tuple[float, float] | None
    n: int
    change: figures.Change | None


def _main_scale_id(instrument: Instrument, meta: figures.InstrumentMeta) -> str | None:
    main = meta.main_scale
    if isinstance(main, str):
        return main
    return instrument.scales[0].id if instrument.scales else None


def key_results(
    unit: Unit, lang: str, *, own_only: bool = False
) -> tuple[Measurement | None, list[KeyResult]]:
    """The unit's main scale per instrument in its latest closed measurement where the unit
    as a whole is shown (with ``own_only``, its own respondents, as an employee's feedback
    page shows them); only figures the report data shows, with their change if any."""
    candidates = Measurement.objects.filter(
        organisation_id=unit.organisation_id, status=Status.CLOSED
    ).order_by("-opens_on", "-pk")
    for measurement in candidates[:5]:
        data = publication(measurement, units=[unit.pk], own_only=own_only)
        shown = data.shown_group(unit.pk, "unit" if own_only else SCOPE)
        if shown is None:
            continue
        results: list[KeyResult] = []
        for instrument in measurement_instruments(measurement):
            meta = data.instrument(instrument.id)
            block = shown.instrument(instrument.id)
            if meta is None or block is None:
                continue
            sid = _main_scale_id(instrument, meta)
            main = figures.shown(block.scale(sid))
            if main is None or main.mean is None or sid is None:
                continue
            scale = next(s for s in instrument.scales if s.id == sid)
            results.append(
                KeyResult(
                    instrument=instrument.name.get(lang),
                    scale=scale.name.get(lang),
                    mean=float(main.mean),
                    score=_interval(meta.scales[sid].score),
                    n=int(main.n),
                    change=main.change,
                )
            )
        if results:
            return measurement, results
    return None, []


def vi_gjorde_context(
    unit: Unit, lang: str, *, with_results: bool = True, own_only: bool = False
) -> dict[str, Any]:
    """What "I sagde – vi gjorde" shows for a unit (template actions/_vi_gjorde.html): its key
    results, only what the report data shows, and the plans for it and the units above it
    with their status. The caller has checked that the reader may see the unit, and asks
    for the unit's own respondents (``own_only``) where the reader may not open its report
    (``reads_unit_as_a_whole``). A page that shows the results itself (the results app's
    feedback page) asks without them."""
    measurement, results = (
        key_results(unit, lang, own_only=own_only) if with_results else (None, [])
    )
    return {
        "vg_unit": unit,
        "vg_show_results": with_results,
        "vg_measurement": measurement,
        "vg_results": results,
        "vg_plans": feedback_plans(unit),
    }


# --------------------------------------------------------------------------- re-measurement


@dataclass(frozen=True)
class Remeasurement:
    """A later measurement of the plan's unit with the targeted scale shown."""

    measurement: Measurement
    n: int
    mean: float
    mean_before: float | None
    change: figures.Change | None  # as the publication's change records
    source: str  # "report": the later wave's own change; "computed": from both waves


def _computed_change(
    before: figures.ScaleFigure, after: figures.ScaleFigure, previous: int
) -> figures.Change | None:
    if before.sd is None or after.sd is None or before.mean is None or after.mean is None:
        return None
    n1, n2 = int(before.n), int(after.n)
    if n1 < 2 or n2 < 2:
        return None
    result = statistics.welch_change_from_summaries(
        n_before=n1,
        mean_before=float(before.mean),
        sd_before=float(before.sd),
        n_after=n2,
        mean_after=float(after.mean),
        sd_after=float(after.sd),
    )
    if result is None:
        return None
    return figures.Change(
        previous=previous,
        n_before=result.n_before,
        mean_before=result.mean_before,
        difference=result.difference,
        ci95=(result.ci95[0], result.ci95[1]),
        t=result.t,
        df=result.df,
        p=result.p,
        hedges_g=result.hedges_g,
        real=result.real,
        reading="real" if result.real else "indicative",
    )


def _interval(values: figures.Pair | None) -> tuple[float, float] | None:
    if values is None or values[0] is None or values[1] is None:
        return None
    return (values[0], values[1])


def remeasurements(plan: ActionPlan) -> list[Remeasurement]:
    """Later closed measurements of the plan's unit that show its targeted scale, each with
    the change since the measurement the focus area was chosen from.

    The later wave's own change block is used when that wave was compared with the plan's
    wave; otherwise the change is computed from both waves' shown figures (same instrument
    version only). A figure hidden in either wave shows no change."""
    focus = plan.focus_area
    if focus.kind != FigureKind.SCALE:
        return []
    start = focus.measurement
    if not is_published(start):
        return []
    base_data = publication(start, units=[focus.unit_id])
    base_group = _shown_group(base_data, focus.unit_id)
    base_block = None
    if base_group is not None:
        candidate = figures.shown(base_group.scale(focus.instrument_id, focus.figure_id))
        if candidate is not None and candidate.mean is not None:
            base_block = candidate
    base_meta = base_data.instrument(focus.instrument_id)
    base_version = base_meta.version if base_meta is not None else None
    later = Measurement.objects.filter(
        organisation_id=plan.organisation_id, status=Status.CLOSED, opens_on__gt=start.opens_on
    ).order_by("opens_on", "pk")
    found: list[Remeasurement] = []
    for measurement in later:
        data = publication(measurement, units=[focus.unit_id])
        shown = _shown_group(data, focus.unit_id)
        meta = data.instrument(focus.instrument_id)
        if shown is None or meta is None:
            continue
        after = figures.shown(shown.scale(focus.instrument_id, focus.figure_id))
        if after is None or after.mean is None:
            continue
        change: figures.Change | None = None
        source = ""
        own = after.change
        if own is not None and own.previous == start.pk:
            change, source = own, "report"
        elif base_block is not None and meta.version == base_version:
            change, source = _computed_change(base_block, after, start.pk), "computed"
        before_mean = base_block.mean if base_block is not None else None
        found.append(
            Remeasurement(
                measurement=measurement,
                n=int(after.n),
                mean=float(after.mean),
                mean_before=float(before_mean) if before_mean is not None else None,
                change=change,
                source=source if change is not None else "",
            )
        )
    return found


@dataclass(frozen=True)
class LaterMeasurement:
    """A later measurement of the plan's unit that shows no result (or no change) for the
    focus area on the plan page, and why.

    ``reason``: "variant" (it measures with another variant of the focus area's
    instrument, ps7-hem against ps7), "version" (another version of it), "not_measured"
    (it does not ask about the focus area), "not_closed" (its results come when it closes)
    or "hidden" (too few of the unit answered for the result to be shown)."""

    measurement: Measurement
    reason: str
    instrument: str  # the instrument it measures with instead ("variant", "version")
    baseline: str  # the instrument the focus area was chosen on


def _covers(measurement: Measurement, unit: Unit) -> bool:
    return any(
        entry.unit_id == unit.pk or (entry.include_subtree and unit.is_descendant_of(entry.unit))
        for entry in measurement.scope.all()
    )


def later_measurements(
    plan: ActionPlan, shown: Sequence[Remeasurement], lang: str
) -> list[LaterMeasurement]:
    """Later measurements of the plan's unit (made, open or closed) that do not show the
    focus area's change in ``shown`` (the plan's re-measurements), each with the reason:
    so the plan page never says "no later measurement" when there is one."""
    focus = plan.focus_area
    if focus.kind != FigureKind.SCALE:
        return []
    start = focus.measurement
    baseline = next(
        (i for i in measurement_instruments(start) if i.id == focus.instrument_id), None
    )
    if baseline is None:
        return []
    name = baseline.name.get(lang)
    with_change = {r.measurement.pk for r in shown if r.change is not None}
    in_table = {r.measurement.pk for r in shown}
    later = (
        Measurement.objects.filter(
            organisation_id=plan.organisation_id, opens_on__gt=start.opens_on
        )
        .exclude(pk=start.pk)
        .prefetch_related("scope__unit")
        .order_by("opens_on", "pk")
    )
    found: list[LaterMeasurement] = []
    for measurement in later:
        if measurement.pk in with_change or not _covers(measurement, focus.unit):
            continue
        instruments = measurement_instruments(measurement)
        same = any(
            waves.comparable(baseline.id, baseline.version, i.id, i.version) for i in instruments
        )
        if not same:
            traps = waves.traps([baseline], instruments)
            if traps:
                found.append(
                    LaterMeasurement(
                        measurement, traps[0].kind, traps[0].later.name.get(lang), name
                    )
                )
            else:
                found.append(LaterMeasurement(measurement, "not_measured", "", name))
        elif measurement.status != Status.CLOSED:
            found.append(LaterMeasurement(measurement, "not_closed", "", name))
        elif measurement.pk not in in_table:
            found.append(LaterMeasurement(measurement, "hidden", "", name))
    return found


def remeasurement_context(plan: ActionPlan, lang: str) -> dict[str, Any]:
    """What the plan's "Genmåling" section shows (actions/_remeasurements.html)."""
    shown = remeasurements(plan)
    return {"remeasurements": shown, "later_measurements": later_measurements(plan, shown, lang)}
