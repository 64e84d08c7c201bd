"""Reads of the dialogue sessions, scoped to the acting user; the live counts.

Who may run a session: the AMO for every unit, a leader for the units of their subtree
(``Capability.RUN_DIALOGUE``). Another organisation's session, or a unit outside the
leader's subtree, is a 404.
"""

from __future__ import annotations

import uuid

from django.db.models import Count, QuerySet
from django.http import Http404

from tryghed.actions.selectors import Figure, report_figures
from tryghed.dialogue import exercises
from tryghed.dialogue.models import Exercise, Placement, Session
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import OrgAccess, visible_units
from tryghed.surveys.models import Measurement, Status


def _scope_units(access: OrgAccess) -> QuerySet[Unit]:
    if Role.AMO in access.roles:
        return Unit.objects.filter(organisation=access.organisation)
    if not access.leader_paths:
        return Unit.objects.none()
    return visible_units(access)


def session_units(access: OrgAccess) -> QuerySet[Unit]:
    """The units the user may start a session for."""
    return _scope_units(access).filter(is_active=True).order_by("path")


def sessions(access: OrgAccess) -> QuerySet[Session]:
    return (
        Session.objects.filter(
            organisation=access.organisation, unit__in=_scope_units(access).values("pk")
        )
        .select_related("unit")
        .order_by("status", "-started_on", "unit__path")
    )


def get_session(access: OrgAccess, session_id: uuid.UUID) -> Session:
    try:
        return sessions(access).select_related("current", "organisation").get(pk=session_id)
    except Session.DoesNotExist:
        raise Http404 from None


def answer_count(exercise: Exercise) -> int:
    """How many phones answered: one placement per phone and question, and a phone answers
    every question of an exercise at once, so the fewest answers to any question."""
    keys = exercises.content(exercise.kind, "da").keys
    if not keys:
        return 0
    found = dict(
        Placement.objects.filter(exercise=exercise)
        .values_list("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    return min(found.get(key, 0) for key in keys)


def reveal_minimum(exercise: Exercise, session: Session) -> int:
    """How many must have answered before the exercise can be revealed: the session's
    minimum; for free text (Bordet rundt's words) at least the organisation's comment
    minimum too (privacy.md section 2; default 10, floor 5)."""
    if exercises.content(exercise.kind, "da").collects == exercises.Collects.TEXT:
        return max(session.minimum, session.organisation.min_group_comment)
    return session.minimum


def figures_for_focus(unit: Unit, lang: str) -> tuple[Measurement | None, list[Figure]]:
    """The unit's shown figures in its latest closed measurement that has any, for turning
    a focus point into a focus area; (None, []) when the unit has no such measurement."""
    closed = Measurement.objects.filter(
        organisation_id=unit.organisation_id, status=Status.CLOSED
    ).order_by("-opens_on", "-pk")[:5]
    for measurement in closed:
        figures = report_figures(measurement, unit, lang)
        if figures:
            return measurement, figures
    return None, []
