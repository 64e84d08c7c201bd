"""Reads of the learning log, scoped to the reader.

A team's log is read by its members (an employee's own unit), its leader (a leader's
subtree) and the AMO (every unit). It is written by the members and the leader; the
leader reviews it, sorts it, turns lessons into actions and sends entries on to the AMO.
Anything outside that is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tryghed.actions import selectors as action_selectors
from tryghed.actions.models import ActionPlan, FocusArea, PlanStatus
from tryghed.learning.models import Entry, Kind, LogSettings, Review
from tryghed.orgs.models import Organisation, Role, Unit
from tryghed.orgs.selectors import OrgAccess, employee_people


def log_settings(organisation: Organisation) -> LogSettings:
    """The organisation's settings for the log; the defaults (unsaved) when it has none."""
    found = LogSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else LogSettings(organisation=organisation)


def _led(access: OrgAccess) -> Q:
    q = Q(pk__in=[])
    for path in access.leader_paths:
        q |= Q(path__startswith=path)
    return q


def writable_units(access: OrgAccess) -> QuerySet[Unit]:
    """The units whose log the user may write in: their own team, or a led subtree."""
    return Unit.objects.filter(organisation=access.organisation, is_active=True).filter(
        _led(access) | Q(pk__in=access.employee_unit_ids)
    )


def readable_units(access: OrgAccess) -> QuerySet[Unit]:
    units = Unit.objects.filter(organisation=access.organisation)
    if Role.AMO in access.roles:
        return units
    return units.filter(_led(access) | Q(pk__in=access.employee_unit_ids))


def led_units(access: OrgAccess) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation=access.organisation).filter(_led(access))


def _get(units: QuerySet[Unit], unit_id: int) -> Unit:
    try:
        return units.get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None


def get_readable_unit(access: OrgAccess, unit_id: int) -> Unit:
    return _get(readable_units(access), unit_id)


def get_writable_unit(access: OrgAccess, unit_id: int) -> Unit:
    return _get(writable_units(access), unit_id)


def get_led_unit(access: OrgAccess, unit_id: int) -> Unit:
    return _get(led_units(access), unit_id)


def can_write(access: OrgAccess, unit: Unit) -> bool:
    return writable_units(access).filter(pk=unit.pk).exists()


def can_lead(access: OrgAccess, unit: Unit) -> bool:
    return led_units(access).filter(pk=unit.pk).exists()


def entries(access: OrgAccess) -> QuerySet[Entry]:
    return Entry.objects.filter(
        organisation=access.organisation, unit__in=readable_units(access)
    ).select_related("unit", "action__plan__focus_area")


def get_entry(access: OrgAccess, entry_id: uuid.UUID) -> Entry:
    try:
        return entries(access).get(pk=entry_id)
    except Entry.DoesNotExist:
        raise Http404 from None


def get_led_entry(access: OrgAccess, entry_id: uuid.UUID) -> Entry:
    try:
        return entries(access).filter(unit__in=led_units(access)).get(pk=entry_id)
    except Entry.DoesNotExist:
        raise Http404 from None


def _by_day(queryset: QuerySet[Entry]) -> list[Entry]:
    # By day, then by the random id: nothing in the order follows the order of writing.
    return sorted(queryset, key=lambda e: (-e.written_on.toordinal(), str(e.pk)))


def last_review(unit: Unit) -> Review | None:
    return Review.objects.filter(unit=unit).order_by("-reviewed_on", "-pk").first()


def unit_log(unit: Unit) -> tuple[list[Entry], list[Entry]]:
    """The unit's entries: new (not reviewed yet) and reviewed, newest day first."""
    queryset = Entry.objects.filter(unit=unit).select_related("action__plan__focus_area")
    return (
        _by_day(queryset.filter(reviewed_on__isnull=True)),
        _by_day(queryset.filter(reviewed_on__isnull=False)),
    )


@dataclass(frozen=True)
class LogSummary:
    unit: Unit
    new: int
    total: int


