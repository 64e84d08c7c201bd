"""Red team, vz-maturity's pooled total and its one-item topics (adversary 1 of privacy.md
section 0: readers who see every figure their role allows and subtract).

vz-maturity has ten topics, each a one-item scale scored over the total's people, and a
total that is the mean of every answer given (``aggregate: pooled``). Since 2a709d9 the
total counts everyone who gave one answer 1..5, so people who said "Ved ikke" to most
topics now stay in the total and in every item distribution (computed over the total's
people, "Ved ikke" included).

Two attacks, each on what the organisation report and its spreadsheet carry (the stored
publication, unrounded: the Excel export writes the floats, only formatted):

- "Ved ikke" pads a distribution: a topic with 3 real answers in a unit of 6 is "for få
  svar" (its scale hidden, its item mean withheld), but its item distribution is shown
  over the 6, and its counts per code are those 3 answers. Before 2a709d9 the three who
  said "Ved ikke" to nine topics were not in the total and the whole unit was hidden.
- the pooled total minus the shown topics: where a topic is hidden but the total is shown,
  the total's mean is (sum of every answer) / (number of answers); every other topic shows
  its n and mean, so the hidden topic's answers and their sum follow.

Both leaked (the second before 2a709d9 too); both are closed: the item distributions are
decided on their scored answers as well (419e166), and the total is hidden wherever a topic
with answers is (publication._pooled_with_its_parts).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.privacy import attack
from tryghed.cli import main
from tryghed.core import figures, publication
from tryghed.core.instruments import load_builtin
from tryghed.results.aggregates import report_data

pytestmark = pytest.mark.django_db

INSTRUMENT = "vz-maturity"
TOPICS = [
    "priority",
    "operational-goals",
    "top-management",
    "line-management",
    "risk-management",
    "goals-strategy",
    "systems",
    "task-planning",
    "competence",
    "involvement",
]
MINIMUM = 5


def _item(n: int) -> str:
    return f"{INSTRUMENT}.{n}"


def _answers(codes: Sequence[int | None]) -> dict[str, int]:
    return {_item(i): c for i, c in enumerate(codes, start=1) if c is not None}


def _published(place: attack.Workplace, launched: attack.Launched) -> figures.Publication:
    attack.close(place, launched.measurement)
    return figures.load(report_data(launched.measurement))


def _unit_group(data: figures.Publication, place: attack.Workplace, name: str) -> figures.Group:
    slot = data.units[str(place.units[name].pk)].unit
    block = data.groups[slot]
    assert isinstance(block, figures.Group), f"{name} must be shown for the attack"
    return block


def test_dont_know_answers_do_not_pad_a_hidden_topics_distribution() -> None:
    """Every shown distribution of a topic's item rests on at least the minimum of real
    answers, or on none: the counts per code 1..5 are the topic's own figures (its mean
    follows from them), which are "for få svar" below the minimum (privacy.md section 2;
    section 3, one set of people per item and group)."""
    place = attack.build_workplace({"Stor": (None, 6), "Anden": (None, 6)})
    launched = attack.launch(place, (INSTRUMENT,))
    stor = place.people["Stor"]
    for person, code in zip(stor[:3], (1, 2, 4), strict=True):  # real answers to all ten
        attack.submit(launched.tokens[person.pk], _answers([code] * 10))
    for person in stor[3:]:  # "Ved ikke" to nine topics, one real answer (topic 10)
        attack.submit(launched.tokens[person.pk], _answers([0] * 9 + [3]))
    for person in place.people["Anden"]:
        attack.submit(launched.tokens[person.pk], _answers([3] * 10))
    data = _published(place, launched)
    group = _unit_group(data, place, "Stor")
    records = group.instruments[INSTRUMENT]
    # The total counts all six; it is hidden too now, as topics with answers are hidden
    # beside it (publication._pooled_with_its_parts), and the items with it; the check
    # below holds either way (it failed, with the total shown, before 419e166).

    derived: dict[str, tuple[int, ...]] = {}
    for number, topic in enumerate(TOPICS, start=1):
        item = records.items.get(_item(number))
        if not isinstance(item, figures.ItemFigure):
            continue
        real = item.counts[1:]  # codes 1..5 (code 0 is "Ved ikke")
        if 0 < sum(real) < MINIMUM:
            derived[topic] = real
            # The product says "for få svar" for the same answers right beside them.
            assert isinstance(records.scales[topic], figures.Hidden)
    assert not derived, (
        f"Stor's hidden topics, their {MINIMUM - 1} or fewer real answers per code read "
        f"off the shown distributions (padded by 'Ved ikke'): {derived}"
    )
    # Nor by subtraction: the organisation is Stor and Anden, so the organisation's counts
    # minus Anden's are Stor's.
    whole = data.groups[data.organisation]
    anden = _unit_group(data, place, "Anden").instruments[INSTRUMENT]
    assert isinstance(whole, figures.Group)
    for number in range(1, len(TOPICS) + 1):
        everyone = whole.instruments[INSTRUMENT].items.get(_item(number))
        other = anden.items.get(_item(number))
        if isinstance(everyone, figures.ItemFigure) and isinstance(other, figures.ItemFigure):
            rest = [a - b for a, b in zip(everyone.counts[1:], other.counts[1:], strict=True)]
            assert not 0 < sum(rest) < MINIMUM, f"topic {number}: Stor's answers {rest}"


def test_the_pooled_total_does_not_give_away_a_hidden_topic() -> None:
    place = attack.build_workplace({"Stor": (None, 6), "Anden": (None, 6)})
    launched = attack.launch(place, (INSTRUMENT,))
    stor = place.people["Stor"]
    rows = [
        [2, 5, 5, 2, 3, 5, 4, 5, 1, 5],
        [1, 4, 3, 5, 2, 2, 4, 5, 5, 4],
        [3, 3, 1, 4, 5, 4, 2, 2, 3, 5],
        [4, 2, 4, 1, 4, 3, 5, 4, 2, 5],
        [5, 1, 2, 3, 3, 5, 3, 3, 4, 4],
        [3, 5, 4, 2, 1, 4, 4, 2, 4, 5],
    ]
    secret = 5
    for k, (person, codes) in enumerate(zip(stor, rows, strict=True)):
        # Topic 1: one person answers it (the secret), the other five skip it.
        given: list[int | None] = [secret if k == 0 else None, *codes[1:]]
        attack.submit(launched.tokens[person.pk], _answers(given))
    for person in place.people["Anden"]:
        attack.submit(launched.tokens[person.pk], _answers([3] * 10))
    data = _published(place, launched)
    records = _unit_group(data, place, "Stor").instruments[INSTRUMENT]
    assert isinstance(records.scales["priority"], figures.Hidden), "topic 1 is hidden"
    item = records.items.get(_item(1))
    assert not isinstance(item, figures.ItemFigure), "and so is its distribution"
    # The total hidden beside it (publication._pooled_with_its_parts). Before, it was
    # shown, and total mean x (the nine topics' n + k) - their sums was a whole number in
    # [k, 5k] for k = 1 only: the one person's answer, 5. Nor can it be had as the
    # organisation's total minus Anden's: both shown would give Stor's topic 1 as well,
    # which the engine's decisions for topic 1 rule out, so one of them is hidden too.
    total = records.scales["total"]
    assert isinstance(total, figures.Hidden), "the total would give topic 1 away"
    whole = data.groups[data.organisation]
    anden = _unit_group(data, place, "Anden").instruments[INSTRUMENT]
    assert isinstance(whole, figures.Group)
    shown = [
        isinstance(g.scales["total"], figures.ScaleFigure)
        for g in (whole.instruments[INSTRUMENT], anden)
    ]
    assert not all(shown), "the organisation's total minus Anden's would be Stor's"


def test_the_pooled_total_does_not_give_away_the_few_who_answered_the_hidden_topics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same through ``tryghed score --json`` (made to be handed on)."""
    rows = ["unit," + ",".join(_item(i) for i in range(1, 11))]
    rows += ["Stor," + ",".join([str(code)] * 10) for code in (1, 2, 4)]
    rows += ["Stor," + ",".join(["0"] * 9 + ["3"]) for _ in range(3)]
    rows += ["Anden," + ",".join(["3"] * 10) for _ in range(6)]
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", INSTRUMENT, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    stor = next(g for g in result["groups"] if g["unit"] == "Stor")
    # Topics 1-9 rest on three people and are hidden, so the total is hidden with them
    # (a group's own fields in this JSON are its main scale's, the total's; before, the
    # total was shown with n = 6 and gave the three's sum over topics 1-9: 63).
    assert stor["suppressed"] is True or "mean" not in stor
    if stor["suppressed"]:
        return
    hidden = [t for t in TOPICS if stor["scales"][t].get("suppressed")]
    assert hidden == TOPICS[:9], "topics 1-9 are 'for få svar'"
    last = stor["scales"][TOPICS[9]]
    derived = None
    for k in range(1, 6 * 9 + 1):  # answers to the hidden topics
        rest = stor["mean"] * (last["n"] + k) - last["n"] * last["mean"]
        if abs(rest - round(rest)) < 1e-9 and k <= round(rest) <= 5 * k:
            assert derived is None, "one solution"
            derived = (k, round(rest))
    assert derived != (27, 63), "Stor's three: 27 answers to topics 1-9, summing to 63"


