"""Red team, key figures an insider writes into an uploaded instrument file (adversary 1 of
privacy.md section 0 who also wrote the file: an administrator or AMO member).

A key figure is counted over the people of the largest scale holding all its items, else
over everyone who answered one of them (core.publication ``_key_figure_population``); an
item's distribution over the people of the largest scale holding it. The built-in files
keep every key figure inside one scale. A file may mix: ``altid`` over item 1 (in the
scale ``a`` of items 1-3, whose people answered two of them) and item 4 (in no scale) is
counted over everyone who answered item 1 or 4, while item 1's distribution is over
``a``'s people. Whoever answered item 1 but too few of ``a``'s items is in the key figure
and in no distribution of item 1: beside the shown distributions (no "Altid" on item 1 among
``a``'s people, none on item 4) the key figure's one "Altid" is that person's."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.uploaded import measure, own_file, shown_groups, upload
from tryghed.core import figures
from tryghed.surveys.instrument_files import RefusedFile

pytestmark = pytest.mark.django_db

ALWAYS = 5

MIXED = own_file("""\
items:
  - {number: 1, text: {da: Jeg bliver talt grimt til, en: I am spoken to rudely}}
  - {number: 2, text: {da: Jeg bliver overset, en: I am overlooked}}
  - {number: 3, text: {da: Jeg bliver afbrudt, en: I am interrupted}}
  - {number: 4, text: {da: Jeg bliver holdt udenfor, en: I am left out}, scored: false}
scales:
  - id: a
    name: {da: Omgangstone, en: Tone}
    items: [1, 2, 3]
    score: {min: 0, max: 100}
key_figures:
  - id: altid
    label: {da: Altid på spørgsmål 1 eller 4, en: Always on item 1 or 4}
    items: [1, 4]
    codes: [5]
""")


def always_left_over(data: figures.Publication) -> dict[str, int]:
    """Per shown group with the key figure: the people it counts beyond every "Altid" its
    items' shown distributions hold (none of them can be among those; so each left over
    answered where no shown distribution counts them)."""
    meta = data.instruments["egen"]
    found = {}
    for k, group in enumerate(shown_groups(data)):
        key = figures.shown(group.key_figure("egen", "altid"))
        if key is None or key.share is None:
            continue
        on_shown = 0
        for item_id in ("egen.1", "egen.4"):
            item = figures.shown(group.item("egen", item_id))
            if item is None:
                break
            codes = meta.items[item_id].codes
            on_shown += dict(zip(codes, item.counts, strict=True)).get(ALWAYS, 0)
        else:
            left = round(key.share * key.n) - on_shown
            if left > 0:
                found[f"group {k} (n={key.n})"] = left
    return found


def test_a_key_figure_across_a_scale_and_an_item_outside_it_gives_away_no_answer() -> None:
    place = attack.build_workplace({"Team": (None, 6)})
    try:
        upload(place, MIXED)
    except RefusedFile:
        return  # the upload refuses the file: nothing to measure with
    answers: list[dict[str, int]] = [
        {"egen.1": c, "egen.2": c, "egen.3": c, "egen.4": 1} for c in (1, 2, 2, 3, 1)
    ]
    answers.append({"egen.1": ALWAYS, "egen.4": 1})  # too few of a's items to be scored on it
    data = measure(place, ["egen"], {"Team": answers})
    assert data.shown_group(place.units["Team"].pk, "subtree") is not None, "the team is shown"
    assert not always_left_over(data), always_left_over(data)


def test_an_uploaded_key_figure_lies_in_one_scale_or_in_none() -> None:
    place = attack.build_workplace({"Team": (None, 6)})
    with pytest.raises(RefusedFile) as refused:
        upload(place, MIXED)
    assert "altid" in str(refused.value)
    # Inside the scale, or over items in no scale: accepted.
    upload(place, MIXED.replace("items: [1, 4]", "items: [1, 2]"))
    upload(
        place,
        MIXED.replace("id: egen", "id: egen-to").replace("items: [1, 4]", "items: [4]"),
    )
