"""The list of reports: the newest measurement and the latest closed one show their units,
older ones fold them (40 units a measurement make a page of metres on a phone), and every
unit's link is still on the page, so nothing needs a script."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import page, url
from tryghed.surveys.models import Measurement, Status

pytestmark = pytest.mark.django_db
SECTION = re.compile(
    r'<section class="card" aria-labelledby="measurement-(\d+)">(.*?)</section>', re.S
)


def _sections(world: World) -> dict[int, str]:
    html = page(client_for(world.amo), reverse("results:list", kwargs={"org": world.org.slug}))
    return {int(pk): body for pk, body in SECTION.findall(html)}


def _folded(section: str) -> bool:
    details = re.search(r"<details\b[^>]*>", section)
    assert details, section
    return " open" not in details.group()


def test_only_the_newest_and_the_latest_closed_measurement_show_their_units(
    world: World,
) -> None:
    oldest, older = make_measurement(world), make_measurement(world)
    newest = make_measurement(world, status=Status.OPEN)
    sections = _sections(world)
    assert list(sections) == [newest.pk, older.pk, oldest.pk]
    assert not _folded(sections[newest.pk])
    assert not _folded(sections[older.pk])  # the newest has no figures while it is open
    assert _folded(sections[oldest.pk])
    for measurement in (oldest, older, newest):
        for unit in (world.root, world.area, world.team_a, world.team_b):
            assert url(world, measurement, unit) in sections[measurement.pk]


def test_when_the_newest_is_closed_the_older_ones_are_folded(world: World) -> None:
    older: Measurement = make_measurement(world)
    newest = make_measurement(world)
    sections = _sections(world)
    assert not _folded(sections[newest.pk])
    assert _folded(sections[older.pk])
    assert "Enhedernes rapporter</summary>" in sections[older.pk]
