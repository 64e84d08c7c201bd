"""Benchmark: score 200,000 respondents x 40 items over a 2,000-unit tree.

Run: ``python bench/bench_score.py`` (``make bench`` runs every bench/bench_*.py).
Data generation is excluded from the timed phases. Each phase prints its wall time (the
best of ``--repeat`` passes) and the peak of memory newly allocated in it (tracemalloc,
numpy buffers included); the last line prints the process's peak resident memory. No
assertions: timings belong here, not in tests. Aim (issue 14): scoring + suppression at
most 5 x the bare numpy pass printed beside it (n, sum and sum of squares per item and
unit).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Hashable
from typing import TypeVar

# One core: keep BLAS (not that scoring uses it) from spreading over more.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from tryghed.commands.score import suppress_distinct  # noqa: E402
from tryghed.core import scoring, suppression  # noqa: E402
from tryghed.core.instruments import Instrument, parse_instrument  # noqa: E402

T = TypeVar("T")

N_RESPONDENTS = 200_000
N_ITEMS = 40
N_SCALES = 5
N_UNITS = 2_000
MIN_GROUP = 5


def bench_instrument() -> Instrument:
    """40 ps7-like items (five options, every third item reverse keyed) in five scales."""
    options = "\n".join(
        f"  - {{code: {c}, label: {{da: s{c}, en: o{c}}}, points: {p}}}"
        for c, p in zip(range(1, 6), (10, 7, 4, 2, 0), strict=True)
    )
    items = "\n".join(
        f"  - {{number: {n}, text: {{da: u{n}, en: i{n}}}, reverse: {str(n % 3 == 1).lower()}}}"
        for n in range(1, N_ITEMS + 1)
    )
    per = N_ITEMS // N_SCALES
    scales = "\n".join(
        f"  - id: s{s}\n    name: {{da: s{s}, en: s{s}}}\n"
        f"    items: [{', '.join(str(s * per + k + 1) for k in range(per))}]\n"
        f"    score: {{min: 0, max: 100}}"
        for s in range(N_SCALES)
    )
    text = (
        "format: 1\nid: bench40\nversion: 1\nname: {da: bench, en: bench}\n"
        "description: {da: bench, en: bench}\nsource: {reference: synthetic}\n"
        f"authored_by: organisation\noptions:\n{options}\nitems:\n{items}\nscales:\n{scales}\n"
    )
    return parse_instrument(text, "bench40.yaml")


def make_tree(rng: np.random.Generator) -> dict[str, str | None]:
    """Root, 10 divisions, 100 departments, 1,889 teams: 2,000 units on 4 levels."""
    parent_of: dict[str, str | None] = {"org": None}
    divisions = [f"d{i}" for i in range(10)]
    departments = [f"{d}-a{j}" for d in divisions for j in range(10)]
    for d in divisions:
        parent_of[d] = "org"
    for dep in departments:
        parent_of[dep] = dep.split("-")[0]
    n_teams = N_UNITS - len(parent_of)
    owners = rng.choice(len(departments), size=n_teams)
    for t, owner in enumerate(owners):
        parent_of[f"{departments[owner]}-t{t}"] = departments[owner]
    return parent_of


def make_answers(
    rng: np.random.Generator, units: list[str], parent_of: dict[str, str | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Codes 1..5 with a unit effect, 3 % missing; most people in teams, some above."""
    leaves = [u for u in units if u.count("-") == 2]
    weights = rng.lognormal(0.0, 0.8, size=len(leaves))  # uneven team sizes: some tiny
    weights /= weights.sum()
    index = {u: i for i, u in enumerate(units)}
    n_leaf = int(N_RESPONDENTS * 0.95)
    atom = np.empty(N_RESPONDENTS, dtype=np.intp)
    atom[:n_leaf] = np.array([index[u] for u in leaves])[rng.choice(len(leaves), n_leaf, p=weights)]
    others = [index[u] for u in units if u.count("-") < 2]
    atom[n_leaf:] = rng.choice(others, N_RESPONDENTS - n_leaf)
    unit_effect = rng.normal(0.0, 0.5, size=len(units))
    latent = unit_effect[atom][:, None] + rng.normal(0.0, 1.0, size=(N_RESPONDENTS, N_ITEMS))
    codes = np.clip(np.round(3.0 + latent), 1, 5)
    codes[rng.random(codes.shape) < 0.03] = np.nan
    return codes, atom


