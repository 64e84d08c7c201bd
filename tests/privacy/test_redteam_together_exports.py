"""Red team of the units below put together ("Enhederne under denne samlet") in the unit
PDF and the meeting kit, after reorganisations (privacy.md section 0: a reader remembers
every page, file and kit she saw, and subtracts).

The meeting kit is made per request, but it is not read by the one who asked alone: it is
the hand-out of the unit's team meeting ("Et møde på 60 minutter med hele teamet", "Se
nøgletallene sammen"), printed or on the big screen. An AMO, or a leader who also leads
where a unit below has moved, prepares Nord's meeting with a kit that puts Hold C together
with Hold A and Hold B; Nord's leader, who opens A and B but not C, takes them from it and
has C's n, mean and SD. So the kit, like the shared file, puts together only the units
that every reader of Nord's report may open: those still under Nord today.

Tree (tests/results/test_teams_together.py): area (3 own) → Nord (2 own) → Hold A (6),
Hold B (7), Hold C (5); area → Team A (8). Nord's subtree hides its scales (its own two).
"""

from __future__ import annotations

import html
import math
import random
import re

import pytest
from django.test import Client

from tests.conftest import World, client_for
from tests.factories import grant, make_unit, make_user
from tests.kits.test_teams_together import kit_response
from tests.privacy.test_redteam_teams_together import (
    A_AND_B,
    ALL_THREE,
    ask,
    download,
    move_c_out,
    nord,
)
from tests.results.test_teams_together import (
    Tree,
    flat,
    pdf_text,
    raw_summary,
    report,
    together_texts,
)
from tryghed.core.instruments import load_builtin
from tryghed.core.statistics import Summary
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import access_for
from tryghed.orgs.services import unit_move
from tryghed.results.aggregates import publication
from tryghed.results.exports import file_units_below
from tryghed.results.models import ExportKind
from tryghed.results.presenters import Together
from tryghed.results.selectors import children_openable, report_units

pytestmark = pytest.mark.django_db

BUILT_OF = re.compile(r"Bygger på [^:]*: (.*)\.$")


def kit_text(client: Client, world: World, t: Tree, *, pdf: bool = False) -> str:
    response = kit_response(client, world, t, pdf=pdf)
    content = bytes(response.content)
    if pdf:
        return pdf_text(content)
    return flat(html.unescape(re.sub(r"<[^>]+>", "", content.decode())))  # as read


def kit_togethers(client: Client, world: World, t: Tree) -> dict[str, Together]:
    """The kit's areas put together, by instrument (its overview has one area each here)."""
    response = kit_response(client, world, t)
    kit = response.context["kit"]
    return {row.instrument_id: row.together for row in kit.overview.areas if row.together}


def remainder(found: Summary, parts: list[tuple[int, float, float]]) -> tuple[int, float, float]:
    """What a reader who knows ``parts`` takes out of ``found``: n, mean and SD of the rest
    (the inverse of ``statistics.combined_summary``)."""
    assert found.mean is not None and found.sd is not None
    n = found.n - sum(k for k, _m, _s in parts)
    if n < 2:
        return n, math.nan, math.nan
    total = found.n * found.mean - sum(k * m for k, m, _s in parts)
    squares = (found.n - 1) * found.sd**2 + found.n * found.mean**2
    squares -= sum((k - 1) * s * s + k * m * m for k, m, s in parts)
    mean = total / n
    return n, mean, math.sqrt(max(squares - n * mean * mean, 0.0) / (n - 1))


def leaders_page(t: Tree) -> list[str]:
    """What Nord's leader (who leads nothing else) sees put together on Nord's page."""
    found = together_texts(report(t.leader, t).content.decode())
    assert found and all(A_AND_B in p for p in found)
    return found


def assert_reads_as_nords_leaders_page(text: str, leader_page: list[str]) -> None:
    assert ALL_THREE not in text
    for paragraph in leader_page:
        assert paragraph in text, paragraph


# --------------------------------------------------------------------------- the kit


def test_the_kit_the_amo_prepares_for_nords_meeting_gives_no_figure_of_a_unit_moved_out(
    world: World,
) -> None:
    t = nord(world)
    move_c_out(world, t)
    leader_page = leaders_page(t)
    amo = client_for(world.amo)
    assert all(ALL_THREE in p for p in together_texts(report(amo, t).content.decode()))

    # Verified against the answers: what Nord's meeting may take out of the kit's ps7
    # figure, knowing Hold A and Hold B (Nord's leader opens both), is nobody.
    ps7 = load_builtin()["ps7"]
    a_and_b = [raw_summary(ps7, "total", t.answers[team.pk]) for team in t.teams[:2]]
    c = raw_summary(ps7, "total", t.answers[t.teams[2].pk])
    found = kit_togethers(amo, world, t)["ps7"].summary
    rest = remainder(found, [(n, mean, sd) for n, mean, sd, _ci in a_and_b])
    assert rest[0] == 0, f"the kit gives Hold C: n, mean, SD {rest}; its answers give {c[:3]}"

    for pdf in (False, True):
        assert_reads_as_nords_leaders_page(kit_text(amo, world, t, pdf=pdf), leader_page)


