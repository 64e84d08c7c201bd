from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World
from tests.factories import make_unit
from tryghed.audit.models import AuditEvent
from tryghed.orgs import services
from tryghed.orgs.models import Membership, Role, Unit


def test_moving_a_unit_carries_its_subtree_and_keeps_its_id(world: World) -> None:
    sub = make_unit(world.org, parent=world.team_a, name="Sub", external_id="SUB")
    services.unit_move(unit=world.team_a, actor=world.owner, new_parent=world.root)
    sub.refresh_from_db()
    world.team_a.refresh_from_db()
    assert world.team_a.parent == world.root
    assert sub.path == f"{world.root.path}{world.team_a.pk}/{sub.pk}/"
    assert (world.team_a.depth, sub.depth) == (1, 2)
    event = AuditEvent.objects.get(action="unit.moved")
    assert event.data == {"from": world.area.pk, "to": world.root.pk}
    assert event.actor == world.owner


def test_a_unit_cannot_be_moved_under_its_own_subtree(world: World) -> None:
    with pytest.raises(ValidationError, match="under sig selv"):
        services.unit_move(unit=world.area, actor=None, new_parent=world.team_a)
    world.area.refresh_from_db()
    assert world.area.parent == world.root


def test_a_unit_cannot_be_moved_to_another_organisation(world: World) -> None:
    with pytest.raises(ValidationError):
        services.unit_move(unit=world.team_a, actor=None, new_parent=world.other_unit)


def test_renaming_keeps_the_unit_and_logs_old_and_new_name(world: World) -> None:
    pk = world.team_a.pk
    services.unit_update(
        unit=world.team_a, actor=world.owner, name="Team Alfa", kind="team", external_id="TA"
    )
    assert Unit.objects.get(pk=pk).name == "Team Alfa"
    event = AuditEvent.objects.get(action="unit.renamed")
    assert event.data == {"name": ["Team A", "Team Alfa"]}


def test_external_ids_are_unique_within_an_organisation(world: World) -> None:
    with pytest.raises(ValidationError):
        services.unit_update(
            unit=world.team_a, actor=None, name="Team A", kind="team", external_id="TB"
        )


def test_a_unit_with_people_cannot_be_closed(world: World) -> None:
    with pytest.raises(ValidationError, match="medarbejdere"):
        services.unit_set_active(unit=world.area, actor=None, active=False)
    empty = make_unit(world.org, parent=world.area, name="Tom")
    services.unit_set_active(unit=empty, actor=None, active=False)
    empty.refresh_from_db()
    assert not empty.is_active


def test_the_last_administrator_cannot_be_removed(world: World) -> None:
    admin = Membership.objects.get(user=world.owner, role=Role.ADMIN)
    with pytest.raises(ValidationError, match="mindst én administrator"):
        services.membership_revoke(membership=admin, actor=world.owner)


def test_granting_a_role_creates_the_user_without_a_usable_password(world: World) -> None:
    membership = services.membership_grant(
        organisation=world.org,
        actor=world.owner,
        email="New.Leader@Example.test",
        role=Role.LEADER,
        unit=world.team_b,
        full_name="Ny Leder",
    )
    assert membership.user.email == "new.leader@example.test"
    assert not membership.user.has_usable_password()
    assert AuditEvent.objects.filter(action="role.granted").count() == 1


def test_organisation_wide_roles_ignore_a_unit(world: World) -> None:
    membership = services.membership_grant(
        organisation=world.org,
        actor=None,
        email="amo2@example.test",
        role=Role.AMO,
        unit=world.team_a,
    )
    assert membership.unit is None


def test_a_scoped_role_needs_a_unit(world: World) -> None:
    with pytest.raises(ValidationError):
        services.membership_grant(
            organisation=world.org, actor=None, email="x@example.test", role=Role.LEADER, unit=None
        )
