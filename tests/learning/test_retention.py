"""Retention of the learning log: an entry goes on the day it is the organisation's
number of months old (default 36), with the meetings' reviews of that age."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import World, client_for
from tests.learning.conftest import make_focus_area, make_plan, write
from tryghed.actions.models import Action
from tryghed.audit.models import AuditEvent
from tryghed.learning import retention, services
from tryghed.learning.models import DEFAULT_RETENTION_MONTHS, Entry, LogSettings, Review

TODAY = dt.date(2029, 3, 6)


def _texts() -> set[str]:
    return set(Entry.objects.values_list("what_happened", flat=True))


@pytest.mark.django_db
def test_the_default_is_36_months_and_the_boundary_day_is_deleted(world: World) -> None:
    assert DEFAULT_RETENTION_MONTHS == 36
    write(world, text="tre år i dag", day=dt.date(2026, 3, 6))
    write(world, text="en dag yngre", day=dt.date(2026, 3, 7))
    write(world, text="en dag ældre", day=dt.date(2026, 3, 5))
    done = retention.organisation_purge_learning(organisation=world.org, today=TODAY)
    assert done.entries == 2 and done.through == dt.date(2026, 3, 6)
    assert _texts() == {"en dag yngre"}
    # The next day the younger one is due.
    retention.organisation_purge_learning(organisation=world.org, today=TODAY.replace(day=7))
    assert _texts() == set()


@pytest.mark.django_db
def test_each_organisation_keeps_entries_as_long_as_its_administrator_chose(
    world: World,
) -> None:
    services.log_settings_update(organisation=world.org, actor=world.owner, retention_months=12)
    write(world, text="et år", day=dt.date(2028, 3, 6))
    write(world, text="et år minus en dag", day=dt.date(2028, 3, 7))
    other = services.entry_write(
        unit=world.other_unit,
        writer=world.outsider,
        what_happened="anden organisation",
        today=dt.date(2028, 3, 6),
    )
    outcomes = retention.due_for_purge(today=TODAY)
    assert [(o.organisation, o.entries) for o in outcomes] == [(world.org, 1)]
    call_command("purge_learning", today=TODAY.isoformat(), stdout=StringIO())
    assert _texts() == {"et år minus en dag", "anden organisation"}
    assert Entry.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_month_end_counts_from_the_shorter_month(world: World) -> None:
    services.log_settings_update(organisation=world.org, actor=world.owner, retention_months=3)
    write(world, text="30. november", day=dt.date(2028, 11, 30))
    write(world, text="2. december", day=dt.date(2028, 12, 2))
    # 28 February less three months is 28 November: the 30th waits until 1 March (a day
    # or two late at a month's end, never early).
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2029, 2, 28))
    assert _texts() == {"30. november", "2. december"}
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2029, 3, 1))
    assert _texts() == {"2. december"}


@pytest.mark.django_db
def test_the_purge_keeps_the_action_drops_old_reviews_and_audits_no_text(world: World) -> None:
    plan = make_plan(world, make_focus_area(world))
    old = write(world, text="gammel situation med hemmelig-tekst-42", day=dt.date(2025, 1, 2))
    action = services.entry_to_action(
        entry=old,
        actor=world.leader,
        plan=plan,
        what="En fast tjekliste",
        deadline=dt.date(2025, 3, 1),
        owner_name="Lise Leder",
    )
    services.log_review(
        unit=world.team_a, actor=world.leader, entry_ids=[old.pk], today=dt.date(2025, 1, 9)
    )
    services.log_review(unit=world.team_a, actor=world.leader, entry_ids=[], today=TODAY)
    done = retention.organisation_purge_learning(organisation=world.org, today=TODAY)
    assert (done.entries, done.reviews) == (1, 1)
    assert not Entry.objects.exists()
    assert list(Review.objects.values_list("reviewed_on", flat=True)) == [TODAY]
    assert Action.objects.filter(pk=action.pk, plan=plan).exists()
    (row,) = AuditEvent.objects.filter(action="learning.entries_purged")
    assert row.actor is None and row.data == {
        "entries": 1,
        "reviews": 1,
        "through": "2026-03-06",
    }
    assert not AuditEvent.objects.filter(summary__contains="hemmelig-tekst").exists()
    assert not AuditEvent.objects.filter(data__icontains="hemmelig-tekst").exists()


@pytest.mark.django_db
def test_it_names_the_tables_it_deleted_from_for_the_rewrite_on_disk(world: World) -> None:
    write(world, day=dt.date(2020, 1, 1))
    done = retention.organisation_purge_learning(organisation=world.org, today=TODAY)
    assert done.tables == {"learning_entry"}
    again = retention.organisation_purge_learning(organisation=world.org, today=TODAY)
    assert again.tables == frozenset()


@pytest.mark.django_db
def test_running_it_twice_deletes_nothing_more_and_writes_no_second_row(world: World) -> None:
    write(world, day=dt.date(2020, 1, 1))
    assert retention.organisation_purge_learning(organisation=world.org, today=TODAY).entries == 1
    assert retention.organisation_purge_learning(organisation=world.org, today=TODAY).entries == 0
    assert AuditEvent.objects.filter(action="learning.entries_purged").count() == 1


@pytest.mark.django_db
def test_the_dry_run_lists_and_deletes_nothing(world: World) -> None:
    write(world, day=dt.date(2020, 1, 1))
    out = StringIO()
    call_command("purge_learning", today=TODAY.isoformat(), dry_run=True, stdout=out)
    assert "Would delete 1 learning-log entries and 0 reviews: Testkommune" in out.getvalue()
    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_the_daily_command_purges_the_log_too(world: World) -> None:
    from tryghed.cli import main

    write(world, day=dt.date(2020, 1, 1))
    write(world, day=TODAY)
    assert main(["purge-responses", "--today", TODAY.isoformat()]) == 0
    assert list(Entry.objects.values_list("written_on", flat=True)) == [TODAY]


@pytest.mark.django_db
def test_the_administrator_sets_the_period_and_others_cannot(world: World) -> None:
    url = reverse("learning:settings", kwargs={"org": world.org.slug})
    admin = client_for(world.owner)
    page = admin.get(url).content.decode()
    assert 'name="retention_months"' in page and 'value="36"' in page
    assert admin.post(url, {"retention_months": "2"}).status_code == 400
    assert not LogSettings.objects.exists()
    assert admin.post(url, {"retention_months": "24"}).status_code == 302
    assert LogSettings.objects.get(organisation=world.org).retention_months == 24
    (row,) = AuditEvent.objects.filter(action="learning.settings_changed")
    assert row.actor == world.owner and row.data == {"retention_months": [36, 24]}
    for user in (world.leader, world.employee, world.amo):
        assert client_for(user).post(url, {"retention_months": "6"}).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert LogSettings.objects.get(organisation=world.org).retention_months == 24
    settings_page = admin.get(reverse("orgs:settings", kwargs={"org": world.org.slug}))
    assert url in settings_page.content.decode()
    # The writer is told how long what they write is kept.
    write_url = reverse(
        "learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}
    )
    form = client_for(world.employee).get(write_url).content.decode()
    assert "slettes automatisk, når den er 24 måneder gammel" in form


# ------------------------------------------------- the shortest period since writing


def _set_period(world: World, months: int, *, on: dt.date) -> None:
    """The administrator sets the period on day ``on`` (its audit row dated that day)."""
    services.log_settings_update(organisation=world.org, actor=world.owner, retention_months=months)
    latest = AuditEvent.objects.filter(action="learning.settings_changed").latest("at", "pk")
    AuditEvent.objects.filter(pk=latest.pk).update(
        at=dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)
    )


@pytest.mark.django_db
def test_a_raise_keeps_no_entry_longer_than_its_writer_was_told(world: World) -> None:
    """The write page quoted 12 months; raising the period to 36 later does not keep the
    entry a day longer. An entry written after the raise keeps 36."""
    _set_period(world, 12, on=dt.date(2027, 1, 1))
    write(world, text="skrevet under 12", day=dt.date(2027, 2, 10))
    _set_period(world, 36, on=dt.date(2027, 6, 1))
    write(world, text="skrevet under 36", day=dt.date(2027, 7, 1))
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2028, 2, 9))
    assert _texts() == {"skrevet under 12", "skrevet under 36"}
    done = retention.organisation_purge_learning(organisation=world.org, today=dt.date(2028, 2, 10))
    assert done.entries == 1 and done.through == dt.date(2027, 2, 10)
    assert _texts() == {"skrevet under 36"}
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2030, 6, 30))
    assert _texts() == {"skrevet under 36"}
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2030, 7, 1))
    assert _texts() == set()


@pytest.mark.django_db
def test_a_cut_applies_at_once_and_stays_after_a_later_raise(world: World) -> None:
    write(world, text="skrevet under 36", day=dt.date(2027, 1, 10))
    _set_period(world, 12, on=dt.date(2027, 3, 1))
    _set_period(world, 60, on=dt.date(2027, 5, 1))
    outcomes = retention.due_for_purge(today=dt.date(2028, 1, 10))
    assert [(o.organisation, o.entries) for o in outcomes] == [(world.org, 1)]
    assert retention.due_for_purge(today=dt.date(2028, 1, 9)) == []
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2028, 1, 10))
    assert _texts() == set()


@pytest.mark.django_db
def test_a_change_on_the_day_an_entry_was_written_counts_the_shorter(world: World) -> None:
    """The entry keeps no time of day, so whether it was written before or after the
    change is unknown: the shorter of the two periods applies."""
    write(world, text="samme dag", day=dt.date(2027, 3, 1))
    _set_period(world, 48, on=dt.date(2027, 3, 1))
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2030, 3, 1))
    assert _texts() == set()


@pytest.mark.django_db
def test_the_meetings_reviews_keep_the_same_rule(world: World) -> None:
    _set_period(world, 12, on=dt.date(2027, 1, 1))
    services.log_review(
        unit=world.team_a, actor=world.leader, entry_ids=[], today=dt.date(2027, 2, 10)
    )
    _set_period(world, 36, on=dt.date(2027, 6, 1))
    done = retention.organisation_purge_learning(organisation=world.org, today=dt.date(2028, 2, 10))
    assert done.reviews == 1 and not Review.objects.exists()


def _brute_months(
    day: dt.date, *, first: int, changes: list[tuple[dt.date, int]], current: int
) -> int:
    """Independently: walk the history and collect every period that stood on some day
    from ``day`` until today (a change on ``day`` itself: both sides)."""
    standing = first
    seen: list[int] = []
    for on, new in changes:
        if on < day:
            standing = new
    seen.append(standing)
    seen.extend(new for on, new in changes if on >= day)
    seen.append(current)
    return min(seen)


@given(
    first=st.integers(3, 120),
    steps=st.lists(st.tuples(st.integers(0, 400), st.integers(3, 120)), min_size=0, max_size=6),
    probe=st.integers(-30, 450),
)
def test_each_day_counts_the_shortest_period_since_it(
    first: int, steps: list[tuple[int, int]], probe: int
) -> None:
    start = dt.date(2027, 1, 1)
    history: list[tuple[dt.date, int]] = []
    changes: list[retention.PeriodChange] = []
    standing = first
    for offset, new in sorted(steps, key=lambda step: step[0]):
        on = start + dt.timedelta(days=offset)
        changes.append(retention.PeriodChange(on, standing, new))
        history.append((on, new))
        standing = new
    day = start + dt.timedelta(days=probe)
    spans = retention.stretches(current=standing, changes=changes)
    (span,) = [
        s
        for s in spans
        if (s.after is None or day > s.after) and (s.until is None or day <= s.until)
    ]
    assert span.months == _brute_months(day, first=first, changes=history, current=standing)
