"""Tests of tryghed.core.statistics against values computed independently.

Every expected value comes from scipy, pingouin, a published example or a sum worked out by
hand in the comment next to it, never from the engine itself.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tryghed.core import statistics
from tryghed.core.statistics import (
    cronbach_alpha,
    icc,
    relative_weights,
    rwg_j,
    rwg_j_by_group,
    summarise,
    t_interval,
    unit_correlation,
    welch_change,
    welch_change_from_summaries,
)

NAN = math.nan


def _data_with_correlations(corr: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Rows whose sample correlation matrix is exactly `corr` (up to rounding).

    Centred, orthonormal columns U (QR of random data) have U'U = I, so U @ L' with
    L L' = corr has covariance proportional to corr.
    """
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, corr.shape[0]))
    q, _ = np.linalg.qr(raw - raw.mean(axis=0))
    return q @ np.linalg.cholesky(corr).T


# --------------------------------------------------------------------------- summarise


def test_it_summarises_a_group_with_hand_computed_mean_sd_and_t_interval() -> None:
    # 2 4 4 4 5 5 7 9: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
    # sd = √(32/7); CI = 5 ± t(0.975; 7)·sd/√8. The NaN is ignored.
    result = summarise(np.array([2, 4, 4, NAN, 4, 5, 5, 7, 9]))
    sd = math.sqrt(32 / 7)
    half = stats.t.ppf(0.975, 7) * sd / math.sqrt(8)
    assert result.n == 8
    assert result.mean == pytest.approx(5.0)
    assert result.sd == pytest.approx(sd)
    assert result.ci95 == pytest.approx((5 - half, 5 + half))


def test_it_matches_scipy_t_interval_on_random_scores() -> None:
    values = np.random.default_rng(3).normal(40, 9, size=37)
    result = summarise(values)
    expected = stats.t.interval(0.95, 36, loc=values.mean(), scale=stats.sem(values))
    assert result.sd == pytest.approx(np.std(values, ddof=1))
    assert result.ci95 == pytest.approx(expected)
    assert t_interval(float(values.mean()), float(np.std(values, ddof=1)), 37) == pytest.approx(
        expected
    )


def test_it_gives_only_the_mean_for_one_person_and_nothing_for_none() -> None:
    assert summarise(np.array([7.0, NAN])) == summarise(np.array([7.0]))
    one = summarise(np.array([7.0]))
    assert (one.n, one.mean, one.sd, one.ci95) == (1, 7.0, None, None)
    empty = summarise(np.array([NAN, NAN]))
    assert (empty.n, empty.mean, empty.sd, empty.ci95) == (0, None, None, None)


def test_it_refuses_a_t_interval_for_a_single_value() -> None:
    with pytest.raises(ValueError):
        t_interval(1.0, 0.0, 1)


def test_groups_put_together_summarise_as_all_their_scores_at_once() -> None:
    # Three teams of 6, 9 and 2 with different means: the between-team spread counts.
    rng = np.random.default_rng(11)
    teams = [rng.normal(mean, 8, size=n) for mean, n in ((30, 6), (45, 9), (52, 2))]
    parts = [(t.size, float(t.mean()), float(np.std(t, ddof=1))) for t in teams]
    together = statistics.combined_summary(parts)
    direct = summarise(np.concatenate(teams))
    assert together.n == direct.n == 17
    assert together.mean is not None and direct.mean is not None
    assert together.sd is not None and direct.sd is not None
    assert abs(together.mean - direct.mean) < 1e-12
    assert abs(together.sd - direct.sd) < 1e-12
    assert together.ci95 == pytest.approx(direct.ci95, abs=1e-12)
    with pytest.raises(ValueError):
        statistics.combined_summary([(1, 4.0, 0.0)])


# --------------------------------------------------------------------------- rwg(j)

