"""A later measurement of the plan's unit shows the change of the targeted scale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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
from tryghed.actions.models import ActionPlan
from tryghed.core import statistics
from tryghed.orgs.models import Unit
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement, Response, Status

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
    assert found.change.difference == pytest.approx(7.0)
    assert found.change.real is True

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
    assert found.change.difference == pytest.approx(expected.difference)
    assert found.change.ci95 is not None
    assert list(found.change.ci95) == pytest.approx(list(expected.ci95))
    assert found.change.p == pytest.approx(expected.p)
    assert found.change.hedges_g == pytest.approx(expected.hedges_g)
    assert found.change.real is False  # only 9 in the later wave: indicative

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
    text = html.decode()
    assert f"«{later.name}» viser ikke resultatet for enheden: for få har svaret." in text
    assert "Der er endnu ingen senere måling" not in text


def test_an_earlier_measurement_is_no_re_measurement(world: World) -> None:
    earlier = make_measurement(world, opens=dt.date(2025, 10, 6))
    answer(earlier, world.team_a, HIGH, 12)
    plan = make_plan(world, make_focus(world, first_wave(world)))
    assert selectors.remeasurements(plan) == []


def follow_up(
    world: World, instruments: Sequence[str], *, status: str, scope: Unit | None = None
) -> Measurement:
    measurement = survey_services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Opfølgning",
        instrument_ids=list(instruments),
        scope=[survey_services.ScopeEntry(scope or world.root)],
        opens_on=dt.date(2026, 10, 5),
        closes_on=dt.date(2026, 10, 19),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=status)
    measurement.refresh_from_db()
    return measurement


def plan_page(world: World, plan: ActionPlan) -> str:
    return client_for(world.leader).get(f"/o/testkommune/handleplaner/{plan.pk}/").content.decode()


def test_without_a_later_measurement_the_plan_says_there_is_none(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    follow_up(world, ["ps7"], status=Status.OPEN, scope=world.team_b)  # not team A's
    assert selectors.later_measurements(plan, [], "da") == []
    assert "Der er endnu ingen senere måling af enheden." in plan_page(world, plan)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.OPEN, Status.CLOSED])
def test_a_follow_up_with_another_variant_says_it_can_never_show_a_change(
    world: World, status: str
) -> None:
    """The follow-up template (ps7-hem) against a focus area chosen on ps7: the page says
    that a later measurement exists and why it shows no change."""
    plan = make_plan(world, make_focus(world, first_wave(world)))
    later = follow_up(world, ["ps7-hem", "opgavefokus", "tavshed", "hesteskoen"], status=status)
    if status == Status.CLOSED:
        answer_hem(later, world.team_a, 12)
    (found,) = selectors.later_measurements(plan, selectors.remeasurements(plan), "da")
    assert (found.measurement, found.reason) == (later, "variant")
    assert found.instrument == "Psykologisk tryghed (7 udsagn, Hospitalsenhed Midt)"
    text = plan_page(world, plan)
    assert "Der er endnu ingen senere måling" not in text
    assert "Der er en senere måling af enheden, men den viser ikke en ændring" in text
    assert (
        "«Opfølgning» måler med «Psykologisk tryghed (7 udsagn, Hospitalsenhed Midt)». Det er "
        "en anden variant end «Psykologisk tryghed (7 udsagn, Edmondson)»"
    ) in text
    assert "der kan aldrig vises en ændring" in text


def test_an_open_follow_up_with_the_same_instrument_says_the_result_comes_at_closing(
    world: World,
) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    later = follow_up(world, ["ps7"], status=Status.OPEN)
    (found,) = selectors.later_measurements(plan, [], "da")
    assert (found.measurement, found.reason) == (later, "not_closed")
    text = plan_page(world, plan)
    assert "«Opfølgning» er ikke lukket endnu (den lukker 19. oktober 2026)." in text


def test_a_follow_up_without_the_instrument_says_it_does_not_ask_about_it(world: World) -> None:
    plan = make_plan(world, make_focus(world, first_wave(world)))
    follow_up(world, ["stress"], status=Status.OPEN)
    assert "«Opfølgning» spørger ikke med «Psykologisk tryghed (7 udsagn, Edmondson)»" in (
        plan_page(world, plan)
    )


def test_a_shown_change_is_not_repeated_as_a_later_measurement(world: World) -> None:
    wave = first_wave(world)
    plan = make_plan(world, make_focus(world, wave))
    later = make_measurement(world, opens=dt.date(2026, 10, 5), previous=wave)
    answer(later, world.team_a, HIGH, 12)
    answer(later, world.team_b, HIGH, 8)
    shown = selectors.remeasurements(plan)
    assert [r.measurement for r in shown] == [later]
    assert selectors.later_measurements(plan, shown, "da") == []


def answer_hem(measurement: Measurement, unit: Unit, count: int) -> None:
    Response.objects.bulk_create(
        Response(
            measurement=measurement,
            unit=unit,
            week="2026-W45",
            answers={f"ps7-hem.{n}": 2 for n in range(1, 8)},
        )
        for _ in range(count)
    )


def test_the_amo_may_plan_a_re_measurement_from_the_plan_and_the_leader_sees_no_link(
    world: World,
) -> None:
    wave = first_wave(world)
    plan = make_plan(world, make_focus(world, wave))
    link = f"/o/testkommune/maalinger/ny/?tidligere={wave.pk}&amp;enhed={world.team_a.pk}"
    amo = client_for(world.amo).get(f"/o/testkommune/handleplaner/{plan.pk}/").content.decode()
    assert link in amo
    assert "Planlæg en genmåling med de samme spørgeskemaer" in amo
    assert "Planlæg en genmåling" not in plan_page(world, plan)
