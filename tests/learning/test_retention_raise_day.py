"""The write page quotes the period that an entry written today is kept (``learning.views
.write``): on the day of a raise that is still the shorter period, because the purge counts
a change made on the entry's own day (its time is not kept on the row)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tryghed.audit.models import AuditEvent
from tryghed.learning import retention, services
from tryghed.learning.models import Entry
from tryghed.surveys.retention import add_months

pytestmark = pytest.mark.django_db


def _set_period(world: World, months: int, *, at: dt.datetime) -> None:
    services.log_settings_update(organisation=world.org, actor=world.owner, retention_months=months)
    latest = AuditEvent.objects.filter(action="learning.settings_changed").latest("at", "pk")
    AuditEvent.objects.filter(pk=latest.pk).update(at=at)


def test_on_the_day_of_a_raise_the_write_page_quotes_the_period_the_entry_is_kept(
    world: World,
) -> None:
    now = timezone.now()
    _set_period(world, 12, at=now - dt.timedelta(days=400))
    _set_period(world, 60, at=now)
    url = reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    writer = client_for(world.employee)
    page = writer.get(url).content.decode()
    quoted = re.search(r"slettes automatisk, når den er (\d+) måneder gammel", page)
    assert quoted is not None
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    sent = writer.post(
        url, {**hidden, "what_happened": "Vagtplanen kom for sent.", "show_name": "anonymous"}
    )
    assert sent.status_code == 302
    written = Entry.objects.get().written_on
    # The day after the quoted period: gone, and not before.
    retention.organisation_purge_learning(
        organisation=world.org,
        today=add_months(written, int(quoted.group(1))) - dt.timedelta(days=1),
    )
    assert Entry.objects.exists()
    retention.organisation_purge_learning(
        organisation=world.org, today=add_months(written, int(quoted.group(1)))
    )
    assert not Entry.objects.exists()
