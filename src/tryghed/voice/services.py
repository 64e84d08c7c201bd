"""Writes of the voice channel: raising a case, the reporter's and the receiver's steps.

The reporter is never identified, counted by user or logged: the services take no
request, no user and no address for them. What a case keeps is its organisation, unit,
receiver, kind, text, dates (never times) and the SHA-256 of the receipt code.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tryghed.audit.services import audit_record
from tryghed.orgs.models import Organisation, Unit
from tryghed.surveys.codes import paper_code_new, paper_code_normalise
from tryghed.surveys.stamps import hash_token
from tryghed.unordered_tables import write_again
from tryghed.voice.models import (
    HIDDEN_KEEP_DAYS,
    QUICK_ACKNOWLEDGEMENTS,
    SENSITIVE_KINDS,
    TEXT_MAX_LENGTH,
    Author,
    Case,
    ChannelSettings,
    HiddenReason,
    Kind,
    Message,
    MessageKind,
    Receiver,
)
from tryghed.voice.selectors import channel_settings, line_leaders, route_has_reader
from tryghed.voice.withheld import is_current as withheld_is_current
from tryghed.voice.withheld import open_withheld, seal_withheld

# Cases one organisation may receive in a day, from all addresses together: stops a flood
# from rotating addresses (the per-address throttle cannot). Counted in the database by
# the stored day, so the limit keeps nothing finer than the day (docs/voice.md).
ORGANISATION_CASES_PER_DAY = 100
# Messages the reporter may add to one case in a day: whoever holds a code cannot flood the
# receivers either. Counted by the stored day, like the limit above.
REPORTER_MESSAGES_PER_DAY = 20

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
    """Store a new case and return it with its receipt code, which is never stored.

    Offensive behaviour and violence go to the AMO whatever the reporter chose, and so does
    every case where the channel is the organisation's whistleblower scheme. A case no one
    may read (``selectors.route_has_reader``) is refused, not stored.
    """
    if receiver not in Receiver.values or kind not in Kind.values:
        raise ValidationError(_("Vælg modtager og type."))
    if kind in SENSITIVE_KINDS or channel_settings(organisation).is_whistleblower_scheme:
        receiver = Receiver.AMO
    if unit is not None and (unit.organisation_id != organisation.pk or not unit.is_active):
        raise ValidationError({"unit": _("Vælg en enhed fra listen.")})
    if receiver == Receiver.LEADER and unit is None:
        raise ValidationError({"unit": _("Vælg den enhed, sagen handler om.")})
    if not route_has_reader(organisation=organisation, unit=unit, receiver=receiver):
        # Never stored unread (the form says so first and where to go instead).
        raise ValidationError(_("Ingen kan modtage sagen lige nu."), code="no_reader")
    day = today or local_today()
    if organisation_limit_reached(organisation, day):
        raise ValidationError(_("Der er kommet usædvanligt mange sager i dag. Prøv igen i morgen."))
    code = paper_code_new()
    code_hash = receipt_code_hash(code)
    assert code_hash is not None  # a fresh code is always a code
    case_id = uuid.uuid4()
    case = Case.objects.create(
        id=case_id,
        # Frozen now, whatever roles and units change later (docs/voice.md, "No receiver
        # outside the line"): the leaders of this line are never told the case exists.
        withheld=seal_withheld(case_id, line_leaders(unit)),
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


def organisation_limit_reached(organisation: Organisation, day: dt.date) -> bool:
    """True when the organisation has received its day's number of cases."""
    raised = Case.objects.filter(organisation=organisation, opened_on=day).count()
    return raised >= ORGANISATION_CASES_PER_DAY


