"""The units below put together ("Enhederne under denne samlet") in a file or a kit give no
reader the figures of a unit below whose report she may not open (privacy.md section 0:
what a reader sees through a file or kit, she could see on the page).

Nord (2 own) has Hold A (6), Hold B (7) and Hold C (5) below it at closing; Hold C has been
moved out of Nord since. Nord's leader opens A and B, not C; the AMO opens all three. Put
together on Nord's page, the AMO sees A + B + C, the leader A + B. A file of Nord is shared
by everyone who may open Nord's report, whoever asked for it: were it to hold A + B + C,
the leader would take her A and B from it and have C's n, mean and SD.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from tests.conftest import World, client_for
from tests.kits.test_teams_together import kit_response
from tests.results.test_teams_together import (
    LABEL,
    Tree,
    pdf_text,
    report,
    together_texts,
    tree,
)
from tryghed.orgs.services import unit_move
from tryghed.surveys.services import measurement_freeze_tree

pytestmark = pytest.mark.django_db

ALL_THREE = "Bygger på alle 3 enheder"
A_AND_B = "Bygger på 2 af 3 enheder: Hold A og Hold B."


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def nord(world: World) -> Tree:
    t = tree(world, teams={"Hold A": 6, "Hold B": 7, "Hold C": 5})
    measurement_freeze_tree(measurement=t.measurement)  # the tree at closing: C under Nord
    return t


def move_c_out(world: World, t: Tree) -> None:
    unit_move(unit=t.teams[2], actor=None, new_parent=world.area)
    t.north.refresh_from_db()


def ask(client: Client, t: Tree) -> int:
    """Ask for Nord's PDF (of Nord and everything under it); the file's id."""
    slug = t.measurement.organisation.slug
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(
            reverse("results:export_request", args=[slug, t.measurement.pk]),
            {"kind": "unit_pdf", "unit": t.north.pk, "scope": "subtree"},
        )
    assert asked.status_code == 302, asked.status_code
    return int(asked["Location"].rstrip("/").rsplit("/", 1)[1])


def download(client: Client, t: Tree, export_id: int) -> str | None:
    """The file's text as ``client`` downloads it; None when it is not served."""
    slug = t.measurement.organisation.slug
    got = client.get(reverse("results:export_download", args=[slug, export_id]))
    return pdf_text(bytes(got.content)) if got.status_code == 200 else None


def pages(world: World, t: Tree) -> tuple[list[str], list[str]]:
    """What the AMO and Nord's leader see put together on Nord's page."""
    amo = together_texts(report(client_for(world.amo), t).content.decode())
    leader = together_texts(report(t.leader, t).content.decode())
    assert amo and all(ALL_THREE in p for p in amo)  # the AMO opens C: all three
    assert leader and all(A_AND_B in p for p in leader)  # the leader: A and B
    return amo, leader


def test_a_file_the_amo_asked_for_gives_nords_leader_no_figure_of_a_unit_moved_out(
    world: World,
) -> None:
    t = nord(world)
    move_c_out(world, t)
    amo_page, leader_page = pages(world, t)

    export_id = ask(client_for(world.amo), t)
    text = download(t.leader, t, export_id)  # a shared file: Nord's leader may have it
    assert text is not None
    for paragraph in leader_page:
        assert paragraph in text, paragraph
    assert ALL_THREE not in text
    for paragraph in amo_page:
        assert paragraph not in text, paragraph
    assert text.count(LABEL) == text.count(A_AND_B)


def test_a_file_made_before_a_unit_moved_out_is_made_again_not_served(world: World) -> None:
    t = nord(world)
    amo = client_for(world.amo)
    before = ask(amo, t)
    text = download(t.leader, t, before)
    assert text is not None and ALL_THREE in text  # all three were Nord's readers' then

    move_c_out(world, t)
    _amo_page, leader_page = pages(world, t)
    assert download(t.leader, t, before) is None
    assert download(amo, t, before) is None
    again = ask(t.leader, t)
    assert again != before
    text = download(t.leader, t, again)
    assert text is not None and ALL_THREE not in text
    for paragraph in leader_page:
        assert paragraph in text, paragraph


def test_the_kit_puts_together_only_the_units_still_below_it(world: World) -> None:
    """Hold C moved out of Nord after closing: Nord's kit puts A and B together (what its
    leader's page shows), never C with them (what the AMO's page shows)."""
    t = nord(world)
    move_c_out(world, t)
    amo_page, leader_page = pages(world, t)
    for pdf in (False, True):
        response = kit_response(t.leader, world, t, pdf=pdf)
        if pdf:
            text = pdf_text(response.content)
            assert all(paragraph in text for paragraph in leader_page)
        else:
            text = response.content.decode()
            assert set(together_texts(text)) == set(leader_page)
        assert ALL_THREE not in text
        for paragraph in amo_page:
            assert paragraph not in text, paragraph
