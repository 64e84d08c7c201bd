"""Red team of the organisation report's kept figures (commit 647552f:
``results.org_views._org_figures`` keeps them rendered per publication in
``aggregates.PageCache``).

A reader must never get figures, links or names made for another reader, language or an
earlier state, and a query string must not make pages that crowd out the others: queries
that show the same page share one kept page. (A unit renamed after closing, for a
publication stored without names: tests/results/test_org_report_kept_names.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.privacy.test_redteam_kept_pages import _page
from tests.privacy.test_redteam_teams_together import nord
from tryghed.orgs.models import Organisation, Role
from tryghed.results import aggregates, org_presenters
from tryghed.surveys.selectors import measurement_instruments

pytestmark = pytest.mark.django_db


def _url(organisation: Organisation, measurement_id: int) -> str:
    return reverse("results:org_report", args=[organisation.slug, measurement_id])


def _kept_and_fresh(asks: list[tuple[Client, str]], **query: str) -> tuple[list[str], list[str]]:
    kept = [_page(client, url, **query) for client, url in asks]
    aggregates._typed.clear()
    return kept, [_page(client, url, **query) for client, url in asks]


def _top_management(world: World) -> Client:
    director = make_user("direktor@example.test", name="Dorte Direktør")
    grant(director, world.org, Role.TOP_MANAGEMENT, None)
    return client_for(director)


def test_a_new_address_changes_the_links_for_those_who_have_them(world: World) -> None:
    """The AMO's rows link to the units' reports at the organisation's address; top
    management's lead nowhere. After the address changes the AMO's kept page must link to
    the new one, and top management's still to none."""
    t = nord(world)
    amo, director = client_for(world.amo), _top_management(world)
    url = _url(world.org, t.measurement.pk)
    first = [_page(amo, url), _page(director, url)]
    assert f"/{world.org.slug}/" in first[0] and "/enhed/" in first[0]
    assert "/enhed/" not in first[1]
    old = f"/{world.org.slug}/"
    Organisation.objects.filter(pk=world.org.pk).update(slug="ny-adresse")
    url = url.replace(old, "/ny-adresse/")
    kept, fresh = _kept_and_fresh([(amo, url), (director, url)])
    assert "/ny-adresse/" in fresh[0] and old not in fresh[0]
    assert "/enhed/" not in fresh[1]
    assert kept == fresh


def test_the_kept_figures_hold_nothing_of_the_reader(world: World) -> None:
    """What is kept is shared by every reader with the same key: no CSRF token, CSP nonce,
    e-mail address or name of whoever asked first."""
    t = nord(world)
    director = make_user("direktor@example.test", name="Dorte Direktør")
    grant(director, world.org, Role.TOP_MANAGEMENT, None)
    client = client_for(director)
    url = _url(world.org, t.measurement.pk)
    for query in ({}, {"niveau": "alle", "par": "x"}):
        page = client.get(url, query)
        assert page.status_code == 200
        assert "csrfmiddlewaretoken" in page.content.decode()  # the page has one; the kept part not
        token = page.cookies.get("csrftoken")
        _, loaded = aggregates._loaded(t.measurement)
        kept = [str(getattr(v, "html", "")) for v in loaded.pages._entries.values()]
        assert kept and all(kept)
        for html in kept:
            assert "csrfmiddlewaretoken" not in html and "nonce" not in html
            assert director.email not in html and "Direktør" not in html
            if token is not None:
                assert token.value not in html


def test_query_values_that_change_nothing_keep_no_page_of_their_own(world: World) -> None:
    """The key held the query as sent, so values the page ignores or reads as another
    (``side=01``, an unknown ``sort`` or ``par``, a page far past the last) each made and
    kept a page of their own: any reader could crowd every other reader's kept pages out
    of the 64 a publication keeps, and then tell from how fast a page comes whether
    someone else has asked for it since."""
    t = nord(world)
    amo = client_for(world.amo)
    url = _url(world.org, t.measurement.pk)
    plain = _figures(_page(amo, url))
    assert "Heatmap" in plain
    _, loaded = aggregates._loaded(t.measurement)
    assert len(loaded.pages._entries) == 1
    odd = [
        {"side": "01"},
        {"side": "999999999999"},
        {"side": "x" * 2000},
        {"sort": "nothing"},
        {"sort": "nothing", "dir": "sideways"},
        {"dir": "desc"},
        {"niveau": "7" * 50},
    ]
    for query in odd:
        assert _figures(_page(amo, url, **query)) == plain
    assert len(loaded.pages._entries) == 1
    # Any ``par`` opens the method figures; one the page does not know picks the default.
    pairs = [_figures(_page(amo, url, par=value)) for value in ("", "nothing|else", "x" * 2000)]
    assert pairs[0] != plain and pairs[1] == pairs[2] == pairs[0]
    assert len(loaded.pages._entries) == 2
    aggregates._typed.clear()
    assert _figures(_page(amo, url)) == plain


def _figures(page: str) -> str:
    """The kept part of the page (the language menu above it links back with the query)."""
    start = page.find('<section class="card')
    return page[start:] if start >= 0 else ""


def test_a_page_number_is_kept_as_the_page_it_shows(world: World, monkeypatch: Any) -> None:
    """``side`` past the last page, before the first, written with a leading zero or not a
    number at all shows the last or the first page: one kept page each, whatever was sent,
    and the same rows as the page asked for by its number (three rows a page here)."""
    t = nord(world)
    monkeypatch.setattr(org_presenters, "PAGE_SIZE", 3)
    data = aggregates.publication(t.measurement, units=None)
    instruments = measurement_instruments(t.measurement)

    def rows(params: dict[str, str]) -> list[int | None]:
        shown = org_presenters.heatmap(data, instruments, {}, lang="da", params=params, page_size=3)
        return [r.unit_id for r in shown.rows]

    last = "3"
    assert rows({"niveau": "alle", "side": last}) != rows({"niveau": "alle", "side": "2"})
    sent = ["2", "02", "2.0", " 2", last, "9" * 40, "-1", "0", "x", "", "1"]
    read = {
        side: org_presenters.page_query(data, instruments, {"niveau": "alle", "side": side})
        for side in sent
    }
    assert (
        read["02"]
        == read[" 2"]
        == read["2"]
        == (
            ("niveau", "alle"),
            ("side", "2"),
        )
    )
    assert (
        read["9" * 40]
        == read["-1"]
        == read["0"]
        == read[last]
        == (
            ("niveau", "alle"),
            ("side", last),
        )
    )
    assert read["x"] == read["2.0"] == read[""] == read["1"] == (("niveau", "alle"),)
    for side, query in read.items():
        assert rows({"niveau": "alle", "side": side}) == rows(dict(query)), side
