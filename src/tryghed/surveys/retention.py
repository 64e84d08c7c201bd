"""Retention ("sletning af besvarelser"): delete a closed measurement's answers when its
organisation's retention period has passed (privacy.md section 5; default 36 months, the
APV cycle). Aggregates, action plans and APV documents remain.

Before anything is deleted, the report data of the measurement, and of every closed later
wave that compares with it, is computed, stored and frozen, so the reports read the same
afterwards. A measurement whose answers a still running later wave needs for its change
figures waits until that wave has closed. Safe to run twice: a purged measurement is
skipped, and each measurement is purged in its own transaction (all or nothing).
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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day where it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def purge_due_on(measurement: Measurement) -> dt.date:
    return add_months(measurement.closes_on, measurement.organisation.response_retention_months)


@dataclass(frozen=True)
class PurgeOutcome:
    measurement: Measurement
    due_on: dt.date
    responses: int
    # Why it was not purged yet (a later wave still open), else "".
    waiting_for: str = ""


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
        running = (
            Measurement.objects.filter(previous=measurement)
            .exclude(status=Status.CLOSED)
            .values_list("name", flat=True)
            .first()
        )
        outcomes.append(
            PurgeOutcome(
                measurement=measurement,
                due_on=due_on,
                responses=measurement.n_responses,
                waiting_for=running or "",
            )
        )
    return outcomes


class ReportNotStored(RuntimeError):
    """The report data could not be stored, so the answers are kept."""


def _freeze_report(measurement: Measurement, now: dt.datetime) -> None:
    from tryghed.results.aggregates import fingerprint  # results builds on surveys
    from tryghed.results.models import ReportCache

    if measurement.report_frozen_at is not None:
        return
    fingerprint(measurement)  # builds and stores the publication
    if not ReportCache.objects.filter(measurement=measurement).exists():
        raise ReportNotStored(f"report data for measurement {measurement.pk} was not stored")
    Measurement.objects.filter(pk=measurement.pk).update(report_frozen_at=now)


def measurement_purge_responses(*, measurement: Measurement) -> int:
    """Delete one closed measurement's answers, tokens and the invitations' link to people;
    keep its (frozen) report data and its response counts. Returns the answers deleted."""
    now = timezone.now()
    with transaction.atomic():
        measurement = (
            Measurement.objects.select_for_update()
            .select_related("organisation")
            .get(pk=measurement.pk)
        )
        if measurement.responses_purged_at is not None:
            return 0
        if measurement.status != Status.CLOSED:
            raise ValueError("only a closed measurement's answers can be deleted")
        later = list(Measurement.objects.filter(previous=measurement))
        if any(wave.status != Status.CLOSED for wave in later):
            raise ValueError("a later wave that compares with it is still running")
        for wave in [measurement, *later]:
            _freeze_report(wave, now)
        counts = {
            str(unit_id): n
            for unit_id, n in Response.objects.filter(measurement=measurement)
            .values_list("unit")
            .annotate(n=Count("pk"))
            .values_list("unit", "n")
        }
        deleted = sum(counts.values())
        Response.objects.filter(measurement=measurement).delete()
        InvitationToken.objects.filter(invitation__measurement=measurement).delete()
        # Who was invited (and whether they answered) is personal data too; the counts stay.
        Invitation.objects.filter(measurement=measurement).update(person=None)
        # Marks say, to whoever holds the answer key, which invitations answered.
        SubmissionMark.objects.filter(measurement=measurement).delete()
        PaperCode.objects.filter(measurement=measurement).delete()
        # Answers sealed under a key that was lost before closing (docs/anonymity.md).
        PendingAnswer.objects.filter(measurement=measurement).delete()
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
    return deleted
