"""Red team, ``display`` declarations of an uploaded instrument file: the report must read
the publication's figures as the publication means them.

``kind: staircase`` drew step k at score k and named a score by the steps around it
(results.charts), as vz-maturity is scored (1-5, levels 1..5); the loader asked only for two
levels. A file with levels at 0, 50 and 100 on a 0-100 score got a staircase reading a team
mean of 7.5 as its top step, "Trin to", while the publication placed it between "Trin nul"
and "Trin et" (found by tests/privacy/test_redteam_uploaded_texts.py's pages)."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.uploaded import own_file, upload
from tryghed.surveys.instrument_files import RefusedFile

pytestmark = pytest.mark.django_db

STAIRCASE = own_file("""\
items:
  - {number: 1, text: {da: Vi følger op, en: We follow up}}
  - {number: 2, text: {da: Vi lærer, en: We learn}}
scales:
  - id: trin
    name: {da: Modenhed, en: Maturity}
    items: [1, 2]
    score: {min: 0, max: 100}
    levels:
      - {value: 0, label: {da: Trin nul, en: Step zero}}
      - {value: 50, label: {da: Trin et, en: Step one}}
      - {value: 100, label: {da: Trin to, en: Step two}}
display:
  kind: staircase
""")


def test_a_staircase_is_drawn_only_on_the_scale_it_draws() -> None:
    place = attack.build_workplace({"Team": (None, 1)})
    with pytest.raises(RefusedFile) as refused:
        upload(place, STAIRCASE)
    assert [str(p) for p in refused.value.problems] == [
        "Linje 27: display: kind: staircase kræver, at hovedskalaen «trin» går fra 1 til 3 "
        "(score: {min: 1, max: 3}), med niveauerne 1, 2, … 3: trappen har ét trin pr. niveau."
    ]
    steps = (
        STAIRCASE.replace("score: {min: 0, max: 100}", "score: {min: 1, max: 3}")
        .replace("value: 100,", "value: 3,")
        .replace("value: 50,", "value: 2,")
        .replace("value: 0,", "value: 1,")
    )
    assert upload(place, steps).instrument_id == "egen"
