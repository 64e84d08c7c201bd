"""The stored publication: every figure a closed measurement's reports may show, written
once when it closes (privacy.md section 3, "frozen at closing").

It is stored as a header (``ReportCache``: the frozen unit tree, instruments, minimums and
measurement-level statistics), one row per group (``PublishedGroup``: a unit's own
respondents, its subtree, or the whole measurement, with all of that group's figures or
the reason it is hidden) and one row per shown free-text answer (``PublishedText``, each
once, in the order of a seeded hash of each text, which looks random and follows from the
text alone: core.publication.Report._comments; a group's comments name theirs by index).
A page loads the header and the rows of the groups it may show and of their texts
(results.aggregates.publication), so what a reader can see is what those rows hold.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.results.jsontext import JsonText
from tryghed.surveys.models import Measurement


class ReportCache(models.Model):
    """A measurement's publication header ("rapportdata"): the stored publication JSON
    without its groups and texts, and the ``fingerprint`` (hash) of the whole publication. It holds
    only figures that passed suppression: no raw answers, no hidden counts."""

    measurement = models.OneToOneField(
        Measurement, on_delete=models.CASCADE, related_name="report_cache"
    )
    fingerprint = models.CharField(max_length=64)
    data = models.JSONField()
    # The measurement's participation rows as suppressed at closing (surveys.participation,
    # privacy.md section 4), stored with the figures: its counts are final once it is
    # closed, and the organisation report, its files and the audit read them here rather
    # than counting every answer per unit on each request. Null for a header stored before
    # it was kept here (results.aggregates.participation fills it on the first read).
    participation = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rapportdata")
        verbose_name_plural = _("rapportdata")

    def __str__(self) -> str:
        return f"report data for measurement {self.measurement_id}"


class PublishedGroup(models.Model):
    """One group of a measurement's publication: its figures as stored JSON (one entry of
    the publication's ``groups``), at its ``slot``. Written with the header, never changed."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="published_groups"
    )
    slot = models.PositiveIntegerField()
    data = JsonText()

    class Meta:
        verbose_name = _("offentliggjort gruppe")
        verbose_name_plural = _("offentliggjorte grupper")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "slot"], name="results_published_group_slot"
            )
        ]

    def __str__(self) -> str:
        return f"group {self.slot} of measurement {self.measurement_id}"


class PublishedText(models.Model):
    """One shown free-text answer of a measurement's publication, at its ``index`` in the
    publication's texts (random order, no date, no group: the groups name it)."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="published_texts"
    )
    index = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        verbose_name = _("offentliggjort kommentar")
        verbose_name_plural = _("offentliggjorte kommentarer")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "index"], name="results_published_text_index"
            )
        ]

    def __str__(self) -> str:
        return f"text {self.index} of measurement {self.measurement_id}"


class ExportKind(models.TextChoices):
    UNIT_PDF = "unit_pdf", _("Enhedsrapport (PDF)")
    ORGANISATION_PDF = "organisation_pdf", _("Organisationsrapport (PDF)")
    EXCEL = "excel", _("Tal til regneark (Excel)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("I gang")
    DONE = "done", _("Klar")
    FAILED = "failed", _("Fejlet")


class ReportExport(models.Model):
    """A downloadable report file ("eksport"): a PDF or a spreadsheet, made in the background.

    The file is kept in the database, not on disk: every app server can serve it without a
    shared file system, it is deleted with its measurement, and it holds only report data
    (suppressed figures), so it is no more sensitive than the page it copies. ``fingerprint``
    names the report data (and unit names) it was made from; a file whose fingerprint no
    longer matches is stale and is made again rather than served.
    """

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="report_exports"
    )
    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="report_exports"
    )
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # "unit" (the unit's own respondents) or "subtree"; empty for organisation-wide files.
    scope = models.CharField(max_length=10, blank=True, default="")
    # A unit PDF with every instrument's details (per question, distributions, agreement)
    # rather than the summary alone: another file. Always false for the other kinds.
    details = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="da")
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True, default="")
    fingerprint = models.CharField(max_length=64)
    filename = models.CharField(max_length=200, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapporteksport")
        verbose_name_plural = _("rapporteksporter")
        indexes = [models.Index(fields=["measurement", "kind", "fingerprint"])]

    def __str__(self) -> str:
        return f"{self.kind} export {self.pk} of measurement {self.measurement_id}"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
