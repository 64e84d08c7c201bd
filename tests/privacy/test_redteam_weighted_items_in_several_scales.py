"""Red team of the weighed item decisions (a215744, issue 14), adversary 1 of privacy.md
section 0: a reader of the whole publication who knows the instrument.

A person-score scale's items are decided with what hiding them costs that scale
(``publication._scale_with_its_items``), and the scale is hidden wherever such an item is.
An item that lies in two person-score scales is in both scales' means: each of them,
shown beside items whose answers are alike, gives that item's answers back in the groups
it shows (tests/privacy/test_redteam_scale_mean_hidden_item.py), and the item's own
distribution shows them too. The reader puts every group that shows the item's answers,
through either scale or the item itself, into one family and subtracts. The built-in
files have no such item (vz-maturity's scales are pooled), but an uploaded file may hold
"the same items under two ids" (docs/instrument-format.md). The builder keeps one plain
decision for an item in more than one scale; weighed once per scale, with each scale's
own cost, the two scales hid the item in different groups, and their union left groups of
fewer than the minimum (checked against a builder without that condition: two of 1,500
random organisations, the two below).

The groups are read from the published JSON (``Report.build``) only; the raw answers
serve only to count the people in what the reader derives (everyone who gave the item a
scored answer: with the same items, they have a score on both scales or on neither).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from tests.core.test_scale_item_joint_choice import assert_nothing_small_derivable
from tests.privacy.uploaded import own_file
from tryghed.core import publication
from tryghed.core.instruments import parse_instrument
from tryghed.core.publication import Report


def scales(*defs: tuple[str, list[int]]) -> str:
    lines = ["scales:"]
    for scale_id, items in defs:
        lines += [
            f"  - id: {scale_id}",
            f"    name: {{da: Skala {scale_id}, en: Scale {scale_id}}}",
            f"    items: {items}",
            "    score: {min: 0, max: 100}",
        ]
    return "\n".join(lines) + "\n"


# "alle" and "igen": the same six items under two ids, with a key figure on each item
# (counted over alle's people, so hiding alle costs more than hiding igen).
TWICE = own_file(
    "items:\n"
    + "".join(
        f"  - {{number: {n}, text: {{da: Udsagn {n}, en: Statement {n}}}}}\n" for n in range(1, 7)
    )
    + scales(("alle", [1, 2, 3, 4, 5, 6]), ("igen", [1, 2, 3, 4, 5, 6]))
    + "key_figures:\n"
    + "".join(
        f"  - {{id: k{n}, label: {{da: Ofte {n}, en: Often {n}}}, items: [{n}], codes: [4, 5]}}\n"
        for n in range(1, 7)
    )
)


def organisation(seed: int) -> Report:
    """A random unit tree (2-12 units) whose people answer one such instrument, each item
    skipped now and then (so an item's answers and a scale's people differ)."""
    rng = random.Random(seed)
    instrument = parse_instrument(TWICE)
    count = rng.randint(2, 12)
    paths = {1: "/1/"}
    for unit in range(2, count + 1):
        parent = rng.randint(1, unit - 1)
        paths[unit] = f"{paths[parent]}{unit}/"
    rows = [(u, p, p.count("/") - 2, True) for u, p in paths.items()]
    tree = publication.build_tree(sorted(rows, key=lambda row: row[1]))
    n = rng.randint(10, 150)
    weights = [rng.random() ** 2 for _ in range(tree.n_atoms)]
    atom = np.array(rng.choices(range(tree.n_atoms), weights=weights, k=n), dtype=np.intp)
    skip = rng.choice([0.03, 0.1, 0.2])
    matrix = np.full((n, len(instrument.items)), np.nan)
    for j, item in enumerate(instrument.items):
        if item.type == "choice":
            for r in range(n):
                if rng.random() > skip:
                    matrix[r, j] = rng.choice(item.options).code
    answers = publication.Answers(
        atom=atom,
        codes={instrument.id: matrix},
        multi_n={
            i.id: np.zeros(tree.n_atoms, dtype=np.intp)
            for i in instrument.items
            if i.type == "multi"
        },
        multi_counts={
            i.id: np.zeros((tree.n_atoms, len(i.options)), dtype=np.intp)
            for i in instrument.items
            if i.type == "multi"
        },
        texts={i.id: [] for i in instrument.items if i.type == "text"},
        responses=np.bincount(atom, minlength=tree.n_atoms).astype(np.intp),
    )
    measured = publication.Measured(id=seed % 997 + 1, status="closed", previous_id=None)
    minimums = publication.Minimums.chosen(rng.choice([None, 3, 4]))
    return Report(measured, [instrument], tree, {}, answers, minimums)


def attack(report: Report) -> int:
    """Assert that no group of 1..minimum - 1 of an item's answerers follows from what
    shows them; return how many (item, group) pairs of a shared item were shown."""
    (instrument,) = report.instruments
    data = report.build()
    tree = report.tree
    scored = report.figures[instrument.id].scored
    shown_pairs = 0
    for item in instrument.items:
        if item.type != "choice" or not item.scored:
            continue
        holding = [
            s for s in instrument.scales if s.aggregate != "pooled" and item.number in s.items
        ]
        if len(holding) < 2:
            continue
        answered = ~np.isnan(scored.points[:, item.number - 1])
        # The reader's one family: every scale holding the item whose people include all
        # of the item's answerers (its mean then carries each of their answers), and the
        # item's own distribution.
        carriers = [s for s in holding if not np.any(answered & np.isnan(scored.scores[s.id]))]
        if len(carriers) < 2:
            continue
        people = answered & (report.answers.atom >= 0)
        per_atom = np.bincount(report.answers.atom[people], minlength=tree.n_atoms)
        shows = [False] * tree.n_slots
        for g, block in enumerate(data["groups"]):
            if block.get("suppressed"):
                continue
            figures: dict[str, Any] = block["instruments"][instrument.id]
            group_n = int(per_atom[list(tree.members[g])].sum())
            for scale in carriers:
                if not figures["scales"][scale.id]["suppressed"] and group_n > 0:
                    shows[g] = True
            if not figures["items"][item.id]["suppressed"]:
                shows[g] = True
        shown_pairs += sum(shows)
        assert_nothing_small_derivable(report, per_atom, shows, report.minimums.for_items([item]))
    return shown_pairs


# Organisations of ``organisation`` where the two scales, each deciding the shared items
# with its own cost, hid them in different groups: found by running ``attack`` on seeds
# 0-1499 against a builder without the "in one scale only" condition (these two fail
# there; with the condition, none of the 1500 does).
KNOWN = [527, 642]


@pytest.mark.parametrize("seed", KNOWN)
def test_an_item_in_two_scales_is_hidden_alike_by_both(seed: int) -> None:
    """527 (minimum 3): "alle" showed unit 5's subtree and unit 7's (two levels below
    it) and hid unit 7's own group, "igen" showed unit 7 and hid both subtrees: unit 8's
    two who answered item 6 were left over, their answers inside alle's mean."""
    assert attack(organisation(seed)) > 0, "the attack needs the shared items shown"
