"""Red team of the joint rule (``publication._Decider.joint_hides``) in one reader's view:
privacy.md section 0's reader who remembers what their role shows, and takes two figures
with the same n wherever both are shown to them for the same people.

The rule's look-alike check (``_apparent_hides``) merges figures on the whole publication.
Two figures with a higher minimum (10: a sensitive tick-all item, a comment question) that
differ in a group the leader does not see are two sets of people there, and that check
never joins them; in the leader's view they agree wherever both are shown, and the leader
subtracts one's group from the other's. The rule's check on the true counts would see the
difference but judges every region by the score minimum (5), so 5 to 9 people pass.

Each case is judged two ways, as in tests/privacy/test_redteam_joint_rule.py: by the
stronger audit (core.disclosure over results.audit.publication_figures) in the whole view
and every leader's, and against the raw answers (a derived set is a true leak when its
count is the true count of every population it combines).

The organisation (units of 0 to 12 people, everyone answers every choice of risk5):

    1 (no people of its own)
    ├── 2 (11 people)
    │   └── 3 (12 people)
    ├── 5 (12 people)
    └── 6 (12 people)

Two figures of minimum 10 have the same count in units 2 and 3 and in the whole
organisation, and differ only in units 5 and 6 (by one each way). Each figure's own
decision hides the region 2's own 5 under 10; they hide it apart (the one showing unit 6's
10 keeps unit 2's subtree and hides unit 3, the other, with 9 there, must hide unit 2's
subtree and keeps unit 3). The whole publication shows both in unit 5 (11 and 12): not the
same people, no check. The leaders of units 2 and 3 do not see unit 5; they see the two
agree on the organisation and subtract.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.privacy.test_redteam_joint_rule import true_count
from tests.privacy.test_redteam_same_people import leader_views
from tryghed.core import publication
from tryghed.core.disclosure import audit
from tryghed.core.instruments import load_builtin
from tryghed.core.tighten import tighten
from tryghed.results.audit import publication_figures

BUILTIN = load_builtin()
RISK5 = BUILTIN["risk5"]
HESTESKOEN = BUILTIN["hesteskoen"]

PATHS = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 5: "/1/5/", 6: "/1/6/"}
PEOPLE = {1: 0, 2: 11, 3: 12, 5: 12, 6: 12}
# Per unit: who ticked something (or wrote a comment). Equal in 2, 3 and the whole (36);
# 11 and 10 against 12 and 9 in units 5 and 6.
FIRST = {1: 0, 2: 5, 3: 10, 5: 11, 6: 10}
SECOND = {1: 0, 2: 5, 3: 10, 5: 12, 6: 9}


def organisation(
    ticks: dict[str, dict[int, int]], texts: dict[str, dict[int, int]]
) -> publication.Report:
    """risk5 (and hesteskoen when ``texts``) over ``PATHS`` and ``PEOPLE``; every choice
    answered; ``ticks`` per tick-all item and ``texts`` per comment question: how many of
    each unit's people ticked something or wrote a comment."""
    rows = [(u, p, p.count("/") - 2, True) for u, p in PATHS.items()]
    tree = publication.build_tree(sorted(rows, key=lambda row: row[1]))
    atom = np.array(
        [tree.index[str(u)] for u, count in PEOPLE.items() for _ in range(count)], dtype=np.intp
    )
    instruments = [RISK5, HESTESKOEN] if texts else [RISK5]
    codes: dict[str, Any] = {}
    for instrument in instruments:
        matrix = np.full((len(atom), len(instrument.items)), np.nan)
        for j, item in enumerate(instrument.items):
            if item.type == "choice":
                matrix[:, j] = [
                    item.options[(r + j) % len(item.options)].code for r in range(len(atom))
                ]
        codes[instrument.id] = matrix
    multi_n: dict[str, Any] = {}
    multi_counts: dict[str, Any] = {}
    for item in RISK5.items:
        if item.type != "multi":
            continue
        counts = np.zeros(tree.n_atoms, dtype=np.intp)
        for unit, count in ticks.get(item.id, {}).items():
            counts[tree.index[str(unit)]] = count
        per_option = np.zeros((tree.n_atoms, len(item.options)), dtype=np.intp)
        per_option[:, 0] = counts
        multi_n[item.id], multi_counts[item.id] = counts, per_option
    written = {
        item_id: [
            (tree.index[str(unit)], "Mere tid.")
            for unit, count in by_unit.items()
            for _ in range(count)
        ]
        for item_id, by_unit in texts.items()
    }
    answers = publication.Answers(
        atom=atom,
        codes=codes,
        multi_n=multi_n,
        multi_counts=multi_counts,
        texts=written,
        responses=np.bincount(atom, minlength=tree.n_atoms).astype(np.intp),
    )
    measured = publication.Measured(id=1, status="closed", previous_id=None)
    return publication.Report(
        measured, instruments, tree, {}, answers, publication.Minimums.chosen()
    )


