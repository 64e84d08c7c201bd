"""Red team (adversary 1 of privacy.md section 0, a reader of the whole publication),
found while attacking the weighed suppression choices (a215744): figures over the same
people decided under two minimums.

risk5's scales are answered by the same people when everyone answers every question, as
most do: the reader sees the same n for "Arbejdsmængde" (minimum 5) and "Krænkende
handlinger" (sensitive, minimum 10) in every group that shows both, and takes them for
one set of people. Each scale's hides are safe for its own minimum, but they were chosen
apart: under 10 a team of ten is shown and the subtree above it hidden (that one hide
also covers the unit of nine above, below 10), under 5 the team is hidden and the subtree
shown (fewer people hidden). The subtree's 12 minus the team's 10 is the two of the team
beside it, whose group shows "for få svar" and nothing else (privacy.md section 2: no
exact count). On random organisations where everyone answers everything, 9 of 600 had
such a group; with the weighing of groups by their keys (tried, not committed) 17.

A figure with a higher minimum is now shown only where the score minimum's decision on the
same counts shows it too (``publication._Decider``), so whatever figures rest on the same
people, every group the reader sees lies in one safe family for the score minimum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tryghed.core import publication
from tryghed.core.instruments import load_builtin

RISK5 = load_builtin()["risk5"]
# Unit: (path, people). Ledelse (15) > Område (9) > Afsnit (none of its own) > Team A
# (10), Team B (2).
UNITS = {
    1: ("/1/", 15),
    2: ("/1/2/", 9),
    3: ("/1/2/3/", 0),
    4: ("/1/2/3/4/", 10),
    5: ("/1/2/3/5/", 2),
}
WORKLOAD, OFFENSIVE = "workload", "offensive"


def publish() -> tuple[publication.Tree, dict[str, Any]]:
    """Everyone answers every question of risk5 (varied answers); the publication with the
    default minimums."""
    rows = [(u, path, path.count("/") - 2, True) for u, (path, _) in UNITS.items()]
    tree = publication.build_tree(sorted(rows, key=lambda row: row[1]))
    atom = np.array(
        [tree.index[str(u)] for u, (_, people) in UNITS.items() for _ in range(people)],
        dtype=np.intp,
    )
    n = len(atom)
    codes = np.full((n, len(RISK5.items)), np.nan)
    for j, item in enumerate(RISK5.items):
        if item.type == "choice":
            codes[:, j] = [item.options[(r + j) % len(item.options)].code for r in range(n)]
    multi = [i for i in RISK5.items if i.type == "multi"]
    answers = publication.Answers(
        atom=atom,
        codes={RISK5.id: codes},
        multi_n={i.id: np.zeros(tree.n_atoms, dtype=np.intp) for i in multi},
        multi_counts={i.id: np.zeros((tree.n_atoms, len(i.options)), dtype=np.intp) for i in multi},
        texts={i.id: [] for i in RISK5.items if i.type == "text"},
        responses=np.bincount(atom, minlength=tree.n_atoms).astype(np.intp),
    )
    report = publication.Report(
        publication.Measured(id=1, status="closed", previous_id=None),
        [RISK5],
        tree,
        {},
        answers,
        publication.Minimums.chosen(),
    )
    return tree, report.build()


def shown_n(data: dict[str, Any], g: int, scale_id: str) -> int | None:
    block = data["groups"][g]
    if block.get("suppressed"):
        return None
    figure = block["instruments"][RISK5.id]["scales"][scale_id]
    return None if figure["suppressed"] else int(figure["n"])


def test_two_scales_of_the_same_people_under_two_minimums_give_no_small_group() -> None:
    tree, data = publish()
    minimum = int(data["minimums"]["score"])
    # The reader's premise: wherever both scales are shown, their n are the same.
    both = [
        (a, b)
        for g in range(tree.n_slots)
        if (a := shown_n(data, g, WORKLOAD)) is not None
        and (b := shown_n(data, g, OFFENSIVE)) is not None
    ]
    assert both and all(a == b for a, b in both), both
    # One family: every group either scale shows, with its n. The reader subtracts the
    # largest shown groups inside each from it.
    n_of: dict[int, int] = {}
    for g in range(tree.n_slots):
        for scale_id in (WORKLOAD, OFFENSIVE):
            if (n := shown_n(data, g, scale_id)) is not None:
                n_of[g] = n
    members = [frozenset(m) for m in tree.members]
    derived: list[tuple[list[str], int]] = []
    for g, n in n_of.items():
        inside = [h for h in n_of if members[h] < members[g]]
        largest = [h for h in inside if not any(members[h] < members[k] for k in inside)]
        left = members[g].difference(*(members[h] for h in largest))
        derived.append((sorted(tree.units[a] for a in left), n - sum(n_of[h] for h in largest)))
    small = [(units, people) for units, people in derived if 0 < people < minimum]
    assert not small, f"units {small[0][0]} hold {small[0][1]} (fewer than {minimum})"
    # For the right reason: the sensitive scale is still shown where it is safe.
    assert shown_n(data, tree.slot[("subtree", "2")], OFFENSIVE) == 21
