"""``manage.py tighten_publications``: tighten every publication stored under an earlier
schema to the current hiding rules (results.aggregates.tighten_publication)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tryghed.core.publication import SCHEMA
from tryghed.results.aggregates import tighten_publication
from tryghed.results.models import PublishedGroup, PublishedText, ReportCache, ReportExport
from tryghed.surveys.models import Measurement, Status
from tryghed.table_rewrite import rewrite_after_purge

logger = logging.getLogger(__name__)


def _label(measurement: Measurement) -> str:
    return f"{measurement.organisation.name}: {measurement.name} (measurement {measurement.pk})"


class Command(BaseCommand):
    help = (
        "Tighten every stored publication of an earlier schema to the current hiding rules, "
        "as the first read of each would: figures the current rules hide are hidden, shown "
        "figures keep the value readers saw, files made from the old one are deleted. Says "
        "per measurement how many figures it hid, then rewrites the tables on disk, whose "
        "old row versions still hold what is hidden now. Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only say what would be hidden; store nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        stale = (
            ReportCache.objects.exclude(data__schema=SCHEMA)
            .filter(measurement__status=Status.CLOSED)
            .values_list("measurement_id", flat=True)
            .order_by("measurement_id")
        )
        measurements = Measurement.objects.select_related("organisation").filter(pk__in=list(stale))
        failed: list[Measurement] = []
        done = 0
        for measurement in measurements.order_by("pk"):
            try:
                result = tighten_publication(measurement, dry_run=dry_run)
            except Exception:
                logger.exception("could not tighten the publication of %s", measurement.pk)
                failed.append(measurement)
                continue
            if result is None:  # tightened meanwhile (a page read it first)
                continue
            done += 1
            verb = "Would hide" if dry_run else "Hid"
            self.stdout.write(
                f"{verb} {result.hidden} figures and {result.texts_removed} comments in "
                f"{_label(measurement)} (schema {result.from_schema} -> {SCHEMA}, "
                + ("compared with its answers" if result.compared_with_fresh else "answers gone")
                + ")"
            )
        if not done and not failed:
            self.stdout.write("Every publication is of the current schema.")
        if done and not dry_run:
            # The replaced rows (figures and comments hidden now, the old files) stay in the
            # tables' files until rewritten, as a purge's deleted rows do.
            models = (ReportCache, PublishedGroup, PublishedText, ReportExport)
            tables = {model._meta.db_table for model in models}
            rewrite_after_purge(tables, dry_run=False, write=self.stdout.write)
        if failed:
            raise CommandError(
                "Could not tighten (see the log): " + "; ".join(_label(m) for m in failed)
            )
