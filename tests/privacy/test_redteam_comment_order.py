"""Red team: the order of the free-text lists (commit 78148fb, ``Report._comments``).

Adversary 1 of privacy.md section 0 reads every comment list their role allows, knows the
measurement's id (it is in every URL, so every seed built from it is known) and, as a
colleague, knows the text they wrote themselves. Each group's list is the order of one
table of texts. The attacks ask whether that order tells a reader more than the sets of
texts their pages show:

1. which texts of a parent's list come from a hidden child or from the people placed
   directly in the parent;
2. which texts of two text items (hesteskoen's two questions) one person wrote;
3. across two measurements (waves) of the same people, which texts one person wrote;
4. anything about the texts outside the reader's role (a team leader reads only their
   team's list): the order of a list must be a function of the list's own texts.

The attacks build publications straight from answers (``Report``), as the product does
at closing, so many worlds that differ only where the reader cannot look are cheap to
compare; a page renders a list in its stored order (``comment_texts``, checked by
tests/results/test_unit_report.py).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence

import numpy as np

from tryghed.core import publication
from tryghed.core.instruments import load_builtin
from tryghed.core.publication import Report, comment_texts, group

HESTESKOEN = load_builtin()["hesteskoen"]
ITEM_A, ITEM_B = "hesteskoen.2", "hesteskoen.3"


def _report(
    tree_rows: Sequence[tuple[int, str]],
    writers: Sequence[tuple[int, Mapping[str, str]]],
    *,
    measurement: int = 41,
) -> Report:
    """A closed measurement of hesteskoen over units ``(pk, path)``; ``writers`` are the
    responses in stored (random id) order: the unit they answered in and their texts."""
    rows = [(pk, path, path.count("/") - 2, True) for pk, path in tree_rows]
    tree = publication.build_tree(sorted(rows, key=lambda row: row[1]))
    atom = np.array([tree.index[str(unit)] for unit, _ in writers], dtype=np.intp)
    matrix = np.full((len(writers), len(HESTESKOEN.items)), np.nan)
    for j, item in enumerate(HESTESKOEN.items):
        if item.type == "choice":
            matrix[:, j] = item.options[0].code
    texts: dict[str, list[tuple[int, str]]] = {ITEM_A: [], ITEM_B: []}
    for a, (_, written) in zip(atom.tolist(), writers, strict=True):
        for item_id, text in written.items():
            texts[item_id].append((a, text))
    answers = publication.Answers(
        atom=atom,
        codes={"hesteskoen": matrix},
        multi_n={},
        multi_counts={},
        texts=texts,
        responses=np.bincount(atom, minlength=tree.n_atoms).astype(np.intp),
    )
    measured = publication.Measured(id=measurement, status="closed", previous_id=None)
    minimums = publication.Minimums.chosen(None, 5, None)
    return Report(measured, [HESTESKOEN], tree, {}, answers, minimums)


def _lists(report: Report) -> dict[tuple[str | None, str], dict[str, list[str] | None]]:
    """Every group's lists of texts per item as a page shows them (None: hidden)."""
    data = report.build()
    out: dict[tuple[str | None, str], dict[str, list[str] | None]] = {}
    keys: list[tuple[str | None, str]] = [(None, "unit")]
    keys += [(unit, scope) for unit in data["units"] for scope in ("unit", "subtree")]
    for unit, scope in keys:
        block = group(data, unit, scope)
        comments = block.get("comments", {}) if not block.get("suppressed") else {}
        out[(unit, scope)] = {
            item_id: (
                None
                if item_id not in comments or comments[item_id]["suppressed"]
                else comment_texts(data, comments[item_id])
            )
            for item_id in (ITEM_A, ITEM_B)
        }
    return out


WORDS = [
    "Bedre ledelse",
    "Mere tid",
    "Tak for en god arbejdsplads",
    "Flere møder",
    "Færre møder",
    "Ærlig feedback",
    "Alt er fint",
    "Kaffen er dårlig",
    "Ingen kommentarer",
    "Nej",
    "Støjen i kontoret",
    "Vi mangler hænder",
    "Godt samarbejde",
    "Oplæring af nye",
    "Planlægningen halter",
    "Ros til teamet",
    "Zoner til fordybelse",
    "Ja",
]


def test_a_list_order_says_nothing_of_texts_outside_the_list() -> None:
    """Attack 4 (and 1 across roles). Team A's leader reads only Team A's list (a leader
    opens no organisation report). Two closed measurements with the same id differ only
    in what Team B wrote (Team B: 3 people, hidden; the organisation's list, read by
    others, shows their texts). If Team A's list comes in another order, the leader has
    learnt something about Team B's texts by reading their own team's page.

    Found in 78148fb: positions in the one shuffled table depend on every shown text
    (a text's place before the shuffle is its alphabetical rank in the whole table), so a
    list sorted by position showed Team B's texts through Team A's order. Fixed by
    ordering the table by a seeded hash of each text's item and string."""
    team_a = [(2, {ITEM_A: w}) for w in WORDS[:10]]
    rows = [(1, "/1/"), (2, "/1/2/"), (3, "/1/3/"), (4, "/1/4/")]
    others = [(4, {ITEM_A: f"Fra afdeling {k}"}) for k in range(6)]
    orders = set()
    for variant in range(12):
        rng = random.Random(variant)
        team_b = [(3, {ITEM_A: rng.choice(WORDS) + "!" * rng.randint(0, 2)}) for _ in range(3)]
        writers = team_a + team_b + others
        rng.shuffle(writers)  # stored in random id order
        lists = _lists(_report(rows, writers))
        assert lists[("3", "unit")][ITEM_A] is None, "Team B must be hidden"
        assert lists[(None, "unit")][ITEM_A] is not None, "the organisation shows them"
        seen = lists[("2", "unit")][ITEM_A]
        assert seen is not None and sorted(seen) == sorted(w for _, t in team_a for w in t.values())
        orders.add(tuple(seen))
    assert len(orders) == 1, "Team A's order changes with what hidden Team B wrote"


