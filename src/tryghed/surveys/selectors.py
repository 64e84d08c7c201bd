"""Reads of measurements: those scoped to the acting user's access, and the plain reads the
services, tasks and reports build on (a measurement's instruments, scope, unit tree, and
which invitations have answered). Nothing here writes, and nothing imports services."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Count, Field, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tryghed.core import disclosure
from tryghed.core.instruments import Instrument, parse_instrument, with_builtin_display
from tryghed.orgs.models import Organisation, Person, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.surveys import participation, sealing
from tryghed.surveys.codes import paper_code_mark, paper_code_marks, paper_code_normalise
from tryghed.surveys.models import (
    Invitation,
    InvitationToken,
    Measurement,
    OrganisationInstrument,
    PaperCode,
    Response,
    Status,
    SubmissionMark,
)
from tryghed.surveys.stamps import hash_token, iso_week


def open_for_own_units(access: OrgAccess) -> list[Measurement]:
    """Measurements taking answers today that invited one of the user's own units (as an
    employee), closing first first. Read from the units the measurement invited when it
    opened (an invitation's unit is frozen then), never from the user's own invitation or
    from submission marks, so what it gives is the same whether the user answered or not
    (privacy.md: no one learns whether a named person answered). Not from today's scope
    either: a unit moved or created under a scope unit after opening got no invitations,
    and its people are not to be told that a link is in their e-mail."""
    if not access.employee_unit_ids:
        return []
    today = timezone.localdate()
    invited = Invitation.objects.filter(unit_id__in=access.employee_unit_ids).values(
        "measurement_id"
    )
    return list(
        Measurement.objects.filter(
            organisation=access.organisation,
            status=Status.OPEN,
            opens_on__lte=today,
            closes_on__gte=today,
            pk__in=invited,
        ).order_by("closes_on", "pk")
    )


def measurements(access: OrgAccess) -> QuerySet[Measurement]:
    if not access.can_manage_measurements:
        return Measurement.objects.none()
    # No raw counts here: participation is shown only through surveys.participation,
    # suppressed (privacy.md section 4).
    return Measurement.objects.filter(organisation=access.organisation)


def get_measurement(access: OrgAccess, measurement_id: int) -> Measurement:
    try:
        return measurements(access).get(pk=measurement_id)
    except Measurement.DoesNotExist:
        raise Http404 from None


# --------------------------------------------------------------------------- own instruments


def own_instruments(access: OrgAccess) -> QuerySet[OrganisationInstrument]:
    """Every version of the instruments the organisation uploaded, for those who make
    measurements; newest version of each id first."""
    if not access.can_manage_measurements:
        return OrganisationInstrument.objects.none()
    return OrganisationInstrument.objects.filter(organisation=access.organisation)


def get_own_instrument(access: OrgAccess, instrument_pk: int) -> OrganisationInstrument:
    try:
        return own_instruments(access).get(pk=instrument_pk)
    except OrganisationInstrument.DoesNotExist:
        raise Http404 from None


def offered_own_instruments(organisation: Organisation) -> dict[str, OrganisationInstrument]:
    """The instruments a new measurement of the organisation may use, by id: the newest
    version of each, unless it is archived."""
    offered: dict[str, OrganisationInstrument] = {}
    seen: set[str] = set()
    for row in OrganisationInstrument.objects.filter(organisation=organisation).order_by(
        "instrument_id", "-version"
    ):
        if row.instrument_id in seen:
            continue
        seen.add(row.instrument_id)
        if row.archived_at is None:
            offered[row.instrument_id] = row
    return offered


def own_instrument_parsed(row: OrganisationInstrument) -> Instrument:
    """The uploaded file as an instrument (it was checked when it was uploaded)."""
    return _parse_cached(row.source, row.content_hash)


@dataclass(frozen=True)
class PaperCodeRow:
    """A unit whose invited people include some without a personal link."""

    unit: Unit
    without_link: int
    printed: int

    @property
    def room(self) -> int:
        return max(0, self.without_link - self.printed)


def paper_code_units(measurement: Measurement) -> list[PaperCodeRow]:
    """Per unit: invitations without a personal link, and paper codes printed for it.

    Never how many codes have been used: that is a per-measurement figure only.
    """
    without_link = dict(
        Invitation.objects.filter(measurement=measurement, sent_week="")
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    printed = dict(
        PaperCode.objects.filter(measurement=measurement)
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    units = Unit.objects.filter(pk__in=set(without_link) | set(printed)).order_by("path")
    return [PaperCodeRow(u, without_link.get(u.pk, 0), printed.get(u.pk, 0)) for u in units]


def paper_code_counts(measurement: Measurement) -> tuple[int, int]:
    """(printed, used) paper codes of the measurement: how many answers came by code.

    A figure for the whole measurement, never per unit or per person. "Used" is read
    through the answer key (``codes.paper_code_marks``), which the database lacks. Raw:
    publish it through ``paper_code_counts_shown``. After retention the codes and marks
    are gone and this is (0, 0).
    """
    code_ids = list(PaperCode.objects.filter(measurement=measurement).values_list("pk", flat=True))
    if not code_ids:
        return 0, 0
    marks = {m for code_id in code_ids for m in paper_code_marks(measurement.pk, code_id)}
    found = set(
        SubmissionMark.objects.filter(measurement=measurement, mark__in=marks).values_list(
            "mark", flat=True
        )
    )
    used = sum(
        1
        for code_id in code_ids
        if any(m in found for m in paper_code_marks(measurement.pk, code_id))
    )
    return len(code_ids), used


def paper_code_counts_shown(
    measurement: Measurement,
    beside: Callable[[], Sequence[disclosure.Figure]] | Sequence[disclosure.Figure] = (),
) -> tuple[int, int] | None:
    """``paper_code_counts`` where it may be published, else None.

    The code holders and the others are two groups of the measurement (section 4): each
    must have 0 or at least the participation minimum invited and answered, or the split
    tells whether the one or two people with a code answered. Used codes count at
    submission, before answers are released in batches, so only a closed measurement
    (everything released) shows them: a live count would date one person's answer.

    ``beside``: the publication's figures its readers see beside the line (counts over
    units, ``results.audit.publication_figures``), or a function giving them; the line is
    checked with them too (``_code_line_is_safe``). A function is called only when the
    checks before that one pass: at closing the figures of a publication of 200,000
    answers took seconds to list, for a line that most measurements (no codes printed)
    refuse at once. Pages show the line as stored with the publication
    (``results.aggregates.paper_codes``), which passes them.
    """
    if measurement.status != Status.CLOSED or measurement.responses_purged_at is not None:
        return None
    printed, used = paper_code_counts(measurement)
    if printed == 0:  # before counting the answers (200,000 rows at closing)
        return None
    invited = Invitation.objects.filter(measurement=measurement).count()
    answered = Response.objects.filter(measurement=measurement).count()
    minimum = participation.PARTICIPATION_MINIMUM
    parts = (printed, used, invited - printed, answered - used)
    if any(0 < n < minimum for n in parts):
        return None
    # "5 af 5 koder er brugt" says each code holder answered (privacy.md section 0): each
    # part needs the minimum who answered and the minimum who did not, as participation rows.
    for n_invited, n_answered in ((printed, used), (invited - printed, answered - used)):
        if n_invited > 0 and (n_answered < minimum or n_invited - n_answered < minimum):
            return None
    figures = beside() if callable(beside) else beside
    if not _code_line_is_safe(measurement, printed, used, minimum, figures):
        return None
    return printed, used


def _code_line_is_safe(
    measurement: Measurement,
    printed: int,
    used: int,
    minimum: int,
    beside: Sequence[disclosure.Figure] = (),
) -> bool:
    """Whether the answers-by-code count, beside the shown participation rows and the
    publication's figures (``beside``), lets no one derive a group of 1..minimum-1 (the
    subtraction solver decides): a unit row minus the code answers would otherwise give
    that unit's e-mail answers when its codes were all printed for it, and so would a
    unit's own group ("kun egne svar", which no row shows): Værkstedet's own n of 7 minus
    5 code answers gave its 2 e-mail answers (tests/privacy/test_redteam_org_views.py).
    Each unit's people are split into code holders and the others. A reader who takes
    everyone who answered for someone counted in a figure takes the code answers for
    people of every population of the publication, so the count joins each, and the rows'
    answered count joins the publication's pool (same people where the counts agree)."""
    rows, _total = participation.response_rates(measurement)
    members = participation.group_members(measurement)
    code_units = frozenset(
        f"{u}:code"
        for u in PaperCode.objects.filter(measurement=measurement).values_list("unit_id", flat=True)
    )
    mid = f"m{measurement.pk}"  # the publication's pool (results.audit)
    figures: list[disclosure.Figure] = []
    # Those who answered and those who did not are both counts of people (section 4).
    for population in ("answered", "not answered"):
        for row in rows:
            if not row.shown or row.responses is None or row.invited is None:
                continue
            atoms = frozenset(
                f"{u}:{kind}" for u in members.get(row.unit_id, ()) for kind in ("code", "mail")
            )
            n = row.responses if population == "answered" else row.invited - row.responses
            pool = mid if population == "answered" else ""
            figures.append(
                disclosure.Figure(population, row.name, atoms, int(n), minimum, pool=pool)
            )
        n = used if population == "answered" else printed - used
        pool = mid if population == "answered" else ""
        figures.append(
            disclosure.Figure(population, "papirkoder", code_units, n, minimum, pool=pool)
        )
    minimums: dict[str, int] = {}
    for figure in beside:
        if figure.pool != mid:
            continue  # an earlier wave's "before": other people
        atoms = frozenset(f"{u}:{kind}" for u in figure.atoms for kind in ("code", "mail"))
        figures.append(replace(figure, atoms=atoms))
        minimums[figure.population] = max(minimums.get(figure.population, 0), figure.minimum)
    for population, at_least in minimums.items():
        figures.append(
            disclosure.Figure(population, "papirkoder", code_units, used, at_least, pool=mid)
        )
    if not disclosure.audit(figures).ok:
        return False
    return _code_split_is_safe(measurement, rows, members, minimum)