# Worked example, A = 5 options, σ²_EU = (25 − 1)/12 = 2; 4 people, 3 items:
#   item 1: 4 4 5 5   mean 4.5, SS = 4·0.25 = 1,  s² = 1/3
#   item 2: 3 4 4 5   mean 4,   SS = 1+0+0+1 = 2, s² = 2/3
#   item 3: 2 - 4 3   mean 3,   SS = 1+1+0 = 2,   s² = 2/2 = 1   (one "don't know")
#   s̄² = (1/3 + 2/3 + 1)/3 = 2/3, s̄²/σ² = 1/3
#   rwg(3) = 3·(2/3) / (3·(2/3) + 1/3) = 2 / (7/3) = 6/7
WORKED_CODES = np.array(
    [
        [4, 3, 2],
        [4, 4, NAN],
        [5, 4, 4],
        [5, 5, 3],
    ]
)


def test_it_computes_rwg_j_for_the_worked_example() -> None:
    assert rwg_j(WORKED_CODES, 5) == pytest.approx(6 / 7)


def test_it_leaves_out_an_item_with_fewer_than_two_answers() -> None:
    # A fourth item answered by one person has no variance; J stays 3 and the result 6/7.
    codes = np.column_stack([WORKED_CODES, [NAN, 1, NAN, NAN]])
    assert rwg_j(codes, 5) == pytest.approx(6 / 7)


def test_it_gives_zero_agreement_when_variance_exceeds_the_uniform_null() -> None:
    # A = 3: σ²_EU = (9 − 1)/12 = 2/3. Item 1 (1 3 1 3): mean 2, SS = 4, s² = 4/3;
    # item 2 (1 3 3 1) the same. s̄² = 4/3 > 2/3, so rwg(j) = 0 (not the negative formula value).
    codes = np.array([[1, 1], [3, 3], [1, 3], [3, 1]])
    assert rwg_j(codes, 3) == 0.0


def test_it_gives_full_agreement_when_everyone_answers_alike() -> None:
    assert rwg_j(np.full((6, 4), 2.0), 5) == 1.0


def test_it_has_no_agreement_without_an_item_answered_twice() -> None:
    assert rwg_j(np.array([[1.0, NAN], [NAN, 2.0]]), 5) is None
    assert rwg_j(np.empty((0, 3)), 5) is None


def test_it_rejects_codes_outside_the_options() -> None:
    with pytest.raises(ValueError):
        rwg_j(np.array([[1.0], [6.0]]), 5)
    with pytest.raises(ValueError):
        rwg_j_by_group(np.array([[0.0], [2.0]]), np.array([0, 0]), 1, 5)


