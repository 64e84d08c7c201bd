"""Reads of organisation data, scoped to what the acting user may see.

Every function takes the organisation (or an ``OrgAccess`` built for the acting user)
and returns only what that user may see. An object outside it is a 404, never a 403
that confirms it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tryghed.orgs.models import (
    ORGANISATION_WIDE_ROLES,
    ImportBatch,
    Membership,
    Organisation,
    Person,
    Role,
    Unit,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tryghed.accounts.models import User


class Capability(StrEnum):
    """What a view may require of the reader (``org_view``). A capability not in this enum
    cannot be asked for: a typo fails when the view is defined, never opens a page."""

    VIEW_STRUCTURE = "view_structure"
    MANAGE_STRUCTURE = "manage_structure"
    MANAGE_MEASUREMENTS = "manage_measurements"
    VIEW_PARTICIPATION = "view_participation"
    READ_ORGANISATION_REPORT = "read_organisation_report"
    MANAGE_SIGN_IN = "manage_sign_in"
    # The voice channel's cases ("Sig det"): the AMO's outside their own line of leadership,
    # a leader's those sent to the leaders of their subtree (voice.selectors.visible_cases).
    HANDLE_VOICE = "handle_voice"
    # The live dialogue session on the big screen: the AMO any unit, a leader their subtree.
    RUN_DIALOGUE = "run_dialogue"
    # The learning log ("Det gik ikke som planlagt"): read by a team, its leader and the
    # AMO; written by the team and its leader; reviewed and acted on by the leader; what
    # is sent on, read by the AMO.
    READ_LEARNING_LOG = "read_learning_log"
    WRITE_LEARNING_LOG = "write_learning_log"
    LEAD_LEARNING_LOG = "lead_learning_log"
    RECEIVE_LEARNING = "receive_learning"


@dataclass(frozen=True)
class OrgAccess:
    """What one user may do and see in one organisation, computed once per request."""

    organisation: Organisation
    user: User
    roles: frozenset[str]
    # Paths of the units whose subtree the user's scoped roles cover.
    leader_paths: tuple[str, ...] = ()
    employee_unit_ids: tuple[int, ...] = ()
    memberships: tuple[Membership, ...] = field(default=(), repr=False)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def sees_whole_organisation(self) -> bool:
        return bool(self.roles & ORGANISATION_WIDE_ROLES)

    @property
    def is_top_management(self) -> bool:
        return Role.TOP_MANAGEMENT in self.roles

    @property
    def can_read_organisation_report(self) -> bool:
        """The organisation report (all units on one page, as the publication shows them)
        and the Vision Zero maturity: the AMO, administrators and top management. Top
        management has no unit reports, comments, participation by unit or people lists."""
        return self.sees_whole_organisation or self.is_top_management

    @property
    def can_view_structure(self) -> bool:
        return self.sees_whole_organisation or bool(self.leader_paths)

    @property
    def can_manage_structure(self) -> bool:
        return self.is_admin

    @property
    def can_manage_measurements(self) -> bool:
        """Admins and the AMO launch measurements and follow response rates."""
        return self.sees_whole_organisation

    @property
    def can_view_participation(self) -> bool:
        """Response rates: the AMO and administrators of every unit, a leader of their
        subtree (suppressed as privacy.md section 4 says, surveys.participation)."""
        return self.sees_whole_organisation or bool(self.leader_paths)

    @property
    def can_open_action_plans(self) -> bool:
        """The action plans page ("Handleplaner", actions.views.index): those who write plans
        (actions.selectors.can_manage_plans), and an employee, sent to their team's "vi
        gjorde". Top management alone has neither, so the menu does not offer it."""
        return self.can_view_structure or bool(self.employee_unit_ids)

    @property
    def can_handle_voice(self) -> bool:
        """The voice channel's inbox: the AMO and leaders (which cases: voice.selectors)."""
        return Role.AMO in self.roles or bool(self.leader_paths)

    @property
    def can_run_dialogue(self) -> bool:
        """A live dialogue session for a team meeting: the AMO any unit, a leader their
        subtree's (dialogue.selectors.session_units)."""
        return Role.AMO in self.roles or bool(self.leader_paths)

    @property
    def can_read_learning_log(self) -> bool:
        """A team's learning log: its members, its leader and the AMO (learning.selectors)."""
        return Role.AMO in self.roles or bool(self.leader_paths or self.employee_unit_ids)

    @property
    def can_write_learning_log(self) -> bool:
        """Write in the log of one's own team (an employee) or of a led subtree (a leader)."""
        return bool(self.leader_paths or self.employee_unit_ids)

    def can(self, capability: Capability) -> bool:
        """The one table of capabilities; anything else is refused (fails closed)."""
        checks: dict[Capability, bool] = {
            Capability.VIEW_STRUCTURE: self.can_view_structure,
            Capability.MANAGE_STRUCTURE: self.can_manage_structure,
            Capability.MANAGE_MEASUREMENTS: self.can_manage_measurements,
            Capability.VIEW_PARTICIPATION: self.can_view_participation,
            Capability.READ_ORGANISATION_REPORT: self.can_read_organisation_report,
            # Single sign-on decides who may sign in: administrators only.
            Capability.MANAGE_SIGN_IN: self.is_admin,
            Capability.HANDLE_VOICE: self.can_handle_voice,
            Capability.RUN_DIALOGUE: self.can_run_dialogue,
            Capability.READ_LEARNING_LOG: self.can_read_learning_log,
            Capability.WRITE_LEARNING_LOG: self.can_write_learning_log,
            # Review at the meeting, sort, turn into an action, send on: the leader.
            Capability.LEAD_LEARNING_LOG: bool(self.leader_paths),
            # Entries a team sent on to the work-environment group ("arbejdsmiljøgruppen").
            Capability.RECEIVE_LEARNING: Role.AMO in self.roles,
        }
        return checks.get(capability, False) if isinstance(capability, Capability) else False

    def unit_filter(self, prefix: str = "") -> Q:
        """A filter on units (or on rows with a unit relation, given its prefix)."""
        if self.sees_whole_organisation:
            return Q()
        q = Q(pk__in=[])
        for path in self.leader_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q


