"""Report data: hand-checked figures, suppression, no disclosure by subtraction, the cache.

ps7 points (instruments.md): code 1 Meget enig -> 10, 2 -> 7, 3 -> 4, 4 -> 2, 5 Meget uenig
-> 0 for positive items; reversed items (1, 3, 5) give 0, 2, 4, 7, 10. With all seven
items answered a person's score is the sum of the points (0-70).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from unittest import mock

import pytest

from tests.conftest import World
from tests.factories import make_unit
from tryghed.core import statistics
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Unit
from tryghed.results import aggregates
from tryghed.results.aggregates import comment_texts, compute_report_data, group, report_data
from tryghed.results.models import ReportCache
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response, Status

WEEK = "2026-W45"
T975_DF5 = 2.570581835636314  # Student t, 0.975 quantile, 5 degrees of freedom (tables)
HIDDEN_REASONS = {"below_minimum", "complementary"}


# --------------------------------------------------------------------------- factories


def make_measurement(
    world: World,
    instruments: Sequence[str] = ("ps7",),
    *,
    previous: Measurement | None = None,
    status: str = Status.CLOSED,
    **minimums: int,
) -> Measurement:
    """A measurement of the whole organisation; minimums set directly (a test may lower
    the comment minimum to its floor, which the service only allows the organisation)."""
    opens = dt.date(2026, 11, 2) if previous is None else dt.date(2027, 5, 3)
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Måling",
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(world.root)],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=14),
        previous=previous,
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=status, **minimums)
    measurement.refresh_from_db()
    return measurement


def answer(
    measurement: Measurement,
    unit: Unit,
    answers: Mapping[str, int | list[int]] | None = None,
    texts: Mapping[str, str] | None = None,
) -> Response:
    return Response.objects.create(
        measurement=measurement,
        unit=unit,
        week=WEEK,
        answers=dict(answers or {}),
        texts=dict(texts or {}),
    )


def ps7(codes: Sequence[int], prefix: str = "ps7") -> dict[str, int]:
    """Seven codes, or one code for every item."""
    if len(codes) == 1:
        codes = list(codes) * 7
    return {f"{prefix}.{n}": code for n, code in enumerate(codes, start=1)}


def answer_many(
    measurement: Measurement, unit: Unit, count: int, answers: Mapping[str, int] | None = None
) -> None:
    for _ in range(count):
        answer(measurement, unit, answers if answers is not None else ps7([2]))


def ps7_block(data: Mapping[str, Any], unit: Unit | None, scope: str = "unit") -> dict[str, Any]:
    found = group(data, unit.pk if unit is not None else None, scope)
    if found["suppressed"]:
        return dict(found)
    block: dict[str, Any] = found["instruments"]["ps7"]["scales"]["total"]
    return block


def hidden_blocks(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every hidden block anywhere in the report data."""
    if isinstance(value, Mapping):
        if value.get("suppressed") is True:
            yield value
        for child in value.values():
            yield from hidden_blocks(child)
    elif isinstance(value, list):
        for child in value:
            yield from hidden_blocks(child)


# --------------------------------------------------------------------------- hand-checked figures


