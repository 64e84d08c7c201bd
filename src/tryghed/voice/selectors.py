"""Reads of the voice channel, scoped to the receiver who asks.

The AMO sees every case of the organisation. A leader sees the cases addressed to the
leader of a unit in their subtree, never those the reporter sent to the AMO/HR (among
them the cases about the leader, and every offensive-behaviour or violence case). Where
the channel is the organisation's whistleblower scheme, only the AMO sees cases. Anyone
else sees none. A case outside that is a 404.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from tryghed.orgs.models import Organisation, Role, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.voice.models import Author, Case, ChannelSettings, Message, MessageKind, Receiver


def channel_settings(organisation: Organisation) -> ChannelSettings:
    """The organisation's settings for Sig det; the defaults (unsaved) when it has none."""
    found = ChannelSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else ChannelSettings(organisation=organisation)


def visible_cases(access: OrgAccess) -> QuerySet[Case]:
    cases = Case.objects.filter(organisation=access.organisation)
    if Role.AMO in access.roles:
        return cases
    if not access.leader_paths or channel_settings(access.organisation).is_whistleblower_scheme:
        return Case.objects.none()
    subtree = Q(pk__in=[])
    for path in access.leader_paths:
        subtree |= Q(unit__path__startswith=path)
    return cases.filter(subtree, receiver=Receiver.LEADER)


def inbox(access: OrgAccess) -> list[Case]:
    """Open cases first, the oldest deadline first; closed cases after them."""
    cases = visible_cases(access).select_related("unit")
    return sorted(cases, key=lambda c: (c.is_closed, c.opened_on, str(c.pk)))


def get_case(access: OrgAccess, case_id: uuid.UUID) -> Case:
    try:
        return visible_cases(access).select_related("unit", "organisation").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404 from None


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
