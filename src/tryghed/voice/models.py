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


class HiddenReason(models.TextChoices):
    """Why a receiver hid a message of the reporter (moderation); the reporter is told."""

    OFFENSIVE = "offensive", _("Krænkende eller nedsættende indhold")
    IDENTIFIES = "identifies", _("Kan pege på en bestemt person")
    PERSONAL = "personal", _("Følsomme personoplysninger, fx om helbred")
    IRRELEVANT = "irrelevant", _("Reklame eller indhold, der ikke hører til her")


# A hidden text is kept for the AMO this many days after it was hidden, then erased by the
# daily job (remind_voice), so a decision can be reviewed but the text does not linger.
HIDDEN_KEEP_DAYS = 30


def _hidden_reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    return str(HiddenReason(reason).label) if reason in HiddenReason.values else reason


# Offensive behaviour and violence always go to the AMO, whatever the reporter chose, and
# both the reporter and the receiver are shown the organisation's procedure for them.
SENSITIVE_KINDS = frozenset({Kind.OFFENSIVE, Kind.VIOLENCE})


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
    # The day a leader's case passed a deadline unmet and was flagged for the AMO.
    escalated_on = models.DateField(null=True, blank=True)
    # The last day the receivers were reminded of each deadline (remind_voice): a day on or
    # before the deadline means "due soon" was sent, a later day "overdue" was sent.
    acknowledge_reminded_on = models.DateField(null=True, blank=True)
    answer_reminded_on = models.DateField(null=True, blank=True)
    # Moderation of the reporter's first text (see Message). Nullable with no default, so
    # that adding the columns on SQLite does not rebuild the WITHOUT ROWID table.
    hidden_reason = models.CharField(  # noqa: DJ001
        max_length=20, choices=HiddenReason.choices, null=True, blank=True
    )
    hidden_on = models.DateField(null=True, blank=True)
    # What the case led to ("Det blev til en handling"): a focus area or an action of the
    # case's unit, and the first day it did (kept if the plan is deleted, for the figures).
    focus_area = models.ForeignKey(
        "actions.FocusArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.ForeignKey(
        "actions.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_on = models.DateField(null=True, blank=True)
    # Who may never be told that the case exists: the leaders of its unit's line when it
    # was raised, sealed (``voice.withheld``). Nullable without a default, as above.
    withheld = models.BinaryField(null=True, blank=True, editable=False)

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

    @property
    def is_sensitive(self) -> bool:
        return self.kind in SENSITIVE_KINDS

    @property
    def is_hidden(self) -> bool:
        return self.hidden_on is not None

    @property
    def hidden_reason_display(self) -> str:
        return _hidden_reason_label(self.hidden_reason)

    def overdue(self, today: dt.date) -> bool:
        """Open, and a deadline has passed without the acknowledgement or the answer."""
        if self.is_closed:
            return False
        return (self.acknowledged_on is None and today > self.acknowledge_by) or (
            self.answered_on is None and today > self.answer_by
        )


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
    # Moderation: a receiver hid this message of the reporter; the reporter sees the reason.
    hidden_reason = models.CharField(  # noqa: DJ001
        max_length=20, choices=HiddenReason.choices, null=True, blank=True
    )
    hidden_on = models.DateField(null=True, blank=True)

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

    @property
    def is_hidden(self) -> bool:
        return self.hidden_on is not None

    @property
    def hidden_reason_display(self) -> str:
        return _hidden_reason_label(self.hidden_reason)


# Shown to reporters and receivers of offensive-behaviour and violence cases until the
# organisation writes its own procedure (ChannelSettings.procedure_text).
DEFAULT_PROCEDURE = _(
    "Krænkende handlinger (mobning, seksuel chikane og anden nedværdigende adfærd) og vold "
    "eller trusler om vold går altid til arbejdsmiljøorganisationen (AMO), ikke kun til "
    "lederen. Ledelsen har pligt til at tage sagen alvorligt, undersøge den, sørge for, at "
    "den eller de udsatte får støtte, og forebygge, at det sker igen. Det følger af "
    "bekendtgørelsen om psykisk arbejdsmiljø, og Arbejdstilsynet har vejledninger om "
    "krænkende handlinger og om arbejdsrelateret vold."
)
DEFAULT_PROCEDURE_URGENT = _(
    "Er nogen kommet til skade, eller er der brug for hjælp nu, så kontakt din leder, din "
    "arbejdsmiljørepræsentant eller din tillidsrepræsentant direkte. En arbejdsulykke skal "
    "anmeldes med navn, og det kan ikke ske anonymt her."
)


class ChannelSettings(models.Model):
    """An organisation's settings for the voice channel ("Sig det"), set by its administrator.

    Without a row the defaults apply: the default procedure text, and the channel is not
    the organisation's whistleblower scheme ("whistleblowerordning").
    """

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    procedure_text = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    procedure_url = models.URLField(blank=True)
    # The channel is the organisation's scheme under lov om beskyttelse af whistleblowere:
    # every case then goes to the AMO (the designated receivers), never to a leader.
    is_whistleblower_scheme = models.BooleanField(default=False)
    # Where the organisation's whistleblower scheme is, when it is not this channel.
    whistleblower_url = models.URLField(blank=True)

    class Meta:
        verbose_name = _("indstillinger for Sig det")
        verbose_name_plural = _("indstillinger for Sig det")

    def __str__(self) -> str:
        return f"Sig det: {self.organisation_id}"

    @property
    def procedure(self) -> str:
        return self.procedure_text or f"{DEFAULT_PROCEDURE}\n\n{DEFAULT_PROCEDURE_URGENT}"