@pytest.mark.django_db
def test_it_computes_a_team_of_six_by_hand(world: World) -> None:
    measurement = make_measurement(world)
    # Scores: all 1 -> 4x10 + 3x0 = 40; all 2 -> 4x7 + 3x2 = 34; all 3 -> 7x4 = 28;
    # all 4 -> 4x2 + 3x7 = 29; all 5 -> 4x0 + 3x10 = 30; positive 1 and reversed 5 -> 70.
    for codes in ([1], [2], [3], [4], [5], [5, 1, 5, 1, 5, 1, 1]):
        answer(measurement, world.team_a, ps7(codes))
    data = compute_report_data(measurement)
    block = ps7_block(data, world.team_a)

    # mean = 231 / 6 = 38.5; squared deviations 2.25 + 20.25 + 110.25 + 90.25 + 72.25 +
    # 992.25 = 1287.5, variance 1287.5 / 5 = 257.5; CI half width t(0.975; 5) * sd / sqrt(6).
    sd = math.sqrt(257.5)
    half = T975_DF5 * sd / math.sqrt(6)
    assert block["n"] == 6
    assert block["mean"] == pytest.approx(38.5)
    assert block["sd"] == pytest.approx(sd)
    assert block["ci95"] == pytest.approx([38.5 - half, 38.5 + half])
    assert block["also"]["mean"] == pytest.approx(55.0)  # 38.5 / 70 * 100
    # Bins of 7 points: 28, 29, 30, 34 in 28-35; 40 in 35-42; 70 in the last bin.
    assert block["bins"] == [0, 0, 0, 0, 4, 1, 0, 0, 0, 1]
    # Every item's reverse-keyed positions are 1..5 and one repeat: variance 8/3 > 2 = (5² - 1)
    # / 12, more disagreement than answering at random, so rwg(j) is 0.
    assert block["rwg_j"] == 0.0
    item = group(data, world.team_a.pk)["instruments"]["ps7"]["items"]["ps7.1"]
    # ps7.1 is reversed: codes 1, 2, 3, 4, 5, 5 give 0 + 2 + 4 + 7 + 10 + 10 = 33 points.
    assert item == {
        "suppressed": False,
        "n": 6,
        "counts": [1, 1, 1, 1, 2],
        "dont_know": None,
        "mean_points": pytest.approx(5.5),
    }
    # The team is everyone: its area, the whole organisation and the team read the same.
    assert ps7_block(data, world.area, "subtree")["mean"] == pytest.approx(38.5)
    assert ps7_block(data, None)["n"] == 6
    json.dumps(data, allow_nan=False)


@pytest.mark.django_db
def test_it_measures_agreement_within_a_group_by_hand(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 5, ps7([2]))  # 34 points each
    answer(measurement, world.team_a, ps7([3]))  # 28 points
    block = ps7_block(compute_report_data(measurement), world.team_a)
    # Per item positions 2,2,2,2,2,3 (reversed: 4,4,4,4,4,3): variance 1/6. With sigma² = 2,
    # ratio 1/12 and J = 7: rwg(j) = 7 * 11/12 / (7 * 11/12 + 1/12) = 77/78.
    assert block["rwg_j"] == pytest.approx(77 / 78)
    assert block["mean"] == pytest.approx((5 * 34 + 28) / 6)


@pytest.mark.django_db
def test_it_shows_the_readings_of_stress_silence_demands_needs_and_maturity(
    world: World,
) -> None:
    measurement = make_measurement(
        world, ("stress", "tavshed", "guldkorn", "support4", "vz-maturity")
    )
    stress = [4, 4, 5, 1, 2, 3]  # 3 of 6 "Ofte" or "Hele tiden"
    held_back = [1, 1, 2, 1, 1, 1]  # one person held back once
    demands = [5, 4, 4, 4, 3, 1]  # 4 too high, 1 suitable, 1 too low
    need = [1, 5, 9, 9, 10, 6]  # 1 wants less, 2 fine, 3 need more
    for i in range(6):
        answer(
            measurement,
            world.team_a,
            {
                "stress.1": stress[i],
                **{f"tavshed.{n}": held_back[i] if n == 1 else 1 for n in range(1, 5)},
                "guldkorn.11": demands[i],
                "support4.1": need[i],
                # Maturity: six topics answered 3, 4, 3, 4, 3, 4 (pooled 3.5) and topic 7
                # "ved ikke" (code 0); six of ten is more than half, so everyone scores.
                **{f"vz-maturity.{n}": 3 + (n + 1) % 2 for n in range(1, 7)},
                "vz-maturity.7": 0,
            },
        )
    found = group(compute_report_data(measurement), world.team_a.pk)["instruments"]
    assert found["stress"]["key_figures"]["stressed"] == {
        "suppressed": False,
        "n": 6,
        "share": pytest.approx(0.5),
        "reference": 0.177,
        "position": "above",
    }
    held = found["tavshed"]["key_figures"]["held-back"]
    assert held["share"] == pytest.approx(1 / 6)
    assert held["reference"] == [0.5, 0.7]
    assert held["position"] == "below"
    krav = found["guldkorn"]["scales"]["demands"]
    assert "mean" not in krav and "ci95" not in krav  # bipolar: good is the middle
    assert krav["bands"] == pytest.approx({"too_low": 1 / 6, "suitable": 1 / 6, "too_high": 4 / 6})
    assert krav["dominant_band"] == "too_high"
    assert krav["consequence"] == "too_high"
    practical = found["support4"]["scales"]["practical"]
    assert practical["bands"] == pytest.approx(
        {"want_less": 1 / 6, "fine": 2 / 6, "need_more": 3 / 6}
    )
    maturity = found["vz-maturity"]["scales"]["total"]
    assert maturity["mean"] == pytest.approx(3.5)
    assert maturity["level"] == {"lower": 3.0, "upper": 4.0}
    topic = found["vz-maturity"]["items"]["vz-maturity.7"]
    assert topic["dont_know"] == pytest.approx(1.0)  # everyone who scored said "ved ikke"


