"""Benchmark: suppression over a 2,000-unit tree, unit and subtree scope (4,000 groups).

Run: ``python bench/bench_suppression.py`` (``make bench`` runs every bench/bench_*.py).
Prints the wall time of each case (best of a few runs) and how many groups are hidden,
by reason. No assertions: timings belong here, not in tests. Target: the tree well under
a second. Also timed, for information: a 500-unit tree through both paths, and crossings
of smaller trees with three job groups (the general path's real work). The general path
is superlinear and fails closed past its work limit (about 2,000 groups of a crossing).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Literal

from tryghed.core import suppression


def random_tree(rng: random.Random, units: int) -> dict[str, str | None]:
    """Unit 0 is the organisation; every other unit hangs under a random earlier one."""
    parent_of: dict[str, str | None] = {"u0": None}
    for i in range(1, units):
        parent_of[f"u{i}"] = f"u{rng.randrange(i)}"
    return parent_of


def run(
    label: str,
    groups: Sequence[suppression.Group],
    counts: dict[Hashable, int],
    min_size: int,
    repeat: int,
    strategy: Literal["auto", "general"] = "auto",
) -> None:
    best = float("inf")
    decisions: dict[Hashable, suppression.Decision] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        decisions = suppression.suppress(groups, counts, min_size, strategy=strategy)
        best = min(best, time.perf_counter() - start)
    reasons = Counter(d.reason for d in decisions.values() if not d.shown)
    print(
        f"{label:<52} {len(groups):>6} groups  {best * 1000:8.1f} ms  hidden: "
        f"{reasons['below_minimum']} below the minimum, {reasons['complementary']} complementary"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--min-group", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    parent_of = random_tree(rng, args.units)
    counts: dict[Hashable, int] = {u: rng.randint(0, 30) for u in parent_of}
    groups = suppression.tree_groups(parent_of)
    run(
        f"tree, {args.units} units, unit + subtree scope",
        groups,
        counts,
        args.min_group,
        args.repeat,
    )
    run(
        f"tree, {args.units} units, subtree scope only",
        suppression.tree_groups(parent_of, unit_scope=False),
        counts,
        args.min_group,
        args.repeat,
    )
    # The general path on a tree, for comparison; it is superlinear, so a smaller one.
    mid = random_tree(rng, 500)
    mid_counts: dict[Hashable, int] = {u: rng.randint(0, 30) for u in mid}
    mid_groups = suppression.tree_groups(mid)
    strategies: tuple[Literal["auto", "general"], ...] = ("auto", "general")
    for strategy in strategies:
        run(
            f"tree, 500 units, {strategy} path", mid_groups, mid_counts, args.min_group, 1, strategy
        )

    jobs = ["job:nurse", "job:doctor", "job:other"]
    for units in (60, 120):
        small = random_tree(rng, units)
        cross = suppression.crossed_groups(small, jobs)
        cells: dict[Hashable, int] = {(u, j): rng.randint(0, 15) for u in small for j in jobs}
        run(f"crossing, {units} units x {len(jobs)} job groups", cross, cells, args.min_group, 1)


if __name__ == "__main__":
    main()
