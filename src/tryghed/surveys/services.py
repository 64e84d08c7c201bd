"""Writes for measurements, invitations and responses.

An answer comes in through ``response_submit``: it leaves a keyed mark (whose unique
constraint lets each invitation answer once, also under races) and the sealed answer, in
one transaction. It becomes a readable ``Response`` only in a batch of at least the
minimum group size, in another transaction (``pending_release``); see docs/anonymity.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tryghed.audit.services import audit_record
from tryghed.core.answer_codes import choice_item_ids, encode
from tryghed.core.instruments import BUILTIN_DIR, load_builtin
from tryghed.core.suppression import FLOOR_MINIMUM
from tryghed.orgs.models import Organisation, Unit
from tryghed.surveys import sealing
from tryghed.surveys.codes import (
    paper_code_display,
    paper_code_new,
)
from tryghed.surveys.hint_bits import read_back_after_commit
from tryghed.surveys.instrument_files import Problem, RefusedFile, read_upload, too_large_together
from tryghed.surveys.models import (
    Invitation,
    Measurement,
    MeasurementInstrument,
    MeasurementScope,
    OrganisationInstrument,
    PaperCode,
    PendingAnswer,
    Response,
    Status,
    SubmissionMark,
)
from tryghed.surveys.selectors import Entry as Entry
from tryghed.surveys.selectors import SubmissionRefused as SubmissionRefused
from tryghed.surveys.selectors import (
    automatic_reminders_due,
    measurement_instruments,
    offered_own_instruments,
    own_instrument_parsed,
    past_closing_day,
    people_in_scope,
    reminder_round,
    resolve_token,
    unanswered_invitation_ids,
    unit_tree_now,
)
from tryghed.surveys.selectors import is_accepting as is_accepting
from tryghed.surveys.stamps import TOKEN_BYTES as TOKEN_BYTES
from tryghed.surveys.stamps import hash_token as hash_token
from tryghed.surveys.stamps import iso_week as iso_week
from tryghed.surveys.stamps import new_token as new_token
from tryghed.table_rewrite import RELEASE_WAL_WAIT_MS, empty_sqlite_wal

if TYPE_CHECKING:
    from tryghed.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScopeEntry:
    unit: Unit
    include_subtree: bool = True


def _check_minimums(organisation: Organisation, minimums: Mapping[str, int]) -> dict[str, int]:
    chosen = {}
    org_values = {
        "score": organisation.min_group_score,
        "comment": organisation.min_group_comment,
        "sensitive": organisation.min_group_sensitive,
    }
    for kind in ("score", "comment", "sensitive"):
        value = int(minimums.get(kind, org_values[kind]))
        floor = max(FLOOR_MINIMUM[kind], org_values[kind])
        if value < floor:
            raise ValidationError(
                {
                    f"min_group_{kind}": _(
                        "Må ikke være under %(floor)s (organisationens mindstegrænse)."
                    )
                    % {"floor": floor}
                }
            )
        chosen[kind] = value
    # The publication shows comments and sensitive items from the score minimum at least
    # (``Minimums.chosen``): stored so, the privacy notice and the measurement's page quote
    # the minimums that apply, not a lower one typed beside a higher score minimum.
    for kind in ("comment", "sensitive"):
        chosen[kind] = max(chosen[kind], chosen["score"])
    return chosen


@transaction.atomic
def measurement_create(
    *,
    organisation: Organisation,
    actor: User | None,
    name: str,
    instrument_ids: Sequence[str],
    scope: Sequence[ScopeEntry],
    opens_on: dt.date,
    closes_on: dt.date,
    languages: Sequence[str] = ("da",),
    minimums: Mapping[str, int] | None = None,
    template: str = "",
    previous: Measurement | None = None,
) -> Measurement:
    """A draft measurement with frozen copies of its instruments: built-in ones, and the
    organisation's own that are not archived (their newest version)."""
    builtin = load_builtin()
    own = offered_own_instruments(organisation)
    unknown = [i for i in instrument_ids if i not in builtin and i not in own]
    if unknown:
        raise ValidationError(
            {"instruments": _("Ukendt spørgeskema: %(ids)s") % {"ids": ", ".join(unknown)}}
        )
    if not instrument_ids:
        raise ValidationError({"instruments": _("Vælg mindst ét spørgeskema.")})
    too_large = too_large_together(
        [own_instrument_parsed(own[i]) for i in dict.fromkeys(instrument_ids) if i in own]
    )
    if too_large is not None:
        raise ValidationError({"instruments": too_large})
    if not scope:
        raise ValidationError({"scope": _("Vælg mindst én enhed.")})
    if any(entry.unit.organisation_id != organisation.pk for entry in scope):
        raise ValidationError({"scope": _("En enhed hører til en anden organisation.")})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("Målingen skal lukke efter, den åbner.")})
    if not set(languages) <= {"da", "en"} or not languages:
        raise ValidationError({"languages": _("Vælg dansk og/eller engelsk.")})
    if previous is not None and previous.organisation_id != organisation.pk:
        raise ValidationError(
            {"previous": _("Den tidligere måling hører til en anden organisation.")}
        )
    chosen = _check_minimums(organisation, minimums or {})
    measurement = Measurement.objects.create(
        organisation=organisation,
        name=name.strip(),
        template=template,
        opens_on=opens_on,
        closes_on=closes_on,
        languages=list(languages),
        min_group_score=chosen["score"],
        min_group_comment=chosen["comment"],
        min_group_sensitive=chosen["sensitive"],
        previous=previous,
        created_by=actor,
    )
    directory = BUILTIN_DIR
    for position, instrument_id in enumerate(dict.fromkeys(instrument_ids)):
        if instrument_id in builtin:
            instrument = builtin[instrument_id]
            version, content_hash = instrument.version, instrument.content_hash
            source = (directory / f"{instrument_id}.yaml").read_text(encoding="utf-8")
        else:
            row = own[instrument_id]
            version, content_hash, source = row.version, row.content_hash, row.source
        MeasurementInstrument.objects.create(
            measurement=measurement,
            instrument_id=instrument_id,
            version=version,
            content_hash=content_hash,
            source=source,
            position=position,
        )
    for entry in scope:
        MeasurementScope.objects.create(
            measurement=measurement, unit=entry.unit, include_subtree=entry.include_subtree
        )
    audit_record(
        actor=actor,
        action="measurement.created",
        organisation=organisation,
        obj=measurement,
        summary=measurement.name,
        data={"instruments": list(instrument_ids), "units": [e.unit.pk for e in scope]},
    )
    return measurement