@pytest.mark.django_db
def test_it_places_a_group_in_the_four_zones(world: World) -> None:
    measurement = make_measurement(world, ("ps7", "opgavefokus"))
    for codes in ([1], [2], [3], [4], [5], [5, 1, 5, 1, 5, 1, 1]):  # ps7 mean 38.5 of 70
        answer(
            measurement,
            world.team_a,
            {**ps7(codes), "opgavefokus.1": 4, "opgavefokus.2": 4, "opgavefokus.3": 4},
        )
    zone = group(compute_report_data(measurement), world.team_a.pk)["zone"]
    # Safety 38.5 / 70 = 0.55 (high), focus 25 / 100 (low): Komfort.
    assert zone["zone"] == "comfort"
    assert zone["safety"] == pytest.approx(0.55)
    assert zone["focus"] == pytest.approx(0.25)
    assert zone["safety_uncertain"] is True  # the CI of 38.5 ± 16.8 crosses 35
    assert zone["focus_uncertain"] is False  # everyone answered alike: 25 ± 0


@pytest.mark.django_db
def test_a_damaged_answer_counts_as_no_answer_never_as_a_code(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 5, ps7([2]))  # 34 points each
    # A list, an unknown code and a word, then four good answers: 4 of 7 still scores.
    damaged: dict[str, Any] = {**ps7([2]), "ps7.1": [1, 2], "ps7.2": 9, "ps7.3": "x"}
    answer(measurement, world.team_a, damaged)
    found = group(compute_report_data(measurement), world.team_a.pk)["instruments"]["ps7"]
    assert found["scales"]["total"]["n"] == 6
    # The damaged person's items 4, 6, 7 give 7 points, reversed item 5 gives 2: 23 / 4 x 7
    # = 40.25 on 0-70; the team: (5 x 34 + 40.25) / 6.
    assert found["scales"]["total"]["mean"] == pytest.approx((5 * 34 + 40.25) / 6)
    # Items 1-3 rest on 5 of the scale's 6 people: one person's gap, so they are hidden
    # (privacy.md section 3, one set of people per item and group).
    assert [found["items"][f"ps7.{n}"] for n in (1, 2, 3)] == [
        {"suppressed": True, "reason": "complementary"}
    ] * 3
    assert found["items"]["ps7.4"]["n"] == 6


# --------------------------------------------------------------------------- suppression


