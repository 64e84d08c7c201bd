"""Which reports ("rapporter") a user may open: pairs of a measurement and a unit.

Access by construction: every report page asks these functions for its measurement and
unit, and anything they do not return is a 404, whether it belongs to another
organisation, lies outside a leader's subtree, is a draft, or is simply not there.

- Leader report: leaders see the units of their own subtree (as it is today), the AMO and
  administrators every unit; of a closed measurement, the units of the tree frozen at its
  closing. Open measurements are listed, but their reports show no figures.
- Organisation report: the AMO, administrators and top management ("topledelse"); top
  management reads no unit report (no items, distributions or comments of a unit).
- Feedback page ("tilbagemelding"): an employee sees their own unit of a closed
  measurement, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from tryghed.core.figures import Publication
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import Capability, OrgAccess, visible_units
from tryghed.results.aggregates import paper_codes, publication
from tryghed.results.presenters import Scope, UnitBelow, hides_a_scale
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import scope_units

REPORTED_STATUSES = (Status.OPEN, Status.CLOSED)


@dataclass(frozen=True)
class ReportEntry:
    """One measurement in the list of reports, with the units the user may open."""

    measurement: Measurement
    units: list[Unit]

    @property
    def preliminary(self) -> bool:
        return self.measurement.status == Status.OPEN

    @property
    def rows(self) -> list[tuple[Unit, int]]:
        """The units with their depth below the shallowest one listed (for indenting)."""
        top = min((u.depth for u in self.units), default=0)
        return [(u, u.depth - top) for u in self.units]


def reported_measurements(access: OrgAccess) -> QuerySet[Measurement]:
    """The organisation's open and closed measurements, newest first."""
    return Measurement.objects.filter(
        organisation=access.organisation, status__in=REPORTED_STATUSES
    ).order_by("-opens_on", "-pk")


def can_read_unit_reports(access: OrgAccess) -> bool:
    """Leaders, the AMO and administrators read unit reports; employees get feedback."""
    return access.sees_whole_organisation or bool(access.leader_paths)


def report_units(access: OrgAccess, measurement: Measurement) -> QuerySet[Unit]:
    """The measurement's units the user may open a report for, in tree order."""
    if not can_read_unit_reports(access) or measurement.organisation_id != access.organisation.pk:
        return Unit.objects.none()
    visible = visible_units(access).values("pk")
    return _measurement_units(measurement).filter(pk__in=visible).order_by("path")


def _measurement_units(measurement: Measurement) -> QuerySet[Unit]:
    """The units a report of the measurement may be opened for, by someone: of a closed
    measurement the units of the tree frozen at its closing (as they are today)."""
    if measurement.status == Status.CLOSED and measurement.frozen_tree is not None:
        frozen = [u["id"] for u in measurement.frozen_tree if u.get("in_scope", True)]
        return Unit.objects.filter(organisation_id=measurement.organisation_id, pk__in=frozen)
    return scope_units(measurement)


def children_openable(
    access: OrgAccess, measurement: Measurement, data: Publication, unit: Unit
) -> list[Unit]:
    """The units directly below ``unit`` in the measurement's tree (as it stood at
    closing) whose report the user may open now, in tree order."""
    children = [int(c) for c in data.units[str(unit.pk)].children]
    return list(report_units(access, measurement).filter(pk__in=children))


def children_every_reader_opens(
    measurement: Measurement, data: Publication, unit: Unit
) -> list[Unit]:
    """The units directly below ``unit`` in the measurement's tree whose report everyone
    who may open ``unit``'s report may open too, now: those still in its subtree today.

    A reader of a unit's report sees the whole organisation (the AMO, an administrator) or
    leads the unit or a unit above it, and so sees every unit under it today; a unit moved
    out since closing is opened by some of them only. What is shown to all of a unit's
    readers at once (a shared file) may rest on these units alone."""
    children = [int(c) for c in data.units[str(unit.pk)].children]
    return list(
        _measurement_units(measurement)
        .filter(pk__in=children, path__startswith=unit.path)
        .order_by("path")
    )