# --------------------------------------------------------------------------- redpool


def _complete_and_almost(
    units: Sequence[str], complete: Sequence[Sequence[int]]
) -> dict[str, list[list[int | None]]]:
    """Per unit, six people: the first of ``complete`` answers every topic, the other five
    say "Ved ikke" (code 0) to one topic each, a different one per person, so every topic
    has at least five answers in every unit and every figure of every group is shown."""
    out: dict[str, list[list[int | None]]] = {}
    for u, name in enumerate(units):
        rows: list[list[int | None]] = [list(complete[u])]
        for k in range(5):
            codes: list[int | None] = [3 + (k + t) % 3 for t in range(10)]
            codes[(5 * u + k) % 10] = 0
            rows.append(codes)
        out[name] = rows
    return out


def test_alpha_of_the_total_rests_on_the_minimum_too() -> None:
    """Cronbach's alpha of the total is over the complete cases (people who answered all
    ten topics 1..5); the total counts everyone who gave one answer (2a709d9), so in an
    organisation of twelve where ten said "Ved ikke" to one topic each, the organisation
    report's "trust" table showed alpha (and its n_complete) over the two who answered
    everything: a figure about two people beside the total over twelve (privacy.md
    section 3, one set of people per scale and group; section 2, the minimum)."""
    place = attack.build_workplace({"Stor": (None, 6), "Anden": (None, 6)})
    launched = attack.launch(place, (INSTRUMENT,))
    complete = [[1, 2, 5, 4, 1, 2, 5, 4, 1, 2], [5, 5, 1, 2, 4, 4, 3, 1, 2, 5]]
    for name, rows in _complete_and_almost(["Stor", "Anden"], complete).items():
        for person, codes in zip(place.people[name], rows, strict=True):
            attack.submit(launched.tokens[person.pk], _answers(codes))
    data = _published(place, launched)
    whole = data.groups[data.organisation]
    assert isinstance(whole, figures.Group)
    total = whole.instruments[INSTRUMENT].scales["total"]
    assert isinstance(total, figures.ScaleFigure) and total.n == 12, "the total is shown"
    level = data.measurement_level.scales[INSTRUMENT]["total"]
    alpha = None if isinstance(level, figures.Hidden) else level.alpha
    if alpha is None or alpha.alpha is None:
        return
    assert alpha.n_complete >= MINIMUM, (
        f"alpha {alpha.alpha:.4f} over the {alpha.n_complete} who answered every topic "
        f"(10/9 (1 - sum d^2 / (sum d)^2) of their answers' differences d)"
    )
    gap = total.n - alpha.n_complete
    assert not 0 < gap < MINIMUM, f"alpha over {alpha.n_complete}, the total over {total.n}"


