"""Red team of the learning log's retention (``learning.retention``, commit ed78c61): an
entry must go no later than the period its write page quoted, whatever the administrator
does with the period meanwhile.

The purge counts the shortest period in force from the entry's day until today, read from
the settings' audit rows. The write page quotes the period when it is opened, though, and
the entry is dated the day it is sent: a page opened before a raise and sent the next day
was kept for the raised period (found 2026-12-07, fixed: the form carries the period it
quoted, and a raise since is shown to the writer before anything is written).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.audit.models import AuditEvent
from tryghed.learning import retention, services
from tryghed.learning.models import Entry

pytestmark = pytest.mark.django_db

TEXT = "Vagtplanen kom for sent ud."


def _set_period(world: World, months: int, *, at: dt.datetime) -> None:
    """The administrator sets the period at ``at`` (its audit row so dated)."""
    services.log_settings_update(organisation=world.org, actor=world.owner, retention_months=months)
    latest = AuditEvent.objects.filter(action="learning.settings_changed").latest("at", "pk")
    AuditEvent.objects.filter(pk=latest.pk).update(at=at)


def _quoted(page: str) -> int:
    found = re.search(r"slettes automatisk, når den er (\d+) måneder gammel", page)
    assert found is not None
    return int(found.group(1))


def test_a_page_opened_before_a_raise_and_sent_the_next_day_keeps_the_quoted_period(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer opens the page in the evening (12 months quoted), the administrator
    raises the period to 60 that evening, and the writer sends the page next morning: the
    entry may not stay 60 months. Either the writer is told the new period before it is
    written, or it goes after 12."""
    _set_period(world, 12, at=dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC))
    url = reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    writer = client_for(world.employee)
    opened = writer.get(url).content.decode()
    assert _quoted(opened) == 12
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', opened))
    _set_period(world, 60, at=dt.datetime(2027, 3, 1, 20, tzinfo=dt.UTC))
    monkeypatch.setattr(services, "local_today", lambda: dt.date(2027, 3, 2))
    hidden.pop("csrfmiddlewaretoken", None)
    sent = writer.post(url, {**hidden, "what_happened": TEXT, "show_name": "anonymous"})
    if sent.status_code != 302:
        # Told the new period before anything was written; sending again accepts it.
        assert sent.status_code == 400 and not Entry.objects.exists()
        again = sent.content.decode()
        assert _quoted(again) == 60
        assert "Mens du skrev, har organisationen forlænget den tid, en situation gemmes" in again
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2028, 3, 2))
    assert not Entry.objects.exists()


def test_a_page_quoting_the_period_in_force_is_written_at_once(world: World) -> None:
    """The check asks again only after a raise: a cut, or no change, writes at once."""
    _set_period(world, 24, at=dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC))
    url = reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    writer = client_for(world.employee)
    opened = writer.get(url).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', opened))
    hidden.pop("csrfmiddlewaretoken", None)
    assert hidden == {"quoted_months": "24"}
    _set_period(world, 6, at=dt.datetime(2027, 1, 2, 12, tzinfo=dt.UTC))
    sent = writer.post(url, {**hidden, "what_happened": TEXT, "show_name": "anonymous"})
    assert sent.status_code == 302 and Entry.objects.filter(what_happened=TEXT).exists()


def test_a_raise_just_after_local_midnight_counts_for_that_local_day(world: World) -> None:
    """The audit row is a UTC time, the entry a local (Copenhagen) date: a raise at 00:30
    local time, 22:30 UTC the day before, is on the entry's day, which may have been
    written at 00:10 under the shorter period; read as a UTC date, the entry would be after
    the raise and kept 60 months instead of 12."""
    _set_period(world, 12, at=dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC))
    services.entry_write(
        unit=world.team_a, writer=world.employee, what_happened=TEXT, today=dt.date(2027, 6, 1)
    )
    _set_period(world, 60, at=dt.datetime(2027, 5, 31, 22, 30, tzinfo=dt.UTC))
    retention.organisation_purge_learning(organisation=world.org, today=dt.date(2028, 6, 1))
    assert not Entry.objects.exists()


def test_a_form_sent_with_an_error_after_a_raise_says_so_and_quotes_the_new_period(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page sent with a mistake after a raise came back showing the new period while its
    hidden quote kept the old one, so the corrected page was refused once more for a raise
    the writer had already been shown (review, 2026-12-07). It now says so at once."""
    _set_period(world, 12, at=dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC))
    url = reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    writer = client_for(world.employee)
    opened = writer.get(url).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', opened))
    hidden.pop("csrfmiddlewaretoken", None)
    _set_period(world, 60, at=dt.datetime(2027, 3, 1, 20, tzinfo=dt.UTC))
    monkeypatch.setattr(services, "local_today", lambda: dt.date(2027, 3, 2))
    wrong = writer.post(url, {**hidden, "what_happened": "", "show_name": "anonymous"})
    assert wrong.status_code == 400 and not Entry.objects.exists()
    page = wrong.content.decode()
    assert _quoted(page) == 60
    assert "Mens du skrev, har organisationen forlænget den tid, en situation gemmes" in page
    again = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    again.pop("csrfmiddlewaretoken", None)
    assert again == {"quoted_months": "60"}
    sent = writer.post(url, {**again, "what_happened": TEXT, "show_name": "anonymous"})
    assert sent.status_code == 302 and Entry.objects.count() == 1
