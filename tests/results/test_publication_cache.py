"""A process keeps the last publications it read, parsed: pages read them and never write.

The cache hands the same dict to every reader (results.aggregates._ParsedPublications), so
a reader that changed it would change what the next page shows. These tests read the
demo's publications through every report page, the feedback page and the spreadsheet, and
check that the dict is still exactly as stored.
"""

from __future__ import annotations

import copy
import gc
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tryghed.accounts.models import User
from tryghed.orgs.models import Organisation, Unit
from tryghed.results import aggregates, exports
from tryghed.surveys.models import Measurement, Status


@pytest.mark.django_db
def test_a_warm_read_is_the_stored_publication_without_reading_it_again(
    demo_organisation: Organisation, django_assert_num_queries: Any
) -> None:
    organisation = demo_organisation
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED
    ).latest("pk")
    aggregates._parsed.clear()
    first = aggregates.report_data(measurement)
    # Warm: the measurement's status and the stored publication's name, nothing more.
    with django_assert_num_queries(2):
        assert aggregates.report_data(measurement) is first


@pytest.mark.django_db
def test_no_page_or_file_changes_the_publication_it_reads(
    demo_organisation: Organisation,
) -> None:
    organisation = demo_organisation
    amo = User.objects.get(email="amo@demo-kommune.dk")
    client = client_for(amo)
    aggregates._parsed.clear()
    # The later wave: its publication has every kind of block, changes included.
    for measurement in Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED, previous__isnull=False
    ):
        data = aggregates.report_data(measurement)
        before = copy.deepcopy(data)
        pages = [reverse("results:org_report", args=[organisation.slug, measurement.pk])]
        for unit in Unit.objects.filter(organisation=organisation):
            url = reverse("results:unit_report", args=[organisation.slug, measurement.pk, unit.pk])
            pages += [url, f"{url}?omfang=enhed"]
        for page in pages:
            assert client.get(page).status_code == 200, page
        exports.build_workbook(measurement, aggregates.report_data(measurement))
        assert aggregates.report_data(measurement) is data
        assert data == before


def test_a_large_parsed_publication_is_left_out_of_the_cycle_collectors_walks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A full collection walked every dict of a cached 2,000-unit publication on every
    # page (0.1-0.4 s); frozen, it is skipped. A small one is left as it is.
    monkeypatch.setattr(aggregates, "FREEZE_FROM_UNITS", 3)
    cache = aggregates._ParsedPublications[dict[str, Any]](size=2)
    small: dict[str, Any] = {"units": {"1": {}, "2": {}}, "groups": [{"n": [1]}]}
    large: dict[str, Any] = {"units": {"1": {}, "2": {}, "3": {}}, "groups": [{"n": [1]}]}
    try:
        gc.unfreeze()
        cache.put((1, "small"), small)
        assert any(o is small for o in gc.get_objects())
        cache.put((2, "large"), large)
        assert gc.get_freeze_count() > 0
        assert not any(o is large or o is large["groups"] for o in gc.get_objects())
        assert cache.get((2, "large")) is large
    finally:
        gc.unfreeze()