def test_alpha_in_tryghed_score_rests_on_the_minimum_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same through ``tryghed score --json`` with a unit tree of one top unit (the whole
    file is its subtree, a shown group, so alpha is over everyone) and without one (alpha
    over the units that show the total, given where its people and the complete cases
    differ by 0 or at least the minimum: 12 - 2 = 10 passed that check)."""
    complete = [[1, 2, 5, 4, 1, 2, 5, 4, 1, 2], [5, 5, 1, 2, 4, 4, 3, 1, 2, 5]]
    people = _complete_and_almost(["Stor", "Anden"], complete)
    rows = ["unit," + ",".join(_item(i) for i in range(1, 11))]
    for name, answers in people.items():
        rows += [name + "," + ",".join(str(c) for c in codes) for codes in answers]
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    tree = tmp_path / "enheder.csv"
    tree.write_text("unit,parent\nTop,\nStor,Top\nAnden,Top\n", encoding="utf-8")
    for extra in (["--units", str(tree)], []):
        assert main(["score", str(path), "--instrument", INSTRUMENT, "--json", *extra]) == 0
        result = json.loads(capsys.readouterr().out)
        reliability = result["reliability"]
        if reliability["alpha"] is None:
            continue
        assert reliability["n_complete"] >= MINIMUM, (
            f"{extra}: alpha {reliability['alpha']:.4f} over {reliability['n_complete']} people"
        )


def _random_publication(
    rng: random.Random, minimum: int
) -> tuple[publication.Tree, np.ndarray, np.ndarray, dict[str, Any]] | None:
    """A random tree of 2-5 units (any depth), 0-9 people per unit answering 1-4 of the
    ten topics (the rest no answer: 0 answers in many groups), with "Ved ikke" (code 0)
    and "Ved ikke"-only people; built with the publication builder."""
    n_units = rng.randint(2, 5)
    parent: list[int | None] = [None] + [rng.randrange(u) for u in range(1, n_units)]
    rows = []
    for u in range(n_units):
        chain: list[int] = [u]
        while (p := parent[chain[-1]]) is not None:
            chain.append(p)
        path = "/" + "/".join(str(c + 1) for c in reversed(chain)) + "/"
        rows.append((u + 1, path, len(chain) - 1, True))
    tree = publication.build_tree(sorted(rows, key=lambda r: (r[1], r[0])))
    topics = rng.sample(range(10), rng.randint(1, 4))
    atoms: list[int] = []
    answers: list[list[float]] = []
    for u in range(n_units):
        for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9])):
            only_dont_know = rng.random() < 0.1
            codes = [math.nan] * 10
            for t in topics:
                r = rng.random()
                if only_dont_know or 0.55 <= r < 0.75:
                    codes[t] = 0
                elif r < 0.55:
                    codes[t] = rng.randint(1, 5)
            atoms.append(tree.index[str(u + 1)])
            answers.append(codes)
    if not atoms:
        return None
    atom = np.asarray(atoms, dtype=np.intp)
    codes_array = np.asarray(answers, dtype=np.float64)
    data = publication.build(
        publication.Measured(1, "closed"),
        [load_builtin()[INSTRUMENT]],
        tree,
        {},
        publication.Answers(
            atom=atom,
            codes={INSTRUMENT: codes_array},
            multi_n={},
            multi_counts={},
            texts={},
            responses=np.bincount(atom, minlength=tree.n_atoms),
        ),
        publication.Minimums(minimum, max(minimum, 10), max(minimum, 10)),
    )
    return tree, atom, codes_array, data


def _derived_small_sums(
    tree: publication.Tree, atom: np.ndarray, codes: np.ndarray, data: dict[str, Any], minimum: int
) -> list[tuple[list[int], list[int], int]]:
    """A linear attacker on one publication: the unknowns are each unit's count (and, the
    same algebra, sum) of answers per topic. A shown topic or item distribution gives them
    over its group, 0 answers giving 0 in each unit; a shown total gives (more than it
    does: its count and sum, not only their ratio) the sum over all ten topics. Returns
    every (units, topics, people) whose sum over those topics rests on 1..minimum-1 people
    and lies in the span of what is known."""
    size = tree.n_atoms * 10
    known: list[np.ndarray] = []

    def over(slot: int, topics: Sequence[int]) -> np.ndarray:
        row = np.zeros(size)
        for a in tree.members[slot]:
            for t in topics:
                row[a * 10 + t] = 1.0
        return row

    for slot, block in enumerate(data["groups"]):
        if block["suppressed"]:
            continue
        records = block["instruments"][INSTRUMENT]
        for t, topic in enumerate(TOPICS):
            scale, item = records["scales"][topic], records["items"][_item(t + 1)]
            if scale["suppressed"] and item["suppressed"]:
                continue
            n = scale["n"] if not scale["suppressed"] else sum(item["counts"][1:])
            if n == 0:
                for a in tree.members[slot]:
                    zero = np.zeros(size)
                    zero[a * 10 + t] = 1.0
                    known.append(zero)
            else:
                known.append(over(slot, [t]))
        if not records["scales"]["total"]["suppressed"]:
            known.append(over(slot, range(10)))
    matrix = np.asarray(known) if known else np.zeros((1, size))
    _, singular, vt = np.linalg.svd(matrix)
    free = vt[int((singular > 1e-9).sum()) :].T  # the null space: what is not known
    scored = codes >= 1
    found = []
    for units in range(1, 1 << tree.n_atoms):
        xs = [a for a in range(tree.n_atoms) if units >> a & 1]
        people = np.isin(atom, xs)
        for topics in range(1, 1 << 10):
            ts = [t for t in range(10) if topics >> t & 1]
            who = int(np.count_nonzero(scored[people][:, ts].any(axis=1)))
            if not 0 < who < minimum:
                continue
            target = np.zeros(size)
            for a in xs:
                target[[a * 10 + t for t in ts]] = 1.0
            if free.shape[1] == 0 or np.abs(target @ free).max() < 1e-7:
                found.append((xs, ts, who))
    return found


def _random_attacks(seeds: range) -> dict[int, list[tuple[list[int], list[int], int]]]:
    out = {}
    for seed in seeds:
        rng = random.Random(seed)
        minimum = rng.choice([3, 5])
        case = _random_publication(rng, minimum)
        if case is not None and (found := _derived_small_sums(*case, minimum)):
            out[seed] = found
    return out


@pytest.mark.django_db(False)
def test_no_sum_over_fewer_than_the_minimum_follows_from_the_shown_totals_and_topics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The claim of publication._pooled_with_its_parts across the tree (unit vs subtree vs
    organisation, parents minus children, deeper trees, topics with 0 answers in some
    groups, "Ved ikke"-only people): over random trees, no sum over any topics of fewer
    than the minimum of people lies in the span of the shown figures. Without the rule the
    same attacker finds such sums (the attack has teeth)."""
    seeds = range(25)
    assert _random_attacks(seeds) == {}
    monkeypatch.setattr(
        publication, "_pooled_with_its_parts", lambda scale, scales, decisions: decisions[scale.id]
    )
    assert _random_attacks(seeds), "the total shown beside hidden topics gives them away"