def test_it_computes_rwg_j_for_the_worked_example_as_one_of_several_groups() -> None:
    other = np.array([[1, 1, 1], [5, 5, 5]])  # s² = 8 per item > σ² = 2, so 0
    codes = np.vstack([other[:1], WORKED_CODES, other[1:]])
    result = rwg_j_by_group(codes, np.array([1, 0, 0, 0, 0, 1]), 3, 5)
    assert result[0] == pytest.approx(6 / 7)
    assert result[1] == 0.0
    assert math.isnan(result[2])  # a group with no rows


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_it_gives_each_group_the_same_rwg_as_the_single_group_function(
    data: st.DataObject,
) -> None:
    n_options = data.draw(st.integers(2, 7))
    n_items = data.draw(st.integers(1, 5))
    n_groups = data.draw(st.integers(1, 6))
    n_rows = data.draw(st.integers(0, 40))
    cell = st.one_of(st.integers(1, n_options).map(float), st.just(NAN))
    rows = data.draw(
        st.lists(
            st.lists(cell, min_size=n_items, max_size=n_items),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    groups = np.array(
        data.draw(st.lists(st.integers(0, n_groups - 1), min_size=n_rows, max_size=n_rows)),
        dtype=np.intp,
    )
    codes = np.array(rows, dtype=np.float64).reshape(n_rows, n_items)

    grouped = rwg_j_by_group(codes, groups, n_groups, n_options)

    assert grouped.shape == (n_groups,)
    for g in range(n_groups):
        single = rwg_j(codes[groups == g], n_options)
        if single is None:
            assert math.isnan(grouped[g])
        else:
            assert grouped[g] == pytest.approx(single, abs=1e-9)


# --------------------------------------------------------------------------- Cronbach's alpha


def test_it_computes_alpha_and_feldt_interval_for_a_tiny_worked_example() -> None:
    # 3 complete persons, 2 items (the 4th person is dropped listwise):
    #   item 1: 1 2 3 → s² = 1;  item 2: 1 3 2 → s² = 1;  totals 2 5 5 → mean 4, SS 6, s² = 3
    #   α = 2/1 · (1 − 2/3) = 2/3
    # Feldt, df1 = 2, df2 = 2: the F(2, 2) CDF is x/(1 + x), so F(0.975) = 39, F(0.025) = 1/39:
    #   lower = 1 − (1/3)·39 = −12,  upper = 1 − (1/3)/39 = 116/117
    points = np.array([[1, 1], [2, 3], [3, 2], [4, NAN]])
    result = cronbach_alpha(points)
    assert result is not None
    assert result.alpha == pytest.approx(2 / 3)
    assert result.ci95 == pytest.approx((-12.0, 116 / 117))
    assert (result.n_complete, result.k) == (3, 2)


def test_it_matches_pingouin_alpha_and_feldt_interval_listwise() -> None:
    rng = np.random.default_rng(11)
    trait = rng.normal(size=(150, 1))
    points = np.clip(np.round(3 + trait + rng.normal(scale=1.2, size=(150, 7))), 0, 6)
    points[rng.random(points.shape) < 0.03] = NAN
    frame = pd.DataFrame(points)

    complete = frame.dropna()
    # pingouin 0.7 takes df1 from the row count *before* its listwise drop, so its interval
    # is only Feldt's with n = complete cases when it is handed the complete rows itself.
    expected_alpha, expected_ci = pg.cronbach_alpha(data=complete, ci=0.95)
    listwise_alpha, _ = pg.cronbach_alpha(data=frame, nan_policy="listwise", ci=0.95)
    result = cronbach_alpha(points)

    assert result is not None
    assert listwise_alpha == pytest.approx(expected_alpha, rel=1e-12)
    assert result.n_complete == len(complete) < len(frame)
    assert result.k == 7
    assert result.alpha == pytest.approx(expected_alpha, rel=1e-12)
    # pingouin rounds its interval to 3 decimals.
    assert result.ci95[0] == pytest.approx(expected_ci[0], abs=5e-4 + 1e-12)
    assert result.ci95[1] == pytest.approx(expected_ci[1], abs=5e-4 + 1e-12)
    assert result.ci95[0] < result.alpha < result.ci95[1]


def test_it_has_no_alpha_without_two_persons_two_items_or_variance() -> None:
    assert cronbach_alpha(np.array([[1.0, 2.0, 3.0]])) is None
    assert cronbach_alpha(np.array([[1.0], [2.0], [3.0]])) is None
    assert cronbach_alpha(np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])) is None
    assert cronbach_alpha(np.array([[1.0, NAN], [NAN, 2.0], [3.0, 3.0]])) is None


# --------------------------------------------------------------------------- ICC


def test_it_computes_icc_for_a_worked_unbalanced_example() -> None:
    # A: 1 3 (mean 2), B: 4 5 6 (mean 5), C: 6 7 8 (mean 7); N = 8, grand mean 40/8 = 5.
    #   SSB = 2(2−5)² + 3(5−5)² + 3(7−5)² = 18 + 0 + 12 = 30, df 2 → MSB = 15
    #   SSW = (1+1) + (1+0+1) + (1+0+1) = 6, df 8 − 3 = 5 → MSW = 1.2
    #   k̄ = 8/3; ICC(1) = 13.8/(15 + (5/3)·1.2) = 13.8/17; ICC(2) = 13.8/15 = 0.92
    scores = np.array([1, 3, 4, 5, 6, 6, 7, 8, NAN])
    groups = np.array(["A", "A", "B", "B", "B", "C", "C", "C", "C"])
    result = icc(scores, groups)
    assert result is not None
    assert result.msb == pytest.approx(15.0)
    assert result.msw == pytest.approx(1.2)
    assert result.k_bar == pytest.approx(8 / 3)
    assert result.icc1 == pytest.approx(13.8 / 17)
    assert result.icc2 == pytest.approx(0.92)
    assert (result.n_groups, result.n) == (3, 8)