def log_summaries(access: OrgAccess) -> list[LogSummary]:
    """The logs the user reads: their teams always, other units only where they hold entries."""
    own_ids = set(writable_units(access).values_list("pk", flat=True))
    units = readable_units(access).filter(is_active=True)
    counts = {
        row["unit_id"]: row
        for row in Entry.objects.filter(organisation=access.organisation)
        .values("unit_id")
        .annotate(total=Count("pk"), new=Count("pk", filter=Q(reviewed_on__isnull=True)))
    }
    found = []
    for unit in units.filter(pk__in=own_ids | set(counts)).order_by("path"):
        row = counts.get(unit.pk)
        found.append(LogSummary(unit, row["new"] if row else 0, row["total"] if row else 0))
    return found


def forwarded(access: OrgAccess) -> list[Entry]:
    """What teams sent on to the work-environment group: the AMO's list."""
    if Role.AMO not in access.roles:
        return []
    queryset = Entry.objects.filter(
        organisation=access.organisation, forwarded_on__isnull=False
    ).select_related("unit")
    return sorted(queryset, key=lambda e: (-e.forwarded_on.toordinal(), e.unit.path, str(e.pk)))  # type: ignore[union-attr]


def writer_name(access: OrgAccess) -> str:
    """The name a named entry shows: the person register's, else the user's, else the address."""
    person = employee_people(access.user).filter(organisation=access.organisation).first()
    if person is not None and person.name:
        return person.name
    return access.user.full_name or access.user.email


# --------------------------------------------------------------------------- actions


CURRENT_STATUSES = (PlanStatus.PLANNED, PlanStatus.ACTIVE)


def unit_plans(access: OrgAccess, unit: Unit) -> list[ActionPlan]:
    """The unit's own plans the leader may add to; the current (planned or in progress,
    newest) first."""
    if not action_selectors.can_manage_plans(access):
        return []
    plans = list(action_selectors.plans(access).filter(focus_area__unit=unit))
    return sorted(plans, key=lambda p: (p.status not in CURRENT_STATUSES, -p.pk))


def unit_focus_areas(access: OrgAccess, unit: Unit) -> list[FocusArea]:
    """The unit's own focus areas, newest first: a new plan starts under one of them."""
    if not action_selectors.can_manage_plans(access):
        return []
    return list(action_selectors.focus_areas(access).filter(unit=unit).order_by("-pk"))


# --------------------------------------------------------------------------- the mix


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int
    basic: int
    complex: int
    intelligent: int
    unsorted: int

    @property
    def sorted_total(self) -> int:
        return self.basic + self.complex + self.intelligent


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def kind_mix(unit: Unit, *, today: dt.date, quarters: int = 4) -> list[Quarter]:
    """Counts of the unit's own entries by kind, per calendar quarter, the last ``quarters``
    quarters up to today's, oldest first. Counts only: no text, no named or anonymous."""
    year, q = quarter_of(today)
    keys: list[tuple[int, int]] = []
    for _ in range(quarters):
        keys.append((year, q))
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    keys.reverse()
    first = dt.date(keys[0][0], (keys[0][1] - 1) * 3 + 1, 1)
    counts: dict[tuple[int, int], dict[str, int]] = {k: {} for k in keys}
    for written_on, kind in Entry.objects.filter(unit=unit, written_on__gte=first).values_list(
        "written_on", "kind"
    ):
        key = quarter_of(written_on)
        if key in counts:
            counts[key][kind] = counts[key].get(kind, 0) + 1
    return [
        Quarter(
            year=y,
            number=n,
            basic=counts[(y, n)].get(Kind.BASIC, 0),
            complex=counts[(y, n)].get(Kind.COMPLEX, 0),
            intelligent=counts[(y, n)].get(Kind.INTELLIGENT, 0),
            unsorted=counts[(y, n)].get("", 0),
        )
        for y, n in keys
    ]


@dataclass(frozen=True)
class MixReading:
    many_basic: bool
    no_intelligent: bool
    basic: int
    sorted_total: int


def mix_reading(mix: list[Quarter]) -> MixReading:
    """The seed's reading over the period: mostly basale fejl points to oplæring and
    instruktion; no intelligente fejl, to no experiments. Nothing is read from no entries."""
    basic = sum(q.basic for q in mix)
    total = sum(q.sorted_total for q in mix)
    intelligent = sum(q.intelligent for q in mix)
    return MixReading(
        many_basic=total > 0 and basic * 2 > total,
        no_intelligent=total > 0 and intelligent == 0,
        basic=basic,
        sorted_total=total,
    )
