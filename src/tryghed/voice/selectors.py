"""Reads of the voice channel, scoped to the receiver who asks.

The AMO sees every case of the organisation, except that an AMO member who leads a unit
does not see the cases sent to the AMO/HR about that unit or a unit below it: those are
often about them (the reporter chose the AMO/HR to go around their leader), and every
offensive-behaviour or violence case goes there. Such a case is read by the AMO members
outside that line only; where there are none, no one reads it, and the settings page and
the AMO's inbox say so. The line is taken twice: the units the member leads today, and
the leaders of the case's line when it was raised (``Case.withheld``), so a member whose
leader role is dropped later still does not read it, nor is told of it. A leader sees
the cases addressed to the leader of a unit in their subtree, never those the reporter
sent to the AMO/HR (among them the cases about the leader, and every offensive-behaviour
or violence case). Where the channel is the organisation's whistleblower scheme, only
the AMO sees cases. Anyone else sees none. A case outside that is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Set

from django.db.models import Q, QuerySet
from django.http import Http404

from tryghed.orgs.models import Membership, Organisation, Role, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.voice.models import Author, Case, ChannelSettings, Message, MessageKind, Receiver
from tryghed.voice.withheld import Opener


def channel_settings(organisation: Organisation) -> ChannelSettings:
    """The organisation's settings for Sig det; the defaults (unsaved) when it has none."""
    found = ChannelSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else ChannelSettings(organisation=organisation)


def _subtree(paths: Iterable[str]) -> Q:
    """Cases about the units with these paths or a unit below them."""
    subtree = Q(pk__in=[])
    for path in paths:
        subtree |= Q(unit__path__startswith=path)
    return subtree


def cases_by_roles(access: OrgAccess) -> QuerySet[Case]:
    """The cases the user's roles of today let them read, in SQL; ``readable`` then drops
    the cases to the AMO/HR withheld from them when raised."""
    cases = Case.objects.filter(organisation=access.organisation)
    if Role.AMO in access.roles:
        if not access.leader_paths:
            return cases
        own_line = cases.filter(_subtree(access.leader_paths), receiver=Receiver.AMO)
        return cases.exclude(pk__in=own_line.values("pk"))
    if not access.leader_paths or channel_settings(access.organisation).is_whistleblower_scheme:
        return Case.objects.none()
    return cases.filter(_subtree(access.leader_paths), receiver=Receiver.LEADER)


def readable(access: OrgAccess, cases: Iterable[Case]) -> list[Case]:
    """Those of the cases (from ``cases_by_roles``, with ``withheld`` loaded) the user may
    read: for an AMO member, not a case to the AMO/HR whose frozen set names them or does
    not open (fails closed), whatever their roles are today. Filtered here, not in SQL, so
    no statement names the cases withheld from whom (the set is sealed for that)."""
    if Role.AMO not in access.roles:
        return list(cases)  # a leader reads only cases sent to a leader
    opener = Opener()
    return [
        c
        for c in cases
        if c.receiver != Receiver.AMO or _clear_of(access.user.pk, opener.open(c.pk, c.withheld))
    ]


def _clear_of(user_id: int, withheld: Set[int] | None) -> bool:
    return withheld is not None and user_id not in withheld


def visible_cases(access: OrgAccess) -> list[Case]:
    """The cases the user may read (``cases_by_roles``, then ``readable``), with units."""
    return readable(access, cases_by_roles(access).select_related("unit"))


def amo_reads(
    case: Case, leader_paths: Iterable[str], user_id: int, withheld: Set[int] | None
) -> bool:
    """Whether an AMO member (``user_id``) who leads the units with these paths reads the
    case: not a case sent to the AMO/HR about one of those units or a unit below
    (``cases_by_roles``), nor one whose set of who may not be told (``withheld``, opened;
    None when it does not open) names them (``readable``)."""
    if case.receiver != Receiver.AMO:
        return True
    if not _clear_of(user_id, withheld):
        return False
    if case.unit is None:
        return True
    return not any(case.unit.path.startswith(path) for path in leader_paths)


def amo_members(organisation: Organisation) -> dict[int, tuple[str, ...]]:
    """The organisation's AMO members (user ids), each with the paths of the units they
    lead (empty for one outside every line)."""
    members: dict[int, list[str]] = {
        user_id: []
        for user_id in Membership.objects.filter(
            organisation=organisation, role=Role.AMO
        ).values_list("user_id", flat=True)
    }
    leads = Membership.objects.filter(
        organisation=organisation, role=Role.LEADER, user_id__in=list(members), unit__isnull=False
    ).values_list("user_id", "unit__path")
    for user_id, path in leads:
        members[user_id].append(path)
    return {user_id: tuple(paths) for user_id, paths in members.items()}


def units_without_amo_receiver(organisation: Organisation) -> list[Unit]:
    """The active units whose cases to the AMO/HR no AMO member may read, because every
    AMO member leads the unit or a unit above it (none when the organisation has no AMO
    member at all: that is said otherwise). From the structure only, never from cases."""
    lines = list(amo_members(organisation).values())
    if not lines:
        return []
    units = Unit.objects.filter(organisation=organisation, is_active=True).order_by("path")
    return [u for u in units if all(any(u.path.startswith(p) for p in line) for line in lines)]


