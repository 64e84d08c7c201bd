"""A later measurement of the plan's unit shows the change of the targeted scale."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.actions.conftest import (
    HIGH,
    answer,
    first_wave,
    make_focus,
    make_measurement,
    make_plan,
    ps7_points,
)
from tests.conftest import World, client_for
from tryghed.actions import selectors
from tryghed.core import statistics

pytestmark = pytest.mark.django_db


def test_the_later_waves_own_change_is_shown_when_it_compares_with_the_plans_wave(
    world: World,
) -> None:
    wave = first_wave(world)
    plan = make_plan(world, make_focus(world, wave))
    later = make_measurement(world, opens=dt.date(2026, 10, 5), previous=wave)
    answer(later, world.team_a, HIGH, 12)
    answer(later, world.team_b, HIGH, 8)
    (found,) = selectors.remeasurements(plan)
    assert found.measurement == later and found.source == "report"
    assert found.mean == pytest.approx(35.5) and found.mean_before == pytest.approx(28.5)
    assert found.change is not None
    assert found.change["difference"] == pytest.approx(7.0)
    assert found.change["real"] is True

    page = client_for(world.leader).get(f"/o/testkommune/handleplaner/{plan.pk}/")
    html = page.content.decode()
    assert "+7,0" in html and "Sikker ændring" in html

    feedback = client_for(world.employee).get(
        f"/o/testkommune/handleplaner/enhed/{world.team_a.pk}/i-sagde-vi-gjorde/"
    )
    text = feedback.content.decode()
    assert "35,5" in text and "+7,0" in text and "sikker ændring" in text


def test_without_a_comparison_in_the_report_the_change_is_computed_from_both_waves(
    world: World,
) -> None:
    wave = first_wave(world)
    plan = make_plan(world, make_focus(world, wave))
    later = make_measurement(world, opens=dt.date(2026, 10, 5))  # not linked as a wave
    answer(later, world.team_a, HIGH, 9)
    answer(later, world.team_b, HIGH, 8)
    (found,) = selectors.remeasurements(plan)
    assert found.source == "computed"
    expected = statistics.welch_change(ps7_points([3, 4, 3, 4], 12), ps7_points(HIGH, 9))
    assert expected is not None and found.change is not None
    assert found.change["difference"] == pytest.approx(expected.difference)
    assert found.change["ci95"] == pytest.approx(list(expected.ci95))
    assert found.change["p"] == pytest.approx(expected.p)
    assert found.change["hedges_g"] == pytest.approx(expected.hedges_g)
    assert found.change["real"] is False  # only 9 in the later wave: indicative

    html = client_for(world.leader).get(f"/o/testkommune/handleplaner/{plan.pk}/").content
    assert "Vejledende" in html.decode()


def test_a_later_wave_where_the_unit_is_hidden_shows_no_number(world: World) -> None:
    wave = first_wave(world)
    plan = make_plan(world, make_focus(world, wave))
    later = make_measurement(world, opens=dt.date(2026, 10, 5), previous=wave)
    answer(later, world.team_a, HIGH, 3)  # below the minimum of 5
    answer(later, world.team_b, HIGH, 12)
    assert selectors.remeasurements(plan) == []
    html = client_for(world.leader).get(f"/o/testkommune/handleplaner/{plan.pk}/").content
    assert "Der er endnu ingen senere måling" in html.decode()


def test_an_earlier_measurement_is_no_re_measurement(world: World) -> None:
    earlier = make_measurement(world, opens=dt.date(2025, 10, 6))
    answer(earlier, world.team_a, HIGH, 12)
    plan = make_plan(world, make_focus(world, first_wave(world)))
    assert selectors.remeasurements(plan) == []
