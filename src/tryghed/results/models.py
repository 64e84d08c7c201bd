"""Stored report aggregates: every figure a measurement's reports may show, computed once.

The cache is a copy, never a source: it is used only while its ``fingerprint`` equals the
fingerprint of everything the figures depend on (results.aggregates), so any change to
responses, thresholds, instruments or the unit tree makes it stale by construction.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.surveys.models import Measurement


class ReportCache(models.Model):
    """A measurement's report data ("rapportdata") as last computed, with what it was computed
    from. It holds only figures that passed suppression: no raw answers, no hidden counts."""

    measurement = models.OneToOneField(
        Measurement, on_delete=models.CASCADE, related_name="report_cache"
    )
    fingerprint = models.CharField(max_length=64)
    data = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rapportdata")
        verbose_name_plural = _("rapportdata")

    def __str__(self) -> str:
        return f"report data for measurement {self.measurement_id}"