def true_leaks(report: publication.Report, data: dict[str, Any] | None = None) -> list[str]:
    """The stronger audit's leaks, in the whole view and each leader's, that are true by
    the answers for every population they combine (in ``data``, else ``report`` built)."""
    data = report.build() if data is None else data
    found: list[str] = []
    for keys in [None, *leader_views(report.tree)]:
        for leak in audit(publication_figures(data, report.instruments, keys)).leaks:
            atoms = [report.tree.index[a] for a in leak.atoms]
            counts = [true_count(report, p, atoms) for p in leak.population.split(" = ")]
            if counts and all(c == leak.n for c in counts):
                view = "whole" if keys is None else f"leader of unit {keys[0][1]}"
                terms = " ".join(f"{int(t.coefficient):+d} × {t.label} ({t.n})" for t in leak.terms)
                found.append(
                    f"{view}: {leak.n} of {leak.population} in {sorted(leak.atoms)}: {terms}"
                )
    return found


def test_two_sensitive_tick_items_apart_outside_a_leaders_view_give_no_count_under_ten() -> None:
    """risk5.9 shows unit 2's subtree (15), risk5.17 unit 3 (10); both show 36 for the
    organisation and nothing else the leaders of units 2 and 3 see, so 15 - 10 = 5 of
    unit 2's own people ticked each (true for both), under the sensitive minimum of 10.
    Unit 5 (11 against 12) tells them apart in the whole publication only."""
    report = organisation({"risk5.9": FIRST, "risk5.17": SECOND}, {})
    found = true_leaks(report)
    assert not found, "\n".join(found)


def test_two_comment_questions_apart_outside_a_leaders_view_give_no_count_under_ten() -> None:
    """The same with hesteskoen's two comment questions (comment minimum 10): hesteskoen.2
    shows unit 2's subtree (15 comments), hesteskoen.3 unit 3 (10); 15 - 10 = 5 in unit
    2's own group wrote a comment to each."""
    report = organisation({}, {"hesteskoen.2": FIRST, "hesteskoen.3": SECOND})
    found = true_leaks(report)
    assert not found, "\n".join(found)


def test_a_publication_stored_before_the_rule_is_tightened_while_its_answers_exist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stored under schema 6 (the true-count check at the score minimum only), the leak of
    the first case is there. A read tightens a publication of an earlier schema (7 now)
    against a fresh build while its answers exist (``results.aggregates``,
    ``core.tighten``): the leak is gone."""
    ticks = {"risk5.9": FIRST, "risk5.17": SECOND}
    with monkeypatch.context() as patched:
        patched.setattr(publication._Decider, "_tiers", lambda self, minimums: [self._floor])
        old = organisation(ticks, {})
        stored = old.build()
    assert true_leaks(old, stored)
    stored["schema"] = 6
    report = organisation(ticks, {})
    tightened = tighten(stored, fresh=report.build(), instruments=[RISK5], previous=None)
    assert tightened.hidden > 0 and tightened.data["schema"] == publication.SCHEMA
    assert not true_leaks(report, tightened.data)