@pytest.mark.django_db
def test_it_hides_a_team_below_the_minimum_with_no_numbers_at_all(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 6)
    answer_many(measurement, world.team_b, 4)
    # Five in the area itself: the area less team A is 9, so team A may be shown.
    answer_many(measurement, world.area, 5)
    data = compute_report_data(measurement)
    assert group(data, world.team_b.pk) == {"suppressed": True, "reason": "below_minimum"}
    assert group(data, world.team_b.pk, "subtree") == {
        "suppressed": True,
        "reason": "below_minimum",
    }
    assert ps7_block(data, world.team_a)["n"] == 6
    assert ps7_block(data, world.area, "subtree")["n"] == 15
    for block in hidden_blocks(data):
        assert set(block) == {"suppressed", "reason"}
        assert block["reason"] in HIDDEN_REASONS


@pytest.mark.django_db
def test_it_hides_a_second_team_so_a_small_one_cannot_be_subtracted(world: World) -> None:
    measurement = make_measurement(world)
    team_c = make_unit(world.org, parent=world.area, name="Team C", external_id="TC")
    answer_many(measurement, world.team_a, 6)
    answer_many(measurement, world.team_b, 7)
    answer_many(measurement, team_c, 3)
    data = compute_report_data(measurement)

    assert ps7_block(data, team_c) == {"suppressed": True, "reason": "below_minimum"}
    # Area (16) minus team A (6) minus team B (7) would be team C's 3: one of them must go.
    area, a, b = (
        ps7_block(data, world.area, "subtree"),
        ps7_block(data, world.team_a),
        ps7_block(data, world.team_b),
    )
    assert [x["suppressed"] for x in (area, a, b)].count(True) == 1
    hidden = next(x for x in (area, a, b) if x["suppressed"])
    assert hidden == {"suppressed": True, "reason": "complementary"}
    # Fewest hidden: a team, the smaller one, not the area and the organisation with it.
    assert a == {"suppressed": True, "reason": "complementary"}
    assert area["n"] == 16 and b["n"] == 7


@pytest.mark.django_db
def test_sensitive_scales_and_items_need_ten_answers(world: World) -> None:
    measurement = make_measurement(world, ("risk5",))
    for _ in range(7):
        answer(measurement, world.team_a, {f"risk5.{n}": 2 for n in (1, 2, 3, 8, 10, 12, 14, 16)})
    found = group(compute_report_data(measurement), world.team_a.pk)["instruments"]["risk5"]
    assert found["scales"]["workload"]["n"] == 7
    assert found["items"]["risk5.1"]["n"] == 7
    below = {"suppressed": True, "reason": "below_minimum"}
    assert found["scales"]["offensive"] == below  # holds krænkende handlinger
    assert found["scales"]["violence"] == below
    assert found["items"]["risk5.8"] == below
    assert found["key_figures"]["offensive-exposed"] == below
    assert found["key_figures"]["workload-often"]["n"] == 7


@pytest.mark.django_db
def test_it_hides_comments_below_ten_writers_and_shows_the_rest_in_a_stable_random_order(
    world: World,
) -> None:
    measurement = make_measurement(world, ("hesteskoen",))
    written = [f"Kommentar {chr(65 + i)}" for i in range(10)]  # A..J, in insertion order
    for text in written:
        answer(measurement, world.team_a, {"hesteskoen.1": 6}, {"hesteskoen.2": text})
    for i in range(9):
        answer(measurement, world.team_b, {"hesteskoen.1": 6}, {"hesteskoen.2": f"B {i}"})
    # One more writer in the area itself, so the area (20) minus team A leaves 10.
    answer(measurement, world.area, {"hesteskoen.1": 6}, {"hesteskoen.2": "Område"})
    data = compute_report_data(measurement)

    assert group(data, world.team_b.pk)["comments"]["hesteskoen.2"] == {
        "suppressed": True,
        "reason": "below_minimum",
    }
    block = group(data, world.team_a.pk)["comments"]["hesteskoen.2"]
    assert set(block) == {"suppressed", "texts"}  # texts only: no dates, no ids
    shown = comment_texts(data, block)
    assert sorted(shown) == written
    assert shown != written  # not in the order they were written
    area = comment_texts(data, group(data, world.area.pk, "subtree")["comments"]["hesteskoen.2"])
    assert len(area) == 20
    assert group(data, world.root.pk, "subtree")["comments"]["hesteskoen.3"]["suppressed"]

    # The order depends on the texts and the measurement only: the same answers stored
    # again, in reverse order and with new ids, read the same.
    Response.objects.filter(measurement=measurement, unit=world.team_a).delete()
    for text in reversed(written):
        answer(measurement, world.team_a, {"hesteskoen.1": 6}, {"hesteskoen.2": text})
    again = compute_report_data(measurement)
    assert comment_texts(again, group(again, world.team_a.pk)["comments"]["hesteskoen.2"]) == shown


