"""The organisation report reads from the top: participation, what stands out across units,
the heatmap (with the change against the earlier wave), the four zones, the Vision Zero
maturity, and the method figures last, folded away. Every figure is one the publication
shows; the ranking compares only comparable readings (results/readings.py).

The crafted organisation of test_org_report.py: teams C, D, E and F show ps7 35, 34, 46
and 37 (teams A and B are hidden); the second wave below moves team C and team D.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.results.test_org_report import Crafted, answer, get, heatmap_rows, ps7, row_for, tavshed
from tryghed.results import org_presenters
from tryghed.results.aggregates import group, report_data
from tryghed.results.charts import format_number
from tryghed.results.exports import print_context
from tryghed.results.models import ExportKind, ReportExport
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Status


def closed(world: World, name: str, instruments: Sequence[str], **extra: object) -> Measurement:
    opens = dt.date(2027, 3, 1)
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name=name,
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(world.root)],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=14),
        **extra,  # type: ignore[arg-type]
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    measurement.refresh_from_db()
    return measurement


def url_of(world: World, measurement: Measurement) -> str:
    return reverse(
        "results:org_report", kwargs={"org": world.org.slug, "measurement_id": measurement.pk}
    )


def second_wave(crafted: Crafted) -> Measurement:
    """Spring: team C rises from 35 to 70 (10 answers both times, a sure change), team D
    falls from 34 to 0 (6 answers: too few for a sure one), the rest as before."""
    world = crafted.world
    m = closed(world, "Forår 2027", ["ps7", "tavshed"], previous=crafted.measurement)
    answer(m, world.team_a, 3, {**ps7([4, 2, 4, 2, 4, 2, 2]), **tavshed(4)})
    answer(m, world.team_b, 7, {**ps7([3]), **tavshed(3)})
    answer(m, crafted.team_c, 10, {**ps7([5, 1, 5, 1, 5, 1, 1]), **tavshed(1)})
    answer(m, crafted.team_d, 6, {**ps7([1, 5, 1, 5, 1, 5, 5]), **tavshed(2)})
    answer(m, crafted.team_e, 5, {**ps7([2, 1, 2, 1, 2, 1, 1]), **tavshed(1)})
    answer(m, crafted.team_f, 5, {**ps7([2, 2, 2, 2, 2, 2, 1]), **tavshed(2)})
    return m


@pytest.fixture
def crafted(world: World) -> Crafted:
    return Crafted(world)


def section_order(html: str) -> list[str]:
    """The ids of the page's second-level headings, top to bottom."""
    return re.findall(r'<h2 id="([a-z-]+)"', html)


# --------------------------------------------------------------------------- order


@pytest.mark.django_db
def test_the_page_opens_with_participation_and_puts_the_method_figures_last(
    crafted: Crafted, world: World
) -> None:
    html = get(client_for(world.amo), crafted.url)
    order = section_order(html)
    assert order.index("participation-heading") == 0
    assert (
        order.index("participation-heading")
        < order.index("standouts-heading")
        < order.index("heatmap-heading")
        < order.index("method-heading")
        < order.index("trust-heading")
    )
    # Reliability, correlations and drivers sit in a closed <details> after the heatmap.
    method = html[html.index('id="method-heading"') :]
    assert '<details class="org-method-details">' in method
    assert "Cronbachs alpha" in method and "Cronbachs alpha" not in html[: html.index("heatmap")]


@pytest.mark.django_db
def test_choosing_a_correlation_pair_opens_the_method_figures(
    crafted: Crafted, world: World
) -> None:
    data = report_data(crafted.measurement)
    pair = data["measurement_level"]["correlations"][0]
    html = get(client_for(world.amo), crafted.url, par=f"{pair['a']}|{pair['b']}")
    assert '<details class="org-method-details" open>' in html


@pytest.mark.django_db
def test_participation_shows_the_organisations_rate_and_no_units(
    crafted: Crafted, world: World
) -> None:
    html = get(client_for(world.amo), crafted.url)
    part = html[html.index('id="participation-heading"') : html.index('id="standouts-heading"')]
    assert "Deltagelse" in part
    assert "Team C" not in part and "Team D" not in part


# --------------------------------------------------------------------------- what stands out


