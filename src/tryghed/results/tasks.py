"""Background tasks: report files (PDF and spreadsheet), with progress on the job row."""

from __future__ import annotations

from django.tasks import task

from tryghed.results.exports import run_export


@task()
def make_report_export(export_id: int) -> str:
    """Make a queued report file; returns its final status ("done" or "failed")."""
    return str(run_export(export_id).status)