@transaction.atomic
def organisation_instrument_upload(
    *, organisation: Organisation, actor: User | None, filename: str, raw: bytes
) -> OrganisationInstrument:
    """Store an instrument file the organisation uploaded, as a new version of its id.

    Refused (``RefusedFile``, each problem with its line) when the loader refuses it, when
    it breaks what an upload must respect (``instrument_files``), or when its version is
    not newer than the newest stored of the same id: a measurement compares only the same
    version, so changed wording or points must carry a new number."""
    # One upload at a time per organisation, so two cannot both take the next version.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    rows = OrganisationInstrument.objects.filter(organisation=organisation)
    own_ids = set(rows.values_list("instrument_id", flat=True))
    instrument, text = read_upload(raw, filename=filename, own_ids=own_ids)
    newest = rows.filter(instrument_id=instrument.id).order_by("-version").first()
    if newest is not None:
        same = rows.filter(instrument_id=instrument.id, content_hash=instrument.content_hash)
        if same.exists() and instrument.version <= newest.version:
            raise RefusedFile(
                [
                    Problem(
                        None,
                        _("Filen er allerede indlæst som «%(id)s» version %(version)s.")
                        % {"id": instrument.id, "version": same.order_by("-version")[0].version},
                    )
                ]
            )
        if instrument.version <= newest.version:
            raise RefusedFile(
                [
                    Problem(
                        _version_line(text),
                        _(
                            "version: skal være højere end %(newest)s, som er den nyeste "
                            "version af «%(id)s», I har indlæst. Når ordlyd eller point "
                            "ændres, får spørgeskemaet et nyt versionsnummer."
                        )
                        % {"newest": newest.version, "id": instrument.id},
                    )
                ]
            )
    row = OrganisationInstrument.objects.create(
        organisation=organisation,
        instrument_id=instrument.id,
        version=instrument.version,
        content_hash=instrument.content_hash,
        source=text,
        filename=filename[:255],
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action="instrument.uploaded",
        organisation=organisation,
        obj=row,
        summary=f"{instrument.id} v{instrument.version}",
        data={
            "instrument": instrument.id,
            "version": instrument.version,
            "content_hash": instrument.content_hash,
            "filename": row.filename,
        },
    )
    return row


