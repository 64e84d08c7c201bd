"""The demo has a ready kit for its weakest team: from the spring wave, the team lowest on
average over its shown areas meets the readiness check, then its kit opens, on the screen
and as a PDF, with its own weakest areas."""

from __future__ import annotations

import io
from statistics import mean
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tryghed.accounts.models import User
from tryghed.orgs.demo import load_demo
from tryghed.orgs.models import Unit
from tryghed.results.aggregates import report_data
from tryghed.results.presenters import unit_report_context
from tryghed.results.readings import MEAN_KEY
from tryghed.surveys.demo import load_demo_measurements
from tryghed.surveys.models import Measurement, Status

MIN_AREAS = 5


def weakest_team(measurement: Measurement) -> tuple[Unit, list[str]]:
    data = report_data(measurement)
    found: list[tuple[float, Unit, list[str]]] = []
    for unit_id, entry in data["units"].items():
        if entry["children"]:
            continue
        unit = Unit.objects.get(pk=int(unit_id))
        report = unit_report_context(
            data=data, measurement=measurement, unit=unit, scope="subtree", lang="da"
        )
        overview = report["overview"]
        values = [
            a.reading.value
            for a in (overview.areas if overview is not None else [])
            if a.reading is not None and a.reading.value is not None and a.reading.key == MEAN_KEY
        ]
        if len(values) >= MIN_AREAS:
            found.append((mean(values), unit, [row.name for row in overview.weakest]))
    _value, unit, weakest = min(found, key=lambda t: t[0])
    return unit, weakest


@pytest.mark.django_db
def test_the_demos_weakest_team_has_a_kit_behind_its_readiness_check(
    django_capture_on_commit_callbacks: Any,
) -> None:
    organisation, _ = load_demo()
    with django_capture_on_commit_callbacks(execute=False):
        load_demo_measurements(organisation)
    spring = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED, previous__isnull=False
    ).latest("closes_on")
    unit, weakest = weakest_team(spring)
    assert len(weakest) >= 2
    client = Client()
    client.force_login(User.objects.get(email="amo@demo-kommune.dk"))
    args = {"org": organisation.slug, "measurement_id": spring.pk, "unit_id": unit.pk}
    kit = reverse("kits:meeting", kwargs=args)
    report = client.get(reverse("results:unit_report", kwargs=args)).content.decode()
    assert f'href="{kit}"' in report
    first = client.get(kit)
    if first.status_code == 302:  # the readiness check first, where it finds something
        assert "parathed" in first["Location"]
        client.post(
            reverse("kits:readiness", kwargs={"org": organisation.slug, "unit_id": unit.pk}),
            {"understood": "on", "next": kit},
        )
    page = client.get(kit)
    assert page.status_code == 200
    text = page.content.decode()
    for name in weakest:
        assert name in text
    pdf = client.get(reverse("kits:meeting_pdf", kwargs=args))
    assert pdf["Content-Type"] == "application/pdf"
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert unit.name in printed
    assert weakest[0].split()[0] in printed
