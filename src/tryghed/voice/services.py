"""Writes of the voice channel: raising a case, the reporter's and the receiver's steps.

The reporter is never identified, counted by user or logged: the services take no
request, no user and no address for them. What a case keeps is its organisation, unit,
receiver, kind, text, dates (never times) and the SHA-256 of the receipt code.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tryghed.audit.services import audit_record
from tryghed.orgs.models import Organisation, Person, Unit
from tryghed.surveys.codes import paper_code_new, paper_code_normalise
from tryghed.surveys.stamps import hash_token
from tryghed.voice.models import (
    QUICK_ACKNOWLEDGEMENTS,
    TEXT_MAX_LENGTH,
    Author,
    Case,
    Kind,
    Message,
    MessageKind,
    Receiver,
)

if TYPE_CHECKING:
    from tryghed.accounts.models import User


def receipt_code_hash(code: str) -> str | None:
    """The stored hash of a receipt code as typed, or None when it cannot be a code.

    Receipt codes have the paper codes' shape and strength (80 bits, surveys/codes.py):
    only the SHA-256 is stored, and guessing is online only and throttled.
    """
    normalised = paper_code_normalise(code)
    return hash_token(f"voice:{normalised}") if normalised is not None else None


def local_today() -> dt.date:
    return timezone.localdate()


def receipt_code_normalised(code: str) -> str:
    """The code as typed, normalised for showing it again; empty when it cannot be one."""
    return paper_code_normalise(code) or ""


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Skriv, hvad det handler om.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Teksten må højst være %(n)s tegn.") % {"n": TEXT_MAX_LENGTH}}
        )
    return text


@transaction.atomic
def case_raise(
    *,
    organisation: Organisation,
    unit: Unit | None,
    receiver: str,
    kind: str,
    text: str,
    today: dt.date | None = None,
) -> tuple[Case, str]:
    """Store a new case and return it with its receipt code, which is never stored."""
    if receiver not in Receiver.values or kind not in Kind.values:
        raise ValidationError(_("Vælg modtager og type."))
    if unit is not None and (unit.organisation_id != organisation.pk or not unit.is_active):
        raise ValidationError({"unit": _("Vælg en enhed fra listen.")})
    if receiver == Receiver.LEADER and unit is None:
        raise ValidationError({"unit": _("Vælg den enhed, sagen handler om.")})
    day = today or local_today()
    code = paper_code_new()
    code_hash = receipt_code_hash(code)
    assert code_hash is not None  # a fresh code is always a code
    case = Case.objects.create(
        organisation=organisation,
        unit=unit,
        receiver=receiver,
        kind=kind,
        text=_clean_text(text),
        code_hash=code_hash,
        opened_on=day,
    )
    _rewrite_day(organisation, day)
    return case, code


def _rewrite_day(organisation: Organisation, day: dt.date) -> None:
    """Write every case of the organisation raised that day again, in random order.

    On PostgreSQL a row's ``xmin`` and ``ctid`` follow the transaction and order that
    wrote it last; after this the cases of one day share the last raise's transaction and
    lie in random order, so the operator learns no order finer than the day (which the
    stored date tells anyway). Old row versions stay until vacuumed (docs/anonymity.md).
    """
    ids = list(
        Case.objects.filter(organisation=organisation, opened_on=day).values_list("pk", flat=True)
    )
    secrets.SystemRandom().shuffle(ids)
    for pk in ids:
        Case.objects.filter(pk=pk).update(opened_on=day)


def case_for_code(*, organisation: Organisation, code: str) -> Case | None:
    """The organisation's case with this receipt code, or None: a mistyped code, an unknown
    one and another organisation's are the same answer."""
    code_hash = receipt_code_hash(code)
    if code_hash is None:
        return None
    return Case.objects.filter(organisation=organisation, code_hash=code_hash).first()


def _add_message(*, case: Case, author: str, kind: str, text: str, day: dt.date) -> Message:
    # The case row is locked so that two messages at once get different positions.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    last = case.messages.aggregate(last=Max("position"))["last"] or 0
    return Message.objects.create(
        case=case, position=last + 1, author=author, kind=kind, text=text, created_on=day
    )