class Readers:
    """Who may read a case now: the AMO members (``amo_reads``) and, for a case to a unit's
    leader outside the whistleblower scheme, the leaders of the unit or a unit above it
    (``visible_cases``). For a case not yet raised (``any_reads``) from the structure and
    the roles only, never from cases; for a stored case (``reads_case``) also from its
    frozen set, so a case whose only AMO readers are withheld from it has no reader."""

    def __init__(self, organisation: Organisation) -> None:
        self.members = amo_members(organisation)
        self.lines = list(self.members.values())
        self._opener: Opener | None = None
        self.scheme = channel_settings(organisation).is_whistleblower_scheme
        self.leader_unit_ids = set(
            Membership.objects.filter(
                organisation=organisation, role=Role.LEADER, unit__isnull=False
            ).values_list("unit_id", flat=True)
        )

    def any_reads(self, *, unit: Unit | None, receiver: str) -> bool:
        """For a case sent this way now: its set would be today's leaders of the line,
        whom the paths leave out already."""
        return self._reads(Case(unit=unit, receiver=receiver), frozenset())

    def reads_case(self, case: Case) -> bool:
        """For a stored case (with ``withheld`` loaded)."""
        if case.receiver != Receiver.AMO:
            return self._reads(case, frozenset())
        if self._opener is None:
            self._opener = Opener()
        return self._reads(case, self._opener.open(case.pk, case.withheld))

    def _reads(self, case: Case, withheld: Set[int] | None) -> bool:
        members = self.members.items()
        if any(amo_reads(case, line, user_id, withheld) for user_id, line in members):
            return True
        unit, receiver = case.unit, case.receiver
        if receiver != Receiver.LEADER or unit is None or self.scheme:
            return False
        line = {int(part) for part in unit.path.strip("/").split("/") if part}
        return bool(line & self.leader_unit_ids)


def route_has_reader(*, organisation: Organisation, unit: Unit | None, receiver: str) -> bool:
    """Whether a case sent this way today would reach anyone who may read it; the form
    refuses one that would not (docs/voice.md, "No receiver outside the line")."""
    return Readers(organisation).any_reads(unit=unit, receiver=receiver)


def case_has_reader(case: Case) -> bool:
    """Whether anyone may read the case now; after a reorganisation perhaps no one may."""
    return Readers(case.organisation).reads_case(case)


def unread_cases(organisation: Organisation, today: dt.date) -> list[Case]:
    """The open cases raised before today that no one may read now."""
    readers = Readers(organisation)
    cases = Case.objects.filter(
        organisation=organisation, closed_on__isnull=True, opened_on__lt=today
    ).select_related("unit")
    return [c for c in cases if not readers.reads_case(c)]


def line_leaders(unit: Unit | None) -> set[int]:
    """The users who lead the unit or a unit above it (none for a case without a unit)."""
    if unit is None:
        return set()
    line = [int(part) for part in unit.path.strip("/").split("/") if part]
    return set(
        Membership.objects.filter(
            organisation_id=unit.organisation_id, role=Role.LEADER, unit_id__in=line
        ).values_list("user_id", flat=True)
    )


def unread_count_for(cases: Iterable[Case], user_id: int) -> int:
    """How many of the unread cases this administrator is told of: not those raised while
    they led the unit or a unit above it (``Case.withheld``, frozen when the case was
    raised), so no role they drop, take back or take, and no unit they move, moves the
    count with a case that may be about them. A set that does not open counts for no one
    (fails closed; the daily job logs it)."""
    opener = Opener()
    return sum(1 for case in cases if _clear_of(user_id, opener.open(case.pk, case.withheld)))


def unread_cases_count(access: OrgAccess, today: dt.date) -> int:
    """The count of open cases no one may read, as this administrator may be told."""
    return unread_count_for(unread_cases(access.organisation, today), access.user.pk)


def inbox(access: OrgAccess) -> list[Case]:
    """Open cases first, the oldest deadline first; closed cases after them."""
    return sorted(visible_cases(access), key=lambda c: (c.is_closed, c.opened_on, str(c.pk)))


def get_case(access: OrgAccess, case_id: uuid.UUID) -> Case:
    """The case, read as the inbox reads it (``readable``); anything else is a 404."""
    try:
        case = cases_by_roles(access).select_related("unit", "organisation").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404 from None
    if not readable(access, [case]):
        raise Http404
    return case


def case_messages(case: Case, *, for_reporter: bool) -> QuerySet[Message]:
    """The case's messages in order; the reporter never gets the internal notes."""
    messages = case.messages.order_by("position")
    return messages.exclude(kind=MessageKind.NOTE) if for_reporter else messages


def reporter_message(case: Case, message_id: str) -> Message:
    """One of the reporter's messages in the case; anything else is a 404."""
    try:
        pk = uuid.UUID(message_id)
    except ValueError:
        raise Http404 from None
    message = case.messages.filter(pk=pk, author=Author.REPORTER).first()
    if message is None:
        raise Http404
    return message


def sees_hidden_texts(access: OrgAccess) -> bool:
    """Hidden texts are kept for the AMO only, until they are erased."""
    return Role.AMO in access.roles


def reporter_units(organisation: Organisation) -> QuerySet[Unit]:
    """The units a reporter may choose: the organisation's active units, in tree order."""
    return Unit.objects.filter(organisation=organisation, is_active=True).order_by("path")