def units_below(
    measurement: Measurement,
    data: Publication,
    unit: Unit,
    children: Sequence[Unit],
    scope: Scope,
) -> list[UnitBelow]:
    """``children``' groups (each with everything under it) for ``below`` of
    ``presenters.unit_report_context``: the units the report may show put together where
    the unit's subtree hides a scale. Pass only units whose reports every reader of what is
    shown may open (:func:`children_openable` for a page, :func:`children_every_reader_opens`
    for a shared file and the meeting kit). Empty where nothing would be put together, without reading them."""
    if scope != "subtree" or len(children) < 2 or not hides_a_scale(data.group(unit.pk, "subtree")):
        return []
    under = publication(measurement, units=[child.pk for child in children])
    return [
        UnitBelow(under.unit_name(child.pk, child.name), under.group(child.pk, "subtree"))
        for child in children
    ]


def can_read_organisation_report(access: OrgAccess) -> bool:
    """The AMO, administrators and top management read the organisation report."""
    return access.can(Capability.READ_ORGANISATION_REPORT)


def paper_code_line(measurement: Measurement) -> tuple[int, int] | None:
    """(printed, used) of the answers-by-code line of a closed measurement as its
    organisation report shows it (kept with the publication, checked beside its figures);
    None while it is open or where the line may not be shown."""
    if measurement.status != Status.CLOSED:
        return None
    return paper_codes(measurement)


def report_list(access: OrgAccess) -> list[ReportEntry]:
    """Every reported measurement with the units the user may open; one without units only
    for readers of the organisation report (top management opens no unit reports)."""
    whole = can_read_organisation_report(access)
    if not can_read_unit_reports(access) and not whole:
        return []
    entries = [ReportEntry(m, list(report_units(access, m))) for m in reported_measurements(access)]
    return [entry for entry in entries if entry.units or whole]


def get_organisation_report(access: OrgAccess, measurement_id: int) -> Measurement:
    """The measurement of an organisation report the user may read; else a 404 (a leader
    reads unit reports, and the page is not confirmed to them)."""
    if not can_read_organisation_report(access):
        raise Http404
    try:
        return reported_measurements(access).get(pk=measurement_id)
    except Measurement.DoesNotExist:
        raise Http404 from None


def get_unit_report(
    access: OrgAccess, measurement_id: int, unit_id: int
) -> tuple[Measurement, Unit]:
    """The measurement and unit of a leader report the user may open; else a 404."""
    try:
        measurement = reported_measurements(access).get(pk=measurement_id)
        unit = report_units(access, measurement).select_related("parent").get(pk=unit_id)
    except (Measurement.DoesNotExist, Unit.DoesNotExist):
        raise Http404 from None
    return measurement, unit


def feedback_units(access: OrgAccess) -> QuerySet[Unit]:
    """The units whose feedback page the user may read: their own, as an employee."""
    return Unit.objects.filter(organisation=access.organisation, pk__in=access.employee_unit_ids)


def _covered(access: OrgAccess, units: list[Unit]) -> list[tuple[Measurement, Unit]]:
    """The closed measurements that covered one of ``units``, newest first, each with the
    first of them it covered (in one query for the measurements and their scopes)."""
    if not units:
        return []
    closed = (
        Measurement.objects.filter(organisation=access.organisation, status=Status.CLOSED)
        .prefetch_related("scope__unit")
        .order_by("-closes_on", "-pk")
    )
    found: list[tuple[Measurement, Unit]] = []
    for measurement in closed:
        unit = next((u for u in units if _covers(measurement, u)), None)
        if unit is not None:
            found.append((measurement, unit))
    return found


def _covers(measurement: Measurement, unit: Unit) -> bool:
    for entry in measurement.scope.all():
        if entry.unit_id == unit.pk or (
            entry.include_subtree and unit.path.startswith(entry.unit.path)
        ):
            return True
    return False


def get_feedback(
    access: OrgAccess, measurement_id: int | None
) -> tuple[Measurement, Unit, list[Measurement]] | None:
    """The measurement (the latest closed one when no id is given), the user's own unit and
    the other measurements they may read feedback of.

    None when the user is an employee but no closed measurement has covered their unit
    yet; a 404 when they are no employee here or the measurement is not theirs to read.
    """
    units = list(feedback_units(access).order_by("path"))
    if not units:
        raise Http404
    covered = _covered(access, units)
    if measurement_id is None:
        if not covered:
            return None
        measurement, unit = covered[0]
    else:
        chosen = next(((m, u) for m, u in covered if m.pk == measurement_id), None)
        if chosen is None:
            raise Http404
        measurement, unit = chosen
    return measurement, unit, [m for m, _u in covered if m.pk != measurement.pk]
