"""The team report's first screen: one reading per area, what changed, the weakest areas,
harassment and violence first, details folded below, and a short PDF unless asked."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.conftest import World, client_for
from tests.results.team_report_scenario import team_report
from tests.results.test_unit_report import page, url
from tryghed.results.aggregates import report_data
from tryghed.results.presenters import SENSITIVE_ALERT_SHARE, unit_report_context

pytestmark = pytest.mark.django_db


def first_screen(html: str) -> str:
    return html[: html.index('id="details-heading"')]


def test_every_area_reads_0_to_100_and_the_need_scale_is_never_ranked(world: World) -> None:
    measurement = team_report(world)
    data = report_data(measurement)
    with translation.override("da"):
        context = unit_report_context(
            data=data, measurement=measurement, unit=world.team_a, scope="unit", lang="da"
        )
    overview = context["overview"]
    names = [row.name for row in overview.areas]
    assert "Psykologisk tryghed" in names and "Tavshed" in names and "Stress" in names
    # The guldkorn "Krav" scale is bipolar: not an area; support4 is one row without a reading.
    assert "Krav" not in names
    support = next(row for row in overview.areas if row.instrument_id == "support4")
    assert support.reading is not None and support.reading.value is None and support.value == ""
    for row in overview.areas:
        if row.reading is not None and row.reading.value is not None:
            assert 0 <= row.reading.value <= 100
    assert overview.weakest and all(r.instrument_id != "support4" for r in overview.weakest)
    values = [r.reading.value for r in overview.weakest if r.reading]
    assert values == sorted(values)
    ps7 = next(row for row in overview.areas if row.instrument_id == "ps7")
    block = data["units"][str(world.team_a.pk)]
    assert "på skalaen 0–70" in ps7.native
    assert block  # the unit is in the report data
    silence = next(row for row in overview.areas if row.instrument_id == "tavshed")
    assert "Lavere er bedre" in silence.native and "vendt" in silence.direction


def test_the_first_screen_is_short_and_the_details_are_closed(world: World) -> None:
    measurement = team_report(world)
    html = page(client_for(world.leader), url(world, measurement, world.team_a))
    top = first_screen(html)
    assert "Sådan står I" in top and "Det vigtigste" in top and "Det gør I nu" in top
    assert "Siden sidste måling" in top
    assert "Vælg fokusområder" in top
    # Per question, distributions and agreement are below, each in a closed <details>.
    assert "Spørgsmål for spørgsmål" not in top and "Enighed i gruppen" not in top
    details = re.findall(r"<details class=\"report-more[^\"]*\"[^>]*>", html)
    assert len(details) >= 8
    assert not any(" open" in tag for tag in details)
    # Negatively worded ps7 statements say what a high score means.
    assert "negativt formuleret: høj score = uenig" in html


def test_harassment_comes_first_and_replaces_the_safety_prompts(world: World) -> None:
    measurement = team_report(world, harassed=True)
    data = report_data(measurement)
    figures = data["groups"]
    assert figures  # the report data has groups
    html = page(client_for(world.leader), url(world, measurement, world.team_a))
    top = first_screen(html)
    assert "Start her: krænkende handlinger og vold" in top
    assert top.index("Start her") < top.index("Sådan står I")
    assert "at.dk" in top
    assert "Tre spørgsmål til dialogmødet" not in html
    # Team B has no such answers: no alert, and its prompts are there.
    calm = page(client_for(world.amo), url(world, measurement, world.team_b))
    assert "Start her: krænkende handlinger og vold" not in calm
    assert "Tre spørgsmål til dialogmødet" in calm
    assert SENSITIVE_ALERT_SHARE == 0.20


def test_the_print_version_is_the_summary_unless_details_are_asked(world: World) -> None:
    measurement = team_report(world)
    data = report_data(measurement)
    with translation.override("da"):
        context = unit_report_context(
            data=data, measurement=measurement, unit=world.team_a, scope="unit", lang="da"
        )
        base = {"access": None, "measurement": measurement, "print_css": ""}
        summary = render_to_string("results/print/unit_report.html", {**base, **context})
        full = render_to_string(
            "results/print/unit_report.html", {**base, **context, "details": True}
        )
    assert "Sådan står I" in summary and "Spørgsmål for spørgsmål" not in summary
    assert "Spørgsmål for spørgsmål" in full
    assert "<details" not in summary