def test_it_matches_anova_sums_of_squares_on_random_unbalanced_units() -> None:
    rng = np.random.default_rng(5)
    sizes = [3, 7, 12, 5, 9]
    samples = [
        rng.normal(loc=mu, scale=2.0, size=k)
        for mu, k in zip([0, 1, 3, 0.5, 2], sizes, strict=True)
    ]
    scores = np.concatenate(samples)
    groups = np.repeat(np.arange(len(sizes)) * 10, sizes)  # integer labels, not 0..G−1

    # Sums of squares written out, group by group.
    grand = sum(float(s.sum()) for s in samples) / sum(sizes)
    ssb = sum(len(s) * (float(s.mean()) - grand) ** 2 for s in samples)
    ssw = sum(float(((s - s.mean()) ** 2).sum()) for s in samples)
    msb, msw, k_bar = ssb / 4, ssw / (sum(sizes) - 5), sum(sizes) / 5

    result = icc(scores, groups)
    assert result is not None
    assert result.msb == pytest.approx(msb)
    assert result.msw == pytest.approx(msw)
    assert result.msb / result.msw == pytest.approx(stats.f_oneway(*samples).statistic)
    assert result.k_bar == pytest.approx(k_bar)
    assert result.icc1 == pytest.approx((msb - msw) / (msb + (k_bar - 1) * msw))
    assert result.icc2 == pytest.approx((msb - msw) / msb)
    assert icc(scores, groups.astype(str)) == result


def test_it_matches_pingouin_icc1_and_icc1k_for_balanced_units() -> None:
    rng = np.random.default_rng(8)
    n_units, k = 12, 6
    scores = rng.normal(size=(n_units, 1)) + rng.normal(scale=1.5, size=(n_units, k))
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), k),
            "member": np.tile(np.arange(k), n_units),
            "score": scores.ravel(),
        }
    )
    table = pg.intraclass_corr(
        data=long, targets="unit", raters="member", ratings="score"
    ).set_index("Type")

    result = icc(long["score"].to_numpy(), long["unit"].to_numpy())
    assert result is not None
    assert result.icc1 == pytest.approx(table.loc["ICC(1,1)", "ICC"])
    assert result.icc2 == pytest.approx(table.loc["ICC(1,k)", "ICC"])


def test_it_has_no_icc_without_two_units_or_within_unit_variation() -> None:
    assert icc(np.array([1.0, 2.0, 3.0]), np.array(["A", "A", "A"])) is None
    assert icc(np.array([1.0, 2.0]), np.array(["A", "B"])) is None  # N = G: no within df
    assert icc(np.array([1.0, 2.0, NAN]), np.array(["A", "A", "B"])) is None
    # Identical unit means: MSB = 0 and ICC(2) is undefined.
    assert icc(np.array([1.0, 3.0, 1.0, 3.0]), np.array(["A", "A", "B", "B"])) is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-40, 40), max_size=200)
    | st.lists(st.integers(-(2**40), 2**40), max_size=50)
)
def test_unit_labels_are_numbered_as_numpy_unique_numbers_them(labels: list[int]) -> None:
    # icc numbers whole-number labels by counting; np.unique's inverse is the reference.
    array = np.array(labels, dtype=np.int64)
    _, expected = np.unique(array, return_inverse=True)
    assert statistics._dense_labels(array).tolist() == expected.ravel().tolist()


def test_icc_is_the_same_for_unit_labels_as_numbers_and_as_text() -> None:
    rng = np.random.default_rng(3)
    units = rng.integers(5, 60, size=400)
    scores = rng.normal(50, 10, size=400) + units % 7
    as_numbers = icc(scores, units)
    as_text = icc(scores, np.array([f"u{u:03d}" for u in units]))
    assert as_numbers is not None and as_numbers == as_text


def test_it_rejects_scores_and_groups_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        icc(np.array([1.0, 2.0]), np.array(["A"]))


# --------------------------------------------------------------------------- Welch change


