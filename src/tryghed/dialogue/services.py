"""Writes of the live dialogue session: start, answer, reveal, end.

A participant is never identified, counted by user or logged: ``placement_set`` takes the
phone's random token (from its cookie) and stores only an HMAC of it with the exercise,
so the same phone's placements in two exercises cannot be matched in the database. The
facilitator's steps (start, reveal, end) are audit-logged; participants never are.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tryghed.actions import services as action_services
from tryghed.actions.selectors import Figure
from tryghed.audit.services import audit_record
from tryghed.dialogue import exercises
from tryghed.dialogue.models import (
    CODE_LENGTH,
    FOCUS_POINTS_MAX,
    MINIMUM_FLOOR,
    NOTE_MAX_LENGTH,
    WORD_MAX_LENGTH,
    Exercise,
    ExerciseKind,
    Note,
    NoteKind,
    Placement,
    Session,
    SessionStatus,
)
from tryghed.dialogue.selectors import answer_count, reveal_minimum
from tryghed.orgs.models import Organisation, Unit
from tryghed.surveys.models import Measurement
from tryghed.table_rewrite import empty_sqlite_wal

if TYPE_CHECKING:
    from tryghed.accounts.models import User

# No 0/O, 1/I/L: read off a projector across a room and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_BYTES = 32
HMAC_SALT = "tryghed.dialogue.placement"


def phone_token_new() -> str:
    """The random token that tells one phone's answers apart; it lives only in the cookie."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def placement_id(*, exercise: Exercise, key: str, token: str) -> str:
    """The stored id of a phone's placement: an HMAC with the application's secret key,
    which is not in the database, of the exercise, the question and the phone's token."""
    return salted_hmac(
        HMAC_SALT, f"{exercise.pk}\x00{key}\x00{token}", algorithm="sha256"
    ).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def lowest_minimum(organisation: Organisation) -> int:
    """A session's minimum may raise the organisation's, never lower it (privacy.md
    section 2), and is never below the floor of 3."""
    return max(MINIMUM_FLOOR, organisation.min_group_score)


@transaction.atomic
def session_start(*, unit: Unit, actor: User | None, minimum: int | None = None) -> Session:
    """A session for the unit's meeting, with every exercise, the first on the screen."""
    organisation = unit.organisation
    floor = lowest_minimum(organisation)
    minimum = floor if minimum is None else minimum
    if minimum < floor:
        raise ValidationError(
            {"minimum": _("Mindst %(floor)s svar, før en fordeling kan vises.") % {"floor": floor}}
        )
    session = None
    for _attempt in range(20):
        try:
            with transaction.atomic():
                session = Session.objects.create(
                    organisation=organisation,
                    unit=unit,
                    code=_new_code(),
                    minimum=minimum,
                    started_by=actor,
                    started_on=timezone.localdate(),
                )
            break
        except IntegrityError:
            continue
    if session is None:
        raise ValidationError(_("Der kunne ikke dannes en kode. Prøv igen."))
    created = Exercise.objects.bulk_create(
        Exercise(session=session, kind=kind, position=n)
        for n, kind in enumerate(exercises.ORDER, start=1)
    )
    session.current = created[0]
    session.save(update_fields=["current"])
    audit_record(
        actor=actor,
        action="dialogue.session_started",
        organisation=organisation,
        obj=session,
        summary=unit.name,
        data={"unit": unit.pk, "minimum": minimum},
    )
    return session


def _checkpoint_sqlite() -> None:
    """Empty SQLite's WAL after the placements are deleted: it would otherwise still hold
    the pages they were written to (secure_delete clears the database file itself)."""
    empty_sqlite_wal("a dialogue session ended")


def session_by_code(typed: str) -> Session | None:
    code = code_normalise(typed)
    if len(code) != CODE_LENGTH:
        return None
    return (
        Session.objects.filter(code=code, status=SessionStatus.ACTIVE)
        .select_related("current", "organisation", "unit")
        .first()
    )


def _check_active(session: Session) -> None:
    if not session.is_active:
        raise ValidationError(_("Sessionen er afsluttet."))