def _rewrite_day(organisation: Organisation, day: dt.date) -> None:
    """Write every case of the organisation raised that day again, in random order.

    A row's ``xmin`` and ``ctid`` (PostgreSQL) follow the transaction and order that wrote
    it last, its place in its page (SQLite) the order that inserted it; after this the
    cases of one day share the last raise's transaction and lie in random order, so the
    operator learns no order finer than the day (which the stored date tells anyway). Old
    row versions stay until vacuumed (docs/anonymity.md), and PostgreSQL's first line
    pointers keep the order of writing (``unordered_tables.write_again``).
    """
    # One organisation's day is written again by one transaction at a time: two at once,
    # each in its own random order, locked each other's rows and PostgreSQL aborted one of
    # them as a deadlock, with its new entry or case (red team, test_redteam_operator_2.py).
    list(Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk))
    cases = list(Case.objects.filter(organisation=organisation, opened_on=day))
    secrets.SystemRandom().shuffle(cases)
    write_again(Case, cases, "opened_on")


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
    day = today or local_today()
    written = case.messages.filter(author=Author.REPORTER, created_on=day).count()
    if written >= REPORTER_MESSAGES_PER_DAY:
        raise ValidationError(_("Du har skrevet mange beskeder i dag. Skriv igen i morgen."))
    return _add_message(
        case=case,
        author=Author.REPORTER,
        kind=MessageKind.REPLY,
        text=_clean_text(text),
        day=day,
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


@transaction.atomic
def reporter_text_hide(
    *,
    case: Case,
    actor: User,
    reason: str,
    message: Message | None = None,
    today: dt.date | None = None,
) -> None:
    """Hide the reporter's first text (``message`` None) or one of their messages.

    The reporter then reads "Beskeden er skjult af modtageren: <grund>". The text is kept
    for the AMO for HIDDEN_KEEP_DAYS days, then erased (``hidden_texts_erase``).
    """
    if reason not in HiddenReason.values:
        raise ValidationError(_("Vælg en grund."))
    target: Case | Message = case if message is None else message
    if message is not None and (message.case_id != case.pk or message.author != Author.REPORTER):
        raise ValidationError(_("Kun beskeder fra den, der skrev, kan skjules."))
    if target.hidden_on is not None:
        raise ValidationError(_("Beskeden er allerede skjult."))
    target.hidden_reason = reason
    target.hidden_on = today or local_today()
    target.save(update_fields=["hidden_reason", "hidden_on"])
    audit_record(
        actor=actor,
        action="voice.hide",
        organisation=case.organisation,
        obj=case,
        data={"reason": reason, "first_text": message is None},
    )


def hidden_texts_erase(today: dt.date) -> int:
    """Erase the texts hidden more than HIDDEN_KEEP_DAYS days ago; the number erased."""
    return sum(hidden_texts_erase_by_table(today).values())


def hidden_texts_erase_by_table(today: dt.date) -> dict[str, int]:
    """``hidden_texts_erase``, with the number erased per table. Blanking a text is an
    UPDATE: on PostgreSQL the row's old version, text and all, stays in the table's pages
    until the table is rewritten (``tasks.send_voice_reminders``, ``tryghed.table_rewrite``)."""
    before = today - dt.timedelta(days=HIDDEN_KEEP_DAYS)
    return {
        model._meta.db_table: model.objects.filter(hidden_on__lt=before)
        .exclude(text="")
        .update(text="")
        for model in (Case, Message)
    }


def withheld_reseal() -> tuple[int, int]:
    """Seal again under the current key the sets of who may not be told (``Case.withheld``)
    of open cases sealed under an older key, so that it can leave the keyring; the numbers
    sealed again and not opening (those count for no administrator)."""
    resealed = broken = 0
    for case in Case.objects.filter(closed_on__isnull=True).only("pk", "withheld"):
        if withheld_is_current(case.withheld):
            continue
        opened = open_withheld(case.pk, case.withheld)
        if opened is None:
            broken += 1
            continue
        Case.objects.filter(pk=case.pk).update(withheld=seal_withheld(case.pk, opened))
        resealed += 1
    return resealed, broken


@transaction.atomic
def channel_settings_update(
    *,
    organisation: Organisation,
    actor: User,
    procedure_text: str,
    procedure_url: str,
    is_whistleblower_scheme: bool,
    whistleblower_url: str,
) -> ChannelSettings:
    """Store the organisation's settings for Sig det (its administrator's page)."""
    current, _created = ChannelSettings.objects.get_or_create(organisation=organisation)
    before = current.is_whistleblower_scheme
    current.procedure_text = procedure_text.strip()
    current.procedure_url = procedure_url.strip()
    current.is_whistleblower_scheme = is_whistleblower_scheme
    current.whistleblower_url = "" if is_whistleblower_scheme else whistleblower_url.strip()
    current.full_clean()
    current.save()
    audit_record(
        actor=actor,
        action="voice.settings",
        organisation=organisation,
        summary=(
            "whistleblower scheme: "
            + ("on" if is_whistleblower_scheme else "off")
            + (" (changed)" if before != is_whistleblower_scheme else "")
        ),
    )
    return current


@dataclass(frozen=True)
class IdentifyingHints:
    """What in a text may point to a person: words written as names, dates and times,
    phone numbers and e-mail addresses."""

    names: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.names or self.dates or self.contacts)


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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Eight digits, alone or in groups (Danish numbers), with an optional +45 or 0045.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)45[\s-]?)?(?:\d[\s-]?){7}\d(?!\w)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Names shorter than this are too often ordinary words ("Bo", "Ea") to warn about.
_MIN_NAME_LENGTH = 3
# Words a period after which does not end a sentence ("hr. Holm", "kl. 14").
_ABBREVIATION_WORDS = (
    "hr fr frk d kl ca bl.a f.eks dvs evt jf mht osv mm nr tlf st ang vedr pga iflg"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
# Words written with a capital letter inside a sentence that point to no one: the polite
# "De", places and institutions everyone names, the channel's own words, abbreviations.
_COMMON_CAPITALISED_WORDS = """
    de dem deres danmark dansk danske københavn aarhus odense aalborg jylland fyn sjælland
    amo amr apv hr tr med mus sosu it pc tryghed sig det arbejdstilsynet kommune kommunen
    region regionen ok ja nej jul påske pinse
"""
_COMMON_CAPITALISED = frozenset(_COMMON_CAPITALISED_WORDS.split())


def _sentence_starts(text: str) -> set[int]:
    """Where the text's sentences (and lines, and quoted speech after a colon) begin."""
    starts = {0}
    for match in re.finditer(r"([.!?:;]|\n)[\s\"'»«„“”()\-–]*", text):
        end = match.start()
        if match.group(1) == ".":
            before = re.search(r"([\w.]+)$", text[:end])
            word = before.group(1).casefold() if before else ""
            if word in _ABBREVIATIONS or word[-1:].isdigit():
                continue
        starts.add(match.end())
    return starts


def _public_words(organisation: Organisation) -> set[str]:
    """Words anyone may read on the form: the organisation's and its active units' names
    and the kinds of case. None of them comes from the person register."""
    labels = [organisation.name, *(str(label) for label in Kind.labels)]
    labels += list(
        Unit.objects.filter(organisation=organisation, is_active=True).values_list(
            "name", flat=True
        )
    )
    return {w.casefold() for label in labels for w in _WORD.findall(label)}


def identifying_hints(*, organisation: Organisation, text: str) -> IdentifyingHints:
    """Words of the text written as names, and dates, times, phone numbers and e-mails.

    The form is public, so the rule never reads the person register (an outsider could
    ask it who works here): a word counts as a name when it is written with a capital
    letter inside a sentence and is not a common capitalised word, nor a word of the
    organisation's or its units' names. The first word of a sentence counts when the word
    after it does (a full name: "Kirsten Holm råbte"). The warning only asks the reporter
    to look again; it never refuses the text.
    """
    contacts = [m.group(0) for m in _EMAIL.finditer(text)]
    rest = _EMAIL.sub(" ", text)
    contacts += [m.group(0).strip() for m in _PHONE.finditer(rest)]
    rest = _PHONE.sub(" ", rest)
    starts = _sentence_starts(rest)
    ignored = _COMMON_CAPITALISED | _public_words(organisation)
    words = list(_WORD.finditer(rest))

    def name_like(match: re.Match[str]) -> bool:
        word = match.group(0)
        return (
            word[:1].isupper() and len(word) >= _MIN_NAME_LENGTH and word.casefold() not in ignored
        )

    names: list[str] = []
    for index, match in enumerate(words):
        if not name_like(match):
            continue
        if match.start() in starts:
            after = words[index + 1] if index + 1 < len(words) else None
            between = rest[match.end() : after.start()] if after else ""
            if after is None or between.strip() or not name_like(after):
                continue
        names.append(match.group(0))
    dates = [m.group(0) for m in _DATE.finditer(rest)]
    return IdentifyingHints(
        names=tuple(sorted(set(names))),
        dates=tuple(dict.fromkeys(dates)),
        contacts=tuple(dict.fromkeys(contacts)),
    )