def test_it_computes_welch_change_for_a_hand_example() -> None:
    # before 1..5: mean 3, s² = 2.5; after 3..7: mean 5, s² = 2.5
    #   se² = 2.5/5 + 2.5/5 = 1, t = 2/1 = 2, df = 1/(0.5²/4 + 0.5²/4) = 8
    #   CI = 2 ± t(0.975; 8)·1
    #   Hedges' g: pooled SD √2.5, d = 2/√2.5, J = 1 − 3/(4·10 − 9) = 28/31
    result = welch_change(np.array([1, 2, 3, 4, 5]), np.array([3, 4, 5, 6, 7, NAN]))
    assert result is not None
    assert (result.n_before, result.n_after) == (5, 5)
    assert (result.mean_before, result.mean_after) == pytest.approx((3.0, 5.0))
    assert result.difference == pytest.approx(2.0)
    assert result.t == pytest.approx(2.0)
    assert result.df == pytest.approx(8.0)
    assert result.p == pytest.approx(2 * stats.t.sf(2.0, 8))
    half = stats.t.ppf(0.975, 8)
    assert result.ci95 == pytest.approx((2 - half, 2 + half))
    assert result.hedges_g == pytest.approx(2 / math.sqrt(2.5) * 28 / 31)
    assert result.real is False  # n < 10


def test_the_change_from_summaries_matches_scipys_welch_test_from_stats() -> None:
    # scipy's ttest_ind_from_stats takes the same n, mean and SD a shown group figure has.
    expected = stats.ttest_ind_from_stats(46.0, 12.0, 31, 40.0, 8.0, 23, equal_var=False)
    result = welch_change_from_summaries(
        n_before=23, mean_before=40.0, sd_before=8.0, n_after=31, mean_after=46.0, sd_after=12.0
    )
    assert result is not None
    assert result.t == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    assert result.difference == pytest.approx(6.0)
    assert (
        welch_change_from_summaries(
            n_before=1, mean_before=1.0, sd_before=0.0, n_after=5, mean_after=2.0, sd_after=1.0
        )
        is None
    )


def test_it_matches_scipy_welch_test_and_pingouin_hedges_g() -> None:
    rng = np.random.default_rng(21)
    before = rng.normal(40, 8, size=23)
    after = rng.normal(46, 12, size=31)

    expected = stats.ttest_ind(after, before, equal_var=False)
    interval = expected.confidence_interval(0.95)
    result = welch_change(before, after)

    assert result is not None
    assert result.t == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    assert result.df == pytest.approx(expected.df)
    assert result.ci95 == pytest.approx((interval.low, interval.high))
    assert result.difference == pytest.approx(after.mean() - before.mean())
    assert result.hedges_g == pytest.approx(
        pg.compute_effsize(after, before, paired=False, eftype="hedges")
    )


def test_it_calls_a_change_real_only_with_ten_on_each_side_and_p_below_five_percent() -> None:
    low = np.array([1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0])
    high = low + 5
    clear = welch_change(low, high)
    assert clear is not None and clear.p is not None and clear.p < 0.05 and clear.real is True

    too_few = welch_change(low[:9], high)
    assert (
        too_few is not None and too_few.p is not None and too_few.p < 0.05 and too_few.real is False
    )

    noise = welch_change(low, low[::-1] + 0.1)
    assert noise is not None and noise.p is not None and noise.p >= 0.05 and noise.real is False


def test_it_has_no_change_with_fewer_than_two_on_a_side() -> None:
    assert welch_change(np.array([1.0]), np.array([1.0, 2.0, 3.0])) is None
    assert welch_change(np.array([1.0, 2.0]), np.array([NAN, 2.0])) is None


def test_zero_variance_equal_means_are_no_change_whatever_the_decimals() -> None:
    # statistics.md: both SDs 0 and equal means is "no change"; 53.2 must read like 53.
    for value in (53.0, 53.2, 1 / 3):
        before = np.full(12, value)
        result = welch_change(before, before.copy(), scale_range=70.0)
        assert result is not None and result.zero_variance
        assert (result.difference, result.real, result.t, result.p) == (0.0, False, None, None)


def test_a_rounding_noise_sd_is_no_spread() -> None:
    # An SD below 1e-9 x the scale's range is 0: the change is not t = 3e9 "sikker
    # ændring" but the zero-variance reading (scoring no longer leaves 3e-7 at all).
    result = statistics.welch_change_from_summaries(
        n_before=12,
        mean_before=53.2,
        sd_before=3e-11,
        n_after=12,
        mean_after=53.2,
        sd_after=2e-11,
        scale_range=100.0,
    )
    assert result is not None and result.zero_variance and result.real is False
    assert result.difference == 0.0


