"""The relative-weights bootstrap (issue 14): Poisson(1) row counts drawn by the inverse of
the distribution function, and each resample's correlations computed from its counts. Each
part is checked against the plain computation: the counts against scipy's Poisson
distribution function, the correlations against those of the rows copied as often as they
are counted, the shared draws of several outcomes against one call per outcome."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from tryghed.core import statistics
from tryghed.core.statistics import (
    _POISSON_THRESHOLDS,
    _correlations,
    _poisson_counts,
    _Resampled,
    relative_weights,
    relative_weights_each,
)


def _plain_counts(uniform: np.ndarray) -> np.ndarray:
    """#{j : floor(2^32 F(j)) <= u} with F scipy's Poisson(1) distribution function, each
    threshold once (from j = 12 they are all 2^32 - 1)."""
    thresholds = np.unique(np.floor(stats.poisson.cdf(np.arange(20), 1.0) * 2**32))
    thresholds = thresholds[thresholds < 2**32]
    return (uniform[..., None].astype(np.float64) >= thresholds).sum(axis=-1)


def test_the_thresholds_are_the_poisson_distribution_function() -> None:
    expected = np.floor(stats.poisson.cdf(np.arange(len(_POISSON_THRESHOLDS)), 1.0) * 2**32)
    assert np.all(np.abs(_POISSON_THRESHOLDS.astype(np.float64) - expected) <= 1)
    assert np.all(np.diff(_POISSON_THRESHOLDS.astype(np.int64)) > 0)
    assert int(_POISSON_THRESHOLDS[-1]) == 2**32 - 1  # nothing above it to count


def test_counts_are_the_inverse_of_the_distribution_function() -> None:
    edges = _POISSON_THRESHOLDS.astype(np.int64)
    near = np.concatenate([edges - 1, edges, edges + 1, [0, 2**32 - 1]])
    near = near[(near >= 0) & (near < 2**32)].astype(np.uint32)
    drawn = np.random.default_rng(3).integers(0, 2**32, size=(7, 50_000), dtype=np.uint32)
    for uniform in (near.reshape(1, -1), drawn):
        assert np.array_equal(_poisson_counts(uniform), _plain_counts(uniform))


def test_counts_have_the_poisson_frequencies() -> None:
    uniform = np.random.default_rng(8).integers(0, 2**32, size=(20, 100_000), dtype=np.uint32)
    counts = _poisson_counts(uniform)
    share = np.bincount(counts.astype(np.int64).ravel(), minlength=6)[:6] / counts.size
    # 2,000,000 draws: a share's standard error is below 0.00035.
    assert share == pytest.approx(stats.poisson.pmf(np.arange(6), 1.0), abs=0.002)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=40),
    p=st.integers(min_value=1, max_value=4),
    outcomes=st.integers(min_value=1, max_value=3),
    levels=st.integers(min_value=1, max_value=4),
    offset=st.sampled_from([0.0, 1e6]),
    gaps=st.sampled_from([0.0, 0.15]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
# Outcome 0's second predictor is constant (0) on its complete rows but not on the rows
# answered in all predictors, whose mean it is centred on: a resample's variance of it was
# rounding noise above the data's (zero) share and the resample was not checked.
@example(n=8, p=2, outcomes=2, levels=1, offset=0.0, gaps=0.15, seed=156)
def test_counts_give_the_copied_resamples_correlations(
    n: int, p: int, outcomes: int, levels: int, offset: float, gaps: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, so some resamples have a constant column; gaps make each
    # outcome's complete rows differ from the rows complete for all of them.
    data = (rng.integers(0, levels + 1, size=(n, p + outcomes)) * 1.5 + offset).astype(np.float64)
    data[rng.random(size=data.shape) < gaps] = np.nan
    counts = rng.poisson(1.0, size=(25, n)).astype(np.float64)
    each = _Resampled(data[:, :p], list(data[:, p:].T)).correlations(counts)
    assert len(each) == outcomes
    for o, (corr, constant) in enumerate(each):
        analysed = data[:, [*range(p), p + o]]
        complete = ~np.isnan(analysed).any(axis=1)
        for b, row_counts in enumerate(counts):
            copied = np.repeat(analysed[complete], row_counts[complete].astype(np.int64), axis=0)
            if copied.shape[0] < 2:
                assert constant[b]
                continue
            copied_corr, copied_constant = _correlations(copied)
            assert constant[b] == copied_constant
            if not constant[b]:
                assert np.allclose(corr[b], copied_corr, rtol=0, atol=1e-12)


def test_outcomes_share_the_draws_and_each_gets_its_own_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(300, 3)) @ rng.normal(size=(3, 3))
    first = X @ [0.5, -0.2, 0.3] + rng.normal(size=300)
    second = X @ [-0.1, 0.4, 0.2] + rng.normal(size=300)
    X[rng.choice(300, 10, replace=False), 1] = np.nan
    first[rng.choice(300, 20, replace=False)] = np.nan
    second[rng.choice(300, 30, replace=False)] = np.nan
    names = ["a", "b", "c"]
    alone = [
        relative_weights(X, first, names, n_boot=70, seed=4),
        relative_weights(X, second, names, n_boot=45, seed=4),
    ]
    assert alone[0] is not None and alone[1] is not None
    assert alone[0].ci95 != alone[1].ci95

    def same(results: list[statistics.RelativeWeights | None]) -> None:
        # The matrix products group the resamples differently: equal to rounding.
        for result, expected in zip(results, alone, strict=True):
            assert result is not None and expected is not None
            assert (result.names, result.weights, result.r2, result.n) == (
                expected.names,
                expected.weights,
                expected.r2,
                expected.n,
            )
            assert np.allclose(result.ci95, expected.ci95, rtol=1e-12, atol=0)

    same(relative_weights_each(X, [first, second], names, n_boot=[70, 45], seed=4))
    # Drawn a few resamples at a time, the draws and so the results stay the same.
    monkeypatch.setattr(statistics, "_BOOT_BATCH_VALUES", 700)
    same(relative_weights_each(X, [first, second], names, n_boot=[70, 45], seed=4))
