"""The tree search of core.suppression, sped up for leaves, against the plain table it replaced.

``reference_hide_in_tree`` is the dynamic programme as it was before the leaves were folded
into their parents' steps (commit message of issue 14), kept verbatim: the fast one must
pick the same groups, tie for tie, on forests with many equal sizes and weights.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tryghed.core import suppression


# fmt: off
def reference_hide_in_tree(
    sizes: Sequence[int], weights: Sequence[int], parents: Sequence[int], min_size: int
) -> set[int]:
    """Complementary hides for a forest of nodes; see the module docstring, point 2.

    Dynamic programming, bottom-up: a hidden node passes its region on to its nearest
    shown ancestor, and what a subtree passes on matters only as 0, 1..min-1 or "enough",
    so per node and per amount passed on (capped at ``min_size``) keep the cheapest way to
    settle the subtree. Cost: hidden groups (a node counts as many groups as it merges),
    then hidden respondents.
    """
    size = len(sizes)
    children: list[list[int]] = [[] for _ in range(size)]
    roots: list[int] = []
    for i in range(size):  # canonical order, so children lists are canonical too
        if sizes[i] > 0:  # a node without respondents is in no tree
            (children[parents[i]] if parents[i] >= 0 else roots).append(i)
    own = [sizes[i] - sum(sizes[c] for c in children[i]) for i in range(size)]
    per_group = 1 + sum(sizes)  # one group outweighs any number of people
    # best[v][passed] = (cost, v shown?, sum passed on by its children)
    best: list[dict[int, tuple[int, bool, int]]] = [{} for _ in range(size)]
    # steps[v][k][total] = (cost, total before child k, passed on by child k)
    steps: list[list[dict[int, tuple[int, int, int]]]] = [[] for _ in range(size)]
    is_root = [False] * size
    for r in roots:
        is_root[r] = True

    for v in reference_postorder(roots, children):
        combined: dict[int, int] = {0: 0}
        for c in children[v]:
            step: dict[int, tuple[int, int, int]] = {}
            for before, cost in combined.items():
                for passed, (cost_c, _, _) in best[c].items():
                    total = min(before + passed, min_size)
                    if total not in step or cost + cost_c < step[total][0]:
                        step[total] = (cost + cost_c, before, passed)
            steps[v].append(step)
            combined = {total: entry[0] for total, entry in step.items()}
        options = best[v]
        for passed_in, cost in combined.items():
            region = own[v] + passed_in
            may_show = sizes[v] >= min_size and (region == 0 or region >= min_size)
            if may_show and (0 not in options or cost < options[0][0]):
                options[0] = (cost, True, passed_in)
            if sizes[v] < min_size or not is_root[v]:
                hide_cost = cost + (
                    per_group * weights[v] + sizes[v] if sizes[v] >= min_size else 0
                )
                out = min(region, min_size)
                if out not in options or hide_cost < options[out][0]:
                    options[out] = (hide_cost, False, passed_in)

    hidden: set[int] = set()
    stack = [(r, min(best[r].items(), key=lambda item: item[1][0])[0]) for r in roots]
    while stack:
        v, passed = stack.pop()
        _, shown, passed_in = best[v][passed]
        if not shown and sizes[v] >= min_size:
            hidden.add(v)
        for k in range(len(children[v]) - 1, -1, -1):
            _, before, from_child = steps[v][k][passed_in]
            stack.append((children[v][k], from_child))
            passed_in = before
    return hidden


def reference_postorder(roots: Sequence[int], children: Sequence[Sequence[int]]) -> Iterator[int]:
    stack: list[tuple[int, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        i, expanded = stack.pop()
        if expanded:
            yield i
        else:
            stack.append((i, True))
            stack.extend((c, False) for c in reversed(children[i]))


# fmt: on


def random_forest(rng: random.Random) -> tuple[list[int], list[int], list[int], int]:
    """A forest whose parents come after their children; small, often equal sizes."""
    count = rng.randint(1, 60)
    min_size = rng.randint(1, 8)
    # Few parents with many children, or any shape; sizes alike, so that ties abound.
    parents_from = count - rng.randint(1, 6) if rng.random() < 0.5 else 0
    parents = [
        rng.randrange(max(i + 1, parents_from), count)
        if i + 1 < count and rng.random() < 0.9
        else -1
        for i in range(count)
    ]
    alike = [0, min_size, min_size, min_size + 1, 1]
    sizes = [rng.choice(alike if rng.random() < 0.5 else range(11)) for _ in range(count)]
    for i in range(count):  # a node holds its own respondents and its children's
        if parents[i] >= 0:
            sizes[parents[i]] += sizes[i]
    parents = [p if sizes[i] > 0 else -1 for i, p in enumerate(parents)]
    weights = [rng.choice([1, 1, 1, 2]) for _ in range(count)]
    return sizes, weights, parents, min_size


@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_fast_tree_search_hides_exactly_what_the_plain_table_hides(seed: int) -> None:
    sizes, weights, parents, min_size = random_forest(random.Random(seed))
    expected = reference_hide_in_tree(sizes, weights, parents, min_size)
    assert suppression._hide_in_tree(sizes, weights, parents, min_size) == expected