@pytest.mark.django_db
def test_standouts_name_the_best_and_weakest_team_of_each_scale(
    crafted: Crafted, world: World
) -> None:
    html = get(client_for(world.amo), crafted.url)
    rows = [r for r in _table(html, "standouts-caption") if r]
    ps7_row = next(r for r in rows if r[0].startswith("Psykologisk tryghed"))
    assert ps7_row[1].startswith("Team E") and ps7_row[1].endswith("46,0")
    assert ps7_row[2].startswith("Team D") and ps7_row[2].endswith("34,0")
    # Silence: lower is better, so the best team has the lowest figure.
    data = report_data(crafted.measurement)
    shown = {
        unit.name: group(data, unit.pk)["instruments"]["tavshed"]["scales"]["total"]["mean"]
        for unit in (crafted.team_c, crafted.team_d, crafted.team_e, crafted.team_f)
    }
    silence = next(r for r in rows if "lavere er bedre" in r[0])
    best = min(shown, key=lambda name: shown[name])
    assert silence[1].startswith(best)
    assert silence[1].endswith(format_number(shown[best], "da", 1))


@pytest.mark.django_db
def test_hidden_teams_never_stand_out(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url)
    part = html[html.index('id="standouts-heading"') : html.index('id="heatmap-heading"')]
    assert "Team A" not in part and "Team B" not in part


@pytest.mark.django_db
def test_the_weakest_points_rank_only_comparable_readings(crafted: Crafted, world: World) -> None:
    data = report_data(crafted.measurement)
    names = {u.pk: u.name for u in (crafted.team_c, crafted.team_d, crafted.team_e, crafted.team_f)}
    hm = org_presenters.heatmap(data, [], names, lang="da", params={})
    assert hm.columns == []  # no instruments given: no column, nothing to rank
    from tryghed.surveys.selectors import measurement_instruments

    instruments = measurement_instruments(crafted.measurement)
    hm = org_presenters.heatmap(data, instruments, names, lang="da", params={})
    so = org_presenters.standouts(data, hm, names, lang="da")
    # Shares of people (stress, silence "held back") are never ranked with means.
    assert all(s.scale in {c.label for c in hm.columns if c.kind == "scale"} for s in so.weakest)
    # One per scale: ps7 and silence are the two scale columns here.
    assert len(so.weakest) == 2 and len({s.scale for s in so.weakest}) == 2
    # Psychological safety 34 of 70 (49 of 100) is weaker than any silence figure here.
    assert (so.weakest[0].unit, so.weakest[0].scale) == ("Team D", "Psykologisk tryghed")


# --------------------------------------------------------------------------- change


@pytest.mark.django_db
def test_the_heatmap_carries_a_change_column_from_the_publication(
    crafted: Crafted, world: World
) -> None:
    spring = second_wave(crafted)
    data = report_data(spring)
    change_c = group(data, crafted.team_c.pk)["instruments"]["ps7"]["scales"]["total"]["change"]
    change_d = group(data, crafted.team_d.pk)["instruments"]["ps7"]["scales"]["total"]["change"]
    assert change_c["reading"] == "real" and change_d["reading"] == "indicative"
    html = get(client_for(world.amo), url_of(world, spring))
    head = html.index('class="heatmap"')
    assert "Ændring" in html[head : html.index("</thead>", head)]
    rows = heatmap_rows(html)
    team_c = row_for(rows, "Team C")
    assert team_c[2].startswith("+" + format_number(change_c["difference"], "da", 1))
    assert "sikker" in team_c[2]
    team_d = row_for(rows, "Team D")
    assert team_d[2].startswith("\u2212" + format_number(-change_d["difference"], "da", 1))
    assert "usikker" in team_d[2]
    # A team hidden in either wave shows no change.
    assert row_for(rows, "Team A")[2].endswith("ingen ændring at vise")


@pytest.mark.django_db
def test_the_biggest_sure_changes_stand_out_and_unsure_ones_do_not(
    crafted: Crafted, world: World
) -> None:
    spring = second_wave(crafted)
    html = get(client_for(world.amo), url_of(world, spring))
    part = html[html.index('id="standouts-heading"') : html.index('id="heatmap-heading"')]
    assert "Største sikre ændringer" in part
    improved = part[part.index("<h4>Bedre</h4>") :]
    assert "Team C" in improved and "fra 35,0 til 70,0" in improved
    assert "Dårligere" not in part  # team D's fall rests on 6 answers: not a sure change


@pytest.mark.django_db
def test_a_first_measurement_has_no_change_column(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url)
    assert "heat-change" not in html
    assert "Største sikre ændringer" not in html


# --------------------------------------------------------------------------- four zones