class Phases:
    """Runs named phases; times them, or (second pass) measures their peak allocations.

    tracemalloc slows Python-heavy code (suppression) several times over, so the timing
    pass runs without it and a second pass of the same work measures memory.
    """

    def __init__(self, trace_memory: bool) -> None:
        self.trace_memory = trace_memory
        self.results: list[tuple[str, float]] = []

    def run(self, label: str, fn: Callable[[], T]) -> T:
        if self.trace_memory:
            tracemalloc.start()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        if self.trace_memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.results.append((label, peak / 2**20))
        else:
            self.results.append((label, elapsed))
        return result


def pipeline(
    phases: Phases,
    instrument: Instrument,
    parent_of: dict[str, str | None],
    codes: np.ndarray,
    atom: np.ndarray,
) -> int:
    """Scoring and suppression of every group, unit and subtree scope; returns groups shown."""
    units = list(parent_of)
    index = {u: i for i, u in enumerate(units)}
    groups_list = phases.run("tree groups", lambda: suppression.tree_groups(parent_of))

    def build() -> scoring.Groups:
        members = [[index[str(a)] for a in g.atoms] for g in groups_list]
        return scoring.Groups.from_members(atom, len(units), members)

    grouping = phases.run(f"group index ({len(groups_list):,} groups)", build)
    scored = phases.run(
        "person scores (5 scales)", lambda: scoring.score_persons(instrument, codes)
    )
    figures = phases.run(
        "group figures (n, mean, SD, CI, rwg, items, bins)",
        lambda: [scoring.scale_figures(scored, s.id, grouping) for s in instrument.scales],
    )
    phases.run(
        "answer distributions (40 items)", lambda: scoring.item_distributions(scored, grouping)
    )

    def counts(values: np.ndarray) -> dict[Hashable, int]:
        return dict(zip(units, values.tolist(), strict=True))

    def suppress_scales() -> list[list[suppression.Decision]]:
        return [suppress_distinct(groups_list, counts(f.atom_n), MIN_GROUP) for f in figures]

    decisions = phases.run("suppression (5 scales)", suppress_scales)

    def suppress_items() -> None:
        for f in figures:
            for k in range(f.atom_item_n.shape[1]):
                suppress_distinct(groups_list, counts(f.atom_item_n[:, k]), MIN_GROUP)

    phases.run("suppression (40 items, each on its own n)", suppress_items)
    # What the publication builder does: the engine's plan for the groups prepared once,
    # asked with the counts as an array in the plan's order of atoms.
    plan = phases.run("suppression plan, prepared once", lambda: suppression.prepare(groups_list))
    order = np.asarray([index[str(a)] for a in plan.atoms], dtype=np.intp)

    def planned_scales() -> None:
        for f in figures:
            plan.decide(f.atom_n[order], MIN_GROUP)

    phases.run("suppression (5 scales), prepared plan", planned_scales)

    def planned_items() -> None:
        for f in figures:
            for k in range(f.atom_item_n.shape[1]):
                plan.decide(f.atom_item_n[order, k], MIN_GROUP)

    phases.run("suppression (40 items), prepared plan", planned_items)
    return sum(d.shown for d in decisions[0])


PLANNED = (
    "suppression plan, prepared once",
    "suppression (5 scales), prepared plan",
    "suppression (40 items), prepared plan",
)
UNPLANNED = ("suppression (5 scales)", "suppression (40 items, each on its own n)")