def organisations_for_user(user: User | AnonymousUser) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            Q(memberships__user=user) | Q(pk__in=employee_people(user).values("organisation_id"))
        )
        .distinct()
        .order_by("name")
    )


def capability_matrix() -> dict[Role, dict[Capability, bool]]:
    """Per role held alone (a leader or employee with a unit), what ``OrgAccess.can``
    answers for every capability: the one table, read rather than restated.
    docs/roles.md prints it, and tests/orgs/test_capability_matrix.py checks the doc and
    every view that asks for a capability against it."""
    from tryghed.accounts.models import User

    matrix: dict[Role, dict[Capability, bool]] = {}
    for role in Role:
        access = OrgAccess(
            organisation=Organisation(name="matrix", slug="matrix"),
            user=User(email="matrix@example.invalid"),
            roles=frozenset({role}),
            leader_paths=("/1/",) if role == Role.LEADER else (),
            employee_unit_ids=(1,) if role == Role.EMPLOYEE else (),
        )
        matrix[role] = {capability: access.can(capability) for capability in Capability}
    return matrix


def access_for(*, user: User | AnonymousUser, slug: str) -> OrgAccess:
    """The organisation with that slug as seen by the user; 404 when they hold no role in it."""
    if not user.is_authenticated:
        raise Http404
    memberships = tuple(
        Membership.objects.filter(organisation__slug=slug, user=user).select_related(
            "organisation", "unit"
        )
    )
    people = tuple(
        employee_people(user).filter(organisation__slug=slug).select_related("organisation")
    )
    if not memberships and not people:
        raise Http404
    employee_units = [
        m.unit.pk for m in memberships if m.role == Role.EMPLOYEE and m.unit is not None
    ]
    employee_units += [p.unit_id for p in people if p.unit_id not in employee_units]
    roles = {m.role for m in memberships} | ({Role.EMPLOYEE} if people else set())
    return OrgAccess(
        organisation=memberships[0].organisation if memberships else people[0].organisation,
        user=user,
        roles=frozenset(roles),
        leader_paths=tuple(
            m.unit.path for m in memberships if m.role == Role.LEADER and m.unit is not None
        ),
        employee_unit_ids=tuple(employee_units),
        memberships=memberships,
    )


