"""An organisation's own instrument is shown as its file declares (``display:``, ``zones:``),
through the same registry as the built-in ones: no instrument id decides a chart."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.conftest import World
from tests.results.test_aggregates import answer, make_measurement, ps7
from tryghed.core.instruments import DISPLAY_KINDS, parse_instrument
from tryghed.results.aggregates import group, report_data
from tryghed.results.org_presenters import maturity
from tryghed.results.presenters import DISPLAYS, InstrumentView, unit_report_context
from tryghed.surveys.models import Measurement, MeasurementInstrument
from tryghed.surveys.selectors import measurement_instruments

pytestmark = pytest.mark.django_db

OWN = """\
format: 1
id: {iid}
version: 1
name: {{da: Vores egen måling, en: Our own survey}}
description: {{da: Organisationens egne spørgsmål, en: The organisation's own questions}}
source: {{reference: Organisationens eget spørgeskema}}
authored_by: organisation
options:
  - {{code: 1, label: {{da: Slet ikke, en: Not at all}}, points: 1}}
  - {{code: 2, label: {{da: Lidt, en: A little}}, points: 2}}
  - {{code: 3, label: {{da: Noget, en: Somewhat}}, points: 3}}
  - {{code: 4, label: {{da: Meget, en: Much}}, points: 4}}
  - {{code: 5, label: {{da: Fuldt ud, en: Fully}}, points: 5}}
items:
  - number: 1
    text: {{da: Vi har styr på risici, en: We manage risks}}
  - number: 2
    text: {{da: Vi lærer af hændelser, en: We learn from incidents}}
  - number: 3
    text: {{da: Ledelsen går forrest, en: Management leads the way}}
scales:
  - id: total
    name: {{da: Modenhed, en: Maturity}}
    items: [1, 2, 3]
    score: {{min: 1, max: 5}}
    levels:
      - {{value: 1, label: {{da: Trin 1, en: Step 1}}}}
      - {{value: 2, label: {{da: Trin 2, en: Step 2}}}}
      - {{value: 3, label: {{da: Trin 3, en: Step 3}}}}
      - {{value: 4, label: {{da: Trin 4, en: Step 4}}}}
      - {{value: 5, label: {{da: Trin 5, en: Step 5}}}}
{extra}"""


def own_instrument(
    world: World, iid: str, extra: str, codes: tuple[int, int, int] = (2, 4, 3)
) -> Measurement:
    """A closed measurement of ps7 and an uploaded instrument, answered by twelve in team A."""
    measurement = make_measurement(world, ("ps7",))
    source = OWN.format(iid=iid, extra=extra)
    instrument = parse_instrument(source)
    MeasurementInstrument.objects.create(
        measurement=measurement,
        instrument_id=instrument.id,
        version=instrument.version,
        content_hash=instrument.content_hash,
        source=source,
        position=1,
    )
    for person in range(12):
        own = {f"{iid}.{n}": code for n, code in enumerate(codes, start=1)}
        answer(measurement, world.team_a, {**ps7([1 + person % 3]), **own})
    return measurement


def block(
    world: World, measurement: Measurement, iid: str
) -> tuple[dict[str, Any], InstrumentView]:
    with translation.override("da"):
        context = unit_report_context(
            data=report_data(measurement),
            measurement=measurement,
            unit=world.team_a,
            scope="unit",
            lang="da",
        )
    return context, next(v for v in context["instruments"] if v.id == iid)


def test_every_display_kind_has_a_presenter() -> None:
    assert set(DISPLAYS) == set(DISPLAY_KINDS)


def test_an_uploaded_instrument_declaring_a_staircase_gets_one_in_the_team_report(
    world: World,
) -> None:
    measurement = own_instrument(world, "egen-modenhed", "display:\n  kind: staircase\n")
    _, view = block(world, measurement, "egen-modenhed")
    assert view.hidden == ""
    stairs = [r for r in view.readings if r.id == "stairs-egen-modenhed"]
    assert len(stairs) == 1 and "Trin 3" in stairs[0].svg
    # The staircase names the questions that pull the level down, lowest first.
    assert view.topics_behind[0] == "Vi har styr på risici (2,0 af 5)"
    # The organisation report's maturity section follows the same declaration.
    data = report_data(measurement)
    found = maturity(data, measurement_instruments(measurement), {}, lang="da")
    assert found is not None


def test_the_same_instrument_without_a_declaration_is_a_plain_block(world: World) -> None:
    measurement = own_instrument(world, "egen-modenhed", "")
    _, view = block(world, measurement, "egen-modenhed")
    assert view.hidden == "" and view.headline is not None
    assert not any(r.id.startswith("stairs-") for r in view.readings)
    assert view.topics_behind == []
    data = report_data(measurement)
    assert maturity(data, measurement_instruments(measurement), {}, lang="da") is None


def test_an_uploaded_key_figure_reading_has_no_headline_and_shows_its_note(world: World) -> None:
    extra = (
        "key_figures:\n"
        "  - {id: low, label: {da: Svarer lavt, en: Answers low}, items: [1], codes: [1, 2]}\n"
        "display:\n"
        "  kind: key_figure_reading\n"
        "  note: {da: Vores egen sammenligning, en: Our own comparison}\n"
    )
    measurement = own_instrument(world, "egen-nogletal", extra)
    _, view = block(world, measurement, "egen-nogletal")
    assert view.headline is None
    figure = next(r for r in view.readings if r.id == "kf-egen-nogletal-low")
    assert figure.note == "Vores egen sammenligning"


def test_an_uploaded_focus_instrument_places_the_team_in_the_four_zones(world: World) -> None:
    extra = "zones:\n  safety: [ps7]\n  focus: egen-fokus\n"
    measurement = own_instrument(world, "egen-fokus", extra)
    context, _ = block(world, measurement, "egen-fokus")
    zone = context["zone"]
    assert zone is not None and zone.id == "zones"
    data = report_data(measurement)
    placed = group(data, world.team_a.pk, "unit")["zone"]
    assert placed["safety_instrument"] == "ps7" and placed["focus_instrument"] == "egen-fokus"
