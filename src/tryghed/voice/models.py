"""The anonymous voice channel ("Sig det"): cases raised without sign-in, and the replies.

Storage follows privacy.md sections 1 and 6: a case holds no identity, no address, no
user and no session; only the SHA-256 of its receipt code; dates, never times. Ids are
random UUIDs and, on SQLite, both tables are ``WITHOUT ROWID`` (migration 0001), so no
row number follows the order in which cases were raised.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.models import Organisation, Unit

ACKNOWLEDGE_DAYS = 7
ANSWER_MONTHS = 3
TEXT_MAX_LENGTH = 2000


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Kind(models.TextChoices):
    CONCERN = "concern", _("Bekymring")
    IDEA = "idea", _("Idé")
    NEAR_MISS = "near_miss", _("Nærved-hændelse")
    MISTAKE = "mistake", _("Fejl")
    OFFENSIVE = "offensive", _("Krænkende handlinger")
    VIOLENCE = "violence", _("Vold eller trusler")


class Receiver(models.TextChoices):
    LEADER = "leader", _("Lederen af enheden")
    AMO = "amo", _("AMO/HR")


class Case(models.Model):
    """A case raised in the voice channel ("sag")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # The unit the case is about; None when the reporter chose AMO/HR without a unit.
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.CharField(max_length=10, choices=Receiver.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    code_hash = models.CharField(max_length=64, unique=True)
    opened_on = models.DateField()
    acknowledged_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("sag")
        verbose_name_plural = _("sager")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.opened_on:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def acknowledge_by(self) -> dt.date:
        return self.opened_on + dt.timedelta(days=ACKNOWLEDGE_DAYS)

    @property
    def answer_by(self) -> dt.date:
        return add_months(self.opened_on, ANSWER_MONTHS)


class Author(models.TextChoices):
    REPORTER = "reporter", _("Dig, der skrev")
    RECEIVER = "receiver", _("Modtageren")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Svar")
    ACKNOWLEDGEMENT = "ack", _("Kvittering")
    # Seen by receivers only, never by the reporter.
    NOTE = "note", _("Intern note")


# The receiver's quick acknowledgements ("kvitteringer"): stored by key, shown translated.
QUICK_ACKNOWLEDGEMENTS: dict[str, Promise] = {
    "read": _("Tak, vi har læst det."),
    "meeting": _("Vi tager det op på næste møde."),
    "investigating": _("Vi undersøger det."),
}


class Message(models.Model):
    """A message in a case after the first text: replies, acknowledgements, internal notes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    position = models.PositiveIntegerField()
    author = models.CharField(max_length=10, choices=Author.choices)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_on = models.DateField()

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="voice_message_position")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.position}"

    @property
    def display_text(self) -> str:
        """The text as shown: a quick acknowledgement in the reader's language."""
        if self.kind == MessageKind.ACKNOWLEDGEMENT and self.text in QUICK_ACKNOWLEDGEMENTS:
            return str(QUICK_ACKNOWLEDGEMENTS[self.text])
        return self.text
