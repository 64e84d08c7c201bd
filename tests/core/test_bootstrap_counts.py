"""The relative-weights bootstrap computes each resample's correlations from its row
counts (issue 14); they must be those of the copied resample, constant columns included."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tryghed.core.statistics import _correlations, _Resampled


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=40),
    m=st.integers(min_value=2, max_value=5),
    levels=st.integers(min_value=1, max_value=4),
    offset=st.sampled_from([0.0, 1e6]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_counts_give_the_copied_resamples_correlations(
    n: int, m: int, levels: int, offset: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, so some resamples have a constant column.
    data = (rng.integers(0, levels + 1, size=(n, m)) * 1.5 + offset).astype(np.float64)
    rows = rng.integers(0, n, size=(25, n))
    resampled = _Resampled(data)
    corr, constant = resampled.correlations(resampled.counts(rows).astype(np.float64))
    copied, copied_constant = _correlations(data[rows])
    assert np.array_equal(constant, copied_constant)
    usable = ~constant
    assert np.allclose(corr[usable], copied[usable], rtol=0, atol=1e-12)