# --------------------------------------------------------------------------- the attacker


def derivable_sizes(known: Mapping[int, int]) -> dict[int, int]:
    """Every set of atoms (a bit mask) an attacker derives by subtracting one known set from
    another that contains it, again and again, with its size. Inconsistent sizes fail."""
    sets = dict(known)
    frontier = list(sets)
    while frontier:
        fresh: list[int] = []
        for a, b in itertools.product(list(sets), frontier):
            for outer, inner in ((a, b), (b, a)):
                if outer != inner and outer & inner == inner:
                    rest, size = outer & ~inner, sets[outer] - sets[inner]
                    if rest in sets:
                        assert sets[rest] == size, "the report contradicts itself"
                    else:
                        sets[rest] = size
                        fresh.append(rest)
        frontier = fresh
    return sets


def attack(data: Mapping[str, Any], units: Sequence[Unit]) -> dict[tuple[str, ...], list[int]]:
    """From what the report shows, per kind of count: the sizes an attacker can derive.

    Atoms are the units; a group's atoms come from the unit tree in the database (public),
    not from the engine. Counts are the ``n`` of every shown block (and the number of
    texts of a comments block, and the earlier wave's n of a change)."""
    bit = {str(u.pk): 1 << i for i, u in enumerate(units)}
    in_report = [u for u in units if str(u.pk) in data["units"]]
    everyone = sum(bit[str(u.pk)] for u in in_report)
    groups: list[tuple[int, Mapping[str, Any]]] = [(everyone, group(data, None))]
    for unit in in_report:
        below = sum(bit[str(u.pk)] for u in in_report if u.path.startswith(unit.path))
        groups.append((bit[str(unit.pk)], group(data, unit.pk, "unit")))
        groups.append((below, group(data, unit.pk, "subtree")))
    families: dict[tuple[str, ...], dict[int, int]] = {}

    def see(kind: tuple[str, ...], atoms: int, size: int) -> None:
        family = families.setdefault(kind, {})
        assert family.get(atoms, size) == size, "two groups with the same people differ"
        family[atoms] = size

    for atoms, shown in groups:
        if shown["suppressed"]:
            continue
        for instrument_id, blocks in shown["instruments"].items():
            for scale_id, block in blocks["scales"].items():
                if not block["suppressed"]:
                    see(("scale", instrument_id, scale_id), atoms, block["n"])
                    assert sum(block["bins"]) == block["n"]
                    if "change" in block:
                        see(("before", instrument_id, scale_id), atoms, block["change"]["n_before"])
            for item_id, block in blocks["items"].items():
                if not block["suppressed"]:
                    see(("item", item_id), atoms, block["n"])
            for figure_id, block in blocks["key_figures"].items():
                if not block["suppressed"]:
                    see(("key figure", figure_id), atoms, block["n"])
        for item_id, block in shown["comments"].items():
            if not block["suppressed"]:
                see(("comments", item_id), atoms, len(block["texts"]))
    return {
        kind: sorted(set(derivable_sizes(family).values())) for kind, family in families.items()
    }