def employee_people(user: User) -> QuerySet[Person]:
    """The user as an employee: active people with the user's address in active units.

    An employee who signs in with a link holds no stored role (privacy.md section 0: a
    role row appearing on the administrator's pages would tell who signed in, and when,
    perhaps right after answering); what they may see follows from these rows, so it
    also follows a move to another unit at once."""
    return Person.objects.filter(
        email__iexact=user.email, is_active=True, unit__isnull=False, unit__is_active=True
    )


def visible_units(access: OrgAccess) -> QuerySet[Unit]:
    if not access.can_view_structure:
        return Unit.objects.none()
    return Unit.objects.filter(organisation=access.organisation).filter(access.unit_filter())


def unit_tree(access: OrgAccess, *, include_inactive: bool = False) -> list[tuple[Unit, int]]:
    """Visible units in tree order with their people count, as (unit, people) pairs."""
    units = visible_units(access)
    if not include_inactive:
        units = units.filter(is_active=True)
    units = units.annotate(people_count=Count("people", filter=Q(people__is_active=True))).order_by(
        "path"
    )
    return [(u, u.people_count) for u in units]


def get_unit(access: OrgAccess, unit_id: int) -> Unit:
    try:
        return visible_units(access).select_related("parent").get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None


def unit_ancestors(unit: Unit) -> list[Unit]:
    """The unit's ancestors from the root down (excluding the unit itself)."""
    ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation_id=unit.organisation_id, path__startswith=unit.path)


def move_targets(access: OrgAccess, unit: Unit) -> QuerySet[Unit]:
    """Units the given unit may be moved under: visible, active, not in its own subtree."""
    return (
        visible_units(access)
        .filter(is_active=True)
        .exclude(path__startswith=unit.path)
        .order_by("path")
    )


def visible_people(access: OrgAccess) -> QuerySet[Person]:
    if not access.can_view_structure:
        return Person.objects.none()
    return (
        Person.objects.filter(organisation=access.organisation)
        .filter(access.unit_filter("unit__"))
        .select_related("unit")
    )


def search_people(
    access: OrgAccess, *, query: str = "", unit: Unit | None = None
) -> QuerySet[Person]:
    people = visible_people(access).filter(is_active=True)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if query:
        people = people.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(employee_id__iexact=query)
        )
    return people.order_by("name", "pk")


def get_person(access: OrgAccess, person_id: int) -> Person:
    try:
        return visible_people(access).get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404 from None


def organisation_memberships(access: OrgAccess) -> QuerySet[Membership]:
    if not access.can_manage_structure:
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation=access.organisation)
        .select_related("user", "unit")
        .order_by("user__email", "role")
    )


def get_membership(access: OrgAccess, membership_id: int) -> Membership:
    try:
        return organisation_memberships(access).get(pk=membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None


def get_import_batch(access: OrgAccess, batch_id: int) -> ImportBatch:
    if not access.can_manage_structure:
        raise Http404
    try:
        return ImportBatch.objects.get(pk=batch_id, organisation=access.organisation)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def organisation_counts(access: OrgAccess) -> dict[str, int]:
    units = visible_units(access).filter(is_active=True)
    return {
        "units": units.count(),
        "people": visible_people(access).filter(is_active=True).count(),
        "staff": Membership.objects.filter(organisation=access.organisation)
        .values("user")
        .distinct()
        .count(),
    }