def test_zero_variance_different_means_are_real_only_from_ten_on_each_side() -> None:
    big = welch_change(np.full(10, 2.0), np.full(10, 3.0), scale_range=4.0)
    assert big is not None and big.zero_variance and big.real is True
    assert big.difference == 1.0 and big.ci95 == (1.0, 1.0)
    small = welch_change(np.full(9, 2.0), np.full(10, 3.0), scale_range=4.0)
    assert small is not None and small.real is False and small.difference == 1.0


# --------------------------------------------------------------------------- unit correlation


def test_it_matches_scipy_pearson_r_p_and_fisher_interval() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=64)
    b = 0.4 * a + rng.normal(size=64)
    x = {f"unit-{i}": float(v) for i, v in enumerate(a)}
    y = {f"unit-{i}": float(v) for i, v in enumerate(b)}
    x["only-in-x"] = 100.0
    y["only-in-y"] = -100.0

    expected = stats.pearsonr(a, b)
    interval = expected.confidence_interval(confidence_level=0.95)
    result = unit_correlation(x, y)

    assert result is not None
    assert result.n_units == 64
    assert result.r == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    assert result.ci95 == pytest.approx((interval.low, interval.high))


def test_it_gives_p_but_no_interval_for_three_units() -> None:
    x = {"a": 1.0, "b": 2.0, "c": 4.0, "d": NAN}
    y = {"a": 2.0, "b": 1.0, "c": 5.0, "d": 3.0}
    expected = stats.pearsonr([1.0, 2.0, 4.0], [2.0, 1.0, 5.0])
    result = unit_correlation(x, y)
    assert result is not None
    assert result.n_units == 3
    assert result.r == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    assert result.ci95 is None


def test_it_has_no_correlation_for_two_units_or_a_constant_scale() -> None:
    assert unit_correlation({"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 3.0}) is None
    assert unit_correlation({"a": 1.0, "b": 2.0, "c": 3.0}, {"a": 4.0, "b": 4.0, "c": 4.0}) is None


# --------------------------------------------------------------------------- relative weights

# mtcars (R datasets), columns mpg, cyl, disp, hp, gear.
MTCARS = np.array(
    [
        [21.0, 6, 160.0, 110, 4],
        [21.0, 6, 160.0, 110, 4],
        [22.8, 4, 108.0, 93, 4],
        [21.4, 6, 258.0, 110, 3],
        [18.7, 8, 360.0, 175, 3],
        [18.1, 6, 225.0, 105, 3],
        [14.3, 8, 360.0, 245, 3],
        [24.4, 4, 146.7, 62, 4],
        [22.8, 4, 140.8, 95, 4],
        [19.2, 6, 167.6, 123, 4],
        [17.8, 6, 167.6, 123, 4],
        [16.4, 8, 275.8, 180, 3],
        [17.3, 8, 275.8, 180, 3],
        [15.2, 8, 275.8, 180, 3],
        [10.4, 8, 472.0, 205, 3],
        [10.4, 8, 460.0, 215, 3],
        [14.7, 8, 440.0, 230, 3],
        [32.4, 4, 78.7, 66, 4],
        [30.4, 4, 75.7, 52, 4],
        [33.9, 4, 71.1, 65, 4],
        [21.5, 4, 120.1, 97, 3],
        [15.5, 8, 318.0, 150, 3],
        [15.2, 8, 304.0, 150, 3],
        [13.3, 8, 350.0, 245, 3],
        [19.2, 8, 400.0, 175, 3],
        [27.3, 4, 79.0, 66, 4],
        [26.0, 4, 120.3, 91, 5],
        [30.4, 4, 95.1, 113, 5],
        [15.8, 8, 351.0, 264, 5],
        [19.7, 6, 145.0, 175, 5],
        [15.0, 8, 301.0, 335, 5],
        [21.4, 4, 121.0, 109, 4],
    ]
)
MTCARS_NAMES = ("cyl", "disp", "hp", "gear")


def test_it_reproduces_the_published_mtcars_relative_weights() -> None:
    # martinctc/rwa README: rwa(mtcars, "mpg", c("cyl", "disp", "hp", "gear"))
    # Raw.RelWeight 0.2284797 0.2221469 0.2321744 0.0963886, rsquare 0.7791896, n 32.
    assert MTCARS.mean(axis=0) == pytest.approx([20.090625, 6.1875, 230.721875, 146.6875, 3.6875])
    result = relative_weights(MTCARS[:, 1:], MTCARS[:, 0], MTCARS_NAMES, n_boot=200)
    assert result is not None
    assert result.names == MTCARS_NAMES
    assert result.weights == pytest.approx([0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=1e-7)
    assert result.r2 == pytest.approx(0.7791896, abs=1e-7)
    assert result.n == 32


def test_it_makes_weights_sum_to_the_ols_r_squared() -> None:
    rng = np.random.default_rng(9)
    X = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))  # correlated predictors
    y = X @ rng.normal(size=6) + rng.normal(scale=3.0, size=300)

    design = np.column_stack([np.ones(300), X])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    r2 = 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))

    result = relative_weights(X, y, [f"x{i}" for i in range(6)], n_boot=50)
    assert result is not None
    assert sum(result.weights) == pytest.approx(r2)
    assert result.r2 == pytest.approx(r2)