def crafted_organisation(world: World) -> list[Unit]:
    """root -> area -> (team_a, team_b, team_c -> (c1, c2)), root -> area 2 -> (d1, d2)."""
    team_c = make_unit(world.org, parent=world.area, name="C")
    area_2 = make_unit(world.org, name="Område 2")
    for parent, names in ((team_c, ("C1", "C2")), (area_2, ("D1", "D2"))):
        for name in names:
            make_unit(world.org, parent=parent, name=name)
    return list(Unit.objects.filter(organisation=world.org).order_by("path"))


def fill(
    measurement: Measurement, units: Sequence[Unit], rng: random.Random, *, texts: bool
) -> None:
    """Sizes around the minimum, some units empty, and gaps in the answers so that items,
    scales and key figures have different counts."""
    for unit in units:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 4, 5, 5, 6, 7, 9, 11])):
            answers: dict[str, int] = {
                f"ps7.{n}": rng.randint(1, 5) for n in range(1, 8) if rng.random() > 0.12
            }
            if rng.random() > 0.15:
                answers["stress.1"] = rng.randint(1, 5)
            if answers.get("stress.1", 0) >= 3 and rng.random() > 0.3:
                answers["stress.2"] = rng.randint(1, 3)
            written = (
                {"hesteskoen.2": f"tekst {rng.random()}"} if texts and rng.random() > 0.2 else {}
            )
            answer(measurement, unit, answers, written)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_an_attacker_subtracting_shown_counts_never_finds_a_group_below_the_minimum(
    world: World, seed: int
) -> None:
    rng = random.Random(seed)
    units = crafted_organisation(world)
    before = make_measurement(world, ("ps7", "stress"))
    fill(before, units, rng, texts=False)
    measurement = make_measurement(
        world, ("ps7", "stress", "hesteskoen"), previous=before, min_group_comment=5
    )
    fill(measurement, units, rng, texts=True)
    data = compute_report_data(measurement)

    found = attack(data, units)
    assert ("scale", "ps7", "total") in found and ("comments", "hesteskoen.2") in found
    for kind, sizes in found.items():
        minimum = 5  # score, and comments at the lowered comment minimum
        assert all(size == 0 or size >= minimum for size in sizes), (kind, sizes)
    for block in hidden_blocks(data):
        assert set(block) == {"suppressed", "reason"}


@pytest.mark.django_db
def test_the_attacker_finds_small_groups_when_every_count_is_shown(world: World) -> None:
    """The attack above has teeth: on true, unsuppressed counts it finds 1..4."""
    rng = random.Random(3)
    units = crafted_organisation(world)
    measurement = make_measurement(world)
    fill(measurement, units, rng, texts=False)
    everything: dict[str, Any] = {
        "units": {str(u.pk): {} for u in units},
        "groups": [],
        "organisation": 0,
    }
    counts = {u.pk: Response.objects.filter(measurement=measurement, unit=u).count() for u in units}

    def shown(size: int) -> dict[str, Any]:
        block = {"suppressed": False, "n": size, "bins": [size]}
        return {
            "suppressed": False,
            "instruments": {"ps7": {"scales": {"total": block}, "items": {}, "key_figures": {}}},
            "comments": {},
        }

    groups: list[dict[str, Any]] = [shown(sum(counts.values()))]
    for unit in units:
        below = sum(counts[u.pk] for u in units if u.path.startswith(unit.path))
        everything["units"][str(unit.pk)] = {"unit": len(groups), "subtree": len(groups) + 1}
        groups += [shown(counts[unit.pk]), shown(below)]
    everything["groups"] = groups
    sizes = attack(everything, units)[("scale", "ps7", "total")]
    assert any(0 < size < 5 for size in sizes)


# --------------------------------------------------------------------------- change

LOW = [[3], [4], [3], [4]]  # 28, 29, 28, 29 points: mean 28.5
HIGH = [[2], [1], [2], [2]]  # 34, 40, 34, 34 points: mean 35.5


