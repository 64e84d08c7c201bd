"""Scoring against hand-computed values and against core.statistics on the same data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tryghed.core import statistics
from tryghed.core.instruments import Instrument, load_builtin
from tryghed.core.scoring import (
    Groups,
    group_zone,
    invalid_answers,
    item_distributions,
    key_figures,
    level_reading,
    reference_position,
    reliability,
    scale_figures,
    score_persons,
    unit_icc,
    zone_placement,
)

NAN = math.nan


def builtin(instrument_id: str) -> Instrument:
    return load_builtin()[instrument_id]


def answers(instrument: Instrument, rows: list[dict[int, float]]) -> np.ndarray:
    """An n x N code matrix from {item number: code} rows; everything else missing."""
    data = np.full((len(rows), len(instrument.items)), NAN)
    for r, row in enumerate(rows):
        for number, code in row.items():
            data[r, number - 1] = code
    return data


def one_group(n: int) -> Groups:
    return Groups.disjoint(np.zeros(n, dtype=np.intp), 1)


# --------------------------------------------------------------------------- person scores


def test_a_ps7_person_scores_the_hand_computed_sum() -> None:
    # Codes [1, 2, 3, 4, 5, 1, 2]; items 1, 3 and 5 are reversed (0/2/4/7/10):
    #   item 1 R code 1 ->  0     item 2 code 2 -> 7     item 3 R code 3 -> 4
    #   item 4 code 4   ->  2     item 5 R code 5 -> 10  item 6 code 1 -> 10
    #   item 7 code 2   ->  7     sum = 40 on 0-70; 40 / 70 * 100 = 57.142857 on 0-100.
    ps7 = builtin("ps7")
    scored = score_persons(ps7, [[1, 2, 3, 4, 5, 1, 2]])
    assert scored.scores["total"][0] == pytest.approx(40.0)
    group = scale_figures(scored, "total", one_group(1)).group(0)
    assert group.mean == pytest.approx(40.0)
    mean_100, _, _ = group.also()
    assert mean_100 == pytest.approx(400 / 7)
    assert group.sd is None and group.ci95 is None  # n = 1: no spread, no interval


def test_more_than_half_of_the_items_are_needed_for_a_person_score() -> None:
    # 4 of 7 answered: items 1, 3, 5 (R, code 1 -> 0 each) and 7 (code 1 -> 10):
    # mean points 10 / 4 = 2.5, times 7 = 17.5. With item 7 missing only 3 of 7 remain.
    ps7 = builtin("ps7")
    scored = score_persons(ps7, [[1, NAN, 1, NAN, 1, NAN, 1], [1, NAN, 1, NAN, 1, NAN, NAN]])
    assert scored.scores["total"][0] == pytest.approx(17.5)
    assert math.isnan(scored.scores["total"][1])


def test_dont_know_counts_as_unanswered() -> None:
    # vz-maturity: code 0 is "Ved ikke"; it adds nothing to the mean of the answers given.
    vz = builtin("vz-maturity")
    scored = score_persons(vz, [[3, 3, 3, 3, 3, 4, 0, 0, 0, 0], [0] * 10])
    total = scored.scores["total"]
    assert total[0] == pytest.approx(19 / 6)
    assert math.isnan(total[1])  # nothing but "Ved ikke": no answer to take a mean of


def test_a_pooled_scale_counts_everyone_who_gave_an_answer() -> None:
    """vz-maturity's total is the mean of every answer 1..5 given (instruments.md section
    3; seed 004: "den gennemsnitlige score på de samlede svar"): a person who said "Ved
    ikke" to most topics still counts, with the answers they gave, and their "Ved ikke"
    stays in the topics' shares; the more-than-half rule is for person scores."""
    vz = builtin("vz-maturity")
    rows = [[2, 0, 0, 0, 0, 0, 0, 0, 0, 0], [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]]
    scored = score_persons(vz, rows)
    assert scored.scores["total"][0] == pytest.approx(2.0)
    group = scale_figures(scored, "total", one_group(2)).group(0)
    assert group.n == 2
    assert group.mean == pytest.approx((2 + 10 * 4) / 11)  # every answer, pooled
    topic = scale_figures(scored, "priority", one_group(2)).group(0)
    assert topic.n == 2
    assert topic.mean == pytest.approx(3.0)


