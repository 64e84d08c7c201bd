"""Writes to organisations, units, people and roles.

Each service runs in one transaction and writes its audit row in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from tryghed.accounts.models import User
from tryghed.audit.services import audit_record
from tryghed.orgs.models import (
    ROLES_WITHOUT_UNIT,
    Membership,
    Organisation,
    Person,
    Role,
    Unit,
    UnitKind,
)
from tryghed.surveys.models import Measurement

if TYPE_CHECKING:
    pass


def _set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent is not None else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)


@transaction.atomic
def organisation_create(
    *, name: str, slug: str, actor: User | None, root_external_id: str = "root"
) -> Organisation:
    """A new organisation with its root unit; the actor (if any) becomes its admin."""
    organisation = Organisation(name=name, slug=slug)
    organisation.full_clean()
    organisation.save()
    unit_create(
        organisation=organisation,
        actor=actor,
        parent=None,
        name=name,
        kind=UnitKind.ORGANISATION,
        external_id=root_external_id,
    )
    if actor is not None:
        Membership.objects.create(organisation=organisation, user=actor, role=Role.ADMIN)
    audit_record(
        actor=actor,
        action="organisation.created",
        organisation=organisation,
        obj=organisation,
        summary=name,
    )
    return organisation


def _check_external_id_free(
    organisation: Organisation, external_id: str, exclude_pk: int | None = None
) -> None:
    clash = Unit.objects.filter(organisation=organisation, external_id=external_id)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"external_id": _("En anden enhed har allerede id'et %(id)s.") % {"id": external_id}}
        )


SETTINGS_FIELDS = (
    "min_group_score",
    "min_group_comment",
    "min_group_sensitive",
    "response_retention_months",
    "contact_email",
    "privacy_legal_basis",
    "require_mfa",
)


@transaction.atomic
def organisation_update_settings(
    *, organisation: Organisation, actor: User | None, **values: object
) -> Organisation:
    """Change the organisation's settings; minimums never go below the floor (model
    validators). Measurements keep the minimums they were created with, and the retention
    period they opened with unless it is cut (a cut is theirs for good)."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not a setting: {', '.join(sorted(unknown))}")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = {
        name: [getattr(organisation, name), value]
        for name, value in values.items()
        if getattr(organisation, name) != value
    }
    for name, value in values.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=list(values))
    if "response_retention_months" in values:
        # A cut applies at once to the measurements already opened, and stays: their
        # notice has quoted the shorter period since, so a later raise must not give back
        # the longer one they opened with (red team, test_redteam_session_14.py).
        Measurement.objects.filter(
            organisation=organisation,
            response_retention_months__gt=organisation.response_retention_months,
        ).update(response_retention_months=organisation.response_retention_months)
    if changed:
        audit_record(
            actor=actor,
            action="organisation.settings_changed",
            organisation=organisation,
            obj=organisation,
            summary=", ".join(sorted(changed)),
            data={"changed": changed},
        )
    return organisation


@transaction.atomic
def unit_create(
    *,
    organisation: Organisation,
    actor: User | None,
    parent: Unit | None,
    name: str,
    kind: str,
    external_id: str,
) -> Unit:
    if parent is not None and parent.organisation_id != organisation.pk:
        raise ValidationError(_("Den overordnede enhed hører til en anden organisation."))
    if (
        parent is None
        and Unit.objects.filter(organisation=organisation, parent__isnull=True).exists()
    ):
        raise ValidationError(_("Organisationen har allerede en øverste enhed."))
    name = name.strip()
    external_id = external_id.strip()
    _check_external_id_free(organisation, external_id)
    unit = Unit(
        organisation=organisation,
        parent=parent,
        name=name,
        kind=kind,
        external_id=external_id,
        path="/",
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    _set_path(unit)
    audit_record(
        actor=actor,
        action="unit.created",
        organisation=organisation,
        obj=unit,
        summary=name,
        data={"parent": parent.pk if parent else None},
    )
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor: User | None, name: str, kind: str, external_id: str) -> Unit:
    """Rename or re-type a unit; its id, results and history stay."""
    changes: dict[str, list[str]] = {}
    for field, new in (
        ("name", name.strip()),
        ("kind", kind),
        ("external_id", external_id.strip()),
    ):
        old = getattr(unit, field)
        if old != new:
            changes[field] = [old, new]
            setattr(unit, field, new)
    if not changes:
        return unit
    if "external_id" in changes:
        _check_external_id_free(unit.organisation, unit.external_id, exclude_pk=unit.pk)
    unit.full_clean(exclude=["path", "parent"])
    unit.save(update_fields=list(changes))
    action = "unit.renamed" if set(changes) == {"name"} else "unit.updated"
    audit_record(
        actor=actor,
        action=action,
        organisation=unit.organisation,
        obj=unit,
        summary=unit.name,
        data=changes,
    )
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, actor: User | None, new_parent: Unit) -> Unit:
    """Move a unit (with its whole subtree) under another unit of the same organisation."""
    # Re-read under lock so two concurrent moves cannot build a cycle.
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
    if new_parent.organisation_id != unit.organisation_id:
        raise ValidationError(_("Enheden kan kun flyttes inden for sin egen organisation."))
    if unit.parent_id is None:
        raise ValidationError(_("Organisationens øverste enhed kan ikke flyttes."))
    if new_parent.path.startswith(unit.path):
        raise ValidationError(
            _("En enhed kan ikke flyttes ind under sig selv eller sine underenheder.")
        )
    if unit.parent_id == new_parent.pk:
        return unit
    old_parent_id = unit.parent_id
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.pk}/"
    depth_delta = (new_parent.depth + 1) - unit.depth
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    Unit.objects.filter(organisation_id=unit.organisation_id, path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + depth_delta,
    )
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="unit.moved",
        organisation=unit.organisation,
        obj=unit,
        summary=unit.name,
        data={"from": old_parent_id, "to": new_parent.pk},
    )
    return unit