def _code_split_is_safe(
    measurement: Measurement,
    rows: Iterable[participation.RateRow],
    members: dict[int, frozenset[str]],
    minimum: int,
) -> bool:
    """Whether the code line, beside the rows, lets no one derive a set that is all or none
    answered, or narrow one down to fewer than the minimum (the audit above finds only
    exact sets of 1..minimum-1): ``participation.code_line_is_safe`` on the regions of
    the shown rows, each split into its code holders and its others."""
    shown = [members.get(r.unit_id, frozenset()) for r in rows if r.shown]
    invited = dict(
        Invitation.objects.filter(measurement=measurement)
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    answered = dict(
        Response.objects.filter(measurement=measurement)
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    codes: dict[int, list[uuid.UUID]] = {}
    for code_id, unit_id in PaperCode.objects.filter(measurement=measurement).values_list(
        "pk", "unit_id"
    ):
        codes.setdefault(unit_id, []).append(code_id)
    marks = {m for ids in codes.values() for c in ids for m in paper_code_marks(measurement.pk, c)}
    found = set(
        SubmissionMark.objects.filter(measurement=measurement, mark__in=marks).values_list(
            "mark", flat=True
        )
    )
    code_part = {
        unit: (
            len(ids),
            sum(1 for c in ids if any(m in found for m in paper_code_marks(measurement.pk, c))),
        )
        for unit, ids in codes.items()
    }

    def region_of(unit: str) -> frozenset[str] | None:
        holding = [g for g in shown if unit in g]
        if not holding:
            return None
        smallest = min(holding, key=len)
        inner = [g for g in shown if g < smallest]
        return smallest.difference(*inner)

    outside = [0, 0]  # printed and used codes of units in no shown row
    regions: dict[frozenset[str], None] = {}
    for unit, (n_printed, n_used) in code_part.items():
        region = region_of(str(unit))
        if region is None:
            outside[0] += n_printed
            outside[1] += n_used
        else:
            regions[region] = None
    split = [
        participation.CodeRegion(
            printed=sum(code_part.get(int(u), (0, 0))[0] for u in region),
            used=sum(code_part.get(int(u), (0, 0))[1] for u in region),
            invited=sum(invited.get(int(u), 0) for u in region),
            answered=sum(answered.get(int(u), 0) for u in region),
        )
        for region in regions
    ]
    if outside[0]:
        split.append(
            participation.CodeRegion(
                printed=outside[0], used=outside[1], invited=0, answered=0, shown=False
            )
        )
    return participation.code_line_is_safe(split, minimum)


# Participation lives in its own module (suppressed counts, privacy.md section 4); the
# names stay importable from here for the pages that show it.
RateRow = participation.RateRow
response_rates = participation.response_rates


def unanswered_with_email(measurement: Measurement) -> int:
    return len(unanswered_invitation_ids(measurement))


# --------------------------------------------------------------------------- plain reads


@lru_cache(maxsize=256)
def _parse_cached(source: str, content_hash: str) -> Instrument:
    # A copy frozen before its file declared ``display`` still shows as the file says now.
    return with_builtin_display(
        parse_instrument(source, file=f"measurement instrument {content_hash[:12]}")
    )


# A measurement's instruments never change after it is created (``measurement_create``
# writes them once), so each process reads them once per measurement: the respondent's
# every step needs them. Keyed with the creation time too, so a reused id (a test
# database rolled back) never meets another measurement's instruments.
_INSTRUMENTS: dict[tuple[int, dt.datetime], tuple[Instrument, ...]] = {}
_INSTRUMENTS_LIMIT = 256


def measurement_instruments(measurement: Measurement) -> list[Instrument]:
    """The measurement's instruments, as frozen when it was created."""
    key = (measurement.pk, measurement.created_at)
    kept = _INSTRUMENTS.get(key)
    if kept is None:
        kept = tuple(
            _parse_cached(source, content_hash)
            for source, content_hash in measurement.instruments.order_by("position").values_list(
                "source", "content_hash"
            )
        )
        if measurement.pk is not None and kept:
            if len(_INSTRUMENTS) >= _INSTRUMENTS_LIMIT:
                _INSTRUMENTS.clear()
            _INSTRUMENTS[key] = kept
    return list(kept)


# ------------------------------------------------------------ the respondent's way in


@dataclass(frozen=True)
class Opened:
    """What a link token or a paper code opens: the invitation's or code's id, the unit
    its answer counts in, and the measurement (with its organisation loaded)."""

    pk: int | uuid.UUID
    unit_id: int
    measurement: Measurement


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _column(field: Field[Any, Any]) -> str:
    return connection.ops.quote_name(str(field.column))


def _columns(
    model: type[Model], alias: str, leave_out: frozenset[str] = frozenset()
) -> list[tuple[Field[Any, Any], str]]:
    return [(field, alias) for field in model._meta.concrete_fields if field.name not in leave_out]


# What a respondent's request never reads of the measurement: the unit tree frozen at its
# opening (JSON that grows with the organisation: every request of the walk parsed it, 15
# of the lookup's 130 microseconds for 21 units, about 0.4 ms for 500) and the counts of a
# purge (after closing, when every link is refused). Left out of the lookup, they are
# deferred on the instance: reading one costs a query of its own, which the walk's query
# counts would show.
_NOT_FOR_RESPONDENTS = frozenset({"frozen_tree", "purged_response_counts"})


def _select_list(columns: Sequence[tuple[Field[Any, Any], str]]) -> str:
    return ", ".join(f"{alias}.{_column(field)}" for field, alias in columns)


# (index in the row, the column as the ORM sees it, the converters its value goes through)
_Conversion = tuple[int, Any, tuple[Any, ...]]


def _conversions(columns: Sequence[tuple[Field[Any, Any], str]]) -> list[_Conversion]:
    """How the ORM turns these columns' values into Python (dates and UUIDs on SQLite,
    JSON): only the columns that need it. They depend on the database's vendor only."""
    plan = []
    for index, (field, alias) in enumerate(columns):
        column = field.get_col(alias)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            plan.append((index, column, tuple(converters)))
    return plan


# The lookups of the respondent's every request, written out once per process: the ORM
# compiled this join afresh on each call, which took a third of a respondent's request
# (docs/benchmarks.md, "Survey submissions"). Built from the models' own field lists.
_OPENED_SQL: dict[tuple[str, str], tuple[str, list[_Conversion]]] = {}


def _opened_query(kind: str) -> tuple[str, list[_Conversion]]:
    key = (connection.vendor, kind)
    built = _OPENED_SQL.get(key)
    if built is not None:
        return built

    def column(model: type[Model], name: str) -> str:
        return _column(_field(model, name))

    def table(model: type[Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    holder: type[Model] = Invitation if kind == "invitation" else PaperCode
    columns: list[tuple[Field[Any, Any], str]] = [
        (_field(holder, "id"), "h"),
        (_field(holder, "unit"), "h"),
        *_columns(Measurement, "m", _NOT_FOR_RESPONDENTS),
        *_columns(Organisation, "o"),
    ]
    m_id, o_id, h_id = (column(model, "id") for model in (Measurement, Organisation, holder))
    joins = (
        f"FROM {table(Measurement)} m JOIN {table(Organisation)} o "
        f"ON o.{o_id} = m.{column(Measurement, 'organisation')} "
        f"JOIN {table(holder)} h ON h.{column(holder, 'measurement')} = m.{m_id} "
    )
    if kind == "invitation":
        joins += (
            f"JOIN {table(InvitationToken)} t ON t.{column(InvitationToken, 'invitation')} = h.{h_id} "
            f"WHERE t.{column(InvitationToken, 'token_hash')} = %s"
        )
    else:
        joins += f"WHERE h.{column(PaperCode, 'code_hash')} = %s"
    built = (f"SELECT {_select_list(columns)} {joins}", _conversions(columns))
    _OPENED_SQL[key] = built
    return built


def opened_by(kind: str, key_hash: str) -> Opened | None:
    """The invitation (``kind`` "invitation", by a link token's hash) or the paper code
    ("paper_code", by its code's hash) and its measurement, in one query; None if none."""
    sql, conversions = _opened_query(kind)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, converters in conversions:
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    measurement_fields = [
        f.attname for f, _alias in _columns(Measurement, "m", _NOT_FOR_RESPONDENTS)
    ]
    n_measurement = len(measurement_fields)
    measurement = Measurement.from_db(
        connection.alias, measurement_fields, values[2 : 2 + n_measurement]
    )
    measurement.organisation = Organisation.from_db(
        connection.alias,
        [f.attname for f in Organisation._meta.concrete_fields],
        values[2 + n_measurement :],
    )
    return Opened(pk=values[0], unit_id=values[1], measurement=measurement)


def marked(measurement_id: int, marks: Sequence[str]) -> bool:
    """Whether any of these submission marks is stored: an invitation's or a code's
    marks under every key of the ring, so whether it has answered."""
    if not marks:
        return False
    placeholders = ", ".join(["%s"] * len(marks))
    sql = (
        f"SELECT 1 FROM {connection.ops.quote_name(SubmissionMark._meta.db_table)} "  # noqa: S608
        f"WHERE {_column(_field(SubmissionMark, 'measurement'))} = %s "
        f"AND {_column(_field(SubmissionMark, 'mark'))} IN ({placeholders}) LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [measurement_id, *marks])
        return cursor.fetchone() is not None


# --------------------------------------------------------------------------- a link token


def is_accepting(measurement: Measurement, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        measurement.status == Status.OPEN and measurement.opens_on <= today <= measurement.closes_on
    )


def past_closing_day(*, today: dt.date) -> list[Measurement]:
    """Open measurements of every organisation whose closing day is over (``closes_on``
    before ``today``), oldest first: the nightly closing's list. A measurement closing
    today stays open all day, as ``resolve_token`` refuses answers only after it."""
    return list(
        Measurement.objects.filter(status=Status.OPEN, closes_on__lt=today)
        .select_related("organisation")
        .order_by("closes_on", "pk")
    )


#: Tryghed sends a reminder round by itself when this many days are left to the closing day
#: (``tryghed remind-measurements``, daily), unless a round went out that week already.
AUTOMATIC_REMINDER_DAYS = 3
#: ... and not to invitations younger than this: a reminder the day after is only noise.
AUTOMATIC_REMINDER_AFTER_DAYS = 2


def automatic_reminders_due(*, today: dt.date) -> list[Measurement]:
    """Open measurements of every organisation whose automatic reminder round is due:
    accepting answers, at most ``AUTOMATIC_REMINDER_DAYS`` days left (the closing day
    counted), open at least ``AUTOMATIC_REMINDER_AFTER_DAYS`` days, and no round sent in
    the week those last days began (by the button or by an earlier run). Oldest first."""
    candidates = (
        Measurement.objects.filter(
            status=Status.OPEN,
            opens_on__lte=today - dt.timedelta(days=AUTOMATIC_REMINDER_AFTER_DAYS),
            closes_on__gte=today,
            closes_on__lte=today + dt.timedelta(days=AUTOMATIC_REMINDER_DAYS),
        )
        .select_related("organisation")
        .order_by("closes_on", "pk")
    )
    due = []
    for measurement in candidates:
        stretch = iso_week(measurement.closes_on - dt.timedelta(days=AUTOMATIC_REMINDER_DAYS))
        # A round marks every invitation with a link, answered or not (``reminder_round``).
        if not Invitation.objects.filter(
            measurement=measurement, reminded_week__gte=stretch
        ).exists():
            due.append(measurement)
    return due


class SubmissionRefused(Exception):
    """Why a submission was not stored: "unknown", "used", "closed", "not_open"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    """Where a respondent came in: a personal invitation or a paper code."""

    measurement: Measurement
    unit_id: int
    invitation_id: int | None = None
    paper_code_id: uuid.UUID | None = None
    # The SubmissionMark that answering leaves (current key); "" where none is left.
    mark: str = ""


def resolve_token(token: str) -> Entry:
    """Find what a link token opens, or refuse with the reason (never store anything).

    Two queries: the invitation or code with its measurement, then whether it has answered.
    Whether it has answered is asked only while the measurement accepts answers: a closed
    (or not yet open) measurement refuses every link of it alike, so a link found later (in
    a shared computer's history, a forwarded e-mail) does not tell whether its person
    answered (tests/privacy/test_redteam_outsider.py).
    """
    opened = opened_by("invitation", hash_token(token))
    if opened is not None:
        invitation_id = int(opened.pk)
        entry = Entry(
            measurement=opened.measurement,
            unit_id=opened.unit_id,
            invitation_id=invitation_id,
            mark=sealing.current_mark(opened.measurement.pk, invitation_id),
        )
        marks = sealing.all_marks(opened.measurement.pk, invitation_id)
    else:
        # A paper code (privacy.md section 5), typed or from its QR code: answers once,
        # in the unit it was printed for, and leaves a keyed mark like an invitation's.
        code = paper_code_normalise(token)
        opened = opened_by("paper_code", hash_token(code)) if code is not None else None
        if opened is None:
            raise SubmissionRefused("unknown")
        code_id = uuid.UUID(str(opened.pk))
        entry = Entry(
            measurement=opened.measurement,
            unit_id=opened.unit_id,
            paper_code_id=code_id,
            mark=paper_code_mark(opened.measurement.pk, code_id),
        )
        marks = paper_code_marks(opened.measurement.pk, code_id)
    measurement, today = entry.measurement, timezone.localdate()
    if measurement.status == Status.CLOSED or today > measurement.closes_on:
        raise SubmissionRefused("closed")
    if measurement.status != Status.OPEN or today < measurement.opens_on:
        raise SubmissionRefused("not_open")
    if marked(measurement.pk, marks):
        raise SubmissionRefused("used")
    return entry


def scope_units(measurement: Measurement) -> QuerySet[Unit]:
    """Every active unit the measurement covers (scope units and, where asked, their subtrees)."""
    query = Q(pk__in=[])
    for entry in measurement.scope.select_related("unit"):
        query |= (
            Q(path__startswith=entry.unit.path) if entry.include_subtree else Q(pk=entry.unit.pk)
        )
    return (
        Unit.objects.filter(organisation=measurement.organisation, is_active=True)
        .filter(query)
        .order_by("path")
    )


def people_in_scope(measurement: Measurement) -> Iterable[Person]:
    return Person.objects.filter(
        organisation=measurement.organisation,
        is_active=True,
        unit__in=scope_units(measurement),
    ).select_related("unit")


@dataclass(frozen=True)
class InviteeCounts:
    """Whom opening would invite: everyone in scope, with and without an e-mail address."""

    total: int
    with_email: int

    @property
    def without_email(self) -> int:
        return self.total - self.with_email


def invitee_counts(measurement: Measurement) -> InviteeCounts:
    """For the confirmation before opening; the same people ``measurement_open`` invites."""
    people = Person.objects.filter(
        organisation=measurement.organisation,
        is_active=True,
        unit__in=scope_units(measurement),
    )
    return InviteeCounts(total=people.count(), with_email=people.exclude(email="").count())


def unit_tree_now(measurement: Measurement) -> list[dict[str, Any]]:
    """The units in the measurement's scope and every unit a response names, as they stand
    now, in path order: what ``Measurement.frozen_tree`` keeps from closing on."""
    in_scope = set(scope_units(measurement).values_list("pk", flat=True))
    answered = Response.objects.filter(measurement=measurement).values("unit_id")
    rows = (
        Unit.objects.filter(Q(pk__in=in_scope) | Q(pk__in=answered))
        .order_by("path", "pk")
        .values_list("pk", "parent_id", "path", "depth", "name", "is_active")
    )
    return [
        {
            "id": pk,
            "parent": parent_id,
            "path": path,
            "depth": depth,
            "name": name,
            "active": is_active,
            "in_scope": pk in in_scope,
        }
        for pk, parent_id, path, depth, name, is_active in rows
    ]


def answered_invitation_ids(measurement: Measurement) -> set[int]:
    """Which invitations have answered, found by matching each one's keyed mark (under
    every key of the ring) against the measurement's marks. Needs the answer key: this is
    what the operator without it cannot compute. For sending reminders, never for display."""
    marks = set(
        SubmissionMark.objects.filter(measurement=measurement).values_list("mark", flat=True)
    )
    if not marks:
        return set()
    keys = sealing.keyring()
    return {
        pk
        for pk in Invitation.objects.filter(measurement=measurement).values_list("pk", flat=True)
        if any(sealing.mark_with(key, measurement.pk, pk) in marks for key in keys)
    }


def invitation_answered(invitation: Invitation) -> bool:
    return SubmissionMark.objects.filter(
        measurement_id=invitation.measurement_id,
        mark__in=sealing.all_marks(invitation.measurement_id, invitation.pk),
    ).exists()


def unanswered_invitation_ids(measurement: Measurement) -> list[int]:
    """Invitations of people with an e-mail address who have not answered (for reminders)."""
    answered = answered_invitation_ids(measurement)
    candidates = (
        Invitation.objects.filter(
            measurement=measurement, person__isnull=False, person__is_active=True
        )
        .exclude(person__email="")
        # Only those who had an e-mail address at opening: the others may hold a paper
        # code, and a personal link on top would let one answer twice (privacy.md 5).
        .exclude(sent_week="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [pk for pk in candidates if pk not in answered]


def reminder_round(measurement: Measurement) -> QuerySet[Invitation]:
    """The invitations a reminder round goes through this week: everyone with a personal
    link who has not had this week's reminder, answered or not (those who answered get the
    same rows and no e-mail, surveys.tasks), so whether any are left says nothing about who
    has answered. One round a week at most."""
    return (
        # Not those who have left (deactivated since): their mailbox may be gone.
        Invitation.objects.filter(
            measurement=measurement, person__isnull=False, person__is_active=True
        )
        .exclude(person__email="")
        .exclude(sent_week="")
        .exclude(reminded_week=iso_week())
    )