def test_an_unknown_code_is_an_error_naming_row_and_item() -> None:
    ps7 = builtin("ps7")
    data = np.array([[1] * 7, [1, 1, 7, 1, 1, 1, 1], [1.5, 1, 1, 1, 1, 1, 1]])
    with pytest.raises(ValueError, match=r"row 2: ps7\.3: code 7 is not an option"):
        score_persons(ps7, data)
    assert invalid_answers(ps7, data) == [(1, 3, 7.0), (2, 1, 1.5)]


# --------------------------------------------------------------------------- group figures


def test_group_figures_match_the_statistics_module_for_many_groups() -> None:
    ps7 = builtin("ps7")
    rng = np.random.default_rng(1)
    data = rng.integers(1, 6, size=(400, 7)).astype(float)
    data[rng.random(data.shape) < 0.2] = NAN
    labels = rng.integers(0, 15, size=400)
    scored = score_persons(ps7, data)
    figures = scale_figures(scored, "total", Groups.disjoint(labels, 15))
    has_score = ~np.isnan(scored.scores["total"])
    positions = scored.position(list(range(7)))
    reference_rwg = statistics.rwg_j_by_group(
        positions[has_score], labels[has_score], 15, n_options=5
    )
    np.testing.assert_allclose(figures.rwg_j, reference_rwg, rtol=1e-9)
    for g in range(15):
        expected = statistics.summarise(scored.scores["total"][labels == g])
        group = figures.group(g)
        assert group.n == expected.n
        assert group.mean == pytest.approx(expected.mean, rel=1e-12)
        assert group.sd == pytest.approx(expected.sd, rel=1e-9)
        assert group.ci95 == pytest.approx(expected.ci95, rel=1e-9)
        in_group = (labels == g) & has_score
        for k, item in enumerate(group.items):
            points = scored.points[in_group, k]
            assert item.n == int((~np.isnan(points)).sum())
            assert item.mean_points == pytest.approx(np.nanmean(points))


def test_rwg_uses_reverse_keyed_codes_and_the_hand_computed_formula() -> None:
    # Code 1 on reversed item 1 is position 5 (A + 1 - code); on item 2 it stays 1.
    # Two people answering all 1s and all 2s: every item's variance is 0.5 (values one
    # apart), s2 = 0.5, sigma2_EU = (5^2 - 1) / 12 = 2, ratio 0.25, J = 7:
    # rwg(j) = 7 * 0.75 / (7 * 0.75 + 0.25) = 5.25 / 5.5.
    scored = score_persons(builtin("ps7"), [[1] * 7, [2] * 7])
    assert list(scored.position([0, 1])[0]) == [5.0, 1.0]
    figures = scale_figures(scored, "total", one_group(2))
    assert figures.rwg_j[0] == pytest.approx(5.25 / 5.5)


def test_a_subtree_group_is_the_union_of_its_units() -> None:
    ps7 = builtin("ps7")
    rng = np.random.default_rng(2)
    data = rng.integers(1, 6, size=(90, 7)).astype(float)
    atom = rng.integers(0, 3, size=90)
    atom[:5] = -1  # people in no unit are in no group
    groups = Groups.from_members(atom, 3, [[0], [1], [2], [1, 2], [0, 1, 2]])
    scored = score_persons(ps7, data)
    figures = scale_figures(scored, "total", groups)
    for g, members in enumerate([[0], [1], [2], [1, 2], [0, 1, 2]]):
        rows = np.isin(atom, members)
        expected = statistics.summarise(scored.scores["total"][rows])
        assert figures.n[g] == expected.n
        assert figures.mean[g] == pytest.approx(expected.mean)
        assert figures.sd[g] == pytest.approx(expected.sd)
        expected_rwg = statistics.rwg_j(scored.position(list(range(7)))[rows], 5)
        assert figures.rwg_j[g] == pytest.approx(expected_rwg)
    np.testing.assert_array_equal(figures.atom_n, np.bincount(atom[atom >= 0], minlength=3))


def test_an_empty_group_has_no_numbers() -> None:
    scored = score_persons(builtin("ps7"), [[1] * 7, [2] * 7])
    figures = scale_figures(scored, "total", Groups.disjoint([0, 0], 2))
    empty = figures.group(1)
    assert empty.n == 0
    assert empty.mean is None and empty.sd is None and empty.ci95 is None and empty.rwg_j is None