@transaction.atomic
def unit_set_active(*, unit: Unit, actor: User | None, active: bool) -> Unit:
    """Close (or reopen) a unit. Closed units keep their history; people must move first."""
    if unit.is_active == active:
        return unit
    if not active:
        if unit.parent_id is None:
            raise ValidationError(_("Organisationens øverste enhed kan ikke lukkes."))
        subtree = Unit.objects.filter(
            organisation_id=unit.organisation_id, path__startswith=unit.path
        )
        if Person.objects.filter(unit__in=subtree, is_active=True).exists():
            raise ValidationError(
                _("Enheden har stadig aktive medarbejdere. Flyt dem til en anden enhed først.")
            )
        subtree.update(is_active=False)
    else:
        unit.is_active = True
        unit.save(update_fields=["is_active"])
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="unit.reopened" if active else "unit.closed",
        organisation=unit.organisation,
        obj=unit,
        summary=unit.name,
    )
    return unit


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor: User | None,
    name: str,
    email: str,
    unit: Unit,
    job_group: str,
    seniority_band: str,
) -> Person:
    if unit.organisation_id != person.organisation_id:
        raise ValidationError(_("Enheden hører til en anden organisation."))
    changes: dict[str, list[object]] = {}
    for field, new in (
        ("name", name.strip()),
        ("email", email.strip().lower()),
        ("unit_id", unit.pk),
        ("job_group", job_group.strip()),
        ("seniority_band", seniority_band.strip()),
    ):
        old = getattr(person, field)
        if old != new:
            changes[field] = [old, new]
            setattr(person, field, new)
    if not changes:
        return person
    if "email" in changes and person.email:
        # One address, one person, as the import requires: an address several people
        # share (a team's mailbox) would receive each one's personal link and reminder,
        # so its reader could answer for all of them and see who has not (red team,
        # tests/privacy/test_redteam_insider.py).
        other = (
            Person.objects.filter(
                organisation_id=person.organisation_id, email__iexact=person.email
            )
            .exclude(pk=person.pk)
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "email": _("E-mailadressen tilhører en anden medarbejder (%(other)s).")
                    % {"other": other.employee_id}
                }
            )
    person.full_clean()
    person.save()
    # The audit keeps which fields changed, not the personal values themselves.
    audit_record(
        actor=actor,
        action="person.updated",
        organisation=person.organisation,
        obj=person,
        summary=", ".join(sorted(changes)),
        data={"fields": sorted(changes)},
    )
    return person


@transaction.atomic
def membership_grant(
    *,
    organisation: Organisation,
    actor: User | None,
    email: str,
    role: str,
    unit: Unit | None,
    full_name: str = "",
) -> Membership:
    """Give a user (created if new, without a password) a role in the organisation."""
    if role in ROLES_WITHOUT_UNIT:
        unit = None
    elif unit is None:
        raise ValidationError({"unit": _("Vælg den enhed, rollen gælder for.")})
    if unit is not None and unit.organisation_id != organisation.pk:
        raise ValidationError({"unit": _("Enheden hører til en anden organisation.")})
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, role=role, unit=unit
    )
    if created:
        audit_record(
            actor=actor,
            action="role.granted",
            organisation=organisation,
            obj=membership,
            summary=f"{user.email}: {membership.get_role_display()}",
            data={"user": user.pk, "role": role, "unit": unit.pk if unit else None},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: User | None) -> None:
    organisation = membership.organisation
    if membership.role == Role.ADMIN:
        admins = Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        if admins.count() <= 1:
            raise ValidationError(_("Organisationen skal have mindst én administrator."))
    audit_record(
        actor=actor,
        action="role.revoked",
        organisation=organisation,
        obj=membership,
        summary=f"{membership.user.email}: {membership.get_role_display()}",
        data={"user": membership.user_id, "role": membership.role, "unit": membership.unit_id},
    )
    membership.delete()
