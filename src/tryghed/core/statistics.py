"""Statistics of the scoring engine: group summaries, agreement, reliability, change, drivers.

Plain Python, numpy and scipy; no Django import. Every formula is the one written in the
statistics spec (statistics.md) and is tested against independently computed values.
Confidence intervals are 95 % throughout. NaN means "no answer" on input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import atanh, exp, floor, sqrt, tanh
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "AlphaResult",
    "ChangeResult",
    "CorrelationResult",
    "IccResult",
    "RelativeWeights",
    "Summary",
    "combined_summary",
    "cronbach_alpha",
    "icc",
    "relative_weights",
    "relative_weights_each",
    "rwg_j",
    "rwg_j_by_group",
    "summarise",
    "t_interval",
    "unit_correlation",
    "welch_change",
    "zero_sd_below",
]

FloatArray = NDArray[np.float64]

_UPPER = 0.975  # upper quantile of a two-sided 95 % interval
_LOWER = 0.025
# Between-group sum of squares below this share of the total is rounding noise, not signal.
_SS_TOLERANCE = 1e-12
# Eigenvalue (relative to the largest) below which predictors are treated as collinear.
_EIGEN_TOLERANCE = 1e-10
# Resamples whose counts go through the matrix products together: at most this many, of
# at most this many one-byte row counts in all. Up to about 32 resamples, a product over
# 160,000 rows took less time per resample the more it had; above, numpy's threaded BLAS
# took longer.
_BOOT_BATCH_RESAMPLES = 32
_BOOT_BATCH_VALUES = 6_400_000
# The products of the centred values are made, and the row counts made float64, this many
# rows at a time for one matrix product (~23 MB for 43 products; 16,384 or 262,144 rows at
# a time took a quarter longer at 200,000 rows).
_BOOT_BLOCK_ROWS = 65_536
# A bootstrap resample's column whose sum of squares about its mean is below this share of
# its sum of squares about the centre the sums are taken from is checked value by value for
# being constant. A constant column's is rounding noise of at most (3N + 5)·2^-53 of that
# (N rows summed), below this up to 3 million rows, and at more the bound is used.
_CONSTANT_SHARE = 1e-9


# --------------------------------------------------------------------------- helpers


def _floats(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _matrix(values: ArrayLike, what: str) -> FloatArray:
    data = _floats(values)
    if data.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array (persons x items), got {data.ndim}-D")
    return data


def t_interval(mean: float, sd: float, n: int) -> tuple[float, float]:
    """95 % CI of a mean: mean ± t(0.975; n − 1) · sd / √n (Student's t)."""
    from scipy import stats  # imported when used: 0.7 s at start-up

    if n < 2:
        raise ValueError("a t interval needs n >= 2")
    half = float(stats.t.ppf(_UPPER, n - 1)) * sd / sqrt(n)
    return (mean - half, mean + half)


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Summary:
    """Person scores of one group: n, mean, SD (n − 1) and 95 % CI of the mean."""

    n: int
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None


def summarise(values: ArrayLike) -> Summary:
    """n, mean, sample SD (ddof=1) and Student-t 95 % CI of the mean; NaN ignored."""
    data = _floats(values).ravel()
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return Summary(n=0, mean=None, sd=None, ci95=None)
    mean = float(data.mean())
    if n == 1:
        return Summary(n=1, mean=mean, sd=None, ci95=None)
    sd = float(data.std(ddof=1))
    return Summary(n=n, mean=mean, sd=sd, ci95=t_interval(mean, sd, n))


def combined_summary(parts: Sequence[tuple[int, float, float]]) -> Summary:
    """The summary of several disjoint groups put together, from each group's (n, mean, SD):
    exactly what :func:`summarise` gives over all their values, since the pooled sum of
    squares is the groups' own plus each group's n times its mean's distance from the
    combined mean: SD = sqrt((Σ(nᵢ − 1)sᵢ² + Σnᵢ(mᵢ − m)²) / (N − 1)), CI as for a group."""
    total = sum(n for n, _mean, _sd in parts)
    if total < 2 or any(n < 1 for n, _mean, _sd in parts):
        raise ValueError("a combined summary needs groups of at least one and two values in all")
    mean = sum(n * m for n, m, _sd in parts) / total
    squares = sum((n - 1) * sd * sd + n * (m - mean) ** 2 for n, m, sd in parts)
    sd = sqrt(squares / (total - 1))
    return Summary(n=total, mean=mean, sd=sd, ci95=t_interval(mean, sd, total))


# --------------------------------------------------------------------------- rwg(j)


def _sigma2_eu(n_options: int) -> float:
    """Variance of the uniform null distribution over A options: (A² − 1)/12 (James et al. 1984)."""
    if n_options < 2:
        raise ValueError("rwg(j) needs at least 2 answer options")
    return (n_options * n_options - 1) / 12.0


def _check_codes(data: FloatArray, n_options: int) -> None:
    answered = data[~np.isnan(data)]
    if answered.size and (answered.min() < 1 or answered.max() > n_options):
        raise ValueError(f"option codes must lie in 1..{n_options} (NaN for no answer)")


def _rwg_formula(mean_variance: FloatArray, n_items: NDArray[np.intp], sigma2: float) -> FloatArray:
    """rwg(j) = J(1 − s̄²/σ²)/(J(1 − s̄²/σ²) + s̄²/σ²), 0 when s̄² ≥ σ² (James, Demaree & Wolf 1984)."""
    ratio = mean_variance / sigma2
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = n_items * (1.0 - ratio) / (n_items * (1.0 - ratio) + ratio)
    # NaN ratio (no usable item) stays NaN because NaN >= 1 is False.
    return np.where(ratio >= 1.0, 0.0, agreement)


def rwg_j(codes: ArrayLike, n_options: int) -> float | None:
    """Within-group agreement rwg(j) on reverse-keyed option codes (James, Demaree & Wolf 1984).

    s̄² is the mean over items of each item's sample variance (ddof=1) over its non-missing
    answers; items with fewer than 2 answers are left out and J counts the items used.
    None when no item has 2 answers.
    """
    data = _matrix(codes, "codes")
    sigma2 = _sigma2_eu(n_options)
    _check_codes(data, n_options)
    used = (~np.isnan(data)).sum(axis=0) >= 2
    n_used = int(used.sum())
    if n_used == 0:
        return None
    mean_variance = float(np.nanvar(data[:, used], axis=0, ddof=1).mean())
    result = _rwg_formula(np.array([mean_variance]), np.array([n_used], dtype=np.intp), sigma2)
    return float(result[0])


def rwg_j_by_group(
    codes: ArrayLike, group_index: ArrayLike, n_groups: int, n_options: int
) -> FloatArray:
    """rwg(j) for every group at once (James, Demaree & Wolf 1984); NaN where undefined.

    group_index[i] in 0..n_groups − 1 is the group of row i. Per (group, item) cell the
    variance is computed in two passes with np.bincount, so the cost is linear in the rows.
    """
    data = _matrix(codes, "codes")
    groups = np.asarray(group_index)
    if groups.ndim != 1 or groups.shape[0] != data.shape[0]:
        raise ValueError("group_index must be 1-D with one entry per row of codes")
    if groups.size and not np.issubdtype(groups.dtype, np.integer):
        raise ValueError("group_index must hold integers")
    if groups.size and (groups.min() < 0 or groups.max() >= n_groups):
        raise ValueError(f"group_index must lie in 0..{n_groups - 1}")
    sigma2 = _sigma2_eu(n_options)
    _check_codes(data, n_options)

    n_items = data.shape[1]
    size = n_groups * n_items
    answered = ~np.isnan(data)
    cell = (groups.astype(np.intp)[:, None] * n_items + np.arange(n_items, dtype=np.intp))[answered]
    values = data[answered]
    count = np.bincount(cell, minlength=size).astype(np.float64)
    total = np.bincount(cell, weights=values, minlength=size)
    mean = np.divide(total, count, out=np.zeros(size), where=count > 0)
    squares = np.bincount(cell, weights=(values - mean[cell]) ** 2, minlength=size)
    used = count >= 2
    variance = np.divide(squares, count - 1.0, out=np.zeros(size), where=used)

    n_used = used.reshape(n_groups, n_items).sum(axis=1).astype(np.intp)
    mean_variance = np.divide(
        variance.reshape(n_groups, n_items).sum(axis=1),
        n_used,
        out=np.full(n_groups, np.nan),
        where=n_used > 0,
    )
    return _rwg_formula(mean_variance, n_used, sigma2)


# --------------------------------------------------------------------------- alpha


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with Feldt's 95 % CI, on n_complete listwise-complete persons, k items."""

    alpha: float
    ci95: tuple[float, float]
    n_complete: int
    k: int


def cronbach_alpha(points: ArrayLike) -> AlphaResult | None:
    """α = k/(k − 1)·(1 − Σ s²_item / s²_total), ddof=1, listwise (Cronbach 1951); Feldt CI.

    Feldt (1965): lower = 1 − (1 − α)·F(0.975; n − 1, (n − 1)(k − 1)),
    upper = 1 − (1 − α)·F(0.025; n − 1, (n − 1)(k − 1)).
    None when fewer than 2 complete persons, fewer than 2 items or no variance in totals.
    """
    from scipy import stats  # imported when used: 0.7 s at start-up

    data = _matrix(points, "points")
    data = data[~np.isnan(data).any(axis=1)]
    n, k = data.shape
    if n < 2 or k < 2:
        return None
    totals = data.sum(axis=1)
    if np.ptp(totals) == 0:
        return None
    item_variance = float(data.var(axis=0, ddof=1).sum())
    total_variance = float(totals.var(ddof=1))
    alpha = k / (k - 1) * (1.0 - item_variance / total_variance)
    df1 = n - 1
    df2 = (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * float(stats.f.ppf(_UPPER, df1, df2))
    upper = 1.0 - (1.0 - alpha) * float(stats.f.ppf(_LOWER, df1, df2))
    return AlphaResult(alpha=alpha, ci95=(lower, upper), n_complete=int(n), k=int(k))


# --------------------------------------------------------------------------- ICC


@dataclass(frozen=True)
class IccResult:
    """ICC(1) and ICC(2) from a one-way ANOVA of person scores by unit."""

    icc1: float
    icc2: float
    msb: float
    msw: float
    k_bar: float
    n_groups: int
    n: int


def _dense_labels(labels: NDArray[Any]) -> NDArray[np.intp]:
    """Each label's rank among the distinct labels (``np.unique``'s inverse); for whole
    numbers in a range not much wider than their count, by counting instead of sorting."""
    if labels.dtype.kind in "iu" and labels.size:
        low = int(labels.min())
        span = int(labels.max()) - low + 1
        if span <= 4 * labels.size + 1024:
            shifted = (labels - low).astype(np.intp, copy=False)
            present = np.bincount(shifted, minlength=span) > 0
            rank = np.cumsum(present) - 1
            dense: NDArray[np.intp] = rank[shifted]
            return dense
    _, index = np.unique(labels, return_inverse=True)
    result: NDArray[np.intp] = index.ravel()
    return result


def icc(scores: ArrayLike, groups: ArrayLike) -> IccResult | None:
    """ICC(1) = (MSB − MSW)/(MSB + (k̄ − 1)MSW), ICC(2) = (MSB − MSW)/MSB, k̄ = N/units (Bliese 2000).

    One-way ANOVA: MSB = Σ n_g(ȳ_g − ȳ)²/(G − 1), MSW = ΣΣ(y − ȳ_g)²/(N − G).
    NaN scores are dropped first. None when fewer than 2 units, no within-unit degrees of
    freedom (N = G), or no between-unit variance (MSB = 0 makes ICC(2) undefined).
    """
    values = _floats(scores).ravel()
    labels = np.asarray(groups).ravel()
    if labels.shape != values.shape:
        raise ValueError("scores and groups must have the same length")
    keep = ~np.isnan(values)
    values = values[keep]
    index = _dense_labels(labels[keep])
    n = int(values.size)
    n_groups = int(index.max()) + 1 if n else 0
    if n_groups < 2 or n - n_groups < 1:
        return None
    size = np.bincount(index, minlength=n_groups).astype(np.float64)
    group_mean = np.bincount(index, weights=values, minlength=n_groups) / size
    grand_mean = float(values.mean())
    ss_between = float((size * (group_mean - grand_mean) ** 2).sum())
    ss_within = float(((values - group_mean[index]) ** 2).sum())
    if ss_between <= _SS_TOLERANCE * (ss_between + ss_within):
        return None
    msb = ss_between / (n_groups - 1)
    msw = ss_within / (n - n_groups)
    k_bar = n / n_groups
    return IccResult(
        icc1=(msb - msw) / (msb + (k_bar - 1.0) * msw),
        icc2=(msb - msw) / msb,
        msb=msb,
        msw=msw,
        k_bar=k_bar,
        n_groups=n_groups,
        n=n,
    )


# --------------------------------------------------------------------------- change


@dataclass(frozen=True)
class ChangeResult:
    """Change between two independent waves of one group; difference = after − before.

    With no spread in either wave (``zero_variance``) there is no t-test: t, df, p and
    Hedges' g are None, the CI is the difference itself, and the change is real when the
    means differ and both waves have n ≥ 10 (statistics.md, "Zero variance").
    """

    n_before: int
    n_after: int
    mean_before: float
    mean_after: float
    difference: float
    ci95: tuple[float, float]
    t: float | None
    df: float | None
    p: float | None
    hedges_g: float | None
    real: bool
    zero_variance: bool = False


# An SD below this share of the scale's range is 0: floating-point sums of identical
# non-integer scores leave ~1e-7, which must not become a "sikker ændring" (statistics.md).
ZERO_SD_SHARE = 1e-9


def zero_sd_below(scale_range: float) -> float:
    """The SD under which a group's scores count as identical, for a scale of this width."""
    return ZERO_SD_SHARE * abs(scale_range) if scale_range else ZERO_SD_SHARE


def welch_change(
    before: ArrayLike, after: ArrayLike, *, scale_range: float = 1.0
) -> ChangeResult | None:
    """Welch's t-test with Welch–Satterthwaite df, the 95 % CI of after − before, Hedges' g.

    se² = s₁²/n₁ + s₂²/n₂; df = se⁴ / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)) (Welch 1947).
    Hedges' g = J·(x̄₂ − x̄₁)/s_pooled, s_pooled² = ((n₁ − 1)s₁² + (n₂ − 1)s₂²)/(n₁ + n₂ − 2),
    J = 1 − 3/(4(n₁ + n₂) − 9) (Hedges 1981; Hedges & Olkin 1985, eq. 5.10 approximation).
    real = both n ≥ 10 and p < 0.05. None when a side has n < 2. ``scale_range`` (max − min
    of the score) sets what counts as no spread (see ``welch_change_from_summaries``).
    """
    first = _floats(before).ravel()
    second = _floats(after).ravel()
    first = first[~np.isnan(first)]
    second = second[~np.isnan(second)]
    n1, n2 = int(first.size), int(second.size)
    if n1 < 2 or n2 < 2:
        return None
    return welch_change_from_summaries(
        n_before=n1,
        mean_before=float(first.mean()),
        sd_before=float(first.std(ddof=1)),
        n_after=n2,
        mean_after=float(second.mean()),
        sd_after=float(second.std(ddof=1)),
        scale_range=scale_range,
    )


def welch_change_from_summaries(
    *,
    n_before: int,
    mean_before: float,
    sd_before: float,
    n_after: int,
    mean_after: float,
    sd_after: float,
    scale_range: float = 1.0,
) -> ChangeResult | None:
    """welch_change from each wave's n, mean and sample SD, which is all it depends on: the
    change of two shown group figures without any person's score.

    An SD below ``zero_sd_below(scale_range)`` is 0. When both are 0, means closer than
    that are "no change" (difference 0, not real) and different means are a real change
    when both n ≥ 10: the same case gives the same answer whatever the scores' decimals.
    """
    from scipy import stats  # imported when used: 0.7 s at start-up

    n1, n2 = n_before, n_after
    if n1 < 2 or n2 < 2:
        return None
    tiny = zero_sd_below(scale_range)
    sd1 = 0.0 if sd_before < tiny else sd_before
    sd2 = 0.0 if sd_after < tiny else sd_after
    var1, var2 = sd1 * sd1, sd2 * sd2
    part1, part2 = var1 / n1, var2 / n2
    se2 = part1 + part2
    difference = mean_after - mean_before
    if se2 == 0:
        same = abs(difference) < tiny
        difference = 0.0 if same else difference
        return ChangeResult(
            n_before=n1,
            n_after=n2,
            mean_before=mean_before,
            mean_after=mean_after,
            difference=difference,
            ci95=(difference, difference),
            t=None,
            df=None,
            p=None,
            hedges_g=None,
            real=not same and n1 >= 10 and n2 >= 10,
            zero_variance=True,
        )
    se = sqrt(se2)
    df = se2 * se2 / (part1 * part1 / (n1 - 1) + part2 * part2 / (n2 - 1))
    t_value = difference / se
    p = float(2.0 * stats.t.sf(abs(t_value), df))
    half = float(stats.t.ppf(_UPPER, df)) * se
    pooled_sd = sqrt(((n1 - 1) * var1 + (n2 - 1) * var2) / (n1 + n2 - 2))
    correction = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    return ChangeResult(
        n_before=n1,
        n_after=n2,
        mean_before=mean_before,
        mean_after=mean_after,
        difference=difference,
        ci95=(difference - half, difference + half),
        t=t_value,
        df=df,
        p=p,
        hedges_g=correction * difference / pooled_sd,
        real=n1 >= 10 and n2 >= 10 and p < 0.05,
    )


# --------------------------------------------------------------------------- correlation


@dataclass(frozen=True)
class CorrelationResult:
    """Pearson r across units; Fisher-z 95 % CI from 4 units."""

    r: float
    n_units: int
    ci95: tuple[float, float] | None
    p: float | None


def unit_correlation(x: Mapping[str, float], y: Mapping[str, float]) -> CorrelationResult | None:
    """Pearson r over shared units; t = r√((n − 2)/(1 − r²)); CI tanh(atanh r ± z/√(n − 3)).

    Units with a NaN value on either side are left out. None when fewer than 3 units remain
    or either side has no variance. p is given from 3 units, the CI from 4 (Fisher 1921).
    """
    from scipy import stats  # imported when used: 0.7 s at start-up

    units = sorted(unit for unit in x.keys() & y.keys())
    pairs = np.array([(x[unit], y[unit]) for unit in units], dtype=np.float64).reshape(-1, 2)
    pairs = pairs[~np.isnan(pairs).any(axis=1)]
    n = int(pairs.shape[0])
    if n < 3 or np.ptp(pairs[:, 0]) == 0 or np.ptp(pairs[:, 1]) == 0:
        return None
    centred = pairs - pairs.mean(axis=0)
    sxx, syy = (centred**2).sum(axis=0)
    r = float(np.clip((centred[:, 0] * centred[:, 1]).sum() / sqrt(sxx * syy), -1.0, 1.0))
    if abs(r) == 1.0:
        return CorrelationResult(r=r, n_units=n, ci95=(r, r) if n >= 4 else None, p=0.0)
    t_value = r * sqrt((n - 2) / (1.0 - r * r))
    p = float(2.0 * stats.t.sf(abs(t_value), n - 2))
    ci95: tuple[float, float] | None = None
    if n >= 4:
        half = float(stats.norm.ppf(_UPPER)) / sqrt(n - 3)
        ci95 = (tanh(atanh(r) - half), tanh(atanh(r) + half))
    return CorrelationResult(r=r, n_units=n, ci95=ci95, p=p)


# --------------------------------------------------------------------------- relative weights


@dataclass(frozen=True)
class RelativeWeights:
    """Johnson's relative weights of the predictors (sum = R²) with percentile bootstrap CIs."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    r2: float
    ci95: tuple[tuple[float, float], ...]
    n: int


def _correlations(data: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Correlation matrices of stacked samples (..., n, m); flags samples with a constant column."""
    centred = data - data.mean(axis=-2, keepdims=True)
    cov = np.matrix_transpose(centred) @ centred
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    constant = (np.ptp(data, axis=-2) == 0).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / (sd[..., :, None] * sd[..., None, :])
    return corr, constant


def _johnson_weights(corr: FloatArray, invalid: NDArray[np.bool_]) -> FloatArray:
    """ε_j = Σ_k λ_jk²·β_k², Λ = Rxx^½ = QΔ^½Q′, β = Λ⁻¹r_xy (Johnson 2000); NaN if invalid."""
    p = corr.shape[-1] - 1
    rxx = corr[..., :p, :p].copy()
    rxy = corr[..., :p, p]
    rxx[invalid] = np.eye(p)  # keep eigh away from NaN; these samples are discarded below
    eigenvalues, vectors = np.linalg.eigh(rxx)
    collinear = eigenvalues[..., 0] <= _EIGEN_TOLERANCE * eigenvalues[..., -1]
    root = np.sqrt(np.clip(eigenvalues, 0.0, None))
    lam = (vectors * root[..., None, :]) @ np.matrix_transpose(vectors)
    # A collinear or constant sample divides by a zero root: its weights are NaN and
    # discarded below, so its warnings (here and in the products after) say nothing.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        rotated = (np.matrix_transpose(vectors) @ rxy[..., None])[..., 0] / root
        beta = (vectors @ rotated[..., None])[..., 0]
        weights = ((lam**2) @ (beta**2)[..., None])[..., 0]
    weights[invalid | collinear] = np.nan
    return weights


def _poisson_thresholds() -> NDArray[np.uint32]:
    """t_j = floor(2^32 F(j)) for the Poisson(1) distribution function F, as long as they
    grow (F(j) rounds to within 2^-32 of 1 from j = 12)."""
    thresholds: list[int] = []
    cumulative, term, j = exp(-1.0), exp(-1.0), 0
    while (t := floor(cumulative * 2**32)) < 2**32 and (not thresholds or t > thresholds[-1]):
        thresholds.append(t)
        j += 1
        term /= j
        cumulative += term
    return np.array(thresholds, dtype=np.uint32)


# A uniform 32-bit integer u gives the Poisson(1) count #{j : t_j <= u}, so the count is j
# with probability (t_j - t_(j-1)) / 2^32, the Poisson probability to within 2^-32.
_POISSON_THRESHOLDS = _poisson_thresholds()
# Counts up to this are found by comparisons over the whole array; the rest (u >= t_3,
# 1.9 % of the draws) by a search among the thresholds.
_POISSON_COMPARED = 4


def _poisson_counts(
    uniform: NDArray[np.uint32], out: NDArray[np.uint8] | None = None
) -> NDArray[np.uint8]:
    """Poisson(1) counts of uniform 32-bit integers (same shape; at most 13), in ``out``."""
    thresholds = _POISSON_THRESHOLDS
    counts = np.empty(uniform.shape, dtype=np.uint8) if out is None else out
    np.greater_equal(uniform, thresholds[0], out=counts.view(np.bool_))
    above = np.empty(uniform.shape, dtype=np.bool_)
    for t in thresholds[1:_POISSON_COMPARED]:
        np.greater_equal(uniform, t, out=above)
        np.add(counts, above.view(np.uint8), out=counts)
    rare = np.flatnonzero(above)  # u >= t_(compared - 1): the count may be larger
    found = np.searchsorted(thresholds, uniform.reshape(-1)[rare], side="right")
    counts.flat[rare] = found.astype(np.uint8)
    return counts


class _Products:
    """Weighted sums of centred values and of their products: for values D (c x n) and
    weights w (k x n), w @ D_f for each one-column product f = (i,) and
    w @ (D_i * D_j) for f = (i, j). The products are made a block of rows at a time, into
    one buffer, and never stored whole (at 160,000 rows, 43 products would be 55 MB, and
    memory the process has not touched yet was slow to get on the machines measured)."""

    def __init__(self, centred: FloatArray, products: Sequence[tuple[int, ...]]) -> None:
        self.centred = centred  # values x n
        self.products = list(products)
        self.n = centred.shape[1]

    def sums(self, counts: NDArray[Any]) -> FloatArray:
        """k x products for counts (k x n)."""
        out = np.zeros((len(self.products), counts.shape[0]))
        block = np.empty((len(self.products), min(self.n, _BOOT_BLOCK_ROWS)))
        for start in range(0, self.n, _BOOT_BLOCK_ROWS):
            stop = min(start + _BOOT_BLOCK_ROWS, self.n)
            columns = block[:, : stop - start]
            for row, factors in enumerate(self.products):
                first = self.centred[factors[0], start:stop]
                if len(factors) == 1:
                    columns[row] = first
                else:
                    np.multiply(first, self.centred[factors[1], start:stop], out=columns[row])
            # (products x n) @ (n x k) runs as one fast product, where (k x n) @ (n x
            # products) was 6-20 times slower in numpy's threaded BLAS here.
            out += columns @ counts[:, start:stop].T.astype(np.float64)
        return out.T


class _Resampled:
    """Correlation matrices of weighted resamples, for several outcomes over the same
    predictors (rows x p; each outcome one value per row; NaN where not answered): outcome
    o is analysed on the rows complete in the predictors and in it.

    With D the data centred and w a resample's row weights (how often each row is in it),
    the resample's sums are w @ D and its cross products w @ (D_i * D_j), so no resample is
    copied. The rows complete for every outcome are shared: their predictor sums and cross
    products are computed once for all outcomes (most rows at 1-2 % missing); an outcome's
    other complete rows add theirs. For each outcome the same as ``_correlations`` of its
    complete rows repeated by their weights (``np.repeat(rows, w, axis=0)``) to rounding,
    and a column is flagged constant exactly as there: its values in the resample all equal
    (or the resample has under two rows)."""

    def __init__(self, predictors: FloatArray, outcomes: Sequence[FloatArray]) -> None:
        p = predictors.shape[1]
        self.p, self.outcomes = p, len(outcomes)
        answered = ~np.isnan(predictors).any(axis=1)
        self.complete = [answered & ~np.isnan(y) for y in outcomes]
        common = np.logical_and.reduce(self.complete)
        self.common = np.flatnonzero(common)
        self.extra = [np.flatnonzero(c & ~common) for c in self.complete]
        self.data: list[FloatArray] = []  # per outcome: its complete rows, predictors and it
        for y, complete in zip(outcomes, self.complete, strict=True):
            rows = np.flatnonzero(complete)
            data = np.empty((rows.size, p + 1))
            data[:, :p] = predictors[rows]
            data[:, p] = y[rows]
            self.data.append(data)
        self.n = [int(d.shape[0]) for d in self.data]
        values = [*predictors.T, *outcomes]  # the columns, outcome o at p + o

        def centred(rows: NDArray[np.intp], columns: Sequence[int]) -> FloatArray:
            # Centred on each outcome's mean, the predictors on theirs where all answered:
            # any constants give the same sums of squares; near the means they keep
            # precision. Made column by column, with no rows x columns copy beside it.
            out = np.empty((len(columns), rows.size))
            for row, c in enumerate(columns):
                np.take(values[c], rows, out=out[row])
                out[row] -= centre[c]
            return out

        centre = np.zeros(p + self.outcomes)
        for j in range(p):
            centre[j] = values[j][answered].mean() if answered.any() else 0.0
        for o, d in enumerate(self.data):
            centre[p + o] = d[:, p].mean() if d.shape[0] else 0.0
        m = p + 1  # one analysis: the predictors and its outcome
        self.upper = np.triu_indices(m)
        upper = [(int(i), int(j)) for i, j in zip(*self.upper, strict=True)]
        # The shared block's rows, each the product of these columns of ``data`` (one or
        # two): the predictors, their cross products, then per outcome its value, its square
        # and its products with the predictors. Per outcome, for each of its m sums and
        # m(m+1)/2 cross products (in triu order), the shared row that holds it.
        pairs = [(i, j) for i, j in upper if j < p]
        shared: list[tuple[int, ...]] = [(j,) for j in range(p)]
        shared += pairs
        self.rows_of: list[NDArray[np.intp]] = []
        for o in range(self.outcomes):
            first, y = len(shared), p + o
            shared += [(y,), (y, y), *((j, y) for j in range(p))]
            where = [*range(p), first]
            for i, j in upper:
                if j < p:
                    where.append(p + pairs.index((i, j)))
                else:
                    where.append(first + 2 + i if i < p else first + 1)
            self.rows_of.append(np.array(where, dtype=np.intp))
        self.shared = _Products(centred(self.common, range(p + self.outcomes)), shared)
        # An outcome's own rows: its m sums and cross products in triu order.
        self.own: list[_Products] = []
        for o, extra in enumerate(self.extra):
            own: list[tuple[int, ...]] = [(c,) for c in range(m)]
            own += upper
            self.own.append(_Products(centred(extra, [*range(p), p + o]), own))
        # A resample is checked value by value when a column's sum of squares about the
        # resample's mean is not above this share of its sum of squares about the centre.
        # Not a share of the data's: a column constant in the data has none (outcome 0 of
        # tests/core/test_bootstrap_counts.py's example), and a resample's rounding noise
        # grows with how far its values lie from the centre, not with the data's spread.
        self.diagonal = np.flatnonzero(self.upper[0] == self.upper[1])
        self.share = [max(_CONSTANT_SHARE, 4.0 * (n + 2) * 2.0**-53) for n in self.n]

    def correlations(self, counts: NDArray[Any]) -> list[tuple[FloatArray, NDArray[np.bool_]]]:
        """Per outcome, the correlation matrices of the resamples (k x m x m) from their
        row weights (k x rows, every row of ``data``), and which have a constant column."""
        k = counts.shape[0]
        m = self.p + 1
        on_common = np.take(counts, self.common, axis=1)
        shared = self.shared.sums(on_common)
        common_size = on_common.sum(axis=1).astype(np.float64)
        out: list[tuple[FloatArray, NDArray[np.bool_]]] = []
        for o in range(self.outcomes):
            totals = shared[:, self.rows_of[o]]
            size = common_size.copy()
            if self.extra[o].size:
                on_extra = np.take(counts, self.extra[o], axis=1)
                totals += self.own[o].sums(on_extra)
                size += on_extra.sum(axis=1)
            sums, products = totals[:, :m], totals[:, m:]
            cov = np.empty((k, m, m))
            cov[:, self.upper[0], self.upper[1]] = products
            cov[:, self.upper[1], self.upper[0]] = products
            with np.errstate(invalid="ignore", divide="ignore"):
                cov -= sums[:, :, None] * sums[:, None, :] / size[:, None, None]
            variance = np.diagonal(cov, axis1=-2, axis2=-1)
            # A column constant in the resample has the same centred value c on each of its
            # W rows: its sums are W·c and W·c², and its variance W·c² - (W·c)²/W is
            # rounding noise of at most (3N + 5)·2^-53 of W·c² (N rows summed), whatever
            # the centre and the data's spread. Zero, negative or NaN (no rows) is checked.
            squares = products[:, self.diagonal]
            constant = np.zeros(k, dtype=np.bool_)
            for b in np.flatnonzero(~(variance > self.share[o] * squares).all(axis=1)):
                chosen = self.data[o][counts[b][self.complete[o]] > 0]
                constant[b] = chosen.shape[0] < 2 or bool((np.ptp(chosen, axis=0) == 0).any())
            sd = np.sqrt(np.clip(variance, 0.0, None))
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = cov / (sd[..., :, None] * sd[..., None, :])
            out.append((corr, constant))
        return out


def relative_weights(
    X: ArrayLike,
    y: ArrayLike,
    names: Sequence[str],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> RelativeWeights | None:
    """Johnson (2000) relative weights of X's columns for y on complete cases; sum = OLS R².

    95 % intervals are the percentiles 2.5/97.5 of n_boot Poisson bootstrap resamples
    (each row is in a resample a Poisson(1) number of times, independently; Hanley &
    MacGibbon 2006, Chamandy et al. 2012): row i of X has in resample b the count of the
    (b·rows + i)-th value of numpy default_rng(seed).integers(0, 2**32, dtype=uint32) by
    the inverse of the Poisson(1) distribution function (``_POISSON_THRESHOLDS``), rows
    counted over X as given, incomplete ones included, so the draws are fixed for a seed and
    a row's count does not depend on y (see relative_weights_each). The classic bootstrap's
    counts (n rows drawn with replacement) are multinomial, a row's count Binomial(n, 1/n),
    which tends to Poisson(1); Poisson counts are independent, so they are drawn directly,
    and several outcomes can share them. Unlike the classic bootstrap a resample's size
    varies (Poisson(n), ±√n rows): at a few dozen rows this can widen the intervals a
    little; at the thousands of a key-driver analysis it makes no difference that
    matters. Resamples with a constant or collinear column are skipped. None when there
    are no more complete rows than predictors + 1, a column is constant, the predictors
    are collinear, or no resample is usable.
    """
    return relative_weights_each(X, [y], names, n_boot=[n_boot], seed=seed)[0]


def relative_weights_each(
    X: ArrayLike,
    outcomes: Sequence[ArrayLike],
    names: Sequence[str],
    *,
    n_boot: Sequence[int],
    seed: int = 0,
) -> list[RelativeWeights | None]:
    """relative_weights of X for each outcome, with n_boot[o] resamples for outcome o, from
    one set of Poisson draws: each outcome's result equals relative_weights(X, y_o,
    n_boot=n_boot[o], seed=seed), as a row's count in a resample is the same for every
    outcome (a person is in resample b the same number of times in every analysis); the
    draws are made once. Complete cases are taken per outcome."""
    predictors = _matrix(X, "X")
    n_rows, p = predictors.shape
    if len(names) != p or p == 0:
        raise ValueError("names must name every column of X (at least one)")
    if len(n_boot) != len(outcomes):
        raise ValueError("n_boot must give a number of resamples for each outcome")
    if any(b < 1 for b in n_boot):
        raise ValueError("n_boot must be at least 1")
    results: list[RelativeWeights | None] = [None] * len(outcomes)
    ys = [_floats(y).ravel() for y in outcomes]
    if any(y.shape[0] != n_rows for y in ys):
        raise ValueError("X and y must have the same number of rows")
    resampled = _Resampled(predictors, ys)
    live: list[tuple[int, FloatArray]] = []  # outcome, point weights
    for o, data in enumerate(resampled.data):
        if data.shape[0] <= p + 1:
            continue
        corr, constant = _correlations(data)
        weights = _johnson_weights(corr[None], np.array([constant]))[0]
        if not np.isnan(weights).any():
            live.append((o, weights))
    if not live:
        return results

    boot = [np.empty((n_boot[o], p)) for o, _ in live]
    rng = np.random.default_rng(seed)
    total = max(n_boot[o] for o, _ in live)
    # Resamples whose weights go through one matrix product (a product per resample would
    # read the data's cross products once per resample).
    batch = min(total, _BOOT_BATCH_RESAMPLES, max(1, _BOOT_BATCH_VALUES // n_rows))
    counts = np.empty((batch, n_rows), dtype=np.uint8)
    for start in range(0, total, batch):
        stop = min(start + batch, total)
        for row in counts[: stop - start]:  # one resample's draws at a time: a small buffer
            _poisson_counts(rng.integers(0, 2**32, size=(n_rows,), dtype=np.uint32), out=row)
        each = resampled.correlations(counts[: stop - start])
        for (o, _), out in zip(live, boot, strict=True):
            boot_corr, boot_constant = each[o]
            if start < n_boot[o]:
                upto = min(stop, n_boot[o]) - start
                out[start : start + upto] = _johnson_weights(boot_corr[:upto], boot_constant[:upto])
    for (o, weights), out in zip(live, boot, strict=True):
        usable = out[~np.isnan(out).any(axis=1)]
        if usable.shape[0] == 0:
            continue
        low, high = np.percentile(usable, [2.5, 97.5], axis=0)
        results[o] = RelativeWeights(
            names=tuple(names),
            weights=tuple(float(w) for w in weights),
            r2=float(weights.sum()),
            ci95=tuple((float(a), float(b)) for a, b in zip(low, high, strict=True)),
            n=resampled.n[o],
        )
    return results
