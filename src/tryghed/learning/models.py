"""The learning log ("Det gik ikke som planlagt"): what did not go as a team had hoped.

Seed 000 ("At kunne tale om det, der ikke går, som vi havde håbet på") sorts such
situations into three kinds after Amy Edmondson: basale, komplekse and intelligente
fejl, each with its own fitting response. A team writes entries, named or anonymous,
and reviews them at its meetings.

An anonymous entry holds no author at all: no user, no person, no session, no time of day
(privacy.md sections 1 and 6, applied to a signed-in writer). Ids are random UUIDs and, on
SQLite, the entry table is ``WITHOUT ROWID`` (migration 0001), so no row number follows
the order of writing. docs/learning.md says what holds and what does not.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.models import Organisation, Unit

TEXT_MAX_LENGTH = 2000
# How long entries are kept when the administrator has not chosen: the APV cycle, as for
# the survey answers (privacy.md section 5), so three years of the log reach the next APV.
DEFAULT_RETENTION_MONTHS = 36
# At least one quarter, so an entry reaches a meeting; at most ten years.
MIN_RETENTION_MONTHS = 3
MAX_RETENTION_MONTHS = 120
# The audit action of a change of the period; its data is {"retention_months": [old, new]}
# (learning.retention reads the history to apply the shortest period since writing).
SETTINGS_CHANGED = "learning.settings_changed"


class Kind(models.TextChoices):
    """Seed 000's three types of situations where things do not go as planned."""

    BASIC = "basic", _("Basal fejl")
    COMPLEX = "complex", _("Kompleks fejl")
    INTELLIGENT = "intelligent", _("Intelligent fejl")


class Entry(models.Model):
    """One situation in a team's learning log ("en situation i læringsloggen")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Empty until the team has sorted it (in the form, or later at the meeting).
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    what_happened = models.TextField(max_length=TEXT_MAX_LENGTH)
    lesson = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    # Named entries only: the writer chose to show their name. Anonymous: both empty.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField(max_length=200, blank=True)
    # Dates, never times: a time of day could be matched with a sign-in or a request log.
    written_on = models.DateField()
    reviewed_on = models.DateField(null=True, blank=True)
    forwarded_on = models.DateField(null=True, blank=True)
    # The lesson became an action in a plan of the unit ("handling").
    action = models.ForeignKey(
        "actions.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("situation i læringsloggen")
        verbose_name_plural = _("situationer i læringsloggen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author__isnull=True) | ~models.Q(author_name=""),
                name="learning_entry_author_has_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or '-'} {self.written_on:%Y-%m-%d}"

    @property
    def is_anonymous(self) -> bool:
        return not self.author_name


class Review(models.Model):
    """A team went through its log at a meeting ("Gennemgået på mødet") on that day."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("gennemgang af læringsloggen")
        verbose_name_plural = _("gennemgange af læringsloggen")
        ordering = ["unit", "-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.reviewed_on:%Y-%m-%d}"


class LogSettings(models.Model):
    """An organisation's settings for the learning log, set by its administrator.

    Without a row the defaults apply (``DEFAULT_RETENTION_MONTHS``).
    """

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # An entry is deleted on the day it is this many months old (learning.retention).
    retention_months = models.PositiveSmallIntegerField(
        _("måneder en situation gemmes"),
        default=DEFAULT_RETENTION_MONTHS,
        validators=[
            MinValueValidator(MIN_RETENTION_MONTHS),
            MaxValueValidator(MAX_RETENTION_MONTHS),
        ],
    )

    class Meta:
        verbose_name = _("indstillinger for læringsloggen")
        verbose_name_plural = _("indstillinger for læringsloggen")

    def __str__(self) -> str:
        return f"Læringslog: {self.organisation_id}"