def _version_line(text: str) -> int | None:
    return next(
        (n for n, line in enumerate(text.splitlines(), 1) if line.startswith("version:")), None
    )


@transaction.atomic
def organisation_instrument_archive(
    *, instrument: OrganisationInstrument, actor: User | None, archived: bool = True
) -> None:
    """Take the instrument (every version of its id) off the list new measurements choose
    from, or put it back (``archived=False``: its newest version). Measurements made with
    it keep their frozen copy and score as before."""
    rows = OrganisationInstrument.objects.filter(
        organisation_id=instrument.organisation_id, instrument_id=instrument.instrument_id
    )
    if archived:
        rows.filter(archived_at=None).update(archived_at=timezone.now())
    else:
        rows.update(archived_at=None)
    audit_record(
        actor=actor,
        action="instrument.archived" if archived else "instrument.restored",
        organisation=instrument.organisation,
        obj=instrument,
        summary=instrument.instrument_id,
        data={"instrument": instrument.instrument_id},
    )


def measurement_freeze_tree(*, measurement: Measurement) -> list[dict[str, Any]]:
    """Store the measurement's unit tree once (privacy.md section 3, "frozen"); a tree
    already stored is kept and returned. ``measurement_open`` stores it when the people are
    invited: from then on every participation row and, after closing, every report group
    is built on it, so no reorganisation while open or later changes a group. Called again
    by ``measurement_close`` (a no-op then). Measurements opened before trees were frozen
    got theirs from migration 0006."""
    if measurement.frozen_tree is not None:
        stored: list[dict[str, Any]] = measurement.frozen_tree
        return stored
    tree = unit_tree_now(measurement)
    # Conditional: of two concurrent first computations, the first tree stays.
    unfrozen = Measurement.objects.filter(pk=measurement.pk, frozen_tree__isnull=True)
    unfrozen.update(frozen_tree=tree)
    kept: list[dict[str, Any]] = (
        Measurement.objects.values_list("frozen_tree", flat=True).get(pk=measurement.pk) or tree
    )
    measurement.frozen_tree = kept
    return kept


def _raise_to_organisation_minimums(measurement: Measurement) -> dict[str, int]:
    """A draft opens under the organisation's minimums as they are now, if they were raised
    after it was made ("Gælder nye målinger": it is new until it opens). Only ever raised:
    a minimum chosen above the organisation's stays. Returns the minimums that changed."""
    organisation = measurement.organisation
    chosen = {
        kind: max(
            getattr(measurement, f"min_group_{kind}"), getattr(organisation, f"min_group_{kind}")
        )
        for kind in ("score", "comment", "sensitive")
    }
    for kind in ("comment", "sensitive"):  # as _check_minimums stores them
        chosen[kind] = max(chosen[kind], chosen["score"])
    raised = {
        kind: value
        for kind, value in chosen.items()
        if value != getattr(measurement, f"min_group_{kind}")
    }
    for kind, value in raised.items():
        setattr(measurement, f"min_group_{kind}", value)
    if raised:
        measurement.save(update_fields=[f"min_group_{kind}" for kind in raised])
    return raised


