"""The live dialogue session ("dialog på mødet"): a facilitator's big screen, phones in the room.

What is stored, and for how long, follows privacy.md sections 0 and 1 applied to a room:

- ``Placement`` is one phone's answer to one exercise while the session runs. Its id is an
  HMAC of the session, the exercise and a random token that lives only in the phone's
  cookie (the key is the application's secret, never in the database), so neither the
  facilitator nor the operator can tie two placements to the same phone, let alone to a
  person. No timestamps, no sequence: on SQLite the table is ``WITHOUT ROWID`` (migration
  0001), so not even the row order follows the order of answering. Every placement is
  deleted when the session ends.
- ``Exercise.distribution`` is what the screen showed at reveal (counts per value, never
  per person); it survives the end only when the team chose "Gem fordelingen".
- ``Note`` is what the team agreed, written by the facilitator; a focus point may point to
  the focus area it became.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.actions.models import FocusArea
from tryghed.core.suppression import FLOOR_MINIMUM
from tryghed.orgs.models import Organisation, Unit

# privacy.md section 2: a distribution needs 5 people by default, never fewer than 3.
MINIMUM_FLOOR = FLOOR_MINIMUM["score"]
CODE_LENGTH = 6
WORD_MAX_LENGTH = 120
NOTE_MAX_LENGTH = 500
FOCUS_POINTS_MAX = 3


class SessionStatus(models.TextChoices):
    ACTIVE = "active", _("I gang")
    ENDED = "ended", _("Afsluttet")


class Session(models.Model):
    """One team meeting's live dialogue session ("dialogsession")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhed")
    )
    # The short code typed on the phones; freed (None) when the session ends.
    code = models.CharField(max_length=CODE_LENGTH, unique=True, null=True, blank=True)
    minimum = models.PositiveSmallIntegerField(
        _("mindste antal svar før fordelingen kan vises"),
        validators=[MinValueValidator(MINIMUM_FLOOR)],
    )
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.ACTIVE
    )
    current = models.ForeignKey(
        "Exercise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    keep_distribution = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("dialogsession")
        verbose_name_plural = _("dialogsessioner")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum__gte=MINIMUM_FLOOR), name="dialogue_minimum_floor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.started_on:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.status == SessionStatus.ACTIVE


class ExerciseKind(models.TextChoices):
    HORSESHOE = "horseshoe", _("Hesteskoen")
    SUPPORT = "support", _("Fire former for social støtte")
    ZONES = "zones", _("De fire zoner")
    ROUND = "round", _("Bordet rundt")
    LEVERS = "levers", _("Tre greb – refleksionsspørgsmål")


class Exercise(models.Model):
    """One exercise of a session, in the order the facilitator goes through them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="exercises")
    kind = models.CharField(max_length=20, choices=ExerciseKind.choices)
    position = models.PositiveSmallIntegerField()
    revealed = models.BooleanField(default=False)
    # What the screen showed at reveal: {"n": 7, "values": {"practical": {"1": 0, ...}}}.
    distribution = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="dialogue_exercise_pos")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.position}: {self.kind}"

    @property
    def shown(self) -> dict[str, Any]:
        """What reveal stored (empty before reveal, or after an end that kept nothing)."""
        return dict(self.distribution or {})


class Placement(models.Model):
    """One phone's answer to one exercise (or one support kind) while the session runs.

    ``id`` is an HMAC (dialogue/placements.py); ``value`` a scale point or a zone number,
    ``text`` a Bordet rundt word. No time, no phone, no order."""

    id = models.CharField(primary_key=True, max_length=64)
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="placements")
    key = models.CharField(max_length=20, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=WORD_MAX_LENGTH, blank=True)

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.key}"


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    FOCUS = "focus", _("Fokuspunkt")


class Note(models.Model):
    """What the team agreed ("det aftalte"): short notes and up to three focus points."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=NoteKind.choices)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("tekst"), max_length=NOTE_MAX_LENGTH)
    focus_area = models.ForeignKey(
        FocusArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "kind", "position"]

    def __str__(self) -> str:
        return self.text[:60]
