"""The publication of a measurement (privacy.md section 3): nothing while it is open, the
unit tree frozen at closing, waves compared through the earlier publication, ICC over
shown units only, and one set of people per scale and group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.factories import make_unit
from tests.results.test_aggregates import answer, answer_many, make_measurement, ps7, ps7_block
from tryghed.actions.selectors import report_figures
from tryghed.apv.selectors import screening_figures
from tryghed.core import waves
from tryghed.core.figures import Change
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Unit
from tryghed.results import aggregates
from tryghed.results.aggregates import compute_report_data, group, report_data
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response, Status

# --------------------------------------------------------------------------- finding 3


@pytest.mark.django_db
def test_no_path_reads_figures_of_an_open_measurement(world: World) -> None:
    running = make_measurement(world, ("ps7", "risk5"), status=Status.OPEN)
    answer_many(running, world.team_a, 8)
    with pytest.raises(aggregates.NotPublished):
        report_data(running)
    assert report_figures(running, world.team_a, "da") == []  # focus-area choice
    assert screening_figures(running, world.team_a) == []  # APV prefill
    services.measurement_close(measurement=running, actor=None)
    assert ps7_block(report_data(running), world.team_a)["n"] == 8


# --------------------------------------------------------------------------- finding 5


@pytest.mark.django_db
def test_closing_stores_the_tree_with_names_and_a_later_move_changes_no_group(
    world: World,
) -> None:
    measurement = make_measurement(world, status=Status.OPEN)
    answer_many(measurement, world.team_a, 6, ps7([1]))
    answer_many(measurement, world.team_b, 6, ps7([2]))
    services.measurement_close(measurement=measurement, actor=None)
    measurement.refresh_from_db()
    frozen = {u["id"]: u for u in measurement.frozen_tree or []}
    assert frozen[world.team_b.pk]["parent"] == world.area.pk
    assert frozen[world.team_b.pk]["name"] == "Team B"
    assert frozen[world.team_b.pk]["in_scope"] is True

    other = make_unit(world.org, name="Andet område")
    org_services.unit_move(unit=world.team_b, actor=None, new_parent=other)
    Unit.objects.filter(pk=world.team_a.pk).update(name="Team Alfa")
    data = report_data(measurement)
    area = ps7_block(data, world.area, "subtree")
    assert area["n"] == 12  # the area as it stood at closing, Team B included
    assert data["units"][str(world.team_b.pk)]["parent"] == str(world.area.pk)
    assert aggregates.unit_name(data, world.team_a.pk) == "Team A"
    assert str(other.pk) not in data["units"]


@pytest.mark.django_db
def test_a_measurement_closed_before_trees_were_frozen_keeps_its_first_publication(
    world: World,
) -> None:
    measurement = make_measurement(world)  # closed directly, no tree stored
    answer_many(measurement, world.team_b, 6)
    assert Measurement.objects.get(pk=measurement.pk).frozen_tree is None
    first = report_data(measurement)
    org_services.unit_move(unit=world.team_b, actor=None, new_parent=world.root)
    Unit.objects.filter(pk=world.team_b.pk).update(name="Team Beta")
    assert report_data(measurement) == first


# --------------------------------------------------------------------------- finding 6


@pytest.mark.django_db
def test_the_before_figure_is_the_earlier_publications_figure_never_a_recomputed_one(
    world: World,
) -> None:
    """Team B had 3 answers in the earlier wave under the area; after a move it would be
    a group of its own. Its earlier figure was hidden, so no change is shown for it; Team
    A's change starts from exactly the n, mean and SD the earlier wave showed."""
    before = make_measurement(world, status=Status.OPEN)
    answer_many(before, world.team_a, 6, ps7([2]))
    answer(before, world.team_a, ps7([1]))
    answer_many(before, world.team_b, 3, ps7([3]))
    answer_many(before, world.area, 5, ps7([3]))  # so that Team A stays shown
    services.measurement_close(measurement=before, actor=None)
    earlier = report_data(before)
    shown_before = ps7_block(earlier, world.team_a)
    assert ps7_block(earlier, world.team_b) == {"suppressed": True, "reason": "below_minimum"}

    after = make_measurement(world, previous=before, status=Status.OPEN)
    answer_many(after, world.team_a, 6, ps7([1]))
    answer_many(after, world.team_b, 6, ps7([1]))
    # Answers of the earlier wave stored behind its back change nothing either.
    answer_many(before, world.team_b, 5, ps7([3]))
    services.measurement_close(measurement=after, actor=None)
    data = report_data(after)
    change = ps7_block(data, world.team_a)["change"]
    assert change["n_before"] == shown_before["n"] == 7
    assert change["mean_before"] == pytest.approx(shown_before["mean"])
    assert "change" not in ps7_block(data, world.team_b)


