"""A finished report file in the browser tests' world, so the crawl reaches its status page."""

from __future__ import annotations

from django.utils import timezone

from tests.conftest import World
from tryghed.results import exports
from tryghed.results.models import ExportKind, ExportStatus, ReportExport
from tryghed.surveys.models import Measurement, Status


def report_export(world: World) -> int:
    """Team A's unit PDF of the organisation's latest closed measurement, made and current:
    the leader, the AMO and the administrator may open it."""
    measurement = Measurement.objects.filter(organisation=world.org, status=Status.CLOSED).latest(
        "pk"
    )
    export = ReportExport.objects.create(
        organisation=world.org,
        measurement=measurement,
        kind=ExportKind.UNIT_PDF,
        unit=world.team_a,
        scope="subtree",
        requested_by=world.leader,
        status=ExportStatus.DONE,
        progress=100,
        fingerprint=exports.export_fingerprint(measurement),
        filename="Enhedsrapport - Team A.pdf",
        content_type=exports.PDF,
        content=b"%PDF-1.7 (crawl)",
        size=16,
        finished_at=timezone.now(),
    )
    return export.pk
