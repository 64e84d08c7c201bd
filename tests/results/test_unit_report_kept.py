"""A unit report's figures are rendered once per publication and kept in the process
(``results.views._unit_figures``, ``aggregates.PageCache``): a page served from them must
be the page made fresh, for every reader, unit, scope and language, in any order.

The key names everything the figures are made from besides the publication; a key that
missed one (the units below the reader may open, say) would hand one reader's page to the
next. These tests read the pages fresh (nothing kept), then again in a shuffled order with
everything kept, and compare them; and they check that a kept page is not made again.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy.test_redteam_teams_together import A_AND_B, ALL_THREE, move_c_out, nord
from tests.results.test_teams_together import report, together_texts
from tryghed.accounts.models import User
from tryghed.orgs.models import Organisation, Unit
from tryghed.results import aggregates, presenters, views
from tryghed.surveys.models import Measurement, Status

pytestmark = pytest.mark.django_db

READERS = ("leder@demo-kommune.dk", "amo@demo-kommune.dk", "admin@demo-kommune.dk")
SCOPES = ("", "enhed")


def page_text(response: Any) -> str:
    """The status and the page, its CSRF token (one per session) left out."""
    body = response.content.decode() if response.status_code == 200 else ""
    return f"{response.status_code}\n" + re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", body
    )


def _page(client: Client, url: str, scope: str) -> str:
    return page_text(client.get(url, {"omfang": scope} if scope else {}))


def reader(email: str, lang: str) -> Client:
    client = client_for(User.objects.get(email=email))
    client.cookies["django_language"] = lang
    return client


def test_a_kept_page_is_the_page_made_fresh_for_every_reader_in_any_order(
    demo_organisation: Organisation,
) -> None:
    organisation = demo_organisation
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED, previous__isnull=False
    ).latest("pk")
    units = list(Unit.objects.filter(organisation=organisation).order_by("path")[:8])
    asks = [
        (email, lang, unit, scope)
        for email in READERS
        for lang in ("da", "en")
        for unit in units
        for scope in SCOPES
    ]
    clients = {(email, lang): reader(email, lang) for email in READERS for lang in ("da", "en")}

    def url(unit: Unit) -> str:
        return reverse("results:unit_report", args=[organisation.slug, measurement.pk, unit.pk])

    fresh = {}
    for email, lang, unit, scope in asks:
        aggregates._typed.clear()  # nothing kept: the page is made from the publication
        fresh[email, lang, unit.pk, scope] = _page(clients[email, lang], url(unit), scope)
    assert sum(page.startswith("200") for page in fresh.values()) >= len(asks) // 2
    # Kept: each reader's page after the others', in an order unlike the first.
    aggregates._typed.clear()
    random.Random(14).shuffle(asks)
    for email, lang, unit, scope in asks + asks:
        kept = _page(clients[email, lang], url(unit), scope)
        assert kept == fresh[email, lang, unit.pk, scope], (email, lang, unit.name, scope)


def test_the_leader_and_the_amo_each_see_their_own_units_put_together_in_either_order(
    world: World,
) -> None:
    """Nord's leader opens Hold A and B, the AMO also Hold C, moved out of Nord after
    closing: the figures put together differ, so each must have its own kept page."""
    t = nord(world)
    move_c_out(world, t)
    amo = client_for(world.amo)
    for first in (t.leader, amo):
        aggregates._typed.clear()
        report(first, t)
        leader = together_texts(report(t.leader, t).content.decode())
        everyone = together_texts(report(amo, t).content.decode())
        assert leader and all(A_AND_B in text for text in leader)
        assert everyone and all(ALL_THREE in text for text in everyone)


def test_a_kept_page_is_not_made_again(world: World, monkeypatch: Any) -> None:
    t = nord(world)
    client = client_for(world.amo)
    aggregates._typed.clear()
    made = []
    original = presenters.unit_report_context

    def counted(**kwargs: Any) -> Any:
        made.append(kwargs["unit"].pk)
        return original(**kwargs)

    monkeypatch.setattr(views, "unit_report_context", counted)  # as the view calls it
    first = report(client, t).content
    assert report(client, t).content.count(b"<h2") == first.count(b"<h2")
    assert made == [t.north.pk]
    # Another scope, language or reader with other units below is another page.
    report(client, t, omfang="enhed")
    client.cookies["django_language"] = "en"
    report(client, t)
    assert made == [t.north.pk] * 3
    # The leader opens what the AMO opens: the same page. With Hold C moved out, she
    # opens fewer units below, and her page is made for her.
    report(t.leader, t)
    assert made == [t.north.pk] * 3
    move_c_out(world, t)
    report(t.leader, t)
    assert made == [t.north.pk] * 4
