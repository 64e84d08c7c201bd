"""Measurements ("målinger"), invitations and anonymous responses.

Unlinkability is built into the tables (privacy.md section 1; docs/anonymity.md):

- ``Invitation`` knows the person (to send the link and reminders), never whether they
  answered; it stores only hashes of its tokens, and no time finer than the ISO week.
- ``SubmissionMark`` says that *some* invitation of a measurement has answered: a keyed
  hash that only the application (holding the answer key) can match to an invitation.
- ``PendingAnswer`` holds a submitted answer, sealed and padded, until it is released in
  a batch of at least the minimum group size.
- ``Response`` has no reference to an invitation, a person or a session: a random UUID,
  the unit as of the invitation, the ISO week, and the answers. Nothing else.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.models import Organisation, Person, Unit


class Status(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    OPEN = "open", _("Åben")
    CLOSED = "closed", _("Lukket")


class Measurement(models.Model):
    """A survey of some units with some instruments, open between two dates."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="measurements"
    )
    name = models.CharField(_("navn"), max_length=200)
    template = models.CharField(_("skabelon"), max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(_("åbner"))
    closes_on = models.DateField(_("lukker"))
    languages = models.JSONField(_("sprog"), default=list)
    min_group_score = models.PositiveSmallIntegerField(default=5)
    min_group_comment = models.PositiveSmallIntegerField(default=10)
    min_group_sensitive = models.PositiveSmallIntegerField(default=10)
    # The earlier measurement of the same units this one is compared with (a wave).
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Retention (privacy.md section 5): when the answers were deleted, and how many there
    # were per unit (the response rate needs the counts afterwards).
    responses_purged_at = models.DateTimeField(null=True, blank=True)
    # The organisation's retention period when the measurement opened, which the privacy
    # notice quoted to its respondents: a later raise does not keep their answers longer
    # (a later cut shortens it, stored here by ``organisation_update_settings`` so that a
    # raise after the cut cannot undo it; ``retention.retention_months``). None while a draft.
    response_retention_months = models.PositiveSmallIntegerField(null=True, blank=True)
    purged_response_counts = models.JSONField(default=dict, blank=True)
    # From then on the stored report data is final: it cannot be recomputed from answers
    # that no longer exist (this wave's, or the earlier wave it compares with).
    report_frozen_at = models.DateTimeField(null=True, blank=True)
    # The unit tree as it stood at closing (privacy.md section 3, "frozen at closing"):
    # [{"id", "parent", "path", "depth", "name", "active"}, ...] in path order. A closed
    # measurement's groups are these units, whatever happens to the organisation later.
    frozen_tree = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("måling")
        verbose_name_plural = _("målinger")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="measurement_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeasurementInstrument(models.Model):
    """An instrument as it was when the measurement was created (a frozen copy)."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="instruments"
    )
    instrument_id = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    # The YAML it was loaded from, so old results score with the wording that was asked.
    source = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "instrument_id"], name="instrument_once_per_measurement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version}"


class OrganisationInstrument(models.Model):
    """An instrument file an organisation uploaded ("eget spørgeskema"), for example a
    licensed COPSOQ version: one row per version, in the format of the built-in files
    (docs/instrument-format.md). A measurement freezes the source when it is created
    (``MeasurementInstrument``), so archiving or a newer version never changes it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="own_instruments"
    )
    instrument_id = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    source = models.TextField()
    filename = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Not offered for new measurements from then on; measurements made with it keep it.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("eget spørgeskema")
        verbose_name_plural = _("egne spørgeskemaer")
        ordering = ["instrument_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument_id", "version"],
                name="own_instrument_version_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version}"


class MeasurementScope(models.Model):
    """A unit in scope, alone or with its whole subtree."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="scope")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    include_subtree = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measurement", "unit"], name="scope_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}{' +' if self.include_subtree else ''}"


class Invitation(models.Model):
    """One person's right to answer once. Knows who, never what."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    # The unit the response is counted in (as of the invitation, not of the answer).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # ISO weeks ("2026-W47"), never a finer time.
    sent_week = models.CharField(max_length=8, blank=True)
    reminded_week = models.CharField(max_length=8, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "person"], name="invitation_once_per_person"
            ),
        ]
        # Participation counts invitations per unit of a measurement (2,000 units).
        indexes = [models.Index(fields=["measurement", "unit"])]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class InvitationToken(models.Model):
    """The SHA-256 of a link token. Every reminder issues a new token for the same invitation,
    because the raw token is never stored and so cannot be sent again."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"token for invitation {self.invitation_id}"


class PaperCode(models.Model):
    """A single-use code on a paper slip ("papirkode") for someone without e-mail
    (privacy.md section 5).

    Printed for one unit of an open measurement, at most one per invited person of that
    unit who got no personal link, and handed out at random: a code belongs to no one.
    Only the hash is stored; the raw codes are shown once, on the printable page. Whether
    a code has been used is a ``SubmissionMark`` keyed like an invitation's, so the
    database does not show which codes (or how many of a unit's) have answered.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="paper_codes"
    )
    # The unit the answer counts in.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [models.Index(fields=["measurement", "unit"])]

    def __str__(self) -> str:
        return "paper code"


class SubmissionMark(models.Model):
    """That one invitation of the measurement has answered ("besvaret"), as a keyed hash:
    HMAC(answer key, "<measurement id>:<invitation id>"). The unique constraint lets each
    invitation answer exactly once, even under races; without the key (which is not in the
    database) nobody can tell which invitation a mark belongs to."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="+")
    mark = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measurement", "mark"], name="submission_mark_once"),
        ]

    def __str__(self) -> str:
        return "submission mark"


class PendingAnswer(models.Model):
    """A submitted answer not yet released: AES-GCM sealed, padded to a size fixed per
    measurement, under a key that is not in the database (``surveys.sealing``). Released
    into ``Response`` rows in shuffled batches of at least the minimum group size."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return "pending answer"


class Response(models.Model):
    """An anonymous response. No reference to the invitation, the person or the session.

    Written only by a batch release (``services.pending_release``), in shuffled order; on
    SQLite the table is ``WITHOUT ROWID`` (migration 0004), so no row number follows the
    order in which people answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # The ISO week of the submission, never a finer time.
    week = models.CharField(max_length=8)
    # {"ps7.1": 2, ...}: option codes; a missing key is an unanswered item.
    answers = models.JSONField(default=dict)
    # {"hesteskoen.2": "..."}: free text as written; shown in random order, without dates.
    texts = models.JSONField(default=dict, blank=True)
    # The choice answers again as one byte each (``core.answer_codes``), written with the
    # row, for the publication builder; None where the answers are read from the JSON.
    codes = models.BinaryField(null=True)

    class Meta:
        indexes = [models.Index(fields=["measurement", "unit"])]

    def __str__(self) -> str:
        return f"response {self.pk}"