def test_it_gives_squared_correlations_for_uncorrelated_predictors() -> None:
    corr = np.array(
        [
            [1.0, 0.0, 0.0, 0.5],
            [0.0, 1.0, 0.0, 0.3],
            [0.0, 0.0, 1.0, -0.2],
            [0.5, 0.3, -0.2, 1.0],
        ]
    )
    data = _data_with_correlations(corr, n=80, seed=2)
    X, y = data[:, :3], data[:, 3]
    assert np.corrcoef(X, rowvar=False) == pytest.approx(np.eye(3), abs=1e-12)

    result = relative_weights(X, y, ["a", "b", "c"], n_boot=50)
    assert result is not None
    squared = [stats.pearsonr(X[:, j], y).statistic ** 2 for j in range(3)]
    assert result.weights == pytest.approx(squared)
    assert result.weights == pytest.approx([0.25, 0.09, 0.04])


def test_it_matches_the_closed_form_for_two_correlated_predictors() -> None:
    # Rxx = [[1, ρ], [ρ, 1]], ρ = 0.6: eigenvalues 1.6 and 0.4, eigenvectors (1, ±1)/√2, so
    #   Λ = Rxx^½ = [[a, b], [b, a]], a = (√1.6 + √0.4)/2 = 3/√10, b = (√1.6 − √0.4)/2 = 1/√10.
    # r_xy = (0.5, 0.3): β = Λ⁻¹ r_xy = [[a, −b], [−b, a]] r_xy / (a² − b²)
    #   = (1/√10)(1.5 − 0.3, −0.5 + 0.9)/0.8 = (1/√10)(1.5, 0.5), β² = (0.225, 0.025).
    # ε1 = a²β1² + b²β2² = 0.9·0.225 + 0.1·0.025 = 0.205
    # ε2 = b²β1² + a²β2² = 0.1·0.225 + 0.9·0.025 = 0.045   (sum 0.25 = R²)
    corr = np.array([[1.0, 0.6, 0.5], [0.6, 1.0, 0.3], [0.5, 0.3, 1.0]])
    data = _data_with_correlations(corr, n=60, seed=7)
    result = relative_weights(data[:, :2], data[:, 2], ["x1", "x2"], n_boot=50)
    assert result is not None
    assert result.weights == pytest.approx([0.205, 0.045])
    assert result.r2 == pytest.approx(0.25)