def totals(results: list[tuple[str, float]]) -> tuple[float, float]:
    """Scoring + suppression, with ``suppress`` per figure and with the prepared plan."""
    unprepared = sum(t for label, t in results if label not in PLANNED)
    prepared = sum(t for label, t in results if label not in UNPLANNED)
    return unprepared, prepared


def numpy_baseline(codes: np.ndarray, atom: np.ndarray, n_units: int) -> float:
    """A bare numpy pass: n, sum and sum of squares of every item per unit (bincount)."""
    start = time.perf_counter()
    for k in range(codes.shape[1]):
        column = codes[:, k]
        answered = ~np.isnan(column)
        where = atom[answered]
        values = column[answered]
        np.bincount(where, minlength=n_units)
        np.bincount(where, weights=values, minlength=n_units)
        np.bincount(where, weights=values * values, minlength=n_units)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--repeat", type=int, default=3, help="timing passes; each phase's best is printed"
    )
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    instrument = bench_instrument()
    parent_of = make_tree(rng)
    codes, atom = make_answers(rng, list(parent_of), parent_of)
    print(
        f"{N_RESPONDENTS:,} respondents x {N_ITEMS} items, {len(parent_of):,} units, "
        f"{N_SCALES} scales, min group {MIN_GROUP}"
    )
    # scoring imports scipy.stats on first use (the t quantile of the CIs); a worker that
    # builds publications has paid that once, so it is timed apart from the phases.
    start = time.perf_counter()
    import scipy.stats  # noqa: F401

    scipy_import = time.perf_counter() - start
    # Each pass times the phases and then the numpy pass (best of three) right after them,
    # so that each ratio compares work done under about the same load; the table prints
    # each phase's best over the passes.
    passes: list[list[tuple[str, float]]] = []
    baselines: list[float] = []
    for _ in range(max(1, args.repeat)):
        timing = Phases(trace_memory=False)
        shown = pipeline(timing, instrument, parent_of, codes, atom)
        passes.append(timing.results)
        baselines.append(min(numpy_baseline(codes, atom, len(parent_of)) for _ in range(3)))
    best = [(label, min(p[k][1] for p in passes)) for k, (label, _) in enumerate(passes[0])]
    memory = Phases(trace_memory=True)
    pipeline(memory, instrument, parent_of, codes, atom)

    print(f"{'phase':<52} {'seconds':>8} {'peak MiB':>9}")
    for (label, seconds), (_, mib) in zip(best, memory.results, strict=True):
        print(f"{label:<52} {seconds:8.3f} {mib:9.1f}")
    unprepared, prepared = totals(best)
    baseline = min(baselines)
    tracemalloc.start()
    numpy_baseline(codes, atom, len(parent_of))
    baseline_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"{'baseline: bare numpy pass (n, sum, sum² per item and unit)':<52} {baseline:8.3f}"
        f" {baseline_mib:9.1f}"
    )
    print(f"{'total scoring + suppression, suppress() per figure':<52} {unprepared:8.3f}")
    print(f"{'total scoring + suppression, prepared plan':<52} {prepared:8.3f}")
    peak_phase = max(mib for _, mib in memory.results)
    print(
        f"largest phase peak {peak_phase:.1f} MiB = {peak_phase / baseline_mib:.1f} x the numpy "
        f"pass's {baseline_mib:.1f} MiB"
    )
    print(
        f"ratio to the numpy pass (best of each): {unprepared / baseline:.1f} x unprepared, "
        f"{prepared / baseline:.1f} x with the prepared plan "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    ratios = sorted(totals(p)[1] / b for p, b in zip(passes, baselines, strict=True))
    print(
        "ratio with the prepared plan, pass by pass: "
        + ", ".join(f"{r:.1f} x" for r in ratios)
        + f" (median {ratios[len(ratios) // 2]:.1f} x)"
    )
    print(f"{'scipy.stats import, once per process (not in the totals)':<52} {scipy_import:8.3f}")
    print(f"groups shown on scale s0: {shown:,} of {2 * len(parent_of):,}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory of the process: {peak_kib / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