def test_person_scores_are_binned_over_the_score_range() -> None:
    # ps7 scores 0, 35 and 70 fall in the first, sixth and last of ten 7-point bins.
    scored = score_persons(builtin("ps7"), [[1, 5, 1, 5, 1, 5, 5], [3] * 7, [5, 1, 5, 1, 5, 1, 1]])
    assert list(scored.scores["total"]) == pytest.approx([0.0, 28.0, 70.0])
    group = scale_figures(scored, "total", one_group(3)).group(0)
    assert group.bins == (1, 0, 0, 0, 1, 0, 0, 0, 0, 1)
    assert group.bin_edges[0] == 0 and group.bin_edges[-1] == 70


def test_vz_maturity_pools_every_answer_not_the_persons() -> None:
    # Person A answers all ten topics with 5 (sum 50 over 10 answers); person B six topics
    # with 1 and "Ved ikke" on four (sum 6 over 6); person C five with 1 and "Ved ikke" on
    # five (sum 5 over 5): pooled, every answer given counts (seed 004), so C does too.
    # Person D said "Ved ikke" to everything: no answer, left out.
    #   mean of persons: (5 + 1 + 1) / 3 = 7/3
    #   pooled:          (50 + 6 + 5) / (10 + 6 + 5) = 61/21 -> "mellem Reaktivt (2) og Aktivt (3)"
    # SD (ratio estimator, people as clusters): R = 61/21, residuals 50 - 10R = 440/21,
    # 6 - 6R = -240/21, 5 - 5R = -200/21; sqrt((440² + 240² + 200²) / 21² / 2) / (21 / 3).
    vz = builtin("vz-maturity")
    data = [[5] * 10, [1] * 6 + [0] * 4, [1] * 5 + [0] * 5, [0] * 10]
    scored = score_persons(vz, data)
    assert float(np.nanmean(scored.scores["total"])) == pytest.approx(7 / 3)
    group = scale_figures(scored, "total", one_group(4)).group(0)
    assert group.n == 3
    assert group.n_answers == 21
    assert group.mean == pytest.approx(61 / 21)
    assert group.sd == pytest.approx(math.sqrt((440**2 + 240**2 + 200**2) / 21**2 / 2) / 7)
    reading = group.level()
    assert reading is not None
    assert reading.text("da") == "mellem Reaktivt (2) og Aktivt (3)"
    assert reading.text("en") == "between Reactive (2) and Active (3)"


def test_pooled_equals_the_persons_mean_and_sd_when_everyone_answers_everything() -> None:
    vz = builtin("vz-maturity")
    data = np.random.default_rng(3).integers(1, 6, size=(40, 10)).astype(float)
    scored = score_persons(vz, data)
    group = scale_figures(scored, "total", one_group(40)).group(0)
    expected = statistics.summarise(scored.scores["total"])
    assert group.mean == pytest.approx(expected.mean)
    assert group.sd == pytest.approx(expected.sd)
    assert group.ci95 == pytest.approx(expected.ci95)


def test_dont_know_share_per_topic_counts_everyone_who_answered_it() -> None:
    vz = builtin("vz-maturity")
    data = answers(vz, [{1: 0}, {1: 0}, {1: 1}, {1: 5}])
    distributions = item_distributions(score_persons(vz, data), one_group(4))
    assert distributions.dont_know_share(1)[0] == pytest.approx(0.5)
    assert distributions.responded(1)[0] == 4
    assert math.isnan(distributions.dont_know_share(2)[0])  # nobody answered topic 2


@pytest.mark.parametrize(
    ("score", "danish"),
    [
        (3.0, "Aktivt (3)"),
        (3.5, "mellem Aktivt (3) og Proaktivt (4)"),
        (1.0, "Passivt (1)"),
        (4.99, "mellem Proaktivt (4) og Skabende (5)"),
        (5.0, "Skabende (5)"),
    ],
)
def test_levels_read_on_or_between_named_levels(score: float, danish: str) -> None:
    reading = level_reading(builtin("vz-maturity").scale("total"), score)
    assert reading is not None and reading.text("da") == danish


def test_support4_reports_need_bands_and_the_mean() -> None:
    # Item 1 (practical help): codes 1 2 3 | 4 5 7 | 8 9 10 10 -> 3/10, 3/10, 4/10; mean 5.9.
    support4 = builtin("support4")
    codes = [1, 2, 3, 4, 5, 8, 9, 10, 10, 7]
    scored = score_persons(support4, answers(support4, [{1: c} for c in codes]))
    group = scale_figures(scored, "practical", one_group(10)).group(0)
    assert [b.band.codes for b in group.bands] == [(1, 2, 3), (4, 5, 6, 7), (8, 9, 10)]
    assert [b.share for b in group.bands] == pytest.approx([0.3, 0.3, 0.4])
    assert group.mean == pytest.approx(5.9)


