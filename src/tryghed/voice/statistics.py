"""The voice channel's figures per unit and for the organisation (issue 11).

How many cases, the share acknowledged within 7 days and answered within 3 months, the
median whole days to the acknowledgement, and the share that led to a focus area or an
action within 3 months. Counted from the stored dates only (never times).

Two things keep the figures from telling who wrote (privacy.md sections 0, 2 and 3):

- **Closed, settled periods.** Figures are shown per calendar half-year, and only once
  every case of it has passed its answer deadline (3 months after the half-year's last
  day). By then every figure is final: what happens later (a late acknowledgement, an
  action after the deadline) does not count, so the figures of a period never change
  from one day to the next and a new case changes nothing shown. Periods are disjoint:
  no figure is a difference of two others in time.
- **Minimums and remainders.** A unit's row counts the cases sent to its own leader
  (not its subtree, so a reorganisation moves nothing between rows) and is shown only
  with at least the organisation's minimum for a figure (``min_group_score``) as it was
  when the period settled (:func:`minimum_when_settled`): a half-year decided under 5
  and again under 7 after the setting changed showed team A's row under the one and the
  total under the other, 10 - 6 = team B's 4 cases (red team, lifecycle). Cases to
  the AMO/HR count only in the organisation's total. The total is shown only when what
  it adds to the shown rows, less what the reader already reads in their own inbox, is
  none or at least the minimum: an administrator who also leads units knows their units'
  cases, and must not learn by subtraction how many went to the AMO/HR about them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Organisation, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.voice.models import ACKNOWLEDGE_DAYS, ANSWER_MONTHS, Case, Receiver, add_months
from tryghed.voice.selectors import cases_by_roles, readable

PERIOD_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """A calendar half-year ("halvår"), from its first day to its last."""

    start: dt.date
    end: dt.date

    @property
    def settled_on(self) -> dt.date:
        """The last case's answer deadline: after this day the figures no longer change."""
        return add_months(self.end, ANSWER_MONTHS)

    @property
    def label(self) -> str:
        return _("%(half)s. halvår %(year)s") % {
            "half": 1 if self.start.month == 1 else 2,
            "year": self.start.year,
        }

    def previous(self) -> Period:
        return period_of(self.start - dt.timedelta(days=1))


def period_of(day: dt.date) -> Period:
    if day.month <= PERIOD_MONTHS:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 6, 30))
    return Period(dt.date(day.year, 7, 1), dt.date(day.year, 12, 31))


def settled_periods(today: dt.date, count: int) -> list[Period]:
    """The ``count`` newest half-years whose figures are final, newest first."""
    out: list[Period] = []
    period = period_of(today)
    while len(out) < count:
        period = period.previous()
        if today > period.settled_on:
            out.append(period)
    return out


@dataclass(frozen=True)
class Figures:
    cases: int
    acknowledged_in_time: int
    answered_in_time: int
    led_to_action: int
    # None when fewer than half had been acknowledged when the period settled.
    median_days_to_acknowledge: int | None

    def _share(self, count: int) -> int:
        return round(100 * count / self.cases)

    @property
    def acknowledged_share(self) -> int:
        return self._share(self.acknowledged_in_time)

    @property
    def answered_share(self) -> int:
        return self._share(self.answered_in_time)

    @property
    def action_share(self) -> int:
        return self._share(self.led_to_action)


@dataclass(frozen=True)
class _Row:
    opened_on: dt.date
    acknowledged_on: dt.date | None
    answered_on: dt.date | None
    outcome_on: dt.date | None


def _within(day: dt.date | None, deadline: dt.date) -> bool:
    return day is not None and day <= deadline


