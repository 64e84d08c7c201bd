"""Statistics of the scoring engine: group summaries, agreement, reliability, change, drivers.

Plain Python, numpy and scipy; no Django import. Every formula is the one written in the
statistics spec (statistics.md) and is tested against independently computed values.
Confidence intervals are 95 % throughout. NaN means "no answer" on input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import atanh, sqrt, tanh
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
    "cronbach_alpha",
    "icc",
    "relative_weights",
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
# Bootstrap work is done in chunks of about this many float64 values (~32 MB).
_BOOT_CHUNK_VALUES = 4_000_000
# Resample counts given to one matrix product: about this many float64 values (~16 MB).
_BOOT_BATCH_VALUES = 2_000_000
# A bootstrap resample's column whose sum of squares is below this share of the data's is
# checked value by value for being constant (above it, rounding cannot hide a spread).
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
    with np.errstate(invalid="ignore", divide="ignore"):
        rotated = (np.matrix_transpose(vectors) @ rxy[..., None])[..., 0] / root
    beta = (vectors @ rotated[..., None])[..., 0]
    weights = ((lam**2) @ (beta**2)[..., None])[..., 0]
    weights[invalid | collinear] = np.nan
    return weights


class _Resampled:
    """Correlation matrices of row resamples of ``data`` (n x m) from the resamples' row
    counts alone: with D the data centred on its own means and w a resample's counts,
    the resample's sums are w @ D and its cross products w @ (D_i * D_j), so no resample
    is copied (a 200,000-row resample would be 200,000 x m values; its counts are n).
    The same as ``_correlations(data[rows])`` to rounding (about 1e-14), and a column is
    flagged constant exactly as there: its values in the resample all equal."""

    def __init__(self, data: FloatArray) -> None:
        self.data = data
        self.n, self.m = data.shape
        self.centred = data - data.mean(axis=0)
        self.upper = np.triu_indices(self.m)
        # Columns as rows: (columns x n) @ (n x k) runs as one fast product, where
        # (k x n) @ (n x columns) was 6-20 times slower in numpy's threaded BLAS here.
        # Filled row by row, so no n x columns temporary exists beside it.
        self.columns = np.empty((self.m + self.upper[0].shape[0], self.n))
        self.columns[: self.m] = self.centred.T
        for row, (i, j) in enumerate(zip(*self.upper, strict=True), start=self.m):
            np.multiply(self.columns[i], self.columns[j], out=self.columns[row])
        # A resample whose variance is below this share of the data's is checked exactly.
        self.small = _CONSTANT_SHARE * np.einsum("ij,ij->j", self.centred, self.centred)

    def counts(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        """Resamples x n: how often each row is drawn in each resample."""
        k = rows.shape[0]
        offsets = (np.arange(k, dtype=np.int64) * self.n)[:, None]
        counts = np.bincount((rows + offsets).ravel(), minlength=k * self.n)
        return counts.reshape(k, self.n)

    def correlations(self, counts: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
        """Correlation matrices of the resamples (k x m x m) from their row counts (k x n),
        and which of them have a constant column."""
        k = counts.shape[0]
        totals = (self.columns @ counts.T).T
        sums, products = totals[:, : self.m], totals[:, self.m :]
        cov = np.empty((k, self.m, self.m))
        cov[:, self.upper[0], self.upper[1]] = products
        cov[:, self.upper[1], self.upper[0]] = products
        cov -= sums[:, :, None] * sums[:, None, :] / self.n
        variance = np.diagonal(cov, axis1=-2, axis2=-1)
        constant = np.zeros(k, dtype=np.bool_)
        for b in np.flatnonzero((variance <= self.small).any(axis=1)):
            chosen = self.data[counts[b] > 0]
            constant[b] = bool((np.ptp(chosen, axis=0) == 0).any())
        sd = np.sqrt(np.clip(variance, 0.0, None))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / (sd[..., :, None] * sd[..., None, :])
        return corr, constant


def relative_weights(
    X: ArrayLike,
    y: ArrayLike,
    names: Sequence[str],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> RelativeWeights | None:
    """Johnson (2000) relative weights of X's columns for y on complete cases; sum = OLS R².

    95 % intervals are percentiles 2.5/97.5 of n_boot row resamples drawn with
    numpy default_rng(seed).integers in chunks of ~4M values (so fixed for a given seed and
    data); resamples with a constant or collinear column are skipped. None when there are
    no more complete rows than predictors + 1, a column is constant, the predictors are
    collinear, or no resample is usable.
    """
    predictors = _matrix(X, "X")
    outcome = _floats(y).ravel()
    n_rows, p = predictors.shape
    if outcome.shape[0] != n_rows:
        raise ValueError("X and y must have the same number of rows")
    if len(names) != p or p == 0:
        raise ValueError("names must name every column of X (at least one)")
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    data = np.column_stack([predictors, outcome])
    data = data[~np.isnan(data).any(axis=1)]
    n = int(data.shape[0])
    if n <= p + 1:
        return None
    corr, constant = _correlations(data)
    weights = _johnson_weights(corr[None], np.array([constant]))[0]
    if np.isnan(weights).any():
        return None

    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CHUNK_VALUES // (n * (p + 1)))
    boot = np.empty((n_boot, p))
    resampled = _Resampled(data)
    # Resamples whose counts go through one matrix product (a product per small chunk of
    # the random draws would read the data's cross products once per chunk).
    batch = max(chunk, _BOOT_BATCH_VALUES // n)
    counts = np.empty((min(batch, n_boot) + chunk, n))
    filled = done = 0
    for start in range(0, n_boot, chunk):
        stop = min(start + chunk, n_boot)
        counts[filled : filled + stop - start] = resampled.counts(
            rng.integers(0, n, size=(stop - start, n))
        )
        filled += stop - start
        if filled >= batch or stop == n_boot:
            boot_corr, boot_constant = resampled.correlations(counts[:filled])
            boot[done:stop] = _johnson_weights(boot_corr, boot_constant)
            filled, done = 0, stop
    usable = boot[~np.isnan(boot).any(axis=1)]
    if usable.shape[0] == 0:
        return None
    low, high = np.percentile(usable, [2.5, 97.5], axis=0)
    return RelativeWeights(
        names=tuple(names),
        weights=tuple(float(w) for w in weights),
        r2=float(weights.sum()),
        ci95=tuple((float(a), float(b)) for a, b in zip(low, high, strict=True)),
        n=n,
    )
