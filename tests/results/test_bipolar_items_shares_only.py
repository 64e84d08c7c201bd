"""A bipolar scale carries shares only, never a mean (statistics.md), and neither do the
items that are only in bipolar scales: guldkorn's Krav has one item (guldkorn.11), whose
mean points would be the scale's mean by another name. The pages never showed it; the
spreadsheet and the API did (independent review of the figures)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.api.helpers import get_json
from tests.conftest import World, client_for
from tests.results.team_report_scenario import team_report
from tryghed.core import figures
from tryghed.results import exports
from tryghed.results.aggregates import publication, report_data
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

KRAV = "guldkorn.11"  # Krav: the one item of guldkorn's bipolar scale
MENING = "guldkorn.1"  # an item of a scale read as higher is better


@pytest.fixture
def measurement(world: World) -> Measurement:
    return team_report(world)


def test_the_publication_names_the_items_read_as_shares_only(measurement: Measurement) -> None:
    whole = publication(measurement, units=None)
    meta = whole.instruments["guldkorn"]
    assert meta.shares_only(KRAV) and not meta.shares_only(MENING)
    # The item keeps its mean points in the publication; the readers leave them out.
    krav = [
        item
        for g in whole.groups
        if not isinstance(g, figures.Hidden)
        and (block := g.instrument("guldkorn")) is not None
        and (item := block.item(KRAV)) is not None
        and not isinstance(item, figures.Hidden)
    ]
    assert krav and all(item.mean_points is not None for item in krav)


def test_the_spreadsheet_gives_krav_its_counts_but_no_mean(
    world: World, measurement: Measurement
) -> None:
    data = report_data(measurement)
    book = load_workbook(io.BytesIO(exports.build_workbook(measurement, data)))
    sheet = next(
        name for name in book.sheetnames if name.startswith("De seks guldkorn") and "spm" in name
    )
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    krav = [row for row in table if row["Nr."] == 11 and row["Antal svar"]]
    mening = [row for row in table if row["Nr."] == 1 and row["Antal svar"]]
    assert krav and mening
    assert all(row["Gennemsnit (point)"] is None for row in krav)
    assert all(row["Gennemsnit (point)"] is not None for row in mening)


def test_the_api_gives_krav_no_mean_points(world: World, measurement: Measurement) -> None:
    body: dict[str, Any] = get_json(
        client_for(world.amo),
        reverse("api:publication", kwargs={"measurement_id": measurement.pk}),
    )
    seen = {KRAV: 0, MENING: 0}
    for group in body["groups"]:
        if group.get("hidden"):
            continue
        items = group["instruments"].get("guldkorn", {}).get("items", {})
        for item_id in seen:
            item = items.get(item_id)
            if item is None or item.get("hidden"):
                continue
            seen[item_id] += 1
            if item_id == KRAV:
                assert item["mean_points"] is None, group
            else:
                assert item["mean_points"] is not None, group
    assert seen[KRAV] and seen[MENING]