def test_guldkorn_demands_are_read_as_too_low_suitable_too_high() -> None:
    # Krav (item 11): codes 1 | 3 3 | 4 5 5 -> too low 1/6, suitable 2/6, too high 3/6.
    guldkorn = builtin("guldkorn")
    scale = guldkorn.scale("demands")
    assert scale.polarity == "bipolar"
    number = scale.items[0]
    scored = score_persons(guldkorn, answers(guldkorn, [{number: c} for c in (1, 3, 3, 4, 5, 5)]))
    group = scale_figures(scored, "demands", one_group(6)).group(0)
    shares = {b.band.id: b.share for b in group.bands}
    assert shares == pytest.approx({"too_low": 1 / 6, "suitable": 2 / 6, "too_high": 3 / 6})
    assert scale.consequence("too_high") is not None


def test_the_stress_share_is_set_against_the_national_figure() -> None:
    # Codes 1 2 4 5 5 3: Ofte (4) or Hele tiden (5) for 3 of 6 = 0.5, above 0.177.
    stress = builtin("stress")
    scored = score_persons(stress, answers(stress, [{1: c} for c in (1, 2, 4, 5, 5, 3)]))
    table = key_figures(scored, one_group(6))["stressed"]
    assert (table.n[0], table.count[0]) == (6, 3)
    assert table.share[0] == pytest.approx(0.5)
    assert reference_position(table.figure, float(table.share[0])) == "above"
    assert reference_position(table.figure, 0.1) == "below"


def test_the_silence_share_counts_people_who_answered_any_item() -> None:
    # Held back at least once (codes 2-4) on any of the four behaviours:
    # [1 1 1 1] no, [1 2 1 1] yes, [-, -, -, -] not counted, [4 1 - 1] yes -> 2 of 3.
    tavshed = builtin("tavshed")
    data = np.array([[1, 1, 1, 1], [1, 2, 1, 1], [NAN] * 4, [4, 1, NAN, 1]])
    table = key_figures(score_persons(tavshed, data), one_group(4))["held-back"]
    assert (table.n[0], table.count[0]) == (3, 2)
    assert reference_position(table.figure, float(table.share[0])) == "within"


# --------------------------------------------------------------------------- zones


@pytest.mark.parametrize(
    ("safety", "focus", "zone", "danish"),
    [
        (50.0, 80.0, "learning", "Læring"),
        (50.0, 30.0, "comfort", "Komfort"),
        (20.0, 80.0, "anxiety", "Angst"),
        (20.0, 30.0, "apathy", "Apati"),
    ],
)
def test_the_four_zones(safety: float, focus: float, zone: str, danish: str) -> None:
    ps7 = builtin("ps7").scale("total")
    opgavefokus = builtin("opgavefokus").scale("total")
    placement = zone_placement(safety, None, ps7.score, focus, None, opgavefokus.score)
    assert placement.zone == zone and placement.label.da == danish
    assert placement.safety == pytest.approx(safety / 70)
    assert placement.focus == pytest.approx(focus / 100)


def test_a_zone_is_flagged_when_an_interval_crosses_the_split() -> None:
    ps7 = builtin("ps7").scale("total")
    focus = builtin("opgavefokus").scale("total")
    # Safety 50 of 70 (0.714) with CI 30-60 (0.43-0.86) crosses 0.5; focus 30 (20-40) does not.
    placement = zone_placement(50.0, (30.0, 60.0), ps7.score, 30.0, (20.0, 40.0), focus.score)
    assert placement.zone == "comfort"
    assert placement.safety_ci95 == pytest.approx((30 / 70, 60 / 70))
    assert placement.safety_uncertain and not placement.focus_uncertain
    assert placement.uncertain


def test_a_group_zone_comes_from_its_ps7_and_opgavefokus_figures() -> None:
    ps7, opgavefokus = builtin("ps7"), builtin("opgavefokus")
    safe = scale_figures(score_persons(ps7, [[5, 1, 5, 1, 5, 1, 1]] * 6), "total", one_group(6))
    unfocused = scale_figures(score_persons(opgavefokus, [[5, 5, 5]] * 6), "total", one_group(6))
    placement = group_zone(safe.group(0), unfocused.group(0))
    assert placement is not None and placement.zone == "comfort"


