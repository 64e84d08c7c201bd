"""Writes of the learning log; each in one transaction.

An anonymous entry is written without an audit row: a row naming the writer, on the day
an entry appears, would be the very link the entry must not have (docs/learning.md). The
leader's steps on entries (sorting, review, action, sending on) are audit-logged as all
staff changes are; they tell who handled an entry, never who wrote it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tryghed.actions import services as action_services
from tryghed.actions.models import Action, ActionPlan, FocusArea, Level, Prevention
from tryghed.audit.services import audit_record
from tryghed.learning.models import (
    SETTINGS_CHANGED,
    TEXT_MAX_LENGTH,
    Entry,
    Kind,
    LogSettings,
    Review,
)
from tryghed.orgs.models import Organisation, Unit
from tryghed.unordered_tables import write_again

if TYPE_CHECKING:
    from tryghed.accounts.models import User


def local_today() -> dt.date:
    return timezone.localdate()


def _check_kind(kind: str) -> None:
    if kind and kind not in Kind.values:
        raise ValidationError({"kind": _("Vælg en af de tre typer.")})


@transaction.atomic
def entry_write(
    *,
    unit: Unit,
    writer: User,
    what_happened: str,
    lesson: str = "",
    kind: str = "",
    author_name: str = "",
    today: dt.date | None = None,
) -> Entry:
    """A new situation in the unit's log; named when ``author_name`` is given.

    The caller has checked that the writer may write in this unit's log. An anonymous
    entry keeps nothing of the writer: no user, no name, no time of day, no audit row.
    """
    what_happened, lesson = what_happened.strip(), lesson.strip()
    if not what_happened:
        raise ValidationError({"what_happened": _("Beskriv kort, hvad der skete.")})
    if len(what_happened) > TEXT_MAX_LENGTH or len(lesson) > TEXT_MAX_LENGTH:
        raise ValidationError(_("Højst %(max)s tegn pr. felt.") % {"max": TEXT_MAX_LENGTH})
    _check_kind(kind)
    day = today or local_today()
    named = bool(author_name.strip())
    entry = Entry.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        kind=kind,
        what_happened=what_happened,
        lesson=lesson,
        author=writer if named else None,
        author_name=author_name.strip()[:200] if named else "",
        written_on=day,
    )
    if named:
        audit_record(
            actor=writer,
            action="learning.entry_written",
            organisation=unit.organisation,
            obj=entry,
            summary=unit.name,
        )
    _rewrite_day(unit.organisation_id, day)
    return entry


def _rewrite_day(organisation_id: int, day: dt.date) -> None:
    """Write every entry of the organisation from that day again, in random order.

    A row's ``xmin`` and ``ctid`` (PostgreSQL) follow the transaction and order that wrote
    it last, its place in its page (SQLite) the order that inserted it; afterwards the
    day's entries share the newest one's transaction and lie in random order (as
    voice.services._rewrite_day does for cases). PostgreSQL's first line pointers still
    keep the order of writing (``unordered_tables.write_again``)."""
    # One organisation's day is written again by one transaction at a time: two at once,
    # each in its own random order, locked each other's rows and PostgreSQL aborted one of
    # them as a deadlock, with its new entry or case (red team, test_redteam_operator_2.py).
    list(Organisation.objects.select_for_update(no_key=True).filter(pk=organisation_id))
    entries = list(Entry.objects.filter(organisation_id=organisation_id, written_on=day))
    secrets.SystemRandom().shuffle(entries)
    write_again(Entry, entries, "written_on")


def _audit(entry: Entry, actor: User, what: str, **data: object) -> None:
    audit_record(
        actor=actor,
        action=f"learning.{what}",
        organisation=entry.organisation,
        obj=entry,
        data=dict(data),
    )


@transaction.atomic
def entry_sort(*, entry: Entry, actor: User, kind: str) -> Entry:
    """Sort the situation into one of the three kinds (or back to unsorted)."""
    _check_kind(kind)
    if entry.kind != kind:
        entry.kind = kind
        entry.save(update_fields=["kind"])
        _audit(entry, actor, "entry_sorted", kind=kind)
    return entry


@transaction.atomic
def entry_mark_reviewed(*, entry: Entry, actor: User, today: dt.date | None = None) -> Entry:
    if entry.reviewed_on is None:
        entry.reviewed_on = today or local_today()
        entry.save(update_fields=["reviewed_on"])
        _audit(entry, actor, "entry_reviewed")
    return entry


@transaction.atomic
def log_review(
    *, unit: Unit, actor: User, entry_ids: Iterable[object], today: dt.date | None = None
) -> Review:
    """ "Gennemgået på mødet": the day is recorded, and the entries the team went through
    (those listed as new on the page) are marked reviewed. An entry written while the
    meeting went on stays new for next time."""
    day = today or local_today()
    wanted = [str(i) for i in entry_ids]
    marked = Entry.objects.filter(unit=unit, reviewed_on__isnull=True, pk__in=wanted).update(
        reviewed_on=day
    )
    review = Review.objects.create(unit=unit, reviewed_on=day, reviewed_by=actor)
    audit_record(
        actor=actor,
        action="learning.log_reviewed",
        organisation=unit.organisation,
        obj=review,
        summary=unit.name,
        data={"entries": marked},
    )
    return review


@transaction.atomic
def entry_forward(*, entry: Entry, actor: User, today: dt.date | None = None) -> Entry:
    """ "Send videre til arbejdsmiljøgruppen": the AMO sees it in its list."""
    if entry.forwarded_on is None:
        entry.forwarded_on = today or local_today()
        entry.save(update_fields=["forwarded_on"])
        _audit(entry, actor, "entry_forwarded")
    return entry


@transaction.atomic
def entry_to_action(
    *,
    entry: Entry,
    actor: User,
    plan: ActionPlan | None = None,
    focus: FocusArea | None = None,
    what: str,
    deadline: dt.date,
    owner_name: str,
) -> Action:
    """The lesson becomes an action: in ``plan`` (one of the unit's plans), or in a new plan
    under ``focus`` (one of the unit's focus areas). Exactly one of the two is given."""
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    if locked.action_id is not None:
        raise ValidationError(_("Situationen er allerede blevet til en handling."))
    if (plan is None) == (focus is None):
        raise ValidationError({"target": _("Vælg en handleplan.")})
    if plan is not None and plan.focus_area.unit_id != locked.unit_id:
        raise ValidationError({"target": _("Vælg en handleplan for teamets egen enhed.")})
    if focus is not None:
        if focus.unit_id != locked.unit_id:
            raise ValidationError({"target": _("Vælg et fokusområde for teamets egen enhed.")})
        kind = locked.get_kind_display() or _("ikke sorteret endnu")
        plan = action_services.plan_create(
            focus=focus,
            actor=actor,
            # The plan is read more widely than the log: the entry's text is not copied.
            problem=_("En situation i læringsloggen, der ikke gik som planlagt (%(kind)s).")
            % {"kind": kind},
            goal=what,
            level=Level.GROUP,
            prevention=Prevention.PRIMARY,
        )
    assert plan is not None
    action = action_services.action_add(
        plan=plan, actor=actor, what=what, deadline=deadline, owner_name=owner_name
    )
    locked.action = action
    locked.save(update_fields=["action"])
    _audit(locked, actor, "entry_to_action", action=action.pk, plan=plan.pk)
    entry.action = action
    return action


@transaction.atomic
def entry_delete(*, entry: Entry, actor: User) -> None:
    """The leader deletes a situation of their unit ("Slet situationen").

    The audit row says who deleted which entry, of which kind and day; never its text or
    its writer. An action made from it stays in its plan (the action is worded by the
    leader and does not copy the entry); only the entry's link to it goes. The day's other
    entries are not written again: a delete changes no other row, so it adds no order."""
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    data = {
        "kind": locked.kind,
        "written_on": locked.written_on.isoformat(),
        "action": locked.action_id,
    }
    audit_record(
        actor=actor,
        action="learning.entry_deleted",
        organisation=locked.organisation,
        obj=locked,
        summary=locked.unit.name,
        data=data,
    )
    locked.delete()


@transaction.atomic
def log_settings_update(
    *, organisation: Organisation, actor: User, retention_months: int
) -> LogSettings:
    """Store the organisation's retention period for the learning log (its administrator)."""
    current, _ = LogSettings.objects.select_for_update().get_or_create(organisation=organisation)
    before = current.retention_months
    current.retention_months = retention_months
    current.full_clean()
    current.save()
    if before != retention_months:
        audit_record(
            actor=actor,
            action=SETTINGS_CHANGED,
            organisation=organisation,
            obj=organisation,
            summary=organisation.name,
            data={"retention_months": [before, retention_months]},
        )
    return current
