"""The meeting kit of a unit whose report hides an area for the unit and everything under
it shows beside the hidden mark what the report shows its reader there: the units below
put together ("Enhederne under denne samlet", presenters.Together), the same words and
numbers, on the screen and in the PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import World
from tests.kits.conftest import go_on, kit_url
from tests.results.test_teams_together import (
    LABEL,
    Tree,
    flat,
    pdf_text,
    raw_summary,
    report,
    together_texts,
    tree,
)
from tryghed.core.instruments import load_builtin

pytestmark = pytest.mark.django_db


def kit_response(client: Client, world: World, t: Tree, *, pdf: bool = False) -> Any:
    """Nord's meeting kit as ``client`` opens it (past the readiness check)."""
    url = kit_url(world, t.measurement, t.north, pdf=pdf)
    response = client.get(url)
    if response.status_code == 302:
        go_on(client, world, t.north, url)
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def kit(client: Client, world: World, t: Tree, *, pdf: bool = False) -> str:
    """The kit of Nord as ``client`` reads it, past the readiness check."""
    response = kit_response(client, world, t, pdf=pdf)
    return pdf_text(response.content) if pdf else flat(response.content.decode())


def test_the_kit_shows_the_units_below_together_as_the_report_does(world: World) -> None:
    t = tree(world, teams={"Hold A": 6, "Hold B": 7})
    on_page = together_texts(report(t.leader, t).content.decode())
    both = t.answers[t.teams[0].pk] + t.answers[t.teams[1].pk]
    n, _mean, _sd, _ci = raw_summary(load_builtin()["ps7"], "total", both)
    assert any(f"n = {n} svar" in p and p.startswith(LABEL) for p in on_page) and n == 13

    screen = kit(t.leader, world, t)
    assert set(together_texts(screen)) == set(on_page)
    printed = kit(t.leader, world, t, pdf=True)
    for paragraph in on_page:
        assert paragraph in printed, paragraph