# --------------------------------------------------------------------------- measurement level


def test_alpha_uses_reverse_keyed_points_of_every_respondent() -> None:
    ps7 = builtin("ps7")
    rng = np.random.default_rng(4)
    latent = rng.normal(size=(200, 1))
    codes = np.clip(np.round(3 + latent + rng.normal(0, 0.7, size=(200, 7))), 1, 5)
    codes[:, [0, 2, 4]] = 6 - codes[:, [0, 2, 4]]  # negatively worded items
    index = codes.astype(int) - 1
    points = np.array([10, 7, 4, 2, 0], dtype=float)[index]
    reversed_points = np.array([0, 2, 4, 7, 10], dtype=float)[index]  # seed 002, items 1, 3, 5
    points[:, [0, 2, 4]] = reversed_points[:, [0, 2, 4]]
    expected = statistics.cronbach_alpha(points)
    result = reliability(score_persons(ps7, codes), "total")
    assert result is not None and expected is not None
    assert result.alpha == pytest.approx(expected.alpha)
    assert result.alpha > 0.7  # reverse keying applied: otherwise alpha collapses


def test_icc_is_computed_on_person_scores_by_unit() -> None:
    ps7 = builtin("ps7")
    rng = np.random.default_rng(5)
    units = np.repeat(np.arange(10), 12)
    codes = np.clip(np.round(3 + rng.normal(size=(10, 1))[units] + rng.normal(size=(120, 7))), 1, 5)
    scored = score_persons(ps7, codes)
    result = unit_icc(scored, "total", units)
    expected = statistics.icc(scored.scores["total"], units)
    assert result is not None and expected is not None
    assert (result.icc1, result.icc2) == pytest.approx((expected.icc1, expected.icc2))


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.just(7)),
        elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, NAN]),
    ),
    st.data(),
)
def test_scores_stay_in_range_and_group_means_are_person_means(
    codes: np.ndarray, data: st.DataObject
) -> None:
    ps7 = builtin("ps7")
    labels = np.array(
        data.draw(st.lists(st.integers(0, 3), min_size=len(codes), max_size=len(codes)))
    )
    scored = score_persons(ps7, codes)
    person = scored.scores["total"]
    answered = (~np.isnan(codes)).sum(axis=1)
    assert np.array_equal(~np.isnan(person), answered >= 4)
    assert np.all((person[~np.isnan(person)] >= 0) & (person[~np.isnan(person)] <= 70))
    figures = scale_figures(scored, "total", Groups.disjoint(labels, 4))
    for g in range(4):
        mine = person[(labels == g) & ~np.isnan(person)]
        assert figures.n[g] == mine.size
        if mine.size:
            assert figures.mean[g] == pytest.approx(mine.mean(), abs=1e-9)
        if mine.size >= 2:
            assert figures.sd[g] == pytest.approx(mine.std(ddof=1), abs=1e-7)


def test_a_topic_scale_inside_a_total_shows_the_same_number_as_its_item_in_the_total() -> None:
    # vz-maturity: topic 1 is its own scale and an item of the total. One number, one set
    # of people (privacy.md section 3, "one set of people per item and group"): someone
    # who answered topic 1 alone counts in both (a pooled total needs one answer), and
    # someone who said "Ved ikke" to it, or left it out, in neither.
    instrument = load_builtin()["vz-maturity"]
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 6, size=(60, len(instrument.items))).astype(np.float64)
    codes[rng.random(codes.shape) < 0.4] = np.nan
    codes[:5, 1:] = np.nan  # topic 1 only: no total
    scored = score_persons(instrument, codes)
    groups = Groups.disjoint(np.zeros(60, dtype=np.intp), 1)
    total = scale_figures(scored, "total", groups)
    topic = scale_figures(scored, "priority", groups)
    assert int(topic.n[0]) == int(total.item_n[0, 0])
    assert float(topic.mean[0]) == pytest.approx(float(total.item_mean[0, 0]), abs=1e-12)
    answered_topic_1 = codes[:5, 0] >= 1
    assert (~np.isnan(scored.scores["priority"][:5]) == answered_topic_1).all()
    assert (~np.isnan(scored.scores["total"][:5]) == answered_topic_1).all()
