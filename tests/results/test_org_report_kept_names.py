"""The organisation report's kept figures (``results.org_views._org_figures``) of a
publication stored before names were kept: its rows name the units as they are called now
(``exports.unit_names``), so a rename must reach a kept page as it reaches a fresh one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy.test_redteam_teams_together import nord
from tryghed.orgs.models import Unit
from tryghed.results import aggregates
from tryghed.results.models import ReportCache

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str) -> str:
    response = client.get(url, {"niveau": "alle"})
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", response.content.decode())


def test_a_unit_renamed_after_closing_is_named_on_the_kept_page_as_on_a_fresh_one(
    world: World,
) -> None:
    t = nord(world)
    stored = ReportCache.objects.get(measurement_id=t.measurement.pk)
    header = stored.data
    for entry in header["units"].values():
        entry.pop("name", None)
    ReportCache.objects.filter(pk=stored.pk).update(data=header)
    aggregates._typed.clear()
    amo = client_for(world.amo)
    url = reverse("results:org_report", args=[world.org.slug, t.measurement.pk])
    assert "Hold B" in _page(amo, url)
    Unit.objects.filter(pk=t.teams[1].pk).update(name="Hold Bravo")
    kept = _page(amo, url)
    aggregates._typed.clear()
    fresh = _page(amo, url)
    assert "Hold Bravo" in fresh
    assert kept == fresh
