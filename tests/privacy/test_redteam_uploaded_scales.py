"""Red team, scales an insider writes into an uploaded instrument file (adversary 1 of
privacy.md section 0 who is also the file's author: an administrator or AMO member).

The built-in files never let two scales share an item, and the publication's "one set of
people per item and group" rule (core.publication ``_one_set_of_people``) compares an item
only with the one scale its distribution is computed over. A file may put an item in two
scales scored on different people: a person score needs more than half of a scale's items,
so ``helhed`` (items 1 and 2) scores those who answered both and ``enkelt`` (item 1 alone)
everyone who answered item 1. Item 1's distribution is shown over ``helhed``'s people; in a
team of six where one person skipped item 2, ``enkelt``'s mean over six beside item 1's
counts over five gives that one person's answer."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.uploaded import measure, own_file, shown_groups, upload
from tryghed.core import figures
from tryghed.surveys.instrument_files import RefusedFile

pytestmark = pytest.mark.django_db

POINTS = {1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}

ITEMS = """\
items:
  - {number: 1, text: {da: Jeg bliver mødt med respekt, en: I am met with respect}}
  - {number: 2, text: {da: Jeg kan sige fra, en: I can say no}}
  - {number: 3, text: {da: Jeg får hjælp, en: I get help}}
"""


def scales(*defs: tuple[str, list[int], str]) -> str:
    lines = ["scales:"]
    for scale_id, items, aggregate in defs:
        lines += [
            f"  - id: {scale_id}",
            f"    name: {{da: Skala {scale_id}, en: Scale {scale_id}}}",
            f"    items: {items}",
            "    score: {min: 0, max: 100}",
            f"    aggregate: {aggregate}",
        ]
    return "\n".join(lines) + "\n"


NESTED = own_file(ITEMS + scales(("helhed", [1, 2], "persons"), ("enkelt", [1], "persons")))


def figures_about_each_item(
    data: figures.Publication, group: figures.Group, instrument_id: str
) -> dict[str, list[tuple[str, int]]]:
    """Per item: every shown figure of the group that rests on people who answered it
    (its distribution, each scale and key figure holding it) and its n."""
    meta = data.instruments[instrument_id]
    out: dict[str, list[tuple[str, int]]] = {}
    for item_id in meta.items:
        found: list[tuple[str, int]] = []
        item = figures.shown(group.item(instrument_id, item_id))
        if item is not None:
            found.append((f"item {item_id}", item.n))
        for scale_id, scale_meta in meta.scales.items():
            scale = figures.shown(group.scale(instrument_id, scale_id))
            if scale is not None and item_id in scale_meta.items:
                found.append((f"scale {scale_id}", scale.n))
        out[item_id] = found
    return out


def small_differences(data: figures.Publication, instrument_id: str) -> list[str]:
    """Two figures about the same item in one group whose people differ by 1..minimum-1:
    the difference is a group that small (privacy.md section 3)."""
    minimum = data.minimums.score
    found = []
    for group in shown_groups(data):
        for item_id, shown in figures_about_each_item(data, group, instrument_id).items():
            for a, n_a in shown:
                for b, n_b in shown:
                    if 0 < n_a - n_b < minimum:
                        found.append(f"{item_id}: {a} (n={n_a}) - {b} (n={n_b})")
    return found


OVERLAP = own_file(ITEMS + scales(("a", [1, 2], "persons"), ("b", [2, 3], "persons")))


def _points(data: figures.Publication, item: figures.ItemFigure, item_id: str) -> float:
    codes = data.instruments["egen"].items[item_id].codes
    return sum(k * POINTS[c] for c, k in zip(codes, item.counts, strict=True))


@pytest.mark.parametrize("shape", ["nested", "overlapping"])
def test_two_scales_sharing_an_item_do_not_give_away_one_persons_answer(shape: str) -> None:
    """Nested (``enkelt`` inside ``helhed``): scored over the larger scale's people
    (core.scoring ``_enclosing_scale``). Overlapping (``a`` = items 1-2, ``b`` = items 2-3):
    the upload refuses it (core.instruments). The one who skips the item the other scale
    does not hold says "Altid" to the shared item."""
    place = attack.build_workplace({"Team": (None, 6)})
    try:
        upload(place, NESTED if shape == "nested" else OVERLAP)
    except RefusedFile:
        assert shape == "overlapping"
        return  # nothing to measure with
    codes = (1, 2, 2, 3, 1)
    answers: list[dict[str, int]] = [{f"egen.{n}": c for n in (1, 2, 3)} for c in codes]
    if shape == "nested":
        answers.append({"egen.1": 5, "egen.3": 3})  # skips item 2: in enkelt, not helhed
    else:
        answers.append({"egen.2": 5, "egen.3": 1})  # skips item 1: in b, not a
    data = measure(place, ["egen"], {"Team": answers})
    team = data.shown_group(place.units["Team"].pk, "subtree")
    assert team is not None, "the team is shown"
    if shape == "nested":
        whole = figures.shown(team.scale("egen", "enkelt"))
        parts = [("egen.1", 1.0)]
    else:
        whole = figures.shown(team.scale("egen", "b"))
        parts = [("egen.2", 2.0), ("egen.3", 2.0)]
    shown_items = [(figures.shown(team.item("egen", i)), i) for i, _ in parts]
    if whole is not None and whole.mean is not None and all(f for f, _ in shown_items):
        # Person score = mean of the answered items' points: n * mean * k - the items' sums.
        known = sum(_points(data, f, i) for f, i in shown_items if f is not None)
        learned = whole.mean * whole.n * len(parts) - known
        assert learned != pytest.approx(100.0), "the one who skipped said 'Altid'"
    assert not small_differences(data, "egen"), small_differences(data, "egen")


def test_the_uploader_reads_why_overlapping_scales_are_refused() -> None:
    place = attack.build_workplace({"Team": (None, 6)})
    with pytest.raises(RefusedFile) as refused:
        upload(place, OVERLAP)
    assert [str(p) for p in refused.value.problems] == [
        "Linje 26: skala b: items: deler spørgsmål 2 med skala a, men ingen af de to skalaer "
        "rummer alle den andens spørgsmål. To skalaer må kun dele spørgsmål, når den ene "
        "ligger helt inden i den anden."
    ]
    # Inside one another (vz-maturity's pooled total over its topics), or the same items
    # under two ids: scored on the same people, accepted.
    nested = ITEMS + scales(("total", [1, 2, 3], "pooled"), ("a", [1, 2], "persons"))
    assert upload(place, own_file(nested)).instrument_id == "egen"
    twice = ITEMS + scales(("a", [1, 2, 3], "persons"), ("b", [1, 2, 3], "persons"))
    assert upload(place, own_file(twice, "egen-to")).instrument_id == "egen-to"
