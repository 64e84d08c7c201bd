"""A person-score scale and its items rest on one decision per item (issue 14, better
suppression for the same safety).

A scale is hidden in every group where one of its items with scored answers is hidden on
its count (``publication._scale_with_its_items``, red team). Which groups such an item is
hidden in by difference is the engine's choice; the builder now weighs that choice with
what it costs the scale (``suppression.Plan.decide``'s ``extra``), so the decision for
the item can differ from the plain one. Safety rests on the scale rule and the item's own
figures using that same decision: these tests check both on random organisations over
every built-in instrument, and that the random data reach cases where the weighed choice
differs from the plain one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.test_publication_fast_paths import random_report
from tests.core.test_suppression import assert_safe
from tryghed.core import suppression
from tryghed.core.publication import Report, _Decider, _population_scale


def scored_decisions(
    report: Report, instrument_id: str, scale_id: str, number: int
) -> list[suppression.Decision]:
    """The decisions the builder took for an item's scored answers among a scale's people."""
    figures = report.figures[instrument_id]
    chosen = figures.item_scored.get((scale_id, number))
    if chosen is not None:
        return chosen
    instrument = figures.instrument
    scale = next(s for s in instrument.scales if s.id == scale_id)
    column = scale.items.index(number)
    minimum = report.minimums.for_items([instrument.item(number)])
    return report.decider.decide(figures.scales[scale_id].atom_item_n[:, column], minimum)


def assert_nothing_small_derivable(
    report: Report, atom_counts: npt.NDArray[np.int64], published: Sequence[bool], minimum: int
) -> None:
    tree = report.tree
    groups = [g for s, g in enumerate(tree.engine_groups) if s not in tree.unpublished]
    counts: dict[Hashable, int] = {unit: int(atom_counts[tree.index[unit]]) for unit in tree.units}
    decisions = {
        g.key: suppression.Decision(published[s], None if published[s] else "complementary", 0)
        for s, g in enumerate(tree.engine_groups)
        if s not in tree.unpublished
    }
    assert_safe(groups, counts, minimum, decisions, linear=True)


def check(report: Report) -> int:
    """Assert the invariants; return how many item decisions differ from the plain ones."""
    differing = 0
    # The plain decisions, from a decider of their own: the report's gives every figure
    # with the same counts the decision made first (publication._Decider.decide).
    plain_decider = _Decider(report.tree, report.minimums.score)
    for instrument in report.instruments:
        figures = report.figures[instrument.id]
        slots = report._instrument_groups(instrument)
        for scale in instrument.scales:
            if scale.aggregate == "pooled":
                continue
            table = figures.scales[scale.id]
            shown = figures.scale_decisions[scale.id]
            for column, number in enumerate(scale.items):
                item = instrument.item(number)
                if not item.scored:
                    continue
                decisions = scored_decisions(report, instrument.id, scale.id, number)
                minimum = report.minimums.for_items([item])
                plain = plain_decider.decide(table.atom_item_n[:, column], minimum)
                differing += decisions != plain
                # The scale whose people the item's own figures are counted over.
                owner = _population_scale(instrument, item) or next(
                    s for s in instrument.scales if number in s.items
                )
                for g in range(report.tree.n_slots):
                    # 1. The scale is shown only where the item's decision shows it.
                    if shown[g].shown and int(table.item_n[g, column]) > 0:
                        assert decisions[g].shown, (scale.id, item.id, g)
                # 2. What shows the item's scored answers among the scale's people, its
                # own figures where they are counted over them and the scale's mean and
                # SD, lets no group of 1..minimum - 1 of them be derived (the scale rule
                # holds only if the item's figures follow the decision it checked).
                owner = _population_scale(instrument, item) or next(
                    s for s in instrument.scales if number in s.items
                )
                published = [
                    (shown[g].shown and int(table.item_n[g, column]) > 0)
                    or (owner is scale and not slots[g]["items"][item.id]["suppressed"])
                    for g in range(report.tree.n_slots)
                ]
                assert_nothing_small_derivable(
                    report, table.atom_item_n[:, column], published, minimum
                )
    return differing


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_scale_and_its_items_rest_on_one_decision_per_item(seed: int) -> None:
    check(random_report(seed))


def test_the_random_reports_reach_items_decided_with_their_scales_cost() -> None:
    """The property above is only as good as its data: some items' decisions differ from
    the plain ones, which is what the two invariants are about."""
    assert sum(check(random_report(seed)) for seed in range(60)) > 0