@transaction.atomic
def measurement_open(*, measurement: Measurement, actor: User | None) -> int:
    """Open the measurement: invite everyone in scope and send the e-mails after commit.

    Returns the number of invitations created. People without an e-mail address get an
    invitation too (so the response rate counts them) and answer with a paper code.
    """
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if measurement.status != Status.DRAFT:
        raise ValidationError(_("Målingen er allerede åbnet."))
    if measurement.closes_on < timezone.localdate():
        raise ValidationError(_("Lukkedatoen er overskredet. Ret datoerne først."))
    raised = _raise_to_organisation_minimums(measurement)
    # The e-mails go out on the opening day (surveys.tasks), so that is their week.
    week = iso_week(max(measurement.opens_on, timezone.localdate()))
    invitations = [
        Invitation(
            measurement=measurement,
            person=person,
            unit=person.unit,
            sent_week=week if person.email else "",
        )
        for person in people_in_scope(measurement)
    ]
    if not invitations:
        raise ValidationError(_("Der er ingen medarbejdere i de valgte enheder."))
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    measurement.status = Status.OPEN
    measurement.response_retention_months = measurement.organisation.response_retention_months
    measurement.save(update_fields=["status", "response_retention_months"])
    # Participation is shown while the measurement is open, so its groups must not follow
    # a reorganisation either: the tree the people were invited in is the measurement's
    # tree for good (a move while open would otherwise subtract a small team's counts).
    measurement_freeze_tree(measurement=measurement)
    audit_record(
        actor=actor,
        action="measurement.opened",
        organisation=measurement.organisation,
        obj=measurement,
        summary=measurement.name,
        data={"invitations": len(invitations), **({"minimums_raised": raised} if raised else {})},
    )
    from tryghed.surveys.tasks import invitations_enqueue

    measurement_id, opens_on = measurement.pk, measurement.opens_on
    transaction.on_commit(lambda: invitations_enqueue(measurement_id, opens_on))
    return len(invitations)


@transaction.atomic
def measurement_delete_draft(*, measurement: Measurement, actor: User | None) -> None:
    """Delete a draft ("kladde") with its instruments and units. Nobody has been invited to
    a draft, so nothing else hangs on it; an opened measurement is kept (and closed)."""
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if measurement.status != Status.DRAFT:
        raise ValidationError(
            _("Kun en kladde kan slettes. En måling, der er åbnet, bliver gemt med sine svar.")
        )
    audit_record(
        actor=actor,
        action="measurement.deleted",
        organisation=measurement.organisation,
        obj=measurement,
        summary=measurement.name,
        data={
            "instruments": list(measurement.instruments.values_list("instrument_id", flat=True)),
            "previous": measurement.previous_id,
        },
    )
    measurement.delete()


@transaction.atomic
def measurement_close(*, measurement: Measurement, actor: User | None) -> Measurement:
    """Close the measurement: no more answers; the answers given are frozen."""
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if measurement.status == Status.CLOSED:
        return measurement
    if measurement.status == Status.DRAFT:
        raise ValidationError(_("En kladde kan ikke lukkes; slet den i stedet."))
    measurement.status = Status.CLOSED
    measurement.closed_at = timezone.now()
    measurement.save(update_fields=["status", "closed_at"])
    # The last batch: everything still pending, held back so it is never smaller than the
    # minimum. Submissions wait for this lock and then find the measurement closed.
    _release_locked(measurement, everything=True)
    transaction.on_commit(_checkpoint_sqlite, robust=True)
    # After the last answers are in: the groups of its reports, as the tree stands now.
    measurement_freeze_tree(measurement=measurement)
    audit_record(
        actor=actor,
        action="measurement.closed",
        organisation=measurement.organisation,
        obj=measurement,
        summary=measurement.name,
    )
    from tryghed.surveys.tasks import prepare_report

    measurement_id = measurement.pk
    transaction.on_commit(lambda: prepare_report.enqueue(measurement_id))
    return measurement


@dataclass(frozen=True)
class DueClosings:
    """What ``measurements_close_due`` did: the measurements it closed, and those whose
    closing failed (logged; they stay open and are tried again the next night)."""

    closed: list[Measurement]
    failed: list[Measurement]


def measurements_close_due(*, today: dt.date) -> DueClosings:
    """Close every open measurement whose closing day is before ``today``, as the button
    does (no actor: the audit row says the system closed it). Each in its own
    transaction, so one that fails leaves the others closed; drafts are never touched, and
    a second run finds nothing to do."""
    closed, failed = [], []
    for measurement in past_closing_day(today=today):
        try:
            closed.append(measurement_close(measurement=measurement, actor=None))
        except Exception:
            logger.exception(
                "Could not close measurement %s past its closing day %s",
                measurement.pk,
                measurement.closes_on,
            )
            failed.append(measurement)
    return DueClosings(closed=closed, failed=failed)


def measurements_remind_due(*, today: dt.date) -> list[Measurement]:
    """Send the automatic reminder round of every measurement it is due for
    (``automatic_reminders_due``), as the button does, with no actor: the audit row says
    the system sent it. Returns the measurements reminded; one whose week's round went out
    in the meantime is skipped, and a second run the same week reminds nothing again."""
    reminded = []
    for measurement in automatic_reminders_due(today=today):
        try:
            reminders_request(measurement=measurement, actor=None)
        except ValidationError:
            continue
        reminded.append(measurement)
    return reminded