def _refuse_closed(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("Sagen er lukket."))


@transaction.atomic
def reporter_reply(*, case: Case, text: str, today: dt.date | None = None) -> Message:
    _refuse_closed(case)
    return _add_message(
        case=case,
        author=Author.REPORTER,
        kind=MessageKind.REPLY,
        text=_clean_text(text),
        day=today or local_today(),
    )


@transaction.atomic
def case_close(*, case: Case, today: dt.date | None = None) -> Case:
    """The reporter closes the case; it can still be read, not answered."""
    _refuse_closed(case)
    case.closed_on = today or local_today()
    case.save(update_fields=["closed_on"])
    return case


@transaction.atomic
def receiver_acknowledge(
    *, case: Case, actor: User, which: str, today: dt.date | None = None
) -> Message:
    _refuse_closed(case)
    if which not in QUICK_ACKNOWLEDGEMENTS:
        raise ValidationError(_("Vælg en kvittering."))
    day = today or local_today()
    message = _add_message(
        case=case, author=Author.RECEIVER, kind=MessageKind.ACKNOWLEDGEMENT, text=which, day=day
    )
    if case.acknowledged_on is None:
        case.acknowledged_on = day
        case.save(update_fields=["acknowledged_on"])
    audit_record(actor=actor, action="voice.acknowledge", organisation=case.organisation, obj=case)
    return message


@transaction.atomic
def receiver_reply(*, case: Case, actor: User, text: str, today: dt.date | None = None) -> Message:
    """A written answer: it acknowledges the case too, if nothing had yet."""
    _refuse_closed(case)
    day = today or local_today()
    message = _add_message(
        case=case, author=Author.RECEIVER, kind=MessageKind.REPLY, text=_clean_text(text), day=day
    )
    case.acknowledged_on = case.acknowledged_on or day
    case.answered_on = case.answered_on or day
    case.save(update_fields=["acknowledged_on", "answered_on"])
    audit_record(actor=actor, action="voice.reply", organisation=case.organisation, obj=case)
    return message


@transaction.atomic
def receiver_note(*, case: Case, actor: User, text: str, today: dt.date | None = None) -> Message:
    """An internal note: receivers see it, the reporter never does."""
    message = _add_message(
        case=case,
        author=Author.RECEIVER,
        kind=MessageKind.NOTE,
        text=_clean_text(text),
        day=today or local_today(),
    )
    audit_record(actor=actor, action="voice.note", organisation=case.organisation, obj=case)
    return message


@dataclass(frozen=True)
class IdentifyingHints:
    """What in a text may point to a person: names of people in the organisation, dates."""

    names: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.names or self.dates)


_MONTHS = (
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_WEEKDAYS = "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|i går|i forgårs"
_DATE = re.compile(
    rf"\b\d{{1,2}}[./-]\d{{1,2}}(?:[./-]\d{{2,4}})?\b"
    rf"|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b"
    rf"|\b(?:{_WEEKDAYS})\b"
    rf"|\bkl\.?\s*\d{{1,2}}(?:[.:]\d{{2}})?\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Names shorter than this are too often ordinary words ("Bo", "Ea") to warn about.
_MIN_NAME_LENGTH = 3


def identifying_hints(*, organisation: Organisation, text: str) -> IdentifyingHints:
    """Words of the text that are names of people in the organisation, and dates or times.

    A name counts when the text writes it with a capital letter, as names are written;
    the warning only asks the reporter to look again, it never refuses the text.
    """
    words = {w for w in _WORD.findall(text) if w[:1].isupper() and len(w) >= _MIN_NAME_LENGTH}
    names: set[str] = set()
    if words:
        folded = {w.casefold(): w for w in words}
        for name in Person.objects.filter(organisation=organisation, is_active=True).values_list(
            "name", flat=True
        ):
            for part in _WORD.findall(name):
                if part.casefold() in folded:
                    names.add(folded[part.casefold()])
    dates = tuple(dict.fromkeys(m.group(0) for m in _DATE.finditer(text)))
    return IdentifyingHints(names=tuple(sorted(names)), dates=dates)
