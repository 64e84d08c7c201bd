"""What the API reads, scoped to the acting user by the same selectors the pages use.

- organisations: those the user holds a role in (``orgs.selectors``);
- measurements: the closed ones whose results the user may read, as the report list and
  the feedback page offer them (``results.selectors``);
- a publication: the groups the user's report pages show of a closed measurement, of those
  the anonymity audit checks for them (``results.audit.view_groups``), each with the kinds
  of record a page of theirs shows of it (``shown_records``), read from the stored
  publication (``results.aggregates.publication``) and its typed records
  (``core.figures``). Anything else, of this organisation or another, is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from django.http import Http404

from tryghed.accounts.models import User
from tryghed.core import figures
from tryghed.orgs.models import Organisation, Role
from tryghed.orgs.selectors import OrgAccess, access_for, employee_people, organisations_for_user
from tryghed.results import selectors as report_selectors
from tryghed.results.aggregates import is_published, publication
from tryghed.results.audit import Reader, view_groups
from tryghed.results.shown_counts import ORGANISATION, GroupKey
from tryghed.surveys.models import Measurement, Status


@dataclass(frozen=True)
class HeldRole:
    role: Role
    unit_id: int | None
    unit_name: str | None


def organisations(user: User) -> list[tuple[Organisation, list[HeldRole]]]:
    """The organisations the user holds a role in, each with the roles (an employee found
    by their address holds the employee's role without a stored one)."""
    out: list[tuple[Organisation, list[HeldRole]]] = []
    for organisation in organisations_for_user(user):
        access = access_for(user=user, slug=organisation.slug)
        held = [
            HeldRole(
                Role(m.role),
                m.unit.pk if m.unit is not None else None,
                m.unit.name if m.unit is not None else None,
            )
            for m in sorted(access.memberships, key=lambda m: (m.role, m.pk))
        ]
        seen = {(h.role, h.unit_id) for h in held}
        for person in (
            employee_people(user).filter(organisation=organisation).select_related("unit")
        ):
            unit = person.unit
            if unit is not None and (Role.EMPLOYEE, unit.pk) not in seen:
                seen.add((Role.EMPLOYEE, unit.pk))
                held.append(HeldRole(Role.EMPLOYEE, unit.pk, unit.name))
        out.append((organisation, held))
    return out


def organisation_access(user: User, organisation_id: int) -> OrgAccess:
    """The user's access to the organisation with that id; a 404 without a role there."""
    found = organisations_for_user(user).filter(pk=organisation_id).first()
    if found is None:
        raise Http404
    return access_for(user=user, slug=found.slug)


def readable_measurements(access: OrgAccess) -> list[Measurement]:
    """The closed measurements whose results the user may read, newest first: those of the
    report list (a unit report or the organisation report) and of the feedback page."""
    found = {
        entry.measurement.pk: entry.measurement
        for entry in report_selectors.report_list(access)
        if is_published(entry.measurement)
    }
    if access.employee_unit_ids:
        feedback = report_selectors.get_feedback(access, None)
        if feedback is not None:
            latest, _unit, others = feedback
            for measurement in (latest, *others):
                found.setdefault(measurement.pk, measurement)
    return sorted(found.values(), key=lambda m: (m.opens_on, m.pk), reverse=True)


def readable_measurement(user: User, measurement_id: int) -> tuple[OrgAccess, Measurement]:
    """A closed measurement whose results the user may read, with their access; a 404 for
    one of another organisation, a draft, an open one, or one they may not read."""
    found = (
        Measurement.objects.filter(
            pk=measurement_id,
            status=Status.CLOSED,
            organisation__in=organisations_for_user(user),
        )
        .select_related("organisation")
        .first()
    )
    if found is None:
        raise Http404
    access = access_for(user=user, slug=found.organisation.slug)
    if all(m.pk != found.pk for m in readable_measurements(access)):
        raise Http404
    return access, found


# What a page shows of a group. "comments" are shown comment blocks (their count: the page
# shows the texts), "hidden_comments" the hidden ones with their reason; "detail" every
# figure of a group's own report (else a summary: the means, with "change" the levels and
# changes, with "distribution" the counts and distributions of the scales).
Record = Literal[
    "scales",
    "items",
    "key_figures",
    "comments",
    "hidden_comments",
    "zone",
    "detail",
    "change",
    "distribution",
]
# A unit report of the group (leaders, the AMO, administrators): every record.
REPORT: frozenset[Record] = frozenset(get_args(Record))
# The feedback page: no intervals, agreement, per-question counts or hidden comment blocks.
FEEDBACK: frozenset[Record] = REPORT - {"hidden_comments", "detail"}
# What a unit report compares with (the parent's subtree, the organisation): a reading of
# each scale's mean and the question means, nothing more.
COMPARISON: frozenset[Record] = frozenset({"scales", "items"})
# A row of the organisation report (heatmap of means, key-figure shares and changes,
# maturity levels, zones): top management reads no unit report, so no unit's questions,
# distributions or comments; the organisation's own row adds its question means (the
# maturity topics).
OVERVIEW: frozenset[Record] = frozenset({"scales", "key_figures", "zone", "change"})
ORGANISATION_ROW: frozenset[Record] = OVERVIEW | {"items"}


@dataclass(frozen=True)
class Slice:
    """The groups of a publication one reader's pages show, in the audit's order, each
    with the kinds of record those pages show of it."""

    data: figures.Publication
    keys: list[GroupKey]
    organisation_wide: bool
    shows: Mapping[GroupKey, frozenset[Record]]


def publication_slice(access: OrgAccess, measurement: Measurement) -> Slice:
    """The part of the stored publication the user's pages show: the groups the audit
    names for them, and the organisation-wide statistics for readers of the organisation
    report. The slice loaded holds every group named (``figures.OutsideSlice`` otherwise:
    a reader never gets more than was loaded for them)."""
    whole = report_selectors.can_read_organisation_report(access)
    if whole:
        data = publication(measurement, units=None)
    else:
        units = [
            *report_selectors.report_units(access, measurement).values_list("pk", flat=True),
            *report_selectors.feedback_units(access).values_list("pk", flat=True),
        ]
        data = publication(measurement, units=units)
    shows = shown_records(access, measurement, data)
    # Never a group the audit does not check for this reader, nor one no page shows them.
    keys = [k for k in view_groups(Reader("api", access), measurement, data) if k in shows]
    return Slice(data, keys, whole, shows)


def shown_records(
    access: OrgAccess, measurement: Measurement, data: figures.Publication
) -> dict[GroupKey, frozenset[Record]]:
    """Per group, the kinds of record some page of the reader shows of it (the union over
    their roles); a group no page of theirs shows is absent."""
    shows: dict[GroupKey, frozenset[Record]] = {}

    def add(key: GroupKey, kinds: frozenset[Record]) -> None:
        shows[key] = shows.get(key, frozenset()) | kinds

    units = data.units
    if access.sees_whole_organisation:
        add(ORGANISATION, REPORT)
        for unit in units:
            add(("unit", unit), REPORT)
            add(("subtree", unit), REPORT)
    if report_selectors.can_read_organisation_report(access):
        add(ORGANISATION, ORGANISATION_ROW)
        for unit in units:
            add(("unit", unit), OVERVIEW)
            add(("subtree", unit), OVERVIEW)
    if report_selectors.can_read_unit_reports(access):
        for pk in report_selectors.report_units(access, measurement).values_list("pk", flat=True):
            unit = str(pk)
            if unit not in units:
                continue
            add(("unit", unit), REPORT)
            add(("subtree", unit), REPORT)
            parent = units[unit].parent
            if parent is not None:
                add(("subtree", str(parent)), COMPARISON)
            add(ORGANISATION, COMPARISON)
    for pk in report_selectors.feedback_units(access).values_list("pk", flat=True):
        if str(pk) in units:
            add(("unit", str(pk)), FEEDBACK)
    return shows