@transaction.atomic
def reminders_request(*, measurement: Measurement, actor: User | None) -> int:
    """Queue reminders to everyone who has not answered. Nobody is shown who that is."""
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if not is_accepting(measurement):
        raise ValidationError(_("Der kan kun sendes påmindelser, mens målingen er åben."))
    if not reminder_round(measurement).exists():
        raise ValidationError(
            _("Ugens påmindelser er allerede sendt. Næste runde kan sendes fra mandag.")
        )
    count = len(unanswered_invitation_ids(measurement))
    # No count in the audit row: a timestamped number of non-responders, click by click,
    # would date answers finer than the batches do (red team).
    audit_record(
        actor=actor,
        action="measurement.reminded",
        organisation=measurement.organisation,
        obj=measurement,
        summary=measurement.name,
    )
    from tryghed.surveys.tasks import send_reminders

    measurement_id = measurement.pk
    transaction.on_commit(lambda: send_reminders.enqueue(measurement_id))
    return count


def paper_code_room(measurement: Measurement, unit: Unit) -> int:
    """How many more paper codes may be printed for a unit (privacy.md section 5).

    One per invitation that got no personal link at opening (``sent_week`` empty: the
    person had no e-mail address then), minus the codes printed already. E-mail
    invitations and codes together then never exceed the unit's invited headcount.
    """
    without_link = Invitation.objects.filter(
        measurement=measurement, unit=unit, sent_week=""
    ).count()
    printed = PaperCode.objects.filter(measurement=measurement, unit=unit).count()
    return max(0, without_link - printed)


@transaction.atomic
def paper_codes_print(
    *, measurement: Measurement, unit: Unit, count: int, actor: User | None
) -> list[str]:
    """New single-use codes for a unit, returned raw (formatted for print) exactly once.

    Only their hashes are stored. Printing is audit-logged: who, how many, which unit.
    """
    # The lock serialises printing for the measurement, so two printers cannot both pass
    # the cap with the same room.
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if not is_accepting(measurement):
        raise ValidationError(_("Der kan kun laves koder, mens målingen er åben."))
    if unit.organisation_id != measurement.organisation_id:
        raise ValidationError(_("Enheden hører til en anden organisation."))
    room = paper_code_room(measurement, unit)
    if count < 1:
        raise ValidationError(_("Vælg mindst én kode."))
    if count > room:
        raise ValidationError(
            ngettext(
                "Der kan højst laves %(n)s kode mere til %(unit)s: én pr. inviteret "
                "medarbejder uden e-mail, minus de koder, der allerede er lavet.",
                "Der kan højst laves %(n)s koder mere til %(unit)s: én pr. inviteret "
                "medarbejder uden e-mail, minus de koder, der allerede er lavet.",
                room,
            )
            % {"n": room, "unit": unit.name}
        )
    codes = [paper_code_new() for _ in range(count)]
    rows = PaperCode.objects.bulk_create(
        [PaperCode(measurement=measurement, unit=unit, code_hash=hash_token(c)) for c in codes]
    )
    # Read once committed, so that a code's first reader is not the lookup of its use.
    read_back_after_commit(PaperCode.objects.filter(pk__in=[row.pk for row in rows]))
    audit_record(
        actor=actor,
        action="measurement.paper_codes_printed",
        organisation=measurement.organisation,
        obj=measurement,
        summary=unit.name,
        data={"unit": unit.pk, "count": count},
    )
    return [paper_code_display(code) for code in codes]


