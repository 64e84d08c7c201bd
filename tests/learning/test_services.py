from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World
from tests.learning.conftest import make_focus_area, make_plan, write
from tryghed.actions.models import Action, ActionPlan
from tryghed.audit.models import AuditEvent
from tryghed.learning import selectors, services
from tryghed.learning.models import Entry, Review
from tryghed.orgs.selectors import access_for

DAY = dt.date(2026, 5, 12)


@pytest.mark.django_db
def test_an_anonymous_entry_leaves_no_audit_row_and_a_named_one_does(world: World) -> None:
    before = AuditEvent.objects.count()
    write(world)
    assert AuditEvent.objects.count() == before
    named = write(world, named=True)
    event = AuditEvent.objects.get(action="learning.entry_written")
    assert event.object_id == str(named.pk) and event.actor == world.employee


@pytest.mark.django_db
def test_an_entry_needs_a_text_and_a_known_kind(world: World) -> None:
    with pytest.raises(ValidationError):
        write(world, text="   ")
    with pytest.raises(ValidationError):
        write(world, kind="whose_fault")
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_sorting_changes_the_kind_and_is_audited(world: World) -> None:
    entry = write(world)
    services.entry_sort(entry=entry, actor=world.leader, kind="complex")
    entry.refresh_from_db()
    assert entry.kind == "complex" and entry.get_kind_display() == "Kompleks fejl"
    assert (
        AuditEvent.objects.filter(action="learning.entry_sorted", actor=world.leader).count() == 1
    )


@pytest.mark.django_db
def test_the_review_marks_what_was_listed_and_keeps_a_later_entry_new(world: World) -> None:
    listed = [write(world, day=DAY), write(world, day=DAY)]
    later = write(world, day=DAY)  # written while the meeting went on
    review = services.log_review(
        unit=world.team_a, actor=world.leader, entry_ids=[e.pk for e in listed], today=DAY
    )
    new, reviewed = selectors.unit_log(world.team_a)
    assert [e.pk for e in new] == [later.pk]
    assert {e.pk for e in reviewed} == {e.pk for e in listed}
    assert all(e.reviewed_on == DAY for e in reviewed)
    assert selectors.last_review(world.team_a) == review
    assert Review.objects.get().reviewed_on == DAY


@pytest.mark.django_db
def test_the_review_does_not_touch_another_units_entries(world: World) -> None:
    other = write(world, unit=world.team_b)
    services.log_review(unit=world.team_a, actor=world.leader, entry_ids=[other.pk], today=DAY)
    other.refresh_from_db()
    assert other.reviewed_on is None


@pytest.mark.django_db
def test_one_entry_can_be_marked_reviewed(world: World) -> None:
    entry = write(world)
    services.entry_mark_reviewed(entry=entry, actor=world.leader, today=DAY)
    entry.refresh_from_db()
    assert entry.reviewed_on == DAY


@pytest.mark.django_db
def test_a_forwarded_entry_is_on_the_amos_list_only(world: World) -> None:
    kept, sent = write(world), write(world)
    services.entry_forward(entry=sent, actor=world.leader, today=DAY)
    amo = access_for(user=world.amo, slug=world.org.slug)
    leader = access_for(user=world.leader, slug=world.org.slug)
    assert [e.pk for e in selectors.forwarded(amo)] == [sent.pk]
    assert selectors.forwarded(leader) == []
    assert kept.pk not in [e.pk for e in selectors.forwarded(amo)]


@pytest.mark.django_db
def test_a_lesson_becomes_an_action_in_the_units_plan_once(world: World) -> None:
    plan = make_plan(world, make_focus_area(world))
    entry = write(world, kind="basic")
    action = services.entry_to_action(
        entry=entry,
        actor=world.leader,
        plan=plan,
        what="Oplæring i den nye tjekliste",
        deadline=DAY,
        owner_name="Lise Leder",
    )
    entry.refresh_from_db()
    assert entry.action == action and action.plan == plan
    with pytest.raises(ValidationError):
        services.entry_to_action(
            entry=entry, actor=world.leader, plan=plan, what="igen", deadline=DAY, owner_name="L"
        )
    assert Action.objects.filter(plan=plan).count() == 1


@pytest.mark.django_db
def test_a_lesson_becomes_a_new_plan_without_the_entrys_text(world: World) -> None:
    focus = make_focus_area(world)
    entry = write(world, kind="complex", text="Hemmelig detalje om aftenvagten")
    action = services.entry_to_action(
        entry=entry,
        actor=world.leader,
        focus=focus,
        what="Tal om nye borgere tidligt",
        deadline=DAY,
        owner_name="Lise Leder",
    )
    plan = ActionPlan.objects.get()
    assert action.plan == plan and plan.focus_area == focus
    assert "Hemmelig" not in plan.problem + plan.goal
    assert "Kompleks fejl" in plan.problem


@pytest.mark.django_db
def test_an_action_goes_only_into_the_teams_own_plan(world: World) -> None:
    other_plan = make_plan(world, make_focus_area(world, world.team_b))
    entry = write(world)
    with pytest.raises(ValidationError):
        services.entry_to_action(
            entry=entry, actor=world.leader, plan=other_plan, what="x", deadline=DAY, owner_name="L"
        )
    entry.refresh_from_db()
    assert entry.action is None


@pytest.mark.django_db
def test_the_entry_keeps_standing_when_its_action_is_deleted(world: World) -> None:
    plan = make_plan(world, make_focus_area(world))
    entry = write(world)
    action = services.entry_to_action(
        entry=entry, actor=world.leader, plan=plan, what="x", deadline=DAY, owner_name="L"
    )
    action.delete()
    entry.refresh_from_db()
    assert entry.action is None


@pytest.mark.django_db
def test_the_mix_counts_the_units_own_entries_per_quarter(world: World) -> None:
    for day, kind in [
        (dt.date(2026, 1, 5), "basic"),
        (dt.date(2026, 2, 5), "basic"),
        (dt.date(2026, 3, 31), "complex"),
        (dt.date(2026, 4, 1), "intelligent"),
        (dt.date(2026, 5, 1), ""),
        (dt.date(2025, 1, 1), "basic"),  # before the four quarters shown
    ]:
        write(world, kind=kind, day=day)
    write(world, unit=world.team_b, kind="intelligent", day=dt.date(2026, 1, 9))
    mix = selectors.kind_mix(world.team_a, today=dt.date(2026, 5, 20))
    assert [(q.year, q.number) for q in mix] == [(2025, 3), (2025, 4), (2026, 1), (2026, 2)]
    q1, q2 = mix[2], mix[3]
    assert (q1.basic, q1.complex, q1.intelligent, q1.unsorted) == (2, 1, 0, 0)
    assert (q2.basic, q2.complex, q2.intelligent, q2.unsorted) == (0, 0, 1, 1)
    reading = selectors.mix_reading(mix)
    assert not reading.no_intelligent and reading.sorted_total == 4 and not reading.many_basic


@pytest.mark.django_db
def test_the_reading_names_many_basic_and_no_intelligent(world: World) -> None:
    for kind in ("basic", "basic", "complex"):
        write(world, kind=kind, day=dt.date(2026, 5, 2))
    reading = selectors.mix_reading(selectors.kind_mix(world.team_a, today=dt.date(2026, 5, 20)))
    assert reading.many_basic and reading.no_intelligent
    empty = selectors.mix_reading(selectors.kind_mix(world.team_b, today=dt.date(2026, 5, 20)))
    assert not empty.many_basic and not empty.no_intelligent