def _poisson_bootstrap_reference(
    X: np.ndarray, y: np.ndarray, n_boot: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The documented intervals the slow way: all draws at once, each row's Poisson(1)
    count by comparing its draw with 2^32 times scipy's distribution function, the
    complete rows copied that many times, Johnson's (2000) original route on the copies."""
    uniform = np.random.default_rng(seed).integers(
        0, 2**32, size=(n_boot, X.shape[0]), dtype=np.uint32
    )
    thresholds = np.unique(np.floor(stats.poisson.cdf(np.arange(20), 1.0) * 2**32))
    thresholds = thresholds[thresholds < 2**32]
    counts = (uniform[..., None].astype(np.float64) >= thresholds).sum(axis=-1)
    data = np.column_stack([X, y])
    complete = ~np.isnan(data).any(axis=1)
    p = X.shape[1]
    boot = []
    for row_counts in counts[:, complete]:
        sample = np.repeat(data[complete], row_counts, axis=0)
        size = sample.shape[0]
        # Columns scaled to unit length so that X'X = Rxx; Z = PQ' from the SVD of X is the
        # orthonormal matrix closest to X; regress y on Z (β) and X on Z (Λ); ε = (Λ²)'β².
        standard = (sample - sample.mean(axis=0)) / (sample.std(axis=0) * math.sqrt(size))
        u, _, vt = np.linalg.svd(standard[:, :p], full_matrices=False)
        z = u @ vt
        beta = np.linalg.lstsq(z, standard[:, p], rcond=None)[0]
        lam = np.linalg.lstsq(z, standard[:, :p], rcond=None)[0]
        boot.append((lam**2).T @ beta**2)
    low, high = np.percentile(np.array(boot), [2.5, 97.5], axis=0)
    return low, high


def test_it_drops_incomplete_rows_before_weighting() -> None:
    X = np.vstack([MTCARS[:, 1:], [[4.0, NAN, 100.0, 4.0]], [[6.0, 200.0, 120.0, 4.0]]])
    y = np.concatenate([MTCARS[:, 0], [25.0, NAN]])
    with_gaps = relative_weights(X, y, MTCARS_NAMES, n_boot=100, seed=1)
    clean = relative_weights(MTCARS[:, 1:], MTCARS[:, 0], MTCARS_NAMES, n_boot=100, seed=1)
    assert with_gaps is not None and clean is not None
    assert with_gaps.weights == clean.weights
    assert with_gaps.r2 == clean.r2
    assert with_gaps.n == 32
    # The incomplete rows take part in nothing but the numbering of the draws.
    low, high = _poisson_bootstrap_reference(X, y, 100, seed=1)
    assert [c[0] for c in with_gaps.ci95] == pytest.approx(low)
    assert [c[1] for c in with_gaps.ci95] == pytest.approx(high)


def test_it_bootstraps_intervals_around_the_weights_reproducibly() -> None:
    first = relative_weights(MTCARS[:, 1:], MTCARS[:, 0], MTCARS_NAMES, n_boot=500, seed=42)
    again = relative_weights(MTCARS[:, 1:], MTCARS[:, 0], MTCARS_NAMES, n_boot=500, seed=42)
    other = relative_weights(MTCARS[:, 1:], MTCARS[:, 0], MTCARS_NAMES, n_boot=500, seed=43)
    assert first is not None and other is not None
    assert first == again
    assert first.ci95 != other.ci95
    for weight, (low, high) in zip(first.weights, first.ci95, strict=True):
        assert low < weight < high


def test_it_bootstraps_with_the_percentiles_of_poisson_resamples() -> None:
    corr = np.array([[1.0, 0.4, 0.5], [0.4, 1.0, 0.2], [0.5, 0.2, 1.0]])
    data = _data_with_correlations(corr, n=40, seed=3)
    low, high = _poisson_bootstrap_reference(data[:, :2], data[:, 2], 30, seed=5)

    result = relative_weights(data[:, :2], data[:, 2], ["x1", "x2"], n_boot=30, seed=5)
    assert result is not None
    assert [c[0] for c in result.ci95] == pytest.approx(low)
    assert [c[1] for c in result.ci95] == pytest.approx(high)


def test_it_has_no_weights_for_collinear_constant_or_too_few_rows() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=30)
    y = a + rng.normal(size=30)
    assert relative_weights(np.column_stack([a, 2 * a]), y, ["a", "b"], n_boot=10) is None
    assert relative_weights(np.column_stack([a, np.ones(30)]), y, ["a", "b"], n_boot=10) is None
    assert relative_weights(np.column_stack([a, y])[:3], y[:3], ["a", "b"], n_boot=10) is None


def test_it_rejects_names_that_do_not_match_the_columns() -> None:
    with pytest.raises(ValueError):
        relative_weights(MTCARS[:, 1:], MTCARS[:, 0], ["cyl"], n_boot=10)