@transaction.atomic
def session_show(*, session: Session, exercise: Exercise) -> Session:
    """Put another exercise on the screen (and on the phones)."""
    _check_active(session)
    if exercise.session_id != session.pk:
        raise ValidationError(_("Øvelsen hører til en anden session."))
    session.current = exercise
    session.save(update_fields=["current"])
    return session


def _clean_answers(exercise: Exercise, answers: Mapping[str, str]) -> dict[str, int | str]:
    shown = exercises.content(exercise.kind, "da")
    if shown.collects == exercises.Collects.NOTHING:
        raise ValidationError(_("Denne øvelse indsamler ingen svar."))
    cleaned: dict[str, int | str] = {}
    for key in shown.keys:
        # No NUL: a text column on PostgreSQL cannot hold one (a server error).
        raw = (answers.get(key) or "").replace("\x00", "").strip()
        if shown.collects == exercises.Collects.TEXT:
            text = " ".join(raw.split())
            if not text:
                raise ValidationError({key: _("Skriv ét ord eller én sætning.")})
            if len(text) > WORD_MAX_LENGTH:
                raise ValidationError({key: _("Højst %(max)s tegn.") % {"max": WORD_MAX_LENGTH}})
            cleaned[key] = text
            continue
        if not raw.isdigit() or int(raw) not in shown.values:
            raise ValidationError({key: _("Vælg et svar.")})
        cleaned[key] = int(raw)
    return cleaned


@transaction.atomic
def placement_set(*, exercise: Exercise, token: str, answers: Mapping[str, str]) -> None:
    """Store or change one phone's answer to the exercise on the screen, until reveal.

    Nothing here knows the phone beyond the HMAC; no time is stored. A phone's second
    answer overwrites its first (one phone, one placement per question)."""
    session = Session.objects.select_for_update().get(pk=exercise.session_id)
    _check_active(session)
    exercise = Exercise.objects.get(pk=exercise.pk)
    if session.current_id != exercise.pk:
        raise ValidationError(_("Øvelsen er ikke længere på skærmen."))
    if exercise.revealed:
        raise ValidationError(_("Fordelingen er vist; svarene kan ikke længere ændres."))
    if len(token) < TOKEN_BYTES:
        raise ValidationError(_("Åbn sessionen igen med koden."))
    for key, value in _clean_answers(exercise, answers).items():
        Placement.objects.update_or_create(
            id=placement_id(exercise=exercise, key=key, token=token),
            defaults={
                "exercise": exercise,
                "key": key,
                "value": value if isinstance(value, int) else None,
                "text": value if isinstance(value, str) else "",
            },
        )


def phone_answers(*, exercise: Exercise, token: str) -> dict[str, int | str]:
    """What this phone answered. The phone page asks only whether it has (it may change its
    answer), and never shows it again: a borrowed phone would tell it."""
    shown = exercises.content(exercise.kind, "da")
    ids = {placement_id(exercise=exercise, key=key, token=token): key for key in shown.keys}
    found: dict[str, int | str] = {}
    for placement in Placement.objects.filter(pk__in=list(ids)):
        found[ids[placement.pk]] = (
            placement.text if shown.collects == exercises.Collects.TEXT else placement.value or 0
        )
    return found


def _distribution(exercise: Exercise, count: int) -> dict[str, Any]:
    """Counts per value and question, or the words in a random order; never per phone."""
    shown = exercises.content(exercise.kind, "da")
    if shown.collects == exercises.Collects.TEXT:
        words = list(Placement.objects.filter(exercise=exercise).values_list("text", flat=True))
        random.SystemRandom().shuffle(words)
        return {"n": count, "words": words}
    values: dict[str, dict[str, int]] = {
        key: {str(v): 0 for v in shown.values} for key in shown.keys
    }
    for key, value in Placement.objects.filter(exercise=exercise).values_list("key", "value"):
        if key in values and str(value) in values[key]:
            values[key][str(value)] += 1
    return {"n": count, "values": values}