def test_a_parent_list_does_not_tell_the_hidden_child_from_the_direct_people() -> None:
    """Attack 1. Område holds 4 people directly, Lille (3 people, hidden) and Team (6,
    shown). The set difference Område minus Team is the 7 texts of Lille and the direct
    people together; the attacker wrote one of Lille's texts. Moving texts between Lille
    and the people placed directly in Område (same texts, same stored order) must leave
    every shown list in the same order, and no shown list may change."""
    rows = [(1, "/1/"), (2, "/1/2/"), (3, "/1/3/")]  # 1 Område, 2 Lille, 3 Team
    pool = WORDS[:7]
    team = [(3, {ITEM_A: w}) for w in WORDS[10:16]]
    seen_all = []
    for lille in itertools.combinations(range(7), 3):
        rest = [(2 if k in lille else 1, {ITEM_A: pool[k]}) for k in range(7)]
        writers = [rest[0], *team[:3], *rest[1:4], *team[3:], *rest[4:]]
        lists = _lists(_report(rows, writers))
        assert lists[("2", "unit")][ITEM_A] is None, "Lille must be hidden"
        assert lists[("1", "unit")][ITEM_A] is None, "Område's own 4 must be hidden"
        shown = {k: v for k, v in lists.items() if v[ITEM_A] is not None}
        assert ("1", "subtree") in shown and ("3", "unit") in shown
        seen_all.append(shown)
    assert all(s == seen_all[0] for s in seen_all), "the order tells Lille's texts apart"


def _matches(first: Sequence[str], second: Sequence[str], pairs: Mapping[str, str]) -> int:
    """How many of one person's two texts stand at the same place in the two lists."""
    where = {text: k for k, text in enumerate(second)}
    return sum(where[pairs[text]] == k for k, text in enumerate(first))


def test_the_order_does_not_link_one_persons_texts_across_two_items() -> None:
    """Attack 2. Ten people of one team each answer both of hesteskoen's questions, and
    (the worst case for a table sorted by (item, text, number) before its shuffle) each
    person's two texts have the same alphabetical rank in their item. The attacker pairs
    the k-th text of one list with the k-th of the other; over many measurements, no
    better than chance (1 in 10)."""
    rows = [(1, "/1/"), (2, "/1/2/")]
    pairs = {f"{chr(97 + k)} svar": f"{chr(97 + k)} forslag" for k in range(10)}
    hits = 0
    tries = 40
    for measurement in range(1, tries + 1):
        writers = [(2, {ITEM_A: a, ITEM_B: b}) for a, b in pairs.items()]
        random.Random(measurement).shuffle(writers)
        lists = _lists(_report(rows, writers, measurement=measurement))[("2", "unit")]
        first, second = lists[ITEM_A], lists[ITEM_B]
        assert first is not None and second is not None
        hits += _matches(first, second, pairs)
    assert hits / (10 * tries) < 0.25, "list positions link one person's two texts"


def test_the_order_does_not_link_one_persons_texts_across_waves() -> None:
    """Attack 3. The same ten people write in two waves (two measurements, ids 7 and 8)
    texts that sort alike; the attacker pairs the k-th text of the two lists; over many
    pairs of waves, no better than chance."""
    rows = [(1, "/1/"), (2, "/1/2/")]
    pairs = {f"{chr(97 + k)} i første runde": f"{chr(97 + k)} i anden runde" for k in range(10)}
    hits = 0
    tries = 40
    for wave in range(tries):
        first_wave = [(2, {ITEM_A: a}) for a in pairs]
        second_wave = [(2, {ITEM_A: b}) for b in pairs.values()]
        first = _lists(_report(rows, first_wave, measurement=2 * wave + 1))[("2", "unit")][ITEM_A]
        second = _lists(_report(rows, second_wave, measurement=2 * wave + 2))[("2", "unit")][ITEM_A]
        assert first is not None and second is not None
        hits += _matches(first, second, pairs)
    assert hits / (10 * tries) < 0.25, "list positions link one person's texts across waves"


def test_a_known_text_does_not_place_the_others() -> None:
    """Attack 1 with the attacker's own text: the colleague who wrote "Nej" in Lille
    (hidden) finds "Nej" in Område's list; the texts just before and after it must be no
    likelier Lille's than anyone else's. Over many measurements, the neighbours of the
    known text are Lille's about as often as Lille's share of the other texts (2 of 9)."""
    rows = [(1, "/1/"), (2, "/1/2/"), (3, "/1/3/")]
    lille = [(2, {ITEM_A: "Nej"}), (2, {ITEM_A: "Lille to"}), (2, {ITEM_A: "Lille tre"})]
    direct = [(1, {ITEM_A: w}) for w in WORDS[:3]]
    team = [(3, {ITEM_A: w}) for w in WORDS[10:14]]
    near_lille = 0.0
    tries = 60
    for measurement in range(1, tries + 1):
        writers = lille + direct + team
        random.Random(measurement).shuffle(writers)
        seen = _lists(_report(rows, writers, measurement=measurement))[("1", "subtree")][ITEM_A]
        assert seen is not None
        k = seen.index("Nej")
        neighbours = [seen[j] for j in (k - 1, k + 1) if 0 <= j < len(seen)]
        near_lille += sum(n.startswith("Lille") for n in neighbours) / len(neighbours)
    assert near_lille / tries < 0.4, "the known text's neighbours tell Lille's texts"
