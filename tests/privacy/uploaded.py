"""The insider's toolbox for uploaded instruments: an administrator or AMO member writes an
instrument file, uploads it through the product, measures with it and reads the
publication (tests/privacy/test_redteam_uploaded_*.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.test import TestCase

from tests.privacy import attack
from tryghed.core import figures
from tryghed.results.aggregates import report_data
from tryghed.surveys import services
from tryghed.surveys.models import OrganisationInstrument

HEAD = """\
format: 1
id: {id}
version: 1
name: {{da: Eget skema, en: Own questionnaire}}
description: {{da: Skrevet af AMO, en: Written by the AMO}}
source: {{reference: Udarbejdet af AMO}}
authored_by: organisation
options:
  - {{code: 1, label: {{da: Aldrig, en: Never}}, points: 0}}
  - {{code: 2, label: {{da: Sjældent, en: Rarely}}, points: 25}}
  - {{code: 3, label: {{da: Somme tider, en: Sometimes}}, points: 50}}
  - {{code: 4, label: {{da: Ofte, en: Often}}, points: 75}}
  - {{code: 5, label: {{da: Altid, en: Always}}, points: 100}}
"""


def own_file(body: str, instrument_id: str = "egen") -> str:
    """A file with the common head (five options, 0-100 points) and ``body`` (items,
    scales, key figures ...)."""
    return HEAD.format(id=instrument_id) + body


def upload(place: attack.Workplace, text: str) -> OrganisationInstrument:
    """The AMO member uploads the file, as the page does."""
    return services.organisation_instrument_upload(
        organisation=place.org, actor=place.amo, filename="egen.yaml", raw=text.encode()
    )


def measure(
    place: attack.Workplace,
    instrument_ids: Sequence[str],
    answers: Mapping[str, Sequence[Mapping[str, int | list[int]]]],
) -> figures.Publication:
    """Launch a measurement of the whole organisation, let the people of each named unit
    answer in turn (``answers[unit]``: one mapping per person; a list for a multi item), close it and return the
    publication every report, export and ``tryghed score`` reads."""
    launched = attack.launch(place, tuple(instrument_ids))
    for unit, given in answers.items():
        for person, one in zip(place.people[unit], given, strict=False):
            with TestCase.captureOnCommitCallbacks(execute=True):
                services.response_submit(token=launched.tokens[person.pk], answers=one, texts={})
    attack.close(place, launched.measurement)
    return figures.load(report_data(launched.measurement))


def shown_groups(data: figures.Publication) -> list[figures.Group]:
    return [g for s in data.groups.slots if isinstance(g := data.groups[s], figures.Group)]