def figures_of(rows: Sequence[_Row], period: Period) -> Figures:
    """The figures of a group of cases, as they stood when the period settled."""
    days: list[int | None] = []
    for row in rows:
        ack = row.acknowledged_on
        settled = ack is not None and ack <= period.settled_on
        days.append((ack - row.opened_on).days if ack is not None and settled else None)
    # The lower median in whole days, cases never acknowledged counting as the longest.
    ordered = sorted(days, key=lambda d: (d is None, d or 0))
    median = ordered[(len(ordered) - 1) // 2] if ordered else None
    return Figures(
        cases=len(rows),
        acknowledged_in_time=sum(
            _within(r.acknowledged_on, r.opened_on + dt.timedelta(days=ACKNOWLEDGE_DAYS))
            for r in rows
        ),
        answered_in_time=sum(
            _within(r.answered_on, add_months(r.opened_on, ANSWER_MONTHS)) for r in rows
        ),
        led_to_action=sum(
            _within(r.outcome_on, add_months(r.opened_on, ANSWER_MONTHS)) for r in rows
        ),
        median_days_to_acknowledge=median,
    )


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit
    figures: Figures


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    organisation: Figures | None  # None: hidden (too few, or it would reveal a hidden part)
    units: list[UnitFigures]
    # The minimum for a figure the period is decided under (:func:`minimum_when_settled`).
    minimum: int = 0


SETTINGS_CHANGED = "organisation.settings_changed"  # orgs.services' audit action


def minimum_when_settled(organisation: Organisation, period: Period) -> int:
    """The organisation's minimum for a figure (``min_group_score``) as it stood when the
    period settled, the day before its figures are first shown: every reading of the
    period is decided under it, so changing the setting later moves nothing a reader has
    seen (they remember the earlier figures and subtract the later ones). Read from the
    settings' audit rows (``orgs.services.organisation_update_settings`` records each
    change as [old, new]): the old value of the first change after the period settled,
    or today's value if it has not changed since."""
    shown_from = timezone.make_aware(
        dt.datetime.combine(period.settled_on + dt.timedelta(days=1), dt.time.min)
    )
    for data in (
        AuditEvent.objects.filter(
            organisation=organisation, action=SETTINGS_CHANGED, at__gte=shown_from
        )
        .order_by("at", "id")
        .values_list("data", flat=True)
    ):
        change = (data or {}).get("changed", {}).get("min_group_score")
        if isinstance(change, list) and len(change) == 2 and isinstance(change[0], int):
            return change[0]
    return organisation.min_group_score


def period_figures(access: OrgAccess, period: Period) -> PeriodFigures:
    minimum = minimum_when_settled(access.organisation, period)
    cases = (
        Case.objects.filter(
            organisation=access.organisation, opened_on__gte=period.start, opened_on__lte=period.end
        )
        .select_related("unit")
        .only(
            "opened_on",
            "acknowledged_on",
            "answered_on",
            "outcome_on",
            "receiver",
            "unit__path",
            "unit__name",
        )
    )
    # The cases the reader reads in their own inbox (an AMO member who leads a unit, or led
    # it when a case was raised, does not read the AMO/HR's case: selectors.visible_cases).
    known = {
        c.pk
        for c in readable(
            access,
            cases_by_roles(access)
            .filter(opened_on__gte=period.start, opened_on__lte=period.end)
            .only("pk", "receiver", "withheld"),
        )
    }
    by_unit: dict[Unit, list[_Row]] = defaultdict(list)
    unknown_by_unit: dict[Unit, int] = defaultdict(int)
    to_amo: list[_Row] = []
    unknown_to_amo = 0
    for case in cases:
        row = _Row(case.opened_on, case.acknowledged_on, case.answered_on, case.outcome_on)
        if case.receiver == Receiver.LEADER and case.unit is not None:
            by_unit[case.unit].append(row)
            unknown_by_unit[case.unit] += case.pk not in known
        else:
            to_amo.append(row)
            unknown_to_amo += case.pk not in known
    shown = sorted((u for u, rows in by_unit.items() if len(rows) >= minimum), key=lambda u: u.path)
    # What the total adds to the shown rows and to what the reader knows already.
    unknown = unknown_to_amo + sum(
        unknown_by_unit[unit] for unit, rows in by_unit.items() if len(rows) < minimum
    )
    every = [row for rows in by_unit.values() for row in rows] + to_amo
    total_shown = len(every) >= minimum and (unknown == 0 or unknown >= minimum)
    return PeriodFigures(
        period=period,
        organisation=figures_of(every, period) if total_shown else None,
        units=[UnitFigures(unit, figures_of(by_unit[unit], period)) for unit in shown],
        minimum=minimum,
    )


def voice_statistics(
    access: OrgAccess, *, today: dt.date | None = None, count: int = 2
) -> list[PeriodFigures]:
    """The newest settled half-years' figures as this reader may see them, newest first."""
    day = today or timezone.localdate()
    return [period_figures(access, period) for period in settled_periods(day, count)]
