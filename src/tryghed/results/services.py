"""Writes of the results app: asking for a report file (the task that makes it lives in
``tasks``, the file builders in ``exports``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tryghed.audit.services import audit_record
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.results.exports import (
    KEEP_FOR,
    SCOPES,
    STALLED_AFTER,
    check_subject,
    export_fingerprint,
    file_units_below,
)
from tryghed.results.models import ExportKind, ExportStatus, ReportExport
from tryghed.results.tasks import make_report_export
from tryghed.surveys.models import Measurement


def export_request(
    *,
    access: OrgAccess,
    measurement: Measurement,
    kind: str,
    unit: Unit | None,
    scope: str,
    language: str,
    details: bool = False,
) -> ReportExport:
    """Ask for a file: the one already made from the same report data, or a new job queued
    after the commit. Every request is audit-logged, reused or not. ``details`` asks for
    the unit PDF with every instrument's details: another file than the summary."""
    subject = check_subject(access, measurement, kind, unit.pk if unit is not None else None)
    scope = (scope if scope in SCOPES else "subtree") if subject is not None else ""
    details = details and subject is not None  # only the unit PDF has a details version
    language = "en" if language.lower().startswith("en") else "da"
    fingerprint = export_fingerprint(
        measurement, file_units_below(measurement, kind, subject, scope)
    )
    now = timezone.now()
    with transaction.atomic():
        ReportExport.objects.filter(
            organisation=access.organisation, created_at__lt=now - KEEP_FOR
        ).delete()
        same = ReportExport.objects.filter(
            measurement=measurement,
            kind=kind,
            unit=subject,
            scope=scope,
            details=details,
            language=language,
            fingerprint=fingerprint,
        ).defer("content")
        existing = (
            same.filter(status=ExportStatus.DONE).order_by("-finished_at").first()
            or same.filter(
                status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING),
                created_at__gte=now - STALLED_AFTER,
            )
            .order_by("-created_at")
            .first()
        )
        reused = existing is not None
        if existing is None:
            existing = ReportExport.objects.create(
                organisation=access.organisation,
                measurement=measurement,
                kind=kind,
                unit=subject,
                scope=scope,
                details=details,
                language=language,
                requested_by=access.user,
                fingerprint=fingerprint,
            )
        export = existing
        audit_record(
            actor=access.user,
            action="report.export",
            organisation=access.organisation,
            obj=export,
            summary=f"{ExportKind(kind).label}: {measurement.name}"
            + (f", {subject.name}" if subject is not None else ""),
            data={
                "measurement": measurement.pk,
                "kind": kind,
                "unit": subject.pk if subject is not None else None,
                "scope": scope,
                "details": details,
                "language": language,
                "reused": reused,
            },
        )
        if not reused:
            export_id = export.pk
            transaction.on_commit(lambda: make_report_export.enqueue(export_id))
    return export
