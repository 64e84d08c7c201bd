"""The employees' feedback page: their own unit of a closed measurement, what is shown in
the report data and nothing else."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import reverse

from tests.conftest import World, client_for
from tests.results.test_aggregates import answer, make_measurement, ps7
from tryghed.results.aggregates import group, report_data
from tryghed.surveys.models import Measurement, Status

pytestmark = pytest.mark.django_db

TOP = [5, 1, 5, 1, 5, 1, 1]


def latest(world: World) -> str:
    return reverse("results:feedback_latest", kwargs={"org": world.org.slug})


def of(world: World, measurement: Measurement) -> str:
    return reverse(
        "results:feedback", kwargs={"org": world.org.slug, "measurement_id": measurement.pk}
    )


def fill(measurement: Measurement, world: World, team_a: int, team_b: int) -> None:
    for _ in range(team_a):
        answer(measurement, world.team_a, ps7([1]))  # 40
    for _ in range(team_b):
        answer(measurement, world.team_b, ps7(TOP))  # 70


def test_an_employee_reads_her_own_teams_latest_closed_measurement(world: World) -> None:
    older = make_measurement(world)
    fill(older, world, 6, 6)
    newer = make_measurement(world, previous=older)
    for _ in range(3):
        answer(newer, world.team_a, ps7([1]))
    for _ in range(3):
        answer(newer, world.team_a, ps7(TOP))
    fill(newer, world, 0, 6)
    client = client_for(world.employee)
    html = client.get(latest(world)).content.decode()
    assert "Tilbagemelding til Team A" in html
    assert '<span class="report-key__value">79</span>' in html and "n = 6 svar" in html
    # Only the team's own figures: no parent, organisation or sibling to compare with.
    assert "Hele organisationen" not in html and "Team B" not in html and "70,0" not in html
    assert of(world, older) in html  # earlier measurements are linked

    older_html = client.get(of(world, older)).content.decode()
    assert '<span class="report-key__value">57</span>' in older_html


def test_a_hidden_team_says_why_and_shows_no_numbers(world: World) -> None:
    measurement = make_measurement(world)
    fill(measurement, world, 3, 6)
    assert group(report_data(measurement), world.team_a.pk)["suppressed"] is True
    html = client_for(world.employee).get(latest(world)).content.decode()
    assert "For få svar – vises først ved mindst 5 svar" in html
    assert "40,0" not in html and "n = 3" not in html and "report-key__value" not in html


def test_a_team_with_every_figure_hidden_says_why_once(world: World) -> None:
    """team_a 6 (the employee's), team_b 3, ps7 and stress: team_a is hidden in every area
    to protect team_b. Its page says so once, not once per figure."""
    measurement = make_measurement(world, ("ps7", "stress"))
    for _ in range(6):
        answer(measurement, world.team_a, {**ps7([1]), "stress.1": 2, "stress.2": 2})
    for _ in range(3):
        answer(measurement, world.team_b, {**ps7(TOP), "stress.1": 4, "stress.2": 4})
    html = client_for(world.employee).get(latest(world)).content.decode()
    assert "Ingen tal for dit team denne gang" in html
    assert html.count("Skjult, så en lille gruppe ikke kan regnes ud") == 1
    assert "40,0" not in html and "n = 6" not in html and "report-key__value" not in html


def test_hidden_free_text_is_left_out_without_a_trace(world: World) -> None:
    measurement = make_measurement(world, ("ps7", "hesteskoen"), min_group_comment=5)
    for k in range(6):
        texts = {"hesteskoen.3": f"Hemmelig kommentar {k}"} if k < 2 else {}
        answer(measurement, world.team_a, {**ps7([1]), "hesteskoen.1": 6}, texts)
    html = client_for(world.employee).get(latest(world)).content.decode()
    assert "Hemmelig kommentar" not in html
    assert "For få svar" not in html  # the leader's page explains; the team's page leaves out
    assert "report-key__value" in html


def test_only_closed_measurements_of_her_own_unit_are_feedback(world: World) -> None:
    running = make_measurement(world, status=Status.OPEN)
    fill(running, world, 6, 6)
    client = client_for(world.employee)
    assert client.get(of(world, running)).status_code == 404
    empty = client.get(latest(world))
    assert empty.status_code == 200
    assert "Der er endnu ingen afsluttet måling" in empty.content.decode()


def test_leaders_amo_and_outsiders_get_no_feedback_page(world: World) -> None:
    measurement = make_measurement(world)
    fill(measurement, world, 6, 6)
    for user in (world.leader, world.amo, world.owner, world.outsider):
        client = client_for(user)
        assert client.get(latest(world)).status_code == 404
        assert client.get(of(world, measurement)).status_code == 404


def test_the_page_leaves_a_block_for_what_was_done_with_the_answers() -> None:
    template = get_template("results/feedback.html")
    source = template.template.source  # type: ignore[attr-defined]
    assert "{% block actions %}" in source