@pytest.mark.django_db
def test_the_zone_map_places_each_shown_team_as_the_publication_does(world: World) -> None:
    m = closed(world, "Zoner", ["ps7", "opgavefokus"])
    focus_high = {f"opgavefokus.{n}": 1 for n in (1, 2, 3)}  # strongly agree: 100
    focus_low = {f"opgavefokus.{n}": 5 for n in (1, 2, 3)}  # strongly disagree: 0
    answer(m, world.team_a, 6, {**ps7([5]), **focus_high})  # safety 30 of 70: below the split
    answer(m, world.team_b, 6, {**ps7([1]), **focus_low})  # safety 40 of 70: above it
    data = report_data(m)
    zone_a = group(data, world.team_a.pk)["zone"]
    zone_b = group(data, world.team_b.pk)["zone"]
    assert (zone_a["zone"], zone_b["zone"]) == ("anxiety", "comfort")
    html = get(client_for(world.amo), url_of(world, m))
    part = html[html.index('id="zones-heading"') : html.index('id="method-heading"')]
    assert part.count('class="unit-point"') == 2
    assert 'class="organisation-point"' in part
    anxiety = part[part.index('org-zone-group zone-anxiety"') :]
    assert "Team A" in anxiety[: anxiety.index("</ul>")]
    comfort = part[part.index('org-zone-group zone-comfort"') :]
    assert "Team B" in comfort[: comfort.index("</ul>")]
    assert format_number(zone_a["safety"] * 100, "da", 1) in part


@pytest.mark.django_db
def test_a_measurement_without_task_focus_has_no_zone_map(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url)
    assert 'id="zones-heading"' not in html


# --------------------------------------------------------------------------- maturity


@pytest.mark.django_db
def test_the_maturity_view_shows_the_organisations_level_and_each_unit(world: World) -> None:
    m = closed(world, "Modenhed", ["vz-maturity"])
    answer(m, world.team_a, 6, {f"vz-maturity.{n}": 4 for n in range(1, 11)})
    answer(m, world.team_b, 6, {f"vz-maturity.{n}": 2 if n == 3 else 3 for n in range(1, 11)})
    html = get(client_for(world.amo), url_of(world, m))
    order = section_order(html)
    # The organisation's maturity comes before the units' heatmap.
    assert order.index("maturity-heading") < order.index("heatmap-heading")
    part = html[html.index('id="maturity-heading"') : html.index('id="heatmap-heading"')]
    assert "Modenhed for trivsel (Vision Zero)" in part
    assert 'aria-labelledby="org-stairs' in part  # the staircase chart
    topics = part[part.index("Emner, der trækker ned") :]
    first = topics[topics.index("<li>") : topics.index("</li>")]
    assert "Topledelsens engagement" in first  # topic 3, answered lowest
    rows = [r for r in _table(part, "maturity-caption") if r]
    assert ["Team A", "4,0", "Proaktivt"] in rows


# --------------------------------------------------------------------------- print


@pytest.mark.django_db
def test_the_pdf_reads_in_the_same_order_with_the_method_as_an_open_appendix(
    crafted: Crafted, world: World
) -> None:
    from django.template.loader import render_to_string

    export = ReportExport(
        organisation=world.org, measurement=crafted.measurement, kind=ExportKind.ORGANISATION_PDF
    )
    template, context = print_context(export, report_data(crafted.measurement))
    html = render_to_string(template, context)
    order = section_order(html)
    assert order[0] == "participation-heading"
    assert order.index("heatmap-heading") < order.index("method-heading")
    assert '<details class="org-method-details" open>' in html


# --------------------------------------------------------------------------- helpers


def _table(html: str, caption_id: str) -> list[list[str]]:
    start = html.index(f'id="{caption_id}"')
    table = html[start : html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


@pytest.mark.django_db
def test_namesakes_in_the_texts_are_told_apart_by_the_units_above_them(
    crafted: Crafted, world: World
) -> None:
    from tryghed.surveys.selectors import measurement_instruments

    data = org_presenters.typed(report_data(crafted.measurement))
    names = {int(uid): data.unit_name(uid) for uid in data.units}
    # Team C (in the area) and Team D (at the top) both called "Natteam" at closing.
    names[crafted.team_c.pk] = names[crafted.team_d.pk] = "Natteam"
    report = org_presenters.org_report_context(
        data=data,
        instruments=measurement_instruments(crafted.measurement),
        unit_names=names,
        total=None,
        lang="da",
        params={},
    )
    so = report.standouts
    assert (so.weakest[0].unit, so.weakest[0].scale) == (
        "Natteam (Testkommune)",
        "Psykologisk tryghed",
    )
    ps7_row = next(r for r in so.scales if r.scale == "Psykologisk tryghed")
    assert ps7_row.weakest.unit == "Natteam (Testkommune)"
    assert ps7_row.best.unit == "Team E"  # a unique name stays as it is
    # The heatmap's rows stand under their parents and keep the bare name.
    in_heatmap = {row.name for row in report.heatmap.rows}
    assert "Natteam" in in_heatmap and "Natteam (Testkommune)" not in in_heatmap
