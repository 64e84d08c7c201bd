"""Red team of the unit report's kept figures (commit 89b2251: ``results.views._unit_figures``
keeps them rendered per publication in ``aggregates.PageCache``).

A reader must never get figures made for another reader, unit, scope, language or an
earlier state. Each test changes one thing the figures are made from after a page was
kept, and compares the next page with the page made fresh (nothing kept).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.privacy.test_redteam_teams_together import A_AND_B, move_c_out, nord
from tryghed.orgs.models import Organisation, Role, Unit
from tryghed.results import aggregates
from tryghed.results.models import ReportCache

pytestmark = pytest.mark.django_db


def _url(organisation: Organisation, measurement_id: int, unit: Unit) -> str:
    return reverse("results:unit_report", args=[organisation.slug, measurement_id, unit.pk])


def _page(client: Client, url: str, **query: str) -> str:
    response = client.get(url, query)
    body = response.content.decode() if response.status_code == 200 else ""
    return f"{response.status_code}\n" + re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", body
    )


def _kept_and_fresh(client: Client, url: str, **query: str) -> tuple[str, str]:
    kept = _page(client, url, **query)
    aggregates._typed.clear()
    return kept, _page(client, url, **query)


def test_a_parent_renamed_after_closing_is_named_as_a_fresh_page_names_it(world: World) -> None:
    """A publication stored before names were kept names a unit's parent by its name now
    (``unit_report_context``'s fallback), which the key did not hold: the kept page went
    on naming the parent as it was called when the page was first made."""
    t = nord(world)
    team = t.teams[0]
    _without_names(t.measurement.pk)
    amo = client_for(world.amo)
    url = _url(world.org, t.measurement.pk, team)
    first = _page(amo, url)
    assert 'data-label="Nord"' in first
    Unit.objects.filter(pk=t.north.pk).update(name="Nord og Syd")
    kept, fresh = _kept_and_fresh(amo, url)
    assert 'data-label="Nord og Syd"' in fresh
    assert kept == fresh


def _without_names(measurement_id: int) -> None:
    """The stored publication as one stored before names were kept (its units unnamed)."""
    stored = ReportCache.objects.get(measurement_id=measurement_id)
    header = stored.data
    for entry in header["units"].values():
        entry.pop("name", None)
    ReportCache.objects.filter(pk=stored.pk).update(data=header)
    aggregates._typed.clear()


def test_the_unit_a_child_and_the_address_changed_after_closing_make_a_fresh_page(
    world: World,
) -> None:
    """Each input the key names that a page shows, changed after the page was kept: the
    unit's own name (in its charts) and a child's (in the units put together for Nord's
    leader, with Hold C moved out), both shown as they are called now where the
    publication keeps no names, and the organisation's address (in the links to the
    meeting kit and the focus areas)."""
    t = nord(world)
    move_c_out(world, t)
    _without_names(t.measurement.pk)
    amo = client_for(world.amo)
    team_b = _url(world.org, t.measurement.pk, t.teams[1])
    north = _url(world.org, t.measurement.pk, t.north)
    asks = [(amo, team_b), (t.leader, north), (amo, north)]
    first = [_page(client, url) for client, url in asks]
    assert "Hold B" in _figures(first[0]) and A_AND_B in first[1]
    Unit.objects.filter(pk=t.teams[1].pk).update(name="Hold Bravo")
    kept, fresh = _all_kept_and_fresh(asks)
    assert "Hold Bravo" in _figures(fresh[0]) and "Hold A og Hold Bravo" in fresh[1]
    assert kept == fresh
    old = f"/{world.org.slug}/"
    Organisation.objects.filter(pk=world.org.pk).update(slug="ny-adresse")
    asks = [(client, url.replace(old, "/ny-adresse/")) for client, url in asks]
    kept, fresh = _all_kept_and_fresh(asks)
    assert kept == fresh


def _all_kept_and_fresh(asks: list[tuple[Client, str]]) -> tuple[list[str], list[str]]:
    """Every page asked again (kept, if the key says nothing changed), then made fresh."""
    kept = [_page(client, url) for client, url in asks]
    aggregates._typed.clear()
    return kept, [_page(client, url) for client, url in asks]


def _figures(page: str) -> str:
    """The kept part of a unit report (between the scope links and the units below)."""
    start = page.find('<section class="card report-')
    return page[start : page.find('id="children-heading"')] if start >= 0 else ""


def test_the_kept_figures_hold_nothing_of_the_reader(world: World) -> None:
    """What is kept is shared by every reader with the same key: no CSRF token, CSP nonce,
    e-mail address or name of whoever asked first."""
    t = nord(world)
    leader = make_user("nord.leder@example.test", name="Nanna Nordleder")
    grant(leader, world.org, Role.LEADER, t.north)
    client = client_for(leader)
    url = _url(world.org, t.measurement.pk, t.north)
    for query in ({}, {"omfang": "enhed"}):
        page = client.get(url, query)
        assert page.status_code == 200
        token = page.cookies.get("csrftoken")
        _, loaded = aggregates._loaded(t.measurement)
        kept = [str(getattr(v, "html", "")) for v in loaded.pages._entries.values()]
        assert kept and all(v for v in kept)
        for html in kept:
            assert "csrfmiddlewaretoken" not in html and "nonce" not in html
            assert leader.email not in html and "Nordleder" not in html
            if token is not None:
                assert token.value not in html
