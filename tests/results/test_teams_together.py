"""Afdelingens teams samlet: where a leader's subtree report hides a scale to protect the
unit's own few respondents, the units directly below it are shown put together, from
their own shown figures, and say so.

Tree (tests/conftest.py's world plus): area (3 own) → Nord (2 own) → Hold A (6), Hold B
(7), and Hold C (1) where a test adds it; area → team_a (8). The engine hides Nord's
subtree (its remainder of 2 goes up into the area's, 3 + 2) and shows both teams.
"""

from __future__ import annotations

import html
import io
import math
import random
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
from django.test import Client, TestCase
from django.urls import reverse
from pypdf import PdfReader
from scipy import stats

from tests.conftest import World, client_for
from tests.factories import grant, make_unit, make_user
from tests.results.test_aggregates import answer, make_measurement
from tryghed.core import scoring
from tryghed.core.figures import (
    Group,
    Hidden,
    InstrumentFigures,
    Publication,
    ScaleFigure,
)
from tryghed.core.instruments import Instrument, load_builtin
from tryghed.orgs.models import Role, Unit
from tryghed.results.aggregates import publication, report_data
from tryghed.results.charts import format_number
from tryghed.results.presenters import (
    AreaRow,
    ScaleRow,
    Together,
    UnitBelow,
    unit_report_context,
)
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

# A mean scale (ps7), one with bands and a bipolar scale beside mean scales (guldkorn),
# need scales (support4) and pooled scales (vz-maturity).
INSTRUMENTS = ("ps7", "guldkorn", "support4", "vz-maturity")
LABEL = "Enhederne under denne samlet (enhedens egne svar indgår ikke)"


@dataclass
class Tree:
    measurement: Measurement
    north: Unit
    teams: list[Unit]
    answers: dict[int, list[dict[str, int]]]  # by unit pk
    leader: Client


def _answers(rng: random.Random) -> dict[str, int]:
    """One person's answer to every choice item asked without a condition."""
    out: dict[str, int] = {}
    builtin = load_builtin()
    for iid in INSTRUMENTS:
        for item in builtin[iid].items:
            if item.type == "choice" and item.show_if is None:
                out[item.id] = rng.choice([o.code for o in item.options if not o.dont_know])
    return out


def tree(world: World, *, teams: dict[str, int]) -> Tree:
    """Nord under the area with ``teams`` (name: respondents) below it."""
    rng = random.Random(7)
    north = make_unit(world.org, parent=world.area, name="Nord", external_id="NORD")
    below = [
        make_unit(world.org, parent=north, name=name, external_id=f"N{k}")
        for k, name in enumerate(teams)
    ]
    measurement = make_measurement(world, INSTRUMENTS)
    counts = [(world.area, 3), (north, 2), (world.team_a, 8)]
    counts += [(unit, teams[unit.name]) for unit in below]
    given: dict[int, list[dict[str, int]]] = {}
    for unit, count in counts:
        for _ in range(count):
            codes = _answers(rng)
            answer(measurement, unit, codes)
            given.setdefault(unit.pk, []).append(codes)
    report_data(measurement)
    leader = make_user("nord@example.test")
    grant(leader, world.org, Role.LEADER, north)
    return Tree(measurement, north, below, given, client_for(leader))


def report(client: Client, tree: Tree, unit: Unit | None = None, **query: str) -> Any:
    path = reverse(
        "results:unit_report",
        args=[tree.measurement.organisation.slug, tree.measurement.pk, (unit or tree.north).pk],
    )
    response = client.get(path, query)
    assert response.status_code == 200
    return response


def scale_rows(context: Any, iid: str) -> dict[str, ScaleRow]:
    instrument = next(i for i in context["instruments"] if i.id == iid)
    names = {s.name.get("da"): s.id for s in load_builtin()[iid].scales}
    return {names[row.name]: row for row in instrument.scales}


