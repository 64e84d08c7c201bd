"""Figures with the same counts rest on one decision (publication._Decider.decide).

Two figures with the same n in every group are, for a reader, likely the same people: an
item and the distribution of its answers, two items the same people answered, an item
everyone in its scale answered and the scale. Two safe decisions for the same counts can
together leave a group of 1 to minimum - 1 derivable, so the builder gives every figure
with the same (minimum, counts) the decision it made first. Before, an item weighed with
its scale's cost (``_scale_with_its_items``) could get another decision than a figure with
the same counts decided without that cost, or than an item of the same scale with the
same counts weighed after the scale had lost a group: in 300 random organisations, 11
count vectors carried two decisions.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.test_publication_fast_paths import random_report
from tests.core.test_scale_item_joint_choice import (
    assert_nothing_small_derivable,
    scored_decisions,
)
from tryghed.core.publication import Report

Shown = tuple[bool, ...]


def decisions_by_counts(report: Report) -> dict[tuple[int, bytes], dict[str, Shown]]:
    """(minimum, per-atom counts) -> figure -> the slots its decision shows, for every
    scale, scored item and key figure of the report."""
    out: dict[tuple[int, bytes], dict[str, Shown]] = defaultdict(dict)
    decider, minimums = report.decider, report.minimums

    def add(label: str, minimum: int, counts: np.ndarray, shown: Shown) -> None:
        out[(minimum, np.ascontiguousarray(counts, dtype=np.int64).tobytes())][label] = shown

    for instrument in report.instruments:
        figures = report.figures[instrument.id]
        for scale in instrument.scales:
            if scale.aggregate == "pooled":
                continue
            table = figures.scales[scale.id]
            minimum = minimums.for_items([instrument.item(n) for n in scale.items])
            own = decider.decide(table.atom_n, minimum)
            add(f"{instrument.id}/{scale.id}", minimum, table.atom_n, tuple(d.shown for d in own))
            for column, number in enumerate(scale.items):
                item = instrument.item(number)
                if not item.scored:
                    continue
                chosen = scored_decisions(report, instrument.id, scale.id, number)
                add(
                    f"{instrument.id}/{scale.id}/{item.id}",
                    minimums.for_items([item]),
                    table.atom_item_n[:, column],
                    tuple(d.shown for d in chosen),
                )
    return out


def check(report: Report) -> int:
    """Assert one decision per counts; return how many counts more than one figure has."""
    report.build()
    shared = 0
    for (minimum, counts), figures in decisions_by_counts(report).items():
        if len(figures) < 2:
            continue
        shared += 1
        patterns = set(figures.values())
        assert len(patterns) == 1, (minimum, np.frombuffer(counts, dtype=np.int64), figures)
        # And what they show together lets no small group be derived.
        (shown,) = patterns
        assert_nothing_small_derivable(
            report, np.frombuffer(counts, dtype=np.int64), list(shown), minimum
        )
    return shared


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_figures_with_the_same_counts_rest_on_one_decision(seed: int) -> None:
    check(random_report(seed))


def test_the_random_reports_reach_figures_with_the_same_counts() -> None:
    """Only as good as its data: the seeds that gave two decisions before are among these."""
    assert sum(check(random_report(seed)) for seed in range(40, 80)) > 0
