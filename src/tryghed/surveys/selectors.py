"""Reads of measurements: those scoped to the acting user's access, and the plain reads the
services, tasks and reports build on (a measurement's instruments, scope, unit tree, and
which invitations have answered). Nothing here writes, and nothing imports services."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tryghed.core import disclosure
from tryghed.core.instruments import Instrument, parse_instrument, with_builtin_display
from tryghed.orgs.models import Person, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.surveys import participation, sealing
from tryghed.surveys.codes import paper_code_marks
from tryghed.surveys.models import (
    Invitation,
    Measurement,
    PaperCode,
    Response,
    Status,
    SubmissionMark,
)
from tryghed.surveys.stamps import iso_week


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


def paper_code_counts_shown(measurement: Measurement) -> tuple[int, int] | None:
    """``paper_code_counts`` where it may be published, else None.

    The code holders and the others are two groups of the measurement (section 4): each
    must have 0 or at least the participation minimum invited and answered, or the split
    tells whether the one or two people with a code answered. Used codes count at
    submission, before answers are released in batches, so only a closed measurement
    (everything released) shows them: a live count would date one person's answer.
    """
    if measurement.status != Status.CLOSED or measurement.responses_purged_at is not None:
        return None
    printed, used = paper_code_counts(measurement)
    invited = Invitation.objects.filter(measurement=measurement).count()
    answered = Response.objects.filter(measurement=measurement).count()
    minimum = participation.PARTICIPATION_MINIMUM
    parts = (printed, used, invited - printed, answered - used)
    if printed == 0 or any(0 < n < minimum for n in parts):
        return None
    # "5 af 5 koder er brugt" says each code holder answered (privacy.md section 0): each
    # part needs the minimum who answered and the minimum who did not, as participation rows.
    for n_invited, n_answered in ((printed, used), (invited - printed, answered - used)):
        if n_invited > 0 and (n_answered < minimum or n_invited - n_answered < minimum):
            return None
    if not _code_line_is_safe(measurement, printed, used, minimum):
        return None
    return printed, used


def _code_line_is_safe(measurement: Measurement, printed: int, used: int, minimum: int) -> bool:
    """Whether the answers-by-code count, beside the shown participation rows, lets no one
    derive a group of 1..minimum-1 (the subtraction solver decides): a unit row minus the
    code answers would otherwise give that unit's e-mail answers when its codes were all
    printed for it. Each unit's people are split into code holders and the others."""
    rows, _total = participation.response_rates(measurement)
    members = participation.group_members(measurement)
    code_units = frozenset(
        f"{u}:code"
        for u in PaperCode.objects.filter(measurement=measurement).values_list("unit_id", flat=True)
    )
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
            figures.append(disclosure.Figure(population, row.name, atoms, int(n), minimum))
        n = used if population == "answered" else printed - used
        figures.append(disclosure.Figure(population, "papirkoder", code_units, n, minimum))
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
    answered (the audit above finds only sets of 1..minimum-1).

    Each region of the shown rows (a row minus the shown rows inside it) splits into its
    code holders and its others. The sets a reader derives from the regions and the code
    line are unions of regions (each kept by the participation rule) with at most one of:
    the code holders of the regions that also have others (plus codes in no shown row),
    or the others of the regions that have code holders. So each of those two must be
    empty or have the minimum who answered and the minimum who did not.
    """
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

    holders = [0, 0]  # invited, answered: code holders of mixed regions and outside rows
    others = [0, 0]  # the others of regions with code holders
    regions: dict[frozenset[str], None] = {}
    for unit, (n_printed, n_used) in code_part.items():
        region = region_of(str(unit))
        if region is None:
            holders[0] += n_printed
            holders[1] += n_used
        else:
            regions[region] = None
    for region in regions:
        units = [int(u) for u in region]
        code_inv = sum(code_part.get(u, (0, 0))[0] for u in units)
        code_ans = sum(code_part.get(u, (0, 0))[1] for u in units)
        rest_inv = sum(invited.get(u, 0) for u in units) - code_inv
        rest_ans = sum(answered.get(u, 0) for u in units) - code_ans
        if rest_inv == 0 and rest_ans == 0:
            continue  # a region of code holders only: a region like any other
        holders[0] += code_inv
        holders[1] += code_ans
        others[0] += rest_inv
        others[1] += rest_ans

    def good(n_invited: int, n_answered: int) -> bool:
        if n_invited == 0 and n_answered == 0:
            return True
        return n_answered >= minimum and n_invited - n_answered >= minimum

    return good(*holders) and good(*others)


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


def measurement_instruments(measurement: Measurement) -> list[Instrument]:
    """The measurement's instruments, as frozen when it was created."""
    return [
        _parse_cached(mi.source, mi.content_hash)
        for mi in measurement.instruments.order_by("position")
    ]


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
        Invitation.objects.filter(measurement=measurement, person__isnull=False)
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
        Invitation.objects.filter(measurement=measurement, person__isnull=False)
        .exclude(person__email="")
        .exclude(sent_week="")
        .exclude(reminded_week=iso_week())
    )