@pytest.mark.django_db
def test_the_change_does_not_read_the_earlier_waves_answers(world: World) -> None:
    before = make_measurement(world)
    answer_many(before, world.team_a, 3, ps7([2]))
    answer_many(before, world.team_a, 3, ps7([4]))
    report_data(before)
    after = make_measurement(world, previous=before)
    answer_many(after, world.team_a, 3, ps7([1]))
    answer_many(after, world.team_a, 3, ps7([3]))
    Response.objects.filter(measurement=before).delete()  # as if purged
    assert ps7_block(report_data(after), world.team_a)["change"]["n_before"] == 6


@pytest.mark.django_db
def test_the_change_follows_the_one_rule_of_comparable_waves(world: World) -> None:
    """The publication asks ``waves.comparable``, the rule the measurement form and the
    plans use: where it says no, there is no change (an earlier version, say)."""
    before = make_measurement(world)
    answer_many(before, world.team_a, 6, ps7([2]))
    report_data(before)
    after = make_measurement(world, previous=before)
    answer_many(after, world.team_a, 6, ps7([4]))
    with mock.patch.object(waves, "comparable", return_value=False) as rule:
        data = compute_report_data(after)
    rule.assert_called()
    assert "change" not in ps7_block(data, world.team_a)
    assert "change" in ps7_block(compute_report_data(after), world.team_a)


# --------------------------------------------------------------------------- finding 7


@pytest.mark.django_db
def test_icc_ignores_the_answers_of_hidden_teams(world: World) -> None:
    found = []
    team_c = make_unit(world.org, parent=world.area, name="Team C")
    team_d = make_unit(world.org, parent=world.area, name="Team D")
    for hidden_code in (1, 5):
        Measurement.objects.all().delete()
        measurement = make_measurement(world)
        for code, unit in ((1, world.team_a), (3, world.team_b)):
            for k in range(6):
                answer(measurement, unit, ps7([code if k % 2 else code + 1]))
        # Two hidden teams of 3 (together a remainder of 6): only Team C's answers differ.
        answer_many(measurement, team_c, 3, ps7([hidden_code]))
        answer_many(measurement, team_d, 3, ps7([3]))
        level = compute_report_data(measurement)["measurement_level"]["scales"]["ps7"]
        found.append(level["total"]["icc"])
    assert found[0] is not None and found[0] == found[1]


@pytest.mark.django_db
def test_icc_is_not_shown_with_fewer_than_two_shown_units(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 6, ps7([1]))
    answer(measurement, world.team_a, ps7([3]))
    answer_many(measurement, world.team_b, 3, ps7([5]))
    level = compute_report_data(measurement)["measurement_level"]["scales"]["ps7"]
    assert level["total"]["icc"] is None


# --------------------------------------------------------------------------- finding 8


@pytest.mark.django_db
def test_a_key_figure_rests_on_the_people_of_its_scale(world: World) -> None:
    measurement = make_measurement(world, ("tavshed",))
    for code in (1, 1, 1, 1, 2, 2, 2, 2):
        answer(measurement, world.team_a, {f"tavshed.{i}": code for i in range(1, 5)})
    answer(measurement, world.team_a, {"tavshed.1": 2})  # no person score
    block = group(compute_report_data(measurement), world.team_a.pk)["instruments"]["tavshed"]
    assert block["scales"]["total"]["n"] == 8
    assert block["key_figures"]["held-back"]["n"] == 8


