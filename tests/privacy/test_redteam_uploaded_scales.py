"""Red team, scales an insider writes into an uploaded instrument file (adversary 1 of
privacy.md section 0 who is also the file's author: an administrator or AMO member).

The built-in files share items between scales only as vz-maturity does (a pooled total over
pooled one-item topics), and the publication's "one set of people per item and group" rule
(core.publication ``_one_set_of_people``) compares an item only with the one scale its
distribution is computed over. A file may put an item in two scales scored on different
people (a person score needs more than half of a scale's items): two that overlap, or one
inside another, where the inner one is scored over the outer one's people who answered
enough of its own items. Either way, in a team of six where one person skipped an item,
the two scales' means beside the items' counts gave that person's answers. The loader now
refuses both (core.instruments ``_check_shared_items``)."""

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


INSIDE = own_file(ITEMS + scales(("alle", [1, 2, 3], "persons"), ("foerste", [1], "persons")))
OVERLAP = own_file(ITEMS + scales(("a", [1, 2], "persons"), ("b", [2, 3], "persons")))


def _points(data: figures.Publication, item: figures.ItemFigure, item_id: str) -> float:
    codes = data.instruments["egen"].items[item_id].codes
    return sum(k * POINTS[c] for c, k in zip(codes, item.counts, strict=True))


@pytest.mark.parametrize("shape", ["nested", "overlapping"])
def test_two_scales_sharing_an_item_do_not_give_away_one_persons_answer(shape: str) -> None:
    """Nested (``enkelt`` inside ``helhed``, which needs both its items): scored over the
    larger scale's people (core.scoring ``_enclosing_scale``), so no leak in this shape,
    and refused anyway (see the next attack). Overlapping (``a`` = items 1-2, ``b`` =
    items 2-3): refused. The one who skips the item the other scale does not hold says
    "Altid" to the shared item."""
    place = attack.build_workplace({"Team": (None, 6)})
    try:
        upload(place, NESTED if shape == "nested" else OVERLAP)
    except RefusedFile:
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


def test_the_uploader_reads_why_scales_sharing_items_are_refused() -> None:
    place = attack.build_workplace({"Team": (None, 6)})
    with pytest.raises(RefusedFile) as refused:
        upload(place, OVERLAP)
    assert [str(p) for p in refused.value.problems] == [
        "Linje 26: skala b: items: deler spørgsmål 2 med skala a, men ingen af de to skalaer "
        "rummer alle den andens spørgsmål, så de bygger på forskellige personer."
    ]
    with pytest.raises(RefusedFile) as refused:
        upload(place, INSIDE)
    assert [str(p) for p in refused.value.problems] == [
        "Linje 26: skala foerste: items: deler spørgsmål 1 med skala alle. En skala må kun "
        "ligge inden i en anden, når begge har «aggregate: pooled» og den inderste har ét "
        "spørgsmål (som emnerne i Vision Zero-modenheden); ellers bygger de to skalaer på "
        "forskellige personer."
    ]
    persons_in_pooled = ITEMS + scales(("total", [1, 2, 3], "pooled"), ("a", [1, 2], "pooled"))
    with pytest.raises(RefusedFile):
        upload(place, own_file(persons_in_pooled))
    # vz-maturity's shape (a pooled total over pooled one-item topics), or the same items
    # under two ids: scored on the same people, accepted.
    topics = ("total", [1, 2, 3], "pooled"), ("t1", [1], "pooled"), ("t3", [3], "pooled")
    assert upload(place, own_file(ITEMS + scales(*topics))).instrument_id == "egen"
    twice = ITEMS + scales(("a", [1, 2, 3], "persons"), ("b", [1, 2, 3], "persons"))
    assert upload(place, own_file(twice, "egen-to")).instrument_id == "egen-to"


def test_a_scale_inside_another_does_not_give_away_the_one_who_skipped_its_item() -> None:
    """``foerste`` (item 1) inside ``alle`` (items 1-3, two answers make a score) is scored
    over ``alle``'s people who answered item 1. One of six skipped item 1: item 1's
    distribution is hidden (its five and ``alle``'s six differ by one), but ``foerste`` is a
    scale of its own, shown over the five, and ``alle``'s mean beside it and items 2-3
    gives the sixth person's score."""
    place = attack.build_workplace({"Team": (None, 6)})
    try:
        upload(place, INSIDE)
    except RefusedFile:
        return  # the upload refuses the file: nothing to measure with
    answers: list[dict[str, int]] = [{f"egen.{n}": c for n in (1, 2, 3)} for c in (1, 2, 2, 3, 1)]
    answers.append({"egen.2": 5, "egen.3": 5})  # skips item 1; "Altid" to items 2 and 3
    data = measure(place, ["egen"], {"Team": answers})
    team = data.shown_group(place.units["Team"].pk, "subtree")
    assert team is not None, "the team is shown"
    alle = figures.shown(team.scale("egen", "alle"))
    foerste = figures.shown(team.scale("egen", "foerste"))
    rest = [figures.shown(team.item("egen", i)) for i in ("egen.2", "egen.3")]
    shown = alle and foerste and alle.mean is not None and foerste.mean is not None
    if shown and alle and foerste and all(rest):
        # alle's sum = (sum of item 1 over five + items 2, 3 over six) / 3 + (P2 + P3) / 6
        known = (foerste.mean or 0.0) * foerste.n + sum(
            _points(data, f, i) for f, i in zip(rest, ("egen.2", "egen.3"), strict=True) if f
        )
        learned = 6 * ((alle.mean or 0.0) * alle.n - known / 3)
        assert learned != pytest.approx(200.0), "the sixth said 'Altid' to items 2 and 3"
    assert not small_differences(data, "egen"), small_differences(data, "egen")