@pytest.mark.django_db
def test_a_change_is_real_only_with_ten_in_both_waves_and_p_below_five_percent(
    world: World,
) -> None:
    before = make_measurement(world)
    after = make_measurement(world, previous=before)
    for wave, patterns in ((before, LOW), (after, HIGH)):
        for i in range(12):
            answer(wave, world.team_a, ps7(patterns[i % 4]))
        for i in range(8):
            answer(wave, world.team_b, ps7(patterns[i % 4]))
    data = compute_report_data(after)

    change_a = ps7_block(data, world.team_a)["change"]
    change_b = ps7_block(data, world.team_b)["change"]
    # Before: 28, 29, 28, 29 (mean 28.5); after: 34, 40, 34, 34 (mean 35.5): +7.
    assert change_a["difference"] == pytest.approx(7.0)
    assert change_a["n_before"] == 12
    assert change_a["p"] < 0.05
    assert change_a["real"] is True and change_a["reading"] == "real"
    # The same figures as the statistics engine gives on the person scores themselves.
    expected = statistics.welch_change([28, 29, 28, 29] * 3, [34, 40, 34, 34] * 3)
    assert expected is not None
    assert change_a["ci95"] == pytest.approx(list(expected.ci95))
    assert (change_a["t"], change_a["df"], change_a["p"], change_a["hedges_g"]) == pytest.approx(
        (expected.t, expected.df, expected.p, expected.hedges_g)
    )
    assert change_b["difference"] == pytest.approx(7.0)
    assert change_b["p"] < 0.05  # as clear, but only 8 people in each wave
    assert change_b["real"] is False and change_b["reading"] == "indicative"
    assert data["instruments"]["ps7"]["compared_with"] == before.pk


@pytest.mark.django_db
def test_there_is_no_change_where_the_earlier_wave_was_hidden(world: World) -> None:
    before = make_measurement(world)
    after = make_measurement(world, previous=before)
    for i in range(12):
        answer(before, world.team_a, ps7(LOW[i % 4]))
        answer(after, world.team_a, ps7(HIGH[i % 4]))
        answer(after, world.team_b, ps7(HIGH[i % 4]))
    answer_many(before, world.team_b, 3, ps7([3]))  # below the minimum in the earlier wave
    answer_many(before, world.area, 5, ps7([3]))  # so that team A's region stays large
    data = compute_report_data(after)
    assert "change" in ps7_block(data, world.team_a)
    assert ps7_block(data, world.team_b)["n"] == 12
    assert "change" not in ps7_block(data, world.team_b)


@pytest.mark.django_db
def test_ps7_is_never_compared_with_ps7_hem(world: World) -> None:
    before = make_measurement(world, ("ps7",))
    after = make_measurement(world, ("ps7-hem",), previous=before)
    answer_many(before, world.team_a, 12, ps7([3]))
    answer_many(after, world.team_a, 12, ps7([1], prefix="ps7-hem"))
    data = compute_report_data(after)
    block = group(data, world.team_a.pk)["instruments"]["ps7-hem"]["scales"]["total"]
    assert block["n"] == 12
    assert "change" not in block
    assert "change" not in json.dumps(data["groups"])
    assert data["instruments"]["ps7-hem"]["compared_with"] is None


# --------------------------------------------------------------------------- measurement level


@pytest.mark.django_db
def test_measurement_figures_are_hidden_when_the_organisation_is_below_the_minimum(
    world: World,
) -> None:
    measurement = make_measurement(world, ("ps7", "stress", "guldkorn"))
    for codes in ([1], [2], [3], [4]):
        answer(measurement, world.team_a, {**ps7(codes), "stress.1": 3})
    level = compute_report_data(measurement)["measurement_level"]
    below = {"suppressed": True, "reason": "below_minimum"}
    assert level["scales"]["ps7"]["total"] == below
    assert level["drivers"]["ps7/total"] == below
    assert level["correlations"] == []