def _check_one_set_of_people(data: Mapping[str, Any]) -> None:
    """In every shown group, every shown item distribution and key figure computed over a
    scale's people rests on the scale's n, or on at least the minimum fewer."""
    for block in data["groups"]:
        if block["suppressed"]:
            continue
        for iid, figures in block["instruments"].items():
            meta = data["instruments"][iid]
            scales = figures["scales"]
            related = [
                (figures["items"][item_id], item["population"], item["minimum"])
                for item_id, item in meta["items"].items()
                if item["population"] is not None
            ] + [
                (figures["key_figures"][kf_id], kf["population"], kf["minimum"])
                for kf_id, kf in meta["key_figures"].items()
                if kf["population"] is not None
            ]
            for figure, sid, minimum in related:
                scale = scales[sid]
                if figure["suppressed"] or scale["suppressed"]:
                    continue
                gap = scale["n"] - figure["n"]
                assert gap == 0 or gap >= minimum, (sid, figure, scale["n"])


answers_strategy = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "area"]),
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=4, max_size=4),
    ),
    min_size=0,
    max_size=40,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=answers_strategy)
def test_every_figure_of_a_scale_rests_on_one_set_of_people(
    world: World, rows: list[tuple[str, list[int | None]]]
) -> None:
    Measurement.objects.all().delete()
    measurement = make_measurement(world, ("tavshed",), min_group_score=3)
    units = {"a": world.team_a, "b": world.team_b, "area": world.area}
    for unit, codes in rows:
        answers = {f"tavshed.{i}": c for i, c in enumerate(codes, start=1) if c is not None}
        answer(measurement, units[unit], answers)
    _check_one_set_of_people(compute_report_data(measurement))


# --------------------------------------------------------------------------- zero variance


@pytest.mark.django_db
def test_identical_non_integer_scores_in_both_waves_read_as_unchanged(world: World) -> None:
    # One item unanswered: every person's score is prorated and not a whole number. Before
    # statistics.md's zero-variance rule, the one-pass SD left ~3e-7 and the change read as
    # a "sikker ændring" with t in the millions.
    same = {k: v for k, v in ps7([2, 3, 4, 5, 1, 2, 3]).items() if k != "ps7.7"}
    before = make_measurement(world)
    answer_many(before, world.team_a, 12, same)
    report_data(before)
    after = make_measurement(world, previous=before)
    answer_many(after, world.team_a, 12, same)
    block = ps7_block(report_data(after), world.team_a)
    assert block["sd"] == 0.0 and block["mean"] != round(block["mean"])
    change = block["change"]
    assert change["zero_variance"] is True
    assert (change["difference"], change["real"], change["reading"]) == (0.0, False, "unchanged")
    assert change["t"] is None and change["p"] is None


def test_a_zero_variance_change_is_worded_without_an_interval() -> None:
    from tryghed.results.presenters import change_words

    def change(difference: float, reading: str) -> Change:
        return Change(
            previous=1,
            n_before=12,
            mean_before=40.0,
            difference=difference,
            ci95=(difference, difference),
            t=None,
            df=None,
            p=None,
            hedges_g=None,
            real=reading == "real",
            reading=reading,
            zero_variance=True,
        )

    text, reading = change_words(change(0.0, "unchanged"), "da", "higher_better")
    assert (text, reading) == (
        "Uændret. Alle i gruppen har samme score i hver måling.",
        "unchanged",
    )
    text, _reading = change_words(change(-2.0, "real"), "da", "higher_better")
    assert text.startswith("Faldet 2,0. Alle i gruppen") and "Sikker ændring" in text
    assert "sikkerhedsinterval" not in text
