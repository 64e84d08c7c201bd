"""Retention of the learning log ("sletning af situationer"): an entry is deleted on the
day it is as many months old as its organisation keeps entries (``LogSettings``, default
36 months, the APV cycle).

The period that counts for an entry is the shortest one in force from the day it was
written until today. The write page quotes that period for an entry written today
(``months_for_day``: on the day of a raise still the shorter one), so a later raise never
keeps an entry longer than its writer was told; a cut applies at once and stays, also if
the period is raised again. The periods come from the settings' audit rows
(``learning.settings_changed``, each change as [old, new]), which are never deleted.

Nothing else holds an entry's text: the audit rows of the leader's steps say what was done
(the kind, the action's id), never what was written, and an action made from a lesson is
worded by the leader in the plan, which stays (only the entry's link to it goes). The
meetings' reviews older than the period go too. Each organisation is purged in its own
transaction; safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tryghed.audit.models import AuditEvent
from tryghed.audit.services import audit_record
from tryghed.learning.models import (
    DEFAULT_RETENTION_MONTHS,
    SETTINGS_CHANGED,
    Entry,
    LogSettings,
    Review,
)
from tryghed.orgs.models import Organisation
from tryghed.surveys.retention import add_months
from tryghed.table_rewrite import deleted_tables


def retention_months(organisation: Organisation) -> int:
    found = LogSettings.objects.filter(organisation=organisation).first()
    return found.retention_months if found is not None else DEFAULT_RETENTION_MONTHS


def last_day_to_delete(*, months: int, today: dt.date) -> dt.date:
    """Entries written on this day or before are due: ``months`` before ``today``."""
    return add_months(today, -months)


@dataclass(frozen=True)
class PeriodChange:
    """The administrator changed the period from ``before`` to ``after`` on day ``on``."""

    on: dt.date
    before: int
    after: int


def period_changes(organisation: Organisation) -> list[PeriodChange]:
    """The organisation's changes of the period, oldest first (its audit rows)."""
    found = []
    for at, data in (
        AuditEvent.objects.filter(organisation=organisation, action=SETTINGS_CHANGED)
        .order_by("at", "pk")
        .values_list("at", "data")
    ):
        change = data.get("retention_months") if isinstance(data, dict) else None
        if (
            isinstance(change, list)
            and len(change) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in change)
        ):
            found.append(PeriodChange(timezone.localdate(at), change[0], change[1]))
    return found


@dataclass(frozen=True)
class Stretch:
    """Rows dated after ``after`` (from the first day if None) and on or before ``until``
    (to today if None) keep the same period: the shortest in force since their day."""

    after: dt.date | None
    until: dt.date | None
    months: int


def stretches(*, current: int, changes: list[PeriodChange]) -> list[Stretch]:
    """Split the days into stretches of the same shortest period since that day.

    A row of day d counts the period in force on d and every period set since: the
    values of every change on d or later, and today's. A change on the row's own day
    counts (its time is not kept on the row), so the shorter of the two applies."""
    days = sorted({change.on for change in changes})
    found = []
    after: dt.date | None = None
    for day in days:
        months = min(
            [current] + [value for c in changes if c.on >= day for value in (c.before, c.after)]
        )
        found.append(Stretch(after, day, months))
        after = day
    found.append(Stretch(after, None, current))
    return found


def months_for_day(organisation: Organisation, day: dt.date) -> int:
    """The period an entry written on ``day`` is kept, as the purge counts it (its stretch):
    on the day of a raise still the shorter period, which the write page must quote."""
    for span in _spans(organisation, retention_months(organisation)):
        if (span.after is None or day > span.after) and (span.until is None or day <= span.until):
            return span.months
    raise AssertionError("the stretches cover every day")  # the last one is open-ended


def due_rows(*, field: str, spans: list[Stretch], today: dt.date) -> Q:
    """The rows whose day (``field``) is at least its stretch's period before ``today``."""
    due = Q(pk__in=[])
    for span in spans:
        last = last_day_to_delete(months=span.months, today=today)
        if span.until is not None:
            last = min(last, span.until)
        if span.after is not None and last <= span.after:
            continue
        rows = Q(**{f"{field}__lte": last})
        if span.after is not None:
            rows &= Q(**{f"{field}__gt": span.after})
        due |= rows
    return due


def _last_due_day(spans: list[Stretch], today: dt.date) -> dt.date:
    """The latest day whose rows are due (for the audit row and the command's output)."""
    days = []
    for span in spans:
        last = last_day_to_delete(months=span.months, today=today)
        if span.until is not None:
            last = min(last, span.until)
        if span.after is None or last > span.after:
            days.append(last)
    return max(days)


@dataclass(frozen=True)
class LearningPurge:
    organisation: Organisation
    # The latest day whose entries are (or would be) deleted; an entry written before it
    # may stay if no period since its day was short enough (``stretches``).
    through: dt.date
    entries: int
    reviews: int
    # The tables rows were deleted from, to rewrite on disk after commit (``table_rewrite``).
    tables: frozenset[str] = frozenset()


def _spans(organisation: Organisation, current: int) -> list[Stretch]:
    return stretches(current=current, changes=period_changes(organisation))


def _due(organisation: Organisation, spans: list[Stretch], today: dt.date) -> tuple[int, int]:
    return (
        Entry.objects.filter(organisation=organisation)
        .filter(due_rows(field="written_on", spans=spans, today=today))
        .count(),
        Review.objects.filter(unit__organisation=organisation)
        .filter(due_rows(field="reviewed_on", spans=spans, today=today))
        .count(),
    )


def due_for_purge(*, today: dt.date | None = None) -> list[LearningPurge]:
    """Per organisation with anything due, what would be deleted; nothing is changed."""
    today = today or timezone.localdate()
    months = dict(LogSettings.objects.values_list("organisation_id", "retention_months"))
    found = []
    for organisation in Organisation.objects.order_by("name", "pk"):
        spans = _spans(organisation, months.get(organisation.pk, DEFAULT_RETENTION_MONTHS))
        entries, reviews = _due(organisation, spans, today)
        if entries or reviews:
            found.append(LearningPurge(organisation, _last_due_day(spans, today), entries, reviews))
    return found


def organisation_purge_learning(
    *, organisation: Organisation, today: dt.date | None = None
) -> LearningPurge:
    """Delete the organisation's entries (and reviews) older than the shortest retention
    period in force since their day. The audit row counts them; it holds no text and no
    entry's id."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # One purge of an organisation at a time (the settings may change meanwhile).
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        spans = _spans(organisation, retention_months(organisation))
        through = _last_due_day(spans, today)
        entries, by_model = (
            Entry.objects.filter(organisation=organisation)
            .filter(due_rows(field="written_on", spans=spans, today=today))
            .delete()
        )
        reviews, reviews_by_model = (
            Review.objects.filter(unit__organisation=organisation)
            .filter(due_rows(field="reviewed_on", spans=spans, today=today))
            .delete()
        )
        tables = deleted_tables(by_model) | deleted_tables(reviews_by_model)
        if entries or reviews:
            audit_record(
                actor=None,
                action="learning.entries_purged",
                organisation=organisation,
                obj=organisation,
                summary=organisation.name,
                data={"entries": entries, "reviews": reviews, "through": through.isoformat()},
            )
    return LearningPurge(organisation, through, entries, reviews, frozenset(tables))
