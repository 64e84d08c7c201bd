"""Red team, the texts of an uploaded instrument file in every place they are drawn
(an AMO member writes them; employees, leaders and administrators read them).

tests/surveys/test_own_instruments.py puts markup into the name, an item, a scale and an
option. The charts of the organisation report build their SVG in Python, outside the
templates' escaping: the correlations (two scales in three teams), the key drivers
(``display: driver: predictor`` beside ps7), the staircase (``kind: staircase``, its
levels). Every other text of the format carries markup too: topic, description, hint,
levels' descriptions, bands, consequences, key figures, references, the display note."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from tests.privacy import attack
from tests.privacy.uploaded import measure, upload
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"
SHOWN = "&lt;script&gt;alert(1)&lt;/script&gt;"


def t(label: str) -> str:
    return f'{{da: "{label} {EVIL}", en: "{label} {EVIL}"}}'


FILE = f"""\
format: 1
id: egen
version: 1
name: {t("Navn")}
description: {t("Beskrivelse")}
topic: {t("Emne")}
source: {{reference: "Kilde {EVIL}"}}
authored_by: organisation
options:
  - {{code: 1, label: {t("Aldrig")}, points: 0}}
  - {{code: 2, label: {t("Sjældent")}, points: 25}}
  - {{code: 3, label: {t("Somme tider")}, points: 50}}
  - {{code: 4, label: {t("Ofte")}, points: 75}}
  - {{code: 5, label: {t("Altid")}, points: 100}}
items:
  - {{number: 1, text: {t("Spørgsmål 1")}, hint: {t("Hjælp")}}}
  - number: 2
    text: {t("Spørgsmål 2")}
    reference: {{shares: {{1: 0.5}}, label: {t("Reference")}, source: "Kilde {EVIL}"}}
  - {{number: 3, text: {t("Spørgsmål 3")}}}
  - {{number: 4, text: {t("Spørgsmål 4")}}}
scales:
  - id: trin
    name: {t("Trappe")}
    items: [1, 2]
    score: {{min: 1, max: 3}}
    levels:
      - {{value: 1, label: {t("Trin nul")}, description: {t("Trin nul betyder")}}}
      - {{value: 2, label: {t("Trin et")}}}
      - {{value: 3, label: {t("Trin to")}}}
  - id: baand
    name: {t("Bånd")}
    items: [3, 4]
    score: {{min: 0, max: 100}}
    bands:
      - {{id: lav, codes: [1, 2], label: {t("Lav")}}}
      - {{id: hoej, codes: [3, 4, 5], label: {t("Høj")}}}
    consequences:
      lav: {t("Følge")}
key_figures:
  - id: ofte
    label: {t("Nøgletal")}
    items: [3]
    codes: [4, 5]
    reference: {{value: 0.2, label: {t("Landsplan")}, source: "Kilde {EVIL}"}}
display:
  kind: staircase
  note: {t("Note")}
  driver: predictor
"""


def test_no_text_of_the_file_is_markup_on_any_page_or_chart() -> None:
    place = attack.build_workplace(
        {"Team A": (None, 5), "Team B": (None, 5), "Team C": (None, 5)},
        leaders=["Team A"],
        employees=["Team A"],
    )
    upload(place, FILE)
    rng = random.Random(3)
    answers = {}
    for k, unit in enumerate(("Team A", "Team B", "Team C")):
        answers[unit] = [
            {
                **{f"egen.{i}": min(5, 1 + k + rng.randrange(2)) for i in range(1, 5)},
                **attack.ps7([rng.randrange(1, 6) for _ in range(7)]),
            }
            for _ in range(5)
        ]
    data = measure(place, ["egen", "ps7"], {u: list(a) for u, a in answers.items()})
    assert data.measurement_level.correlations, "the correlations chart is drawn"
    measurement = Measurement.objects.get(pk=data.measurement.id)
    pages = attack.read_all(place, attack.report_urls(place, measurement))
    own_list = reverse("surveys_admin:instruments", kwargs={"org": place.org.slug})
    pages[("amo", own_list)] = attack.read(attack.client_for(place.amo), own_list) or ""
    assert pages
    drawn = [key for key, page in pages.items() if EVIL in page]
    assert not drawn, f"markup from the file on {drawn}"
    everything = "".join(pages.values())
    missing = [
        label
        for label in ("Navn", "Trappe", "Bånd", "Trin nul", "Nøgletal", "Spørgsmål 2", "Note")
        if f"{label} {SHOWN}" not in everything
    ]
    assert not missing, f"not drawn at all (so not attacked): {missing}"
    assert ">Trin et</text>" in everything, "the staircase is drawn"
