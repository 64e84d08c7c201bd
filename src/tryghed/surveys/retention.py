"""Retention ("sletning af besvarelser"): delete a closed measurement's answers when the
retention period its respondents were told has passed (privacy.md section 5; default 36 months, the
APV cycle). Aggregates, action plans and APV documents remain.

Before anything is deleted, the report data of the measurement, and of every closed later
wave that compares with it, is computed, stored and frozen, so the reports read the same
afterwards. A later wave still open, or a draft, does not hold the answers back past the
day the notice gave: its change figures are built from this measurement's stored
publication (n, mean and SD per group), never from its answers. Safe to run twice: a
purged measurement is skipped, and each measurement is purged in its own transaction (all
or nothing).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tryghed.audit.services import audit_record
from tryghed.surveys.models import (
    Invitation,
    InvitationToken,
    Measurement,
    PaperCode,
    PendingAnswer,
    Response,
    Status,
    SubmissionMark,
)
from tryghed.table_rewrite import deleted_tables


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day where it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def retention_months(measurement: Measurement) -> int:
    """How long the answers are kept after closing: the period the privacy notice quoted
    when the measurement opened, or the organisation's, if it has been cut since (a raise
    after opening keeps nothing longer than respondents were told)."""
    current = measurement.organisation.response_retention_months
    stored = measurement.response_retention_months
    return current if stored is None else min(stored, current)


def purge_due_on(measurement: Measurement) -> dt.date:
    """The retention period after the measurement closed, as the privacy notice says:
    from its closing day, or from the day it was closed if that came first (closed early
    with the button), never later."""
    closed = measurement.closes_on
    if measurement.closed_at is not None:
        closed = min(closed, timezone.localdate(measurement.closed_at))
    return add_months(closed, retention_months(measurement))


@dataclass(frozen=True)
class PurgeOutcome:
    measurement: Measurement
    due_on: dt.date
    responses: int


def due_for_purge(*, today: dt.date | None = None) -> list[PurgeOutcome]:
    """Closed measurements whose answers are due for deletion, oldest first, with what
    each would delete; nothing is changed."""
    today = today or timezone.localdate()
    outcomes = []
    candidates = (
        Measurement.objects.filter(status=Status.CLOSED, responses_purged_at__isnull=True)
        .select_related("organisation")
        .annotate(n_responses=Count("responses"))
        .order_by("closes_on", "pk")
    )
    for measurement in candidates:
        due_on = purge_due_on(measurement)
        if due_on > today:
            continue
        outcomes.append(
            PurgeOutcome(measurement=measurement, due_on=due_on, responses=measurement.n_responses)
        )
    return outcomes


class ReportNotStored(RuntimeError):
    """The report data could not be stored, so the answers are kept."""


def _freeze_report(measurement: Measurement, now: dt.datetime) -> set[str]:
    """Store and freeze the report data; the tables whose rows a rebuild of an earlier
    stored publication replaced (their old versions may hold texts it no longer shows)."""
    from tryghed.results.aggregates import fingerprint  # results builds on surveys
    from tryghed.results.models import PublishedGroup, PublishedText, ReportCache

    if measurement.report_frozen_at is not None:
        return set()
    stored = ReportCache.objects.filter(measurement=measurement)
    before = stored.values_list("computed_at", flat=True).first()
    fingerprint(measurement)  # builds and stores the publication
    after = stored.values_list("computed_at", flat=True).first()
    if after is None:
        raise ReportNotStored(f"report data for measurement {measurement.pk} was not stored")
    Measurement.objects.filter(pk=measurement.pk).update(report_frozen_at=now)
    if before is None or before == after:
        return set()
    return {model._meta.db_table for model in (ReportCache, PublishedGroup, PublishedText)}


@dataclass(frozen=True)
class ResponsePurge:
    responses: int
    # The tables rows were deleted from or rewritten in, to rewrite on disk after commit
    # (``table_rewrite``); empty when the measurement was purged already.
    tables: frozenset[str] = frozenset()


def measurement_purge_responses(*, measurement: Measurement) -> ResponsePurge:
    """Delete one closed measurement's answers, tokens and the invitations' link to people;
    keep its (frozen) report data and its response counts. Returns the answers deleted and
    the tables touched: the caller rewrites them after the commit (``table_rewrite``)."""
    now = timezone.now()
    tables: set[str] = set()
    with transaction.atomic():
        measurement = (
            Measurement.objects.select_for_update()
            .select_related("organisation")
            .get(pk=measurement.pk)
        )
        if measurement.responses_purged_at is not None:
            return ResponsePurge(responses=0)
        if measurement.status != Status.CLOSED:
            raise ValueError("only a closed measurement's answers can be deleted")
        # A later wave still open or a draft compares with the stored publication frozen
        # here when it closes (results.aggregates.publication_builder), so it waits for
        # nothing; a closed one is frozen with it, so its pages read the same afterwards.
        later = list(Measurement.objects.filter(previous=measurement, status=Status.CLOSED))
        for wave in [measurement, *later]:
            tables |= _freeze_report(wave, now)
        counts = {
            str(unit_id): n
            for unit_id, n in Response.objects.filter(measurement=measurement)
            .values_list("unit")
            .annotate(n=Count("pk"))
            .values_list("unit", "n")
        }
        deleted = sum(counts.values())
        gone = [
            Response.objects.filter(measurement=measurement).delete()[1],
            InvitationToken.objects.filter(invitation__measurement=measurement).delete()[1],
            # Marks say, to whoever holds the answer key, which invitations answered.
            SubmissionMark.objects.filter(measurement=measurement).delete()[1],
            PaperCode.objects.filter(measurement=measurement).delete()[1],
            # Answers sealed under a key that was lost before closing (docs/anonymity.md).
            PendingAnswer.objects.filter(measurement=measurement).delete()[1],
        ]
        for counts_by_model in gone:
            tables |= deleted_tables(counts_by_model)
        # Who was invited (and whether they answered) is personal data too; the counts stay.
        # The old row versions keep the person until the table is rewritten.
        if (
            Invitation.objects.filter(measurement=measurement, person__isnull=False).update(
                person=None
            )
            > 0
        ):
            tables.add(Invitation._meta.db_table)
        measurement.responses_purged_at = now
        measurement.purged_response_counts = counts
        measurement.save(update_fields=["responses_purged_at", "purged_response_counts"])
        audit_record(
            actor=None,
            action="measurement.responses_purged",
            organisation=measurement.organisation,
            obj=measurement,
            summary=measurement.name,
            data={"responses": deleted},
        )
    return ResponsePurge(responses=deleted, tables=frozenset(tables))