@transaction.atomic
def exercise_reveal(*, exercise: Exercise, actor: User | None) -> Exercise:
    """Show the distribution: only once at least the session's minimum have answered.

    After this no phone can answer or change its answer, so a bar that grows later cannot
    point at whoever answered late."""
    session = Session.objects.select_for_update().get(pk=exercise.session_id)
    _check_active(session)
    exercise = Exercise.objects.get(pk=exercise.pk)
    if exercise.revealed:
        return exercise
    count = answer_count(exercise)
    needed = reveal_minimum(exercise, session)
    if count < needed:
        raise ValidationError(
            _("Fordelingen vises først, når mindst %(minimum)s har svaret.") % {"minimum": needed}
        )
    exercise.distribution = _distribution(exercise, count)
    exercise.revealed = True
    exercise.save(update_fields=["distribution", "revealed"])
    audit_record(
        actor=actor,
        action="dialogue.revealed",
        organisation=session.organisation,
        obj=session,
        summary=exercise.get_kind_display(),
        data={"exercise": exercise.kind, "n": count},
    )
    return exercise


@dataclass(frozen=True)
class FocusPoint:
    """A focus point the team agreed; with a figure it becomes a focus area."""

    text: str
    figure: Figure | None = None


@transaction.atomic
def session_end(
    *,
    session: Session,
    actor: User | None,
    notes: Sequence[str],
    focus_points: Sequence[FocusPoint],
    keep_distribution: bool,
    measurement: Measurement | None = None,
) -> Session:
    """End the session: store what the team agreed, delete every placement, free the code.

    The revealed distributions stay only when the team chose "Gem fordelingen", and the
    words of "Bordet rundt" never do. A focus point with a figure of the unit's latest
    closed measurement becomes a focus area (actions.services.focus_area_create)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _check_active(session)
    points = [p for p in focus_points if p.text.strip()]
    texts = [n.strip() for n in notes if n.strip()]
    if len(points) > FOCUS_POINTS_MAX:
        raise ValidationError(
            _("Højst %(max)s fokuspunkter: vælg de vigtigste.") % {"max": FOCUS_POINTS_MAX}
        )
    if any(len(t) > NOTE_MAX_LENGTH for t in [*texts, *(p.text.strip() for p in points)]):
        raise ValidationError(_("Højst %(max)s tegn pr. note.") % {"max": NOTE_MAX_LENGTH})
    if any(p.figure is not None for p in points) and measurement is None:
        raise ValidationError(_("Vælg den måling, fokusområdet tager udgangspunkt i."))
    for position, text in enumerate(texts, start=1):
        Note.objects.create(session=session, kind=NoteKind.NOTE, position=position, text=text)
    for position, point in enumerate(points, start=1):
        focus = None
        if point.figure is not None and measurement is not None:
            focus = action_services.focus_area_create(
                unit=session.unit,
                measurement=measurement,
                actor=actor,
                kind=point.figure.kind,
                instrument_id=point.figure.instrument_id,
                figure_id=point.figure.figure_id,
                title=point.text.strip(),
                baseline=point.figure.baseline(),
            )
        Note.objects.create(
            session=session,
            kind=NoteKind.FOCUS,
            position=position,
            text=point.text.strip(),
            focus_area=focus,
        )
    Placement.objects.filter(exercise__session=session).delete()
    for exercise in session.exercises.all():
        keep = keep_distribution and exercise.revealed and exercise.kind != ExerciseKind.ROUND
        if not keep and exercise.distribution is not None:
            exercise.distribution = None
            exercise.save(update_fields=["distribution"])
    session.status = SessionStatus.ENDED
    session.ended_on = timezone.localdate()
    session.code = None
    session.current = None
    session.keep_distribution = keep_distribution
    session.save(update_fields=["status", "ended_on", "code", "current", "keep_distribution"])
    transaction.on_commit(_checkpoint_sqlite)
    audit_record(
        actor=actor,
        action="dialogue.session_ended",
        organisation=session.organisation,
        obj=session,
        summary=session.unit.name,
        data={
            "notes": len(texts),
            "focus_points": len(points),
            "focus_areas": sum(1 for p in points if p.figure is not None),
            "kept_distribution": keep_distribution,
        },
    )
    return session
