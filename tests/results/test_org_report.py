"""The organisation report: who may open it, what the heatmap shows and hides, sorting,
paging, the correlation view, the key drivers, the trust box, Danish and English.

ps7 points (instruments.md): positive items (2, 4, 6, 7) code 1..5 -> 10, 7, 4, 2, 0;
reversed items (1, 3, 5) -> 0, 2, 4, 7, 10. The crafted organisation:

    root ── area ── team_a   3 answers, all codes 4,2,4,2,4,2,2 -> ps7 49 (below the minimum)
         │       ├─ team_b   7 answers, all codes 3            -> ps7 28 (hidden: complementary,
         │       │                                               else area - team_c = team_a)
         │       └─ team_c  10 answers, 5 x codes 1 (40), 5 x codes 5 (30) -> 35
         ├─ team_d   6 answers, all codes 2 -> ps7 34
         ├─ team_e   5 answers, all codes 2,1,2,1,2,1,1 -> ps7 46
         └─ team_f   5 answers, all codes 2,2,2,2,2,2,1 -> ps7 37
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import make_unit
from tryghed.core import figures
from tryghed.orgs.models import Unit
from tryghed.results import org_presenters
from tryghed.results.aggregates import group, report_data
from tryghed.results.charts import format_number, format_percent
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response, Status

WEEK = "2026-W45"


# --------------------------------------------------------------------------- factories


def ps7(codes: Sequence[int]) -> dict[str, int]:
    codes = list(codes) * 7 if len(codes) == 1 else list(codes)
    return {f"ps7.{n}": code for n, code in enumerate(codes, start=1)}


def tavshed(code: int) -> dict[str, int]:
    return {f"tavshed.{n}": code for n in range(1, 5)}


def stress(code: int) -> dict[str, int]:
    return {"stress.1": code}


def make_measurement(world: World, instruments: Sequence[str]) -> Measurement:
    opens = dt.date(2026, 11, 2)
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Efterår 2026",
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(world.root)],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=14),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    measurement.refresh_from_db()
    return measurement


def answer(measurement: Measurement, unit: Unit, count: int, answers: Mapping[str, int]) -> None:
    for _ in range(count):
        Response.objects.create(
            measurement=measurement,
            unit=unit,
            week=WEEK,
            answers=dict(answers),
            texts={},
        )


class Crafted:
    def __init__(self, world: World, instruments: Sequence[str] = ("ps7", "tavshed")) -> None:
        self.world = world
        self.team_c = make_unit(world.org, parent=world.area, name="Team C", external_id="TC")
        self.team_d = make_unit(world.org, parent=world.root, name="Team D", external_id="TD")
        self.team_e = make_unit(world.org, parent=world.root, name="Team E", external_id="TE")
        self.team_f = make_unit(world.org, parent=world.root, name="Team F", external_id="TF")
        m = make_measurement(world, instruments)
        answer(m, world.team_a, 3, {**ps7([4, 2, 4, 2, 4, 2, 2]), **tavshed(4)})
        answer(m, world.team_b, 7, {**ps7([3]), **tavshed(3)})
        answer(m, self.team_c, 5, {**ps7([1]), **tavshed(1)})
        answer(m, self.team_c, 5, {**ps7([5]), **tavshed(2)})
        answer(m, self.team_d, 6, {**ps7([2]), **tavshed(2)})
        answer(m, self.team_e, 5, {**ps7([2, 1, 2, 1, 2, 1, 1]), **tavshed(1)})
        answer(m, self.team_f, 5, {**ps7([2, 2, 2, 2, 2, 2, 1]), **tavshed(2)})
        self.measurement = m

    @property
    def url(self) -> str:
        return reverse(
            "results:org_report",
            kwargs={"org": self.world.org.slug, "measurement_id": self.measurement.pk},
        )


@pytest.fixture
def crafted(world: World) -> Crafted:
    return Crafted(world)


# --------------------------------------------------------------------------- reading the page


class _Tables(HTMLParser):
    """The text of every cell of the table with class ``heatmap``, row by row, with each
    body row's cells' class attributes."""

    def __init__(self, *, every_table: bool = False) -> None:
        super().__init__()
        self.every_table = every_table
        self.rows: list[list[str]] = []
        self.classes: list[list[str]] = []
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and (self.every_table or "heatmap" in (found.get("class") or "")):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
            self.classes.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []
            self.classes[-1].append(found.get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def heatmap_rows(html: str) -> list[list[str]]:
    """Body rows of the heatmap: [unit name, cell text, ...]; the header row left out."""
    parser = _Tables()
    parser.feed(html)
    return parser.rows[1:]


def all_rows(html: str) -> list[list[str]]:
    """Every row of every table on the page, as cell texts."""
    parser = _Tables(every_table=True)
    parser.feed(html)
    return parser.rows


def row_for(rows: list[list[str]], name: str) -> list[str]:
    found = [r for r in rows if r[0] == name or r[0].startswith(name + " ")]
    assert len(found) == 1, (name, [r[0] for r in rows])
    return found[0]


def get(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def ps7_mean(data: Mapping[str, Any], unit: Unit | None, scope: str = "subtree") -> Any:
    g = group(data, unit.pk if unit is not None else None, scope)
    if g["suppressed"]:
        return g  # the whole group is hidden
    return g["instruments"]["ps7"]["scales"]["total"]


# --------------------------------------------------------------------------- access


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "amo"])
def test_the_owner_and_the_amo_open_the_organisation_report(
    crafted: Crafted, world: World, who: str
) -> None:
    html = get(client_for(getattr(world, who)), crafted.url)
    assert "<h1>Organisationsrapport: Efterår 2026</h1>" in html
    assert "Hele organisationen" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["leader", "employee", "outsider"])
def test_a_leader_an_employee_and_an_outsider_get_404(
    crafted: Crafted, world: World, who: str
) -> None:
    response = client_for(getattr(world, who)).get(crafted.url)
    assert response.status_code == 404
    assert b"Psykologisk tryghed" not in response.content


@pytest.mark.django_db
def test_a_measurement_of_another_organisation_is_404(crafted: Crafted, world: World) -> None:
    url = reverse(
        "results:org_report",
        kwargs={"org": world.other_org.slug, "measurement_id": crafted.measurement.pk},
    )
    assert client_for(world.outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_the_login(crafted: Crafted) -> None:
    response = Client().get(crafted.url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --------------------------------------------------------------------------- hidden cells


@pytest.mark.django_db
def test_the_crafted_world_hides_team_a_below_the_minimum_and_team_b_to_protect_it(
    crafted: Crafted, world: World
) -> None:
    data = report_data(crafted.measurement)
    assert ps7_mean(data, world.team_a) == {"suppressed": True, "reason": "below_minimum"}
    assert ps7_mean(data, world.team_b) == {"suppressed": True, "reason": "complementary"}
    assert ps7_mean(data, crafted.team_c)["mean"] == pytest.approx(35.0)


@pytest.mark.django_db
def test_hidden_cells_carry_no_numbers_and_say_why(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url)
    rows = heatmap_rows(html)
    team_a, team_b = row_for(rows, "Team A"), row_for(rows, "Team B")
    assert team_a[1:] == ["○for få svar"] * 3
    assert team_b[1:] == ["◇skjult for at beskytte en mindre gruppe"] * 3
    # Team A's mean (49) and Team B's (28) appear nowhere on the page, in any format: not
    # in the heatmap, the scatter, its data table or the trust box; and no row of any
    # table that names them carries a number (their counts, 3 and 7, included).
    for hidden in ("49,0", "49.0", "49,00", "28,0", "28.0", "28,00"):
        assert hidden not in html, hidden
    named = [r for r in all_rows(html) if r and r[0].startswith(("Team A", "Team B"))]
    assert len(named) == 4  # the heatmap and the scatter's data table
    for row in named:
        assert not re.search(r"\d", " ".join(row[1:])), row


@pytest.mark.django_db
def test_the_legend_explains_both_reasons_for_hiding(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url)
    assert "færre end 5 har svaret på skalaen" in html
    assert "afsløre en lille gruppes svar" in html


@pytest.mark.django_db
def test_the_heatmap_shows_the_report_datas_numbers(crafted: Crafted, world: World) -> None:
    data = report_data(crafted.measurement)
    rows = heatmap_rows(get(client_for(world.amo), crafted.url))
    assert [r[0] for r in rows] == [
        "Hele organisationen",
        "Område",
        "Team A",
        "Team B",
        "Team C",
        "Team D",
        "Team E",
        "Team F",
    ]
    for name, unit in (
        ("Hele organisationen", None),
        ("Område", world.area),
        ("Team C", crafted.team_c),
        ("Team D", crafted.team_d),
    ):
        g = group(data, unit.pk if unit else None, "subtree")
        ps7_block = g["instruments"]["ps7"]["scales"]["total"]
        silence = g["instruments"]["tavshed"]["scales"]["total"]
        held_back = g["instruments"]["tavshed"]["key_figures"]["held-back"]
        row = row_for(rows, name)
        assert row[1].split(" ")[0] == format_number(ps7_block["mean"], "da", 1)
        assert row[2].split(" ")[0] == format_number(silence["mean"], "da", 1)
        assert row[3].startswith(format_percent(held_back["share"], "da", 0).replace("\xa0", " "))
    # By hand: Team C is 5 x 40 and 5 x 30, Team D 6 x 34.
    assert row_for(rows, "Team C")[1].startswith("35,0")
    assert row_for(rows, "Team D")[1].startswith("34,0")


@pytest.mark.django_db
def test_cells_have_a_colour_class_and_a_marker_besides_the_number(
    crafted: Crafted, world: World
) -> None:
    html = get(client_for(world.amo), crafted.url)
    parser = _Tables()
    parser.feed(html)
    team_d = next(i for i, r in enumerate(parser.rows) if r and r[0] == "Team D")
    # ps7 34 of 0-70 is the middle step: light colour and a dot.
    assert "heat-2" in parser.classes[team_d][1]
    assert parser.rows[team_d][1] == "34,0 ●"


# --------------------------------------------------------------------------- sort, filter, pages


@pytest.mark.django_db
def test_sorting_by_a_scale_orders_shown_values_and_puts_hidden_ones_last(
    crafted: Crafted, world: World
) -> None:
    client = client_for(world.amo)
    down = heatmap_rows(get(client, crafted.url, sort="ps7.total", dir="desc"))
    # Område: (3*49 + 7*28 + 10*35) / 20 = 34.65; Team C 35, D 34, E 46, F 37.
    # Sorted, each name carries its parent's name after it.
    names = [r[0] for r in down[1:]]
    assert names == [
        "Team E Testkommune",
        "Team F Testkommune",
        "Team C Område",
        "Område Testkommune",
        "Team D Testkommune",
        "Team A Område",
        "Team B Område",
    ]
    up = heatmap_rows(get(client, crafted.url, sort="ps7.total", dir="asc"))
    assert [r[0].split(" ")[1] for r in up[1:]] == ["D", "Testkommune", "C", "F", "E", "A", "B"]
    assert up[0][0] == "Hele organisationen"  # the organisation row stays on top


@pytest.mark.django_db
def test_a_sorted_column_is_marked_for_screen_readers(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url, sort="tavshed.total", dir="asc")
    assert html.count('aria-sort="ascending"') == 1
    assert "sorteret efter Tavshed, laveste først" in html
    assert "?sort=tavshed.total&amp;dir=desc" in html


@pytest.mark.django_db
def test_an_unknown_sort_key_keeps_the_tree_order(crafted: Crafted, world: World) -> None:
    rows = heatmap_rows(get(client_for(world.amo), crafted.url, sort="nope", dir="sideways"))
    assert [r[0] for r in rows][1:3] == ["Område", "Team A"]


@pytest.mark.django_db
def test_the_depth_filter_shows_only_the_first_level(crafted: Crafted, world: World) -> None:
    rows = heatmap_rows(get(client_for(world.amo), crafted.url, niveau="1"))
    assert [r[0] for r in rows] == ["Hele organisationen", "Område", "Team D", "Team E", "Team F"]


@pytest.mark.django_db
def test_a_large_organisation_opens_collapsed_and_pages(world: World) -> None:
    measurement = make_measurement(world, ["ps7"])
    parent = world.area
    for i in range(120):
        if i % 10 == 0:
            parent = make_unit(
                world.org, parent=world.root, name=f"Afdeling {i:03d}", kind="omraade"
            )
        team = make_unit(world.org, parent=parent, name=f"Hold {i:03d}")
        answer(measurement, team, 5, ps7([2]))
    data = report_data(measurement)
    names = dict(Unit.objects.values_list("pk", "name"))
    collapsed = org_presenters.heatmap(data, [], names, lang="da", params={})
    assert collapsed.depth == "2" and collapsed.collapsed_by_default
    everything = org_presenters.heatmap(data, [], names, lang="da", params={"niveau": "alle"})
    # The area with team a and b, 12 departments and their 120 teams.
    assert everything.total_rows == everything.all_rows == 135
    assert everything.page is not None and len(everything.rows) == org_presenters.PAGE_SIZE
    second = org_presenters.heatmap(
        data, [], names, lang="da", params={"niveau": "alle", "side": "2"}
    )
    assert len(second.rows) == 135 - org_presenters.PAGE_SIZE
    assert second.page_urls["previous"] == "?niveau=alle&side=1"
    export = org_presenters.heatmap(
        data, [], names, lang="da", params={"niveau": "alle"}, page_size=None
    )
    assert export.page is None and len(export.rows) == 135


# --------------------------------------------------------------------------- correlations, drivers, trust


@pytest.mark.django_db
def test_the_correlation_view_shows_r_its_interval_and_units_with_the_caveat(
    crafted: Crafted, world: World
) -> None:
    data = report_data(crafted.measurement)
    (pair,) = data["measurement_level"]["correlations"]
    html = get(client_for(world.amo), crafted.url)
    assert "Sammenhæng er ikke årsag." in html
    assert f"r = {format_number(pair['r'], 'da', 2)}" in html
    low, high = pair["ci95"]
    assert f"{format_number(low, 'da', 2)}–{format_number(high, 'da', 2)}" in html
    assert f"over {pair['n_units']} enheder" in html
    assert html.count('class="point"') == pair["n_units"]  # one dot per shown unit


@pytest.mark.django_db
def test_the_key_drivers_show_weights_with_intervals(world: World) -> None:
    measurement = make_measurement(world, ["ps7", "guldkorn"])
    import random

    rng = random.Random(7)
    for unit in (world.team_a, world.team_b):
        for _ in range(30):
            nuggets = {f"guldkorn.{n}": rng.randint(1, 5) for n in range(1, 12)}
            answer(measurement, unit, 1, {**ps7([rng.randint(1, 5)]), **nuggets})
    data = report_data(measurement)
    drivers = data["measurement_level"]["drivers"]
    assert "ps7/total" in drivers
    html = get(
        client_for(world.owner),
        reverse(
            "results:org_report",
            kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
        ),
    )
    entry = drivers["ps7/total"]
    if entry["suppressed"]:
        pytest.fail(f"drivers hidden: {entry}")
    for weight, (low, high) in zip(entry["weights"], entry["ci95"], strict=True):
        assert format_percent(weight, "da", 1) in html
        assert f"{format_percent(low, 'da', 1)}–{format_percent(high, 'da', 1)}" in html
    assert "Det er sammenhænge, ikke årsager" in html
    assert 'aria-labelledby="driver-ps7-total-title driver-ps7-total-desc"' in html


@pytest.mark.django_db
def test_the_trust_box_shows_alpha_icc_and_the_response_rate(
    crafted: Crafted, world: World
) -> None:
    data = report_data(crafted.measurement)
    level = data["measurement_level"]["scales"]["ps7"]["total"]
    html = get(client_for(world.amo), crafted.url)
    assert "Hvor meget kan vi stole på tallene?" in html
    assert format_number(level["alpha"]["alpha"], "da", 2) in html
    assert format_number(level["icc"]["icc1"], "da", 2) in html
    assert format_number(level["icc"]["icc2"], "da", 2) in html


@pytest.mark.django_db
def test_the_response_rate_counts_invitations_and_answers(world: World) -> None:
    from tryghed.surveys.participation import RateRow

    rate = org_presenters.trust(
        _publication(),
        [],
        RateRow(world.root.pk, world.root.name, 0, invited=40, responses=30),
        lang="da",
    )
    assert rate.rate_text == "75\xa0%" and (rate.responses, rate.invited) == (30, 40)
    hidden = org_presenters.trust(
        _publication(),
        [],
        RateRow(world.root.pk, world.root.name, 0, None, None, reason="few_answers"),
        lang="da",
    )
    assert (hidden.rate_text, hidden.responses, hidden.invited) == ("", None, None)
    assert hidden.rate_hidden == "for få svar"


@pytest.mark.django_db
def test_a_measurement_without_answers_says_so(world: World) -> None:
    measurement = make_measurement(world, ["ps7"])
    html = get(
        client_for(world.amo),
        reverse(
            "results:org_report",
            kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
        ),
    )
    assert "Ingen resultater endnu" in html
    assert 'class="heatmap"' not in html


# --------------------------------------------------------------------------- languages and links


@pytest.mark.django_db
def test_the_report_reads_in_english(crafted: Crafted, world: World) -> None:
    client = client_for(world.amo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = get(client, crafted.url)
    assert '<html lang="en">' in html
    rows = heatmap_rows(html)
    # Numbers in English notation, instrument texts in English.
    assert row_for(rows, "Team C")[1].startswith("35.0")
    assert "Psychological safety" in html


@pytest.mark.django_db
def test_rows_link_to_the_unit_report(crafted: Crafted, world: World) -> None:
    html = get(client_for(world.amo), crafted.url)
    url = reverse(
        "results:unit_report",
        kwargs={
            "org": world.org.slug,
            "measurement_id": crafted.measurement.pk,
            "unit_id": crafted.team_c.pk,
        },
    )
    assert f'<a href="{url}">Team C</a>' in html


@pytest.mark.django_db
def test_the_measurement_page_links_to_the_organisation_report(
    crafted: Crafted, world: World
) -> None:
    detail = reverse(
        "surveys_admin:detail",
        kwargs={"org": world.org.slug, "measurement_id": crafted.measurement.pk},
    )
    html = get(client_for(world.amo), detail)
    assert f'href="{crafted.url}"' in html


def _publication(
    instruments: Mapping[str, figures.InstrumentMeta] | None = None,
    correlations: Sequence[figures.Correlation] = (),
) -> figures.Publication:
    """A publication of no units, with only the records a test hands it."""
    return figures.Publication(
        schema=2,
        measurement=figures.MeasurementRef(1, "closed", None),
        minimums=figures.MinimumsRef(5, 10, 10),
        instruments=instruments or {},
        units={},
        organisation=0,
        groups=figures.GroupSlots({}, 0),
        texts=figures.TextSlots({}, complete=True),
        measurement_level=figures.MeasurementLevel({}, tuple(correlations), {}),
    )


def test_the_scatter_starts_with_work_environment_competence_as_seed_003_does() -> None:
    def entry(a: str, b: str, r: float) -> figures.Correlation:
        return figures.Correlation(a, b, r, 12, (r - 0.1, r + 0.05), 0.01)

    total = figures.ScaleMeta(("x.1",), 5, False, "higher_better", (0, 100), None, (), (), (), ())
    meta = figures.InstrumentMeta(1, None, None, "total", {"total": total}, {}, {}, (), None)
    data = _publication(
        {iid: meta for iid in ("amk", "ps7", "stress")},
        [
            entry("ps7/total", "stress/total", -0.9),
            entry("amk/total", "stress/total", -0.4),
            entry("amk/total", "ps7/total", 0.73),
        ],
    )
    view = org_presenters.correlations(data, [], {}, lang="da", params={})
    assert view.chosen is not None and view.chosen.key == "amk/total|ps7/total"
    assert [c.key for c in view.pairs] == [  # the table: strongest first
        "ps7/total|stress/total",
        "amk/total|ps7/total",
        "amk/total|stress/total",
    ]
    chosen = org_presenters.correlations(
        data, [], {}, lang="da", params={"par": "amk/total|stress/total"}
    ).chosen
    assert chosen is not None and chosen.r_text == "\u22120,40"  # minus sign, not a hyphen