def response_submit(
    *,
    token: str,
    answers: Mapping[str, int | list[int]],
    texts: Mapping[str, str],
    entry: Entry | None = None,
) -> None:
    """Take one anonymous answer for a token, exactly once; it becomes readable later.

    One transaction stores two rows that say nothing readable (docs/anonymity.md):
    the invitation's ``SubmissionMark`` (a keyed hash; its unique constraint refuses a
    second answer, also under races) and the answer as a sealed, padded ``PendingAnswer``.
    The invitation row is not touched. After the commit, ``pending_release`` may release
    a batch into ``Response`` rows, in another transaction.

    ``entry``: what ``resolve_token(token)`` gave earlier in the same request, so a request
    resolves its token once. Resolving again here would add nothing: a second answer with
    the same token is refused by the mark's unique constraint (also between this request's
    resolution and its insert), and a closing by the lock below.
    """
    with transaction.atomic():
        if entry is None:
            entry = resolve_token(token)
        _lock_while_accepting(entry.measurement)
        mark_sql, pending_sql = _submission_inserts()
        measurement = entry.measurement
        if entry.mark:
            try:
                # No savepoint of its own: the refusal leaves this transaction (or savepoint,
                # inside a caller's) by an exception, which rolls all of it back.
                with connection.cursor() as cursor:
                    cursor.execute(mark_sql, [measurement.pk, entry.mark])
            except IntegrityError:
                raise SubmissionRefused("used") from None
        payload = {
            "unit": entry.unit_id,
            "week": iso_week(),
            "answers": dict(answers),
            "texts": {k: v for k, v in texts.items() if v.strip()},
        }
        sealed = sealing.seal(
            measurement_id=measurement.pk,
            payload=payload,
            size=sealing.sealed_size(measurement_instruments(measurement)),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                pending_sql,
                [
                    _column_field(PendingAnswer, "id").get_db_prep_save(uuid.uuid4(), connection),
                    measurement.pk,
                    _column_field(PendingAnswer, "sealed").get_db_prep_save(sealed, connection),
                ],
            )
        # robust: the answer is in; a failed release is retried by the next one or at closing.
        transaction.on_commit(lambda: _release_after_submission(measurement), robust=True)


# The two rows of a submission, inserted with SQL written once per process (per database
# vendor) from the models' own fields: the ORM compiled each ``create`` afresh, 0.1 ms
# apiece, a fifth of the final submit's own work (issue 14). The same columns and values as
# ``create`` wrote (the mark's id from its sequence, the pending answer's a random UUID).
_SUBMISSION_SQL: dict[str, tuple[str, str]] = {}


def _column_field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _submission_inserts() -> tuple[str, str]:
    """The INSERTs of a ``SubmissionMark`` (measurement, mark) and of a ``PendingAnswer``
    (id, measurement, sealed), in this order of their parameters."""
    built = _SUBMISSION_SQL.get(connection.vendor)
    if built is None:
        quote = connection.ops.quote_name

        def insert(model: type[SubmissionMark | PendingAnswer], names: list[str]) -> str:
            columns = ", ".join(quote(str(_column_field(model, n).column)) for n in names)
            values = ", ".join(["%s"] * len(names))
            return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608

        built = (
            insert(SubmissionMark, ["measurement", "mark"]),
            insert(PendingAnswer, ["id", "measurement", "sealed"]),
        )
        _SUBMISSION_SQL[connection.vendor] = built
    return built


# --------------------------------------------------------------------------- release


def _lock_while_accepting(measurement: Measurement) -> None:
    """Hold the measurement open until this submission commits, or refuse it as closed.

    On PostgreSQL a FOR KEY SHARE lock: submissions do not block each other, but closing
    (FOR UPDATE) waits for them, and a submission that waited for a closing sees it
    closed. So no answer is left pending after the closing's final release. On SQLite
    the whole transaction holds the write lock (IMMEDIATE) and a plain read suffices.
    """
    table = Measurement._meta.db_table
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [measurement.pk])  # noqa: S608
        row = cursor.fetchone()
    if row is None or row[0] != Status.OPEN:
        raise SubmissionRefused("closed")


def _release_minimum(measurement: Measurement) -> int:
    """The smallest batch a release may have: the measurement's score minimum, and never
    below the floor, even for a row whose minimum was written past the forms."""
    return _minimum_of(measurement.min_group_score)


def _minimum_of(min_group_score: int) -> int:
    return max(FLOOR_MINIMUM["score"], min_group_score)


def _release_locked(measurement: Measurement, *, everything: bool) -> int:
    """Release pending answers of a measurement whose row the caller has locked.

    "No release is ever smaller than the minimum" (privacy.md section 1): while open,
    only when at least twice the minimum is pending, and then all but the minimum, which
    stays behind so that the closing always has a batch of at least the minimum to join.
    At closing (``everything``) all that remains goes, in one batch. Answers sealed under
    a key that is no longer in the ring stay pending (and are reported), never lost.
    """
    return _release_rows(measurement, everything=everything, minimum=_release_minimum(measurement))