@pytest.mark.django_db
def test_unit_correlations_use_only_units_shown_on_both_scales(world: World) -> None:
    measurement = make_measurement(world, ("ps7", "stress"))
    teams = [world.team_a, world.team_b, *(make_unit(world.org) for _ in range(3))]
    for k, team in enumerate(teams):
        for _ in range(5):  # higher safety goes with less stress, exactly
            answer(measurement, team, {**ps7([5 - k]), "stress.1": 5 - k})
    small = make_unit(world.org)
    answer_many(measurement, small, 2, {**ps7([1]), "stress.1": 5})
    # Three in the root itself: with the small team, the root's own region is 5.
    answer_many(measurement, world.root, 3, {**ps7([1]), "stress.1": 5})
    level = compute_report_data(measurement)["measurement_level"]
    pair = next(
        c for c in level["correlations"] if {c["a"], c["b"]} == {"ps7/total", "stress/total"}
    )
    # ps7 scores of codes 5..1: 30, 29, 28, 34, 40 against stress 5..1: not linear, so r is
    # whatever Pearson says; what matters is that the two-person team is left out.
    assert pair["n_units"] == 5
    reliability = level["scales"]["ps7"]["total"]["alpha"]
    assert reliability["n_complete"] == 30 and reliability["k"] == 7


# --------------------------------------------------------------------------- the cache


@pytest.mark.django_db
def test_report_data_is_computed_once_and_then_read_from_the_cache(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 6)
    with mock.patch.object(
        aggregates, "compute_report_data", wraps=aggregates.compute_report_data
    ) as compute:
        first = report_data(measurement)
        second = report_data(measurement)
    assert compute.call_count == 1
    assert second == first
    stored = ReportCache.objects.get(measurement=measurement)
    assert stored.fingerprint == aggregates.fingerprint(measurement)
    assert ps7_block(second, world.team_a)["n"] == 6


@pytest.mark.django_db
def test_a_closed_publication_never_changes_after_answers_moves_minimums_or_waves(
    world: World,
) -> None:
    before = make_measurement(world)
    measurement = make_measurement(world, previous=before, status=Status.OPEN)
    answer_many(before, world.team_a, 6)
    answer_many(measurement, world.team_a, 6)
    answer_many(measurement, world.team_b, 6)
    services.measurement_close(measurement=measurement, actor=None)
    measurement.refresh_from_db()
    with mock.patch.object(
        aggregates, "compute_report_data", wraps=aggregates.compute_report_data
    ) as compute:
        first = report_data(measurement)
        new_area = make_unit(world.org, name="Nyt område")
        org_services.unit_move(unit=world.team_b, actor=None, new_parent=new_area)
        Measurement.objects.filter(pk=measurement.pk).update(min_group_score=7)
        answer(before, world.team_a, ps7([1]))
        Measurement.objects.filter(pk=before.pk).update(min_group_score=6)
        assert report_data(measurement) == first
        # compute_report_data ran for this wave, and once for the earlier one it reads.
        assert compute.call_count == 2
    assert first["units"][str(world.team_b.pk)]["parent"] == str(world.area.pk)
    assert first["units"][str(world.team_b.pk)]["name"] == "Team B"
    assert first["minimums"]["score"] == 5


@pytest.mark.django_db
def test_an_open_measurement_has_no_report_data_at_all(world: World) -> None:
    measurement = make_measurement(world, status=Status.OPEN)
    answer_many(measurement, world.team_a, 6)
    with pytest.raises(aggregates.NotPublished):
        report_data(measurement)
    with pytest.raises(aggregates.NotPublished):
        compute_report_data(measurement)
    assert not ReportCache.objects.filter(measurement=measurement).exists()


@pytest.mark.django_db
def test_a_closed_measurement_without_answers_has_report_data_with_everything_hidden(
    world: World,
) -> None:
    measurement = make_measurement(world, ("ps7", "stress", "guldkorn", "hesteskoen"))
    data = compute_report_data(measurement)
    assert group(data, None, "organisation") == {"suppressed": True, "reason": "below_minimum"}
    assert data["texts"] == []
