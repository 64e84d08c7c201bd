"""The organisation report's figures are rendered once per publication and kept in the
process (``results.org_views._org_figures``): a page served from them must be the page made
fresh, for every reader, language and query, in any order.

Top management's rows lead to no unit report, the AMO's and the administrator's do: a key
that missed it would give one the other's page. The tests read the pages fresh (nothing
kept), then again in a shuffled order with everything kept, and compare them.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.urls import reverse

from tests.results.test_unit_report_kept import page_text, reader
from tryghed.core import figures
from tryghed.orgs.models import Organisation
from tryghed.results import aggregates, org_presenters, org_views
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments

pytestmark = pytest.mark.django_db

READERS = ("amo@demo-kommune.dk", "admin@demo-kommune.dk", "direktion@demo-kommune.dk")
QUERIES: tuple[dict[str, str], ...] = (
    {},
    {"niveau": "alle"},
    {"sort": "ps7.total", "dir": "asc"},
    {"niveau": "alle", "side": "2"},
    {"par": "1"},
)


def _get(client: Any, url: str, query: dict[str, str]) -> str:
    return page_text(client.get(url, query))


def test_a_kept_organisation_page_is_the_page_made_fresh_for_every_reader_in_any_order(
    demo_organisation: Organisation,
) -> None:
    organisation = demo_organisation
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED, previous__isnull=False
    ).latest("pk")
    url = reverse("results:org_report", args=[organisation.slug, measurement.pk])
    clients = {(email, lang): reader(email, lang) for email in READERS for lang in ("da", "en")}
    asks = [
        (email, lang, i) for email in READERS for lang in ("da", "en") for i in range(len(QUERIES))
    ]
    fresh = {}
    for email, lang, i in asks:
        aggregates._typed.clear()
        fresh[email, lang, i] = _get(clients[email, lang], url, QUERIES[i])
    assert all(page.startswith("200") for page in fresh.values())
    # Top management's page links no unit report; the AMO's does.
    assert "/enhed/" not in fresh["direktion@demo-kommune.dk", "da", 0]
    assert "/enhed/" in fresh["amo@demo-kommune.dk", "da", 0]
    aggregates._typed.clear()
    random.Random(15).shuffle(asks)
    for email, lang, i in asks + asks:
        kept = _get(clients[email, lang], url, QUERIES[i])
        assert kept == fresh[email, lang, i], (email, lang, QUERIES[i])


def test_a_kept_organisation_page_is_not_made_again(
    demo_organisation: Organisation, monkeypatch: Any
) -> None:
    organisation = demo_organisation
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED
    ).latest("pk")
    url = reverse("results:org_report", args=[organisation.slug, measurement.pk])
    made: list[str] = []
    original = org_presenters.org_report_context

    def counted(**kwargs: Any) -> Any:
        made.append(kwargs["lang"])
        return original(**kwargs)

    monkeypatch.setattr(org_views, "org_report_context", counted)  # as the view calls it
    aggregates._typed.clear()
    amo = reader("amo@demo-kommune.dk", "da")
    admin = reader("admin@demo-kommune.dk", "da")
    _get(amo, url, {})
    _get(amo, url, {})
    _get(admin, url, {})  # the same figures: both open the units' reports
    assert made == ["da"]
    _get(amo, url, {"niveau": "alle"})
    _get(reader("direktion@demo-kommune.dk", "da"), url, {})
    assert made == ["da"] * 3


def test_the_columns_keep_the_measurements_order_of_instruments_whatever_the_header_says(
    demo_organisation: Organisation,
) -> None:
    """PostgreSQL's jsonb gave the stored header's instruments in its own key order, and
    the heatmap's columns and the reliability rows followed it, so a process that read the
    header back ordered them unlike the one that built it (this file's first test, on
    PostgreSQL)."""
    organisation = demo_organisation
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED, previous__isnull=False
    ).latest("pk")
    built = aggregates.compute_report_data(measurement)
    reordered = {**built, "instruments": dict(reversed(built["instruments"].items()))}
    instruments = measurement_instruments(measurement)

    def report(raw: dict[str, Any]) -> Any:
        return org_presenters.org_report_context(
            data=figures.load(raw),
            instruments=instruments,
            unit_names={},
            total=None,
            lang="da",
            params={},
        )

    as_built, read_back = report(built), report(reordered)
    columns = [column.key for column in as_built.heatmap.columns]
    assert len(columns) > 2
    assert [column.key for column in read_back.heatmap.columns] == columns
    assert [row.label for row in read_back.trust.rows] == [row.label for row in as_built.trust.rows]
    assert [c.split(".")[0] for c in columns] == sorted(
        (c.split(".")[0] for c in columns), key=[i.id for i in instruments].index
    )