def raw_summary(instrument: Instrument, scale_id: str, rows: list[dict[str, int]]) -> Any:
    """n, mean, SD and CI straight from the answers: person scores, then numpy and scipy."""
    scored = scoring.score_persons(instrument, scoring.answers_matrix(instrument, rows))
    scores = scored.scores[scale_id]
    scores = scores[~np.isnan(scores)]
    n = scores.size
    mean = float(scores.mean())
    sd = float(scores.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return n, mean, sd, (mean - half, mean + half)


def assert_equal_to_raw(together: Together, expected: Any) -> None:
    n, mean, sd, (low, high) = expected
    found = together.summary
    assert found.n == n
    assert found.mean is not None and found.sd is not None and found.ci95 is not None
    assert abs(found.mean - mean) < 1e-9
    assert abs(found.sd - sd) < 1e-9
    assert abs(found.ci95[0] - low) < 1e-9 and abs(found.ci95[1] - high) < 1e-9


# --------------------------------------------------------------------------- the figure


def test_the_teams_together_are_exactly_their_respondents_scored_from_the_answers(
    world: World,
) -> None:
    t = tree(world, teams={"Hold A": 6, "Hold B": 7})
    data = publication(t.measurement, units=None)
    subtree = data.group(t.north.pk, "subtree")
    assert isinstance(subtree, Group)
    assert isinstance(subtree.scale("ps7", "total"), Hidden)
    for team in t.teams:
        shown = data.shown_group(team.pk, "subtree")
        assert shown is not None and isinstance(shown.scale("ps7", "total"), ScaleFigure)

    response = report(t.leader, t)
    context = response.context
    both = t.answers[t.teams[0].pk] + t.answers[t.teams[1].pk]
    builtin = load_builtin()
    checked = 0
    for iid, sid in [("ps7", "total")] + [
        ("guldkorn", s) for s in ("influence", "meaning", "predictability", "support", "reward")
    ]:
        row = scale_rows(context, iid)[sid]
        assert row.value.hidden and row.together is not None, (iid, sid)
        assert_equal_to_raw(row.together, raw_summary(builtin[iid], sid, both))
        checked += 1
    assert checked == 6
    # The first screen and the headline carry the same figure beside the hidden mark.
    areas: list[AreaRow] = context["overview"].areas
    ps7_area = next(a for a in areas if a.instrument_id == "ps7")
    assert ps7_area.hidden and ps7_area.together is not None
    ps7_row = scale_rows(context, "ps7")["total"].together
    assert ps7_row is not None and ps7_area.together.summary == ps7_row.summary
    ps7_block = next(i for i in context["instruments"] if i.id == "ps7")
    assert ps7_block.headline.together is not None

    html = response.content.decode()
    n, mean, _sd, _ci = raw_summary(builtin["ps7"], "total", both)
    reading = format_number(mean / 70 * 100, "da", 0)
    native = format_number(mean, "da", 1)
    assert f"<strong>{LABEL}:</strong> {reading} af 100 ({native} på skalaen 0–70)" in html
    assert f"n = {n} svar" in html and n == 13
    assert "Bygger på begge enheder: Hold A og Hold B." in html
    # Nord's own people and its whole subtree stay out of the page.
    for secret in ("n = 2 svar", "n = 15 svar", "n = 2 ", "n = 15"):
        assert secret not in html, secret


def test_it_names_the_teams_it_is_made_of_when_one_is_hidden(world: World) -> None:
    t = tree(world, teams={"Hold A": 6, "Hold B": 7, "Hold C": 1})
    data = publication(t.measurement, units=None)
    hold_c = data.group(t.teams[2].pk, "subtree")
    assert isinstance(hold_c, Hidden)
    response = report(t.leader, t)
    html = response.content.decode()
    assert "Bygger på 2 af 3 enheder: Hold A og Hold B." in html
    row = scale_rows(response.context, "ps7")["total"]
    assert row.together is not None
    both = t.answers[t.teams[0].pk] + t.answers[t.teams[1].pk]
    assert_equal_to_raw(row.together, raw_summary(load_builtin()["ps7"], "total", both))
    for secret in ("n = 2 svar", "n = 16 svar", "n = 1 svar", "n = 3 svar"):
        assert secret not in html, secret


# --------------------------------------------------------------------------- where it is not


def test_it_is_not_made_of_one_shown_team(world: World) -> None:
    t = tree(world, teams={"Hold A": 6, "Hold B": 0, "Hold C": 1})
    data = publication(t.measurement, units=None)
    north = data.group(t.north.pk, "subtree")
    assert isinstance(north, Group) and isinstance(north.scale("ps7", "total"), Hidden)
    html = report(t.leader, t).content.decode()
    assert LABEL not in html


def test_it_skips_need_pooled_and_bipolar_scales(world: World) -> None:
    """support4's needs read as bands, vz-maturity's pooled means are weighted by answers
    and guldkorn's demands have no mean: none of them adds up from the teams' figures."""
    t = tree(world, teams={"Hold A": 6, "Hold B": 7})
    context = report(t.leader, t).context
    for iid in ("support4", "vz-maturity"):
        rows = scale_rows(context, iid)
        assert rows and all(row.value.hidden for row in rows.values()), iid
        assert all(row.together is None for row in rows.values()), iid
    guldkorn = next(i for i in context["instruments"] if i.id == "guldkorn")
    demands = next(row for row in guldkorn.nuggets if row.name == "Krav")
    assert demands.hidden
    for area in context["overview"].areas:
        if area.instrument_id in ("support4", "vz-maturity"):
            assert area.hidden and area.together is None, area.name


def test_it_is_only_on_the_leaders_report_of_everything_under_the_unit(world: World) -> None:
    t = tree(world, teams={"Hold A": 6, "Hold B": 7})
    data = publication(t.measurement, units=None)
    below = [UnitBelow(u.name, data.group(u.pk, "subtree")) for u in t.teams]

    def ps7_row(unit_data: Publication, **kwargs: Any) -> ScaleRow | None:
        context = unit_report_context(
            data=unit_data, measurement=t.measurement, unit=t.north, lang="da", **kwargs
        )
        block = next((i for i in context["instruments"] if i.id == "ps7"), None)
        return None if block is None or not block.scales else block.scales[0]

    leader = ps7_row(data, scope="subtree", below=below)
    assert leader is not None and leader.together is not None
    # The employees' feedback page shows nothing put together.
    employee = ps7_row(data, scope="subtree", below=below, audience="employee")
    assert employee is not None and employee.value.hidden and employee.together is None
    # Nor the unit's own respondents: read as if its own group were the subtree's (the
    # same hidden scale), the teams below are not its people.
    entry = data.units[str(t.north.pk)]
    own_as_subtree = replace(
        data, units={**data.units, str(t.north.pk): replace(entry, unit=entry.subtree)}
    )
    own = ps7_row(own_as_subtree, scope="unit", below=below)
    assert own is not None and own.value.hidden and own.together is None
    # And the page in unit scope has no figure for Nord's own two at all.
    html = report(t.leader, t, omfang="enhed").content.decode()
    assert LABEL not in html


def test_it_needs_the_scales_minimum_in_all(world: World) -> None:
    t = tree(world, teams={"Hold A": 6, "Hold B": 7})
    data = publication(t.measurement, units=None)

    def team(n: int) -> Group:
        figure = ScaleFigure(n, 40.0 + n, 5.0, (30.0, 50.0), None, ())
        return Group({"ps7": InstrumentFigures({"total": figure}, {}, {})}, None, {})

    def together(n: int) -> Together | None:
        context = unit_report_context(
            data=data,
            measurement=t.measurement,
            unit=t.north,
            scope="subtree",
            lang="da",
            below=[UnitBelow("Hold A", team(n)), UnitBelow("Hold B", team(n))],
        )
        return scale_rows(context, "ps7")["total"].together

    assert data.instruments["ps7"].scales["total"].minimum == 5
    assert together(2) is None  # 4 in all
    found = together(3)
    assert found is not None and found.summary.n == 6


# --------------------------------------------------------------------------- the unit PDF

TOGETHER = re.compile(r'<p class="report-together">(.*?)</p>', re.S)


def flat(text: str) -> str:
    return " ".join(text.split())


def together_texts(page: str) -> list[str]:
    """Every "units below put together" paragraph of a page, as its reader reads it."""
    found = [flat(html.unescape(re.sub(r"<[^>]+>", "", p))) for p in TOGETHER.findall(page)]
    return list(dict.fromkeys(found))


def pdf_text(content: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def unit_pdf(client: Client, tree: Tree, unit: Unit, scope: str = "subtree") -> bytes:
    """The unit PDF as ``client`` asks for it and downloads it."""
    slug = tree.measurement.organisation.slug
    with TestCase.captureOnCommitCallbacks(execute=True):  # the job runs after the commit
        asked = client.post(
            reverse("results:export_request", args=[slug, tree.measurement.pk]),
            {"kind": "unit_pdf", "unit": unit.pk, "scope": scope},
        )
    assert asked.status_code == 302, asked.status_code
    export_id = int(asked["Location"].rstrip("/").rsplit("/", 1)[1])
    got = client.get(reverse("results:export_download", args=[slug, export_id]))
    assert got.status_code == 200, got.status_code
    return bytes(got.content)


def test_the_unit_pdf_shows_the_teams_together_with_the_pages_numbers(
    world: World, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    t = tree(world, teams={"Hold A": 6, "Hold B": 7})
    page = report(t.leader, t)
    on_page = together_texts(page.content.decode())
    both = t.answers[t.teams[0].pk] + t.answers[t.teams[1].pk]
    n, mean, _sd, _ci = raw_summary(load_builtin()["ps7"], "total", both)
    reading = format_number(mean / 70 * 100, "da", 0)
    ps7_text = next(p for p in on_page if p.startswith(f"{LABEL}: {reading} af 100"))
    assert f"n = {n} svar" in ps7_text and "Bygger på begge enheder: Hold A og Hold B." in ps7_text

    text = pdf_text(unit_pdf(t.leader, t, t.north))
    # Every figure put together on the leader's page, word for word and number for number.
    assert len(on_page) >= 6
    for paragraph in on_page:
        assert paragraph in text, paragraph
    # Not in the file of Nord's own respondents, as not on that page.
    own = pdf_text(unit_pdf(t.leader, t, t.north, scope="unit"))
    assert "Enhederne under denne samlet" not in own
