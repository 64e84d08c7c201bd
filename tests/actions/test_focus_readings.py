"""Choosing a focus area ranks "weakest first" on the reports' common reading: only
comparable means (0–100, 100 the best end) are ranked; a need scale (support) is never
ranked beside them, and every candidate shows its reading and what a high number means."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.results.test_aggregates import answer_many, make_measurement, ps7
from tryghed.actions import selectors
from tryghed.results.readings import MEAN_KEY

pytestmark = pytest.mark.django_db

# support4 asks how much more (or less) support one wants: 9 of 10 is a need, not a score.
NEEDS = {f"support4.{n}": 9 for n in range(1, 5)}


def test_only_comparable_scales_are_ranked_and_each_shows_its_reading(world: World) -> None:
    wave = make_measurement(world, ("ps7", "stress", "support4"))
    # Stress 4 of 1–5, lower is better: 25 on the reading; ps7 at its middle.
    answer_many(wave, world.team_a, 6, {**ps7([4]), "stress.1": 4, "stress.2": 1, **NEEDS})

    figures = selectors.report_figures(wave, world.team_a, "da")
    scales = [(f.instrument_id, f.figure_id) for f in figures if f.kind == "scale"]
    assert scales[:2] == [("stress", "total"), ("ps7", "total")]
    assert {s for s in scales[2:]} == {
        ("support4", s) for s in ("practical", "emotional", "appraisal", "information")
    }
    stress = figures[0]
    assert stress.reading is not None and stress.reading.value == pytest.approx(25.0)
    assert stress.reading.key == MEAN_KEY and stress.mean == pytest.approx(4.0)
    assert stress.direction == "Højere er bedre (vendt, så 100 er bedst)."
    need = next(f for f in figures if f.instrument_id == "support4" and f.kind == "scale")
    assert need.reading is not None and need.reading.value is None and need.standing is None
    assert need.direction.startswith("Viser behov")
    assert all(f.direction for f in figures)

    weakest = selectors.weakest_scales(wave, world.team_a, 5, "da")
    assert [f.instrument_id for f in weakest] == ["stress", "ps7"]

    page = client_for(world.leader).get(
        reverse("actions:focus_choose", args=[world.org.slug, world.team_a.pk, wave.pk])
    )
    html = page.content.decode()
    assert "Aflæsning (0–100)" in html
    assert "Højere er bedre (vendt, så 100 er bedst)." in html
    assert "Viser behov" in html
    stress_row = html.split("Stress", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num" data-label="Aflæsning (0–100)">25</td>' in stress_row
