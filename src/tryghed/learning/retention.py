"""Retention of the learning log ("sletning af situationer"): an entry is deleted on the
day it is as many months old as its organisation keeps entries (``LogSettings``, default
36 months, the APV cycle).

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
from django.utils import timezone

from tryghed.audit.services import audit_record
from tryghed.learning.models import DEFAULT_RETENTION_MONTHS, Entry, LogSettings, Review
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
class LearningPurge:
    organisation: Organisation
    # Entries written on or before this day are (or would be) deleted.
    through: dt.date
    entries: int
    reviews: int
    # The tables rows were deleted from, to rewrite on disk after commit (``table_rewrite``).
    tables: frozenset[str] = frozenset()


def _due(organisation: Organisation, through: dt.date) -> tuple[int, int]:
    return (
        Entry.objects.filter(organisation=organisation, written_on__lte=through).count(),
        Review.objects.filter(unit__organisation=organisation, reviewed_on__lte=through).count(),
    )


def due_for_purge(*, today: dt.date | None = None) -> list[LearningPurge]:
    """Per organisation with anything due, what would be deleted; nothing is changed."""
    today = today or timezone.localdate()
    months = dict(LogSettings.objects.values_list("organisation_id", "retention_months"))
    found = []
    for organisation in Organisation.objects.order_by("name", "pk"):
        through = last_day_to_delete(
            months=months.get(organisation.pk, DEFAULT_RETENTION_MONTHS), today=today
        )
        entries, reviews = _due(organisation, through)
        if entries or reviews:
            found.append(LearningPurge(organisation, through, entries, reviews))
    return found


def organisation_purge_learning(
    *, organisation: Organisation, today: dt.date | None = None
) -> LearningPurge:
    """Delete the organisation's entries (and reviews) older than its retention period.
    The audit row counts them; it holds no text and no entry's id."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # One purge of an organisation at a time (the settings may change meanwhile).
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        through = last_day_to_delete(months=retention_months(organisation), today=today)
        entries, by_model = Entry.objects.filter(
            organisation=organisation, written_on__lte=through
        ).delete()
        reviews, reviews_by_model = Review.objects.filter(
            unit__organisation=organisation, reviewed_on__lte=through
        ).delete()
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