def _release_rows(measurement: Measurement, *, everything: bool, minimum: int) -> int:
    """``_release_locked`` with the minimum read under the caller's lock.

    Plain SQL written once per process (``_release_sql``): the ORM compiled the pending
    rows' read, the bulk insert and the delete afresh on each release (issue 14). The same
    statements in the same order: the pending rows locked (FOR UPDATE on PostgreSQL), the
    responses inserted in their shuffled order in batches of at most 500 rows (fewer where
    the database limits a statement's parameters, as ``bulk_create`` did), the released
    pending rows deleted by id, 500 at a time."""
    sql = _release_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql.pending, [measurement.pk])
        # The ids as the database gave them (a UUID, or SQLite's hex text): only ever sent
        # back to it in the delete below.
        rows: list[tuple[Any, bytes | memoryview]] = cursor.fetchall()
    if not everything and len(rows) < 2 * minimum:
        # Too few to release even if all open: most submissions end here, so spare them
        # opening every pending answer (unreadable ones are reported by the next release).
        return 0
    opened: list[tuple[Any, dict[str, Any]]] = []
    unreadable = 0
    for pk, sealed in rows:
        try:
            opened.append((pk, sealing.unseal(measurement_id=measurement.pk, sealed=sealed)))
        except sealing.SealBroken:
            unreadable += 1
    if unreadable:
        logger.error(
            "measurement %s: %s pending answers do not open with the answer keys",
            measurement.pk,
            unreadable,
        )
    chooser = secrets.SystemRandom()
    if everything:
        chosen = opened
    elif len(opened) >= 2 * minimum:
        chosen = chooser.sample(opened, len(opened) - minimum)
    else:
        return 0
    # The week of the release, the same for the whole batch: the week each answer was
    # given would split a batch into smaller groups by time (red team, docs/anonymity.md).
    released_week = iso_week()
    # The choice answers also as bytes, in the same row (so the same transaction).
    item_ids = choice_item_ids(measurement_instruments(measurement))
    responses = [
        Response(
            id=uuid.uuid4(),
            measurement_id=measurement.pk,
            unit_id=int(payload["unit"]),
            week=released_week,
            answers=dict(payload["answers"]),
            texts=_without_nul(payload["texts"]),
            codes=encode(payload["answers"], item_ids),
        )
        for _pk, payload in chosen
    ]
    chooser.shuffle(responses)  # the insertion order (ctid) says nothing either
    fields = sql.response_fields
    batch = min(500, max(connection.ops.bulk_batch_size(fields, responses), 1))
    with connection.cursor() as cursor:
        for start in range(0, len(responses), batch):
            part = responses[start : start + batch]
            rows_sql = ", ".join([sql.response_row] * len(part))
            cursor.execute(
                f"{sql.response_insert} {rows_sql}",
                [
                    field.get_db_prep_save(getattr(response, field.attname), connection)
                    for response in part
                    for field in fields
                ],
            )
        ids = [pk for pk, _payload in chosen]
        for start in range(0, len(ids), 500):
            part_ids = ids[start : start + 500]
            cursor.execute(f"{sql.pending_delete} ({', '.join(['%s'] * len(part_ids))})", part_ids)
    return len(responses)


def _without_nul(texts: dict[str, Any]) -> dict[str, Any]:
    """The free texts with no NUL character. They are dropped as answers are read
    (``questionnaire.read_answers``), but an answer sealed before that still held one, and
    PostgreSQL's jsonb holds none: it failed every release of its measurement and the
    closing, and each failure was logged quoting the row (red team, logs and errors)."""
    return {
        key: value.replace("\x00", "") if isinstance(value, str) else value
        for key, value in texts.items()
    }


@dataclass(frozen=True)
class _ReleaseSQL:
    lock: str  # the measurement's status and minimum, its row locked: (id)
    pending: str  # the pending rows' ids and sealed answers, locked: (measurement id)
    response_insert: str  # INSERT INTO the responses (columns) VALUES, then the rows
    response_row: str  # one row's placeholders
    response_fields: tuple[Field[Any, Any], ...]  # the columns, in order
    pending_delete: str  # DELETE the pending rows WHERE id IN, then the ids