def test_a_co_leader_who_also_leads_where_a_unit_moved_hands_nords_meeting_no_figure_of_it(
    world: World,
) -> None:
    """Nord has two leaders; one also leads Syd, where Hold C has moved. Her page puts
    all three together (she opens C); her kit for Nord's meeting, and Nord's file she
    asks for, put together what the other leader may open: A and B."""
    t = nord(world)
    syd = make_unit(world.org, parent=world.root, name="Syd", kind="omraade", external_id="SYD")
    unit_move(unit=t.teams[2], actor=None, new_parent=syd)
    both = make_user("nord-og-syd@example.test")
    grant(both, world.org, Role.LEADER, t.north)
    grant(both, world.org, Role.LEADER, syd)
    co_leader = client_for(both)
    assert all(ALL_THREE in p for p in together_texts(report(co_leader, t).content.decode()))
    leader_page = leaders_page(t)

    for pdf in (False, True):
        assert_reads_as_nords_leaders_page(kit_text(co_leader, world, t, pdf=pdf), leader_page)
    text = download(t.leader, t, ask(co_leader, t))
    assert text is not None
    assert_reads_as_nords_leaders_page(text, leader_page)


# --------------------------------------------------------------------------- the file


def test_a_unit_moved_under_a_sibling_is_still_put_together_in_file_and_kit(
    world: World,
) -> None:
    """Hold C moved under Hold A stays in Nord: every reader of Nord opens it, so the
    file, the kit and the page all put the three together (nothing lost to the move)."""
    t = nord(world)
    unit_move(unit=t.teams[2], actor=None, new_parent=t.teams[0])
    page = together_texts(report(t.leader, t).content.decode())
    assert page and all(ALL_THREE in p for p in page)
    text = download(t.leader, t, ask(client_for(world.amo), t))
    assert text is not None
    for paragraph in page:
        assert paragraph in text, paragraph
    for pdf in (False, True):
        kit = kit_text(client_for(world.amo), world, t, pdf=pdf)
        for paragraph in page:
            assert paragraph in kit, paragraph


# --------------------------------------------------------------------------- any move


def _built_of(together: Together) -> set[str]:
    found = BUILT_OF.search(together.units)
    assert found is not None, together.units
    return set(re.split(r", | og ", found.group(1)))


def test_after_any_reorganisation_every_reader_of_a_unit_opens_what_its_file_and_kit_put_together(
    world: World,
) -> None:
    """Random moves after closing; after each, for every unit and every reader who may
    open its report (the AMO, an administrator, a leader of each unit, a leader of two):
    the units its PDF puts together are among those the reader may open; and Nord's kit,
    whoever opens it, puts together no unit some reader of Nord may not open."""
    t = nord(world)
    syd = make_unit(world.org, parent=world.root, name="Syd", kind="omraade", external_id="SYD")
    units: list[Unit] = [world.area, t.north, *t.teams, world.team_a, world.team_b, syd]
    users = [world.amo, world.owner, world.leader]
    for unit in units:
        user = make_user(f"leder-{unit.external_id.lower()}@example.test")
        grant(user, world.org, Role.LEADER, unit)
        users.append(user)
    two = make_user("to-enheder@example.test")
    grant(two, world.org, Role.LEADER, t.north)
    grant(two, world.org, Role.LEADER, syd)
    users.append(two)
    clients = {user.pk: client_for(user) for user in users}
    data = publication(t.measurement, units=None)
    frozen = {u.pk: u for u in units if data.has_unit(u.pk)}
    parents = [world.root, *units]
    rng = random.Random(73)
    checked_kits = 0
    for step in range(10):
        if step:
            while True:
                unit = rng.choice(units)
                unit.refresh_from_db()
                target = rng.choice(parents)
                target.refresh_from_db()
                if not target.path.startswith(unit.path) and unit.parent_id != target.pk:
                    break
            unit_move(unit=unit, actor=None, new_parent=target)
        for unit in frozen.values():
            unit.refresh_from_db()
        t.north.refresh_from_db()
        accesses = [access_for(user=user, slug=world.org.slug) for user in users]
        for unit in frozen.values():
            if not data.units[str(unit.pk)].children:
                continue
            in_file = {
                u.pk for u in file_units_below(t.measurement, ExportKind.UNIT_PDF, unit, "subtree")
            }
            readers = [
                a for a in accesses if report_units(a, t.measurement).filter(pk=unit.pk).exists()
            ]
            for access in readers:
                opens = {u.pk for u in children_openable(access, t.measurement, data, unit)}
                assert in_file <= opens, (step, unit.name, access.user.email)
        readers_of_nord = [
            (user, a)
            for user, a in zip(users, accesses, strict=True)
            if report_units(a, t.measurement).filter(pk=t.north.pk).exists()
        ]
        every_reader = set.intersection(
            *(
                {u.name for u in children_openable(a, t.measurement, data, t.north)}
                for _user, a in readers_of_nord
            )
        )
        for user, _access in readers_of_nord:
            for together in kit_togethers(clients[user.pk], world, t).values():
                assert _built_of(together) <= every_reader, (step, user.email, together.units)
                checked_kits += 1
    assert checked_kits > 0