_RELEASE_SQL: dict[str, _ReleaseSQL] = {}


def _release_sql() -> _ReleaseSQL:
    """A release's statements for this database vendor, built once per process from the
    models' fields (the columns and locks the ORM's calls had)."""
    built = _RELEASE_SQL.get(connection.vendor)
    if built is None:
        quote = connection.ops.quote_name
        postgres = connection.vendor == "postgresql"

        def column(model: type[Model], name: str) -> str:
            return quote(str(_column_field(model, name).column))

        measurement, pending, response = (
            quote(model._meta.db_table) for model in (Measurement, PendingAnswer, Response)
        )
        fields = tuple(
            field for field in Response._meta.concrete_fields if isinstance(field, Field)
        )
        built = _ReleaseSQL(
            lock=(
                f"SELECT {column(Measurement, 'status')}, {column(Measurement, 'min_group_score')} "  # noqa: S608
                f"FROM {measurement} WHERE {column(Measurement, 'id')} = %s"
                + (" FOR NO KEY UPDATE" if postgres else "")
            ),
            pending=(
                f"SELECT {column(PendingAnswer, 'id')}, {column(PendingAnswer, 'sealed')} "  # noqa: S608
                f"FROM {pending} WHERE {column(PendingAnswer, 'measurement')} = %s"
                + (" FOR UPDATE" if postgres else "")
            ),
            response_insert=(
                f"INSERT INTO {response} ({', '.join(quote(str(f.column)) for f in fields)}) VALUES"
            ),
            response_row=f"({', '.join(['%s'] * len(fields))})",
            response_fields=fields,
            pending_delete=f"DELETE FROM {pending} WHERE {column(PendingAnswer, 'id')} IN",  # noqa: S608
        )
        _RELEASE_SQL[connection.vendor] = built
    return built


def _checkpoint_sqlite() -> None:
    """Empty the WAL after a release: it would otherwise show the pending rows and the
    marks of every submission since the last checkpoint. A release runs in a respondent's
    request, so it waits for readers only briefly (``RELEASE_WAL_WAIT_MS``); a WAL a reader
    kept is emptied by the next release or the closing (docs/anonymity.md)."""
    empty_sqlite_wal("a release of answers", wait_ms=RELEASE_WAL_WAIT_MS)


def _release_after_submission(measurement: Measurement) -> int:
    """After a submission has committed: ``pending_release`` when at least twice the minimum
    are pending, the least it would release from while open.

    Most submissions find fewer, so they count first, in autocommit: no locked transaction
    that would find too few anyway (on PostgreSQL its row locks make its commit a WAL flush,
    on SQLite it takes the one write lock). Nothing is missed: each submission counts after
    its own commit, so the last of any submissions committing together sees all of them.
    Whether a release happens still depends only on how many are pending, and its size is
    decided under the lock as before (``_release_locked`` reads them again there).
    """
    minimum = _release_minimum(measurement)
    # Plain SQL: the ORM's count compiled an aggregation query on every submission, about
    # 0.4 ms of a final submit's 1.5 (issue 14).
    table = PendingAnswer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE measurement_id = %s", [measurement.pk])  # noqa: S608
        (pending,) = cursor.fetchone()
    if pending < 2 * minimum:
        return 0
    return pending_release(measurement=measurement)


def pending_release(*, measurement: Measurement) -> int:
    """Release what may be released of a measurement's pending answers (after a submission
    that found enough pending; at closing everything). Returns how many became responses.

    Safe to run twice and concurrently: the measurement row is locked (FOR NO KEY UPDATE,
    which submissions' FOR KEY SHARE does not wait for) so releases take turns, and each
    sees what the previous one left.
    """
    with transaction.atomic():
        # The row's status and minimum as the lock finds them (plain SQL, ``_release_sql``);
        # the instruments are the passed measurement's (written once, at its creation).
        with connection.cursor() as cursor:
            cursor.execute(_release_sql().lock, [measurement.pk])
            row = cursor.fetchone()
        if row is None:
            raise Measurement.DoesNotExist("the measurement of a release is gone")
        status, min_group_score = row
        released = _release_rows(
            measurement,
            everything=status == Status.CLOSED,
            minimum=_minimum_of(min_group_score),
        )
    if released:
        _checkpoint_sqlite()
    return released
