"""A closed measurement with every built-in display kind (the team report's scenario)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tryghed.orgs.models import Unit
from tryghed.surveys.models import Measurement


def kit_url(world: World, measurement: Measurement, unit: Unit, *, pdf: bool = False) -> str:
    return reverse(
        "kits:meeting_pdf" if pdf else "kits:meeting",
        kwargs={"org": world.org.slug, "measurement_id": measurement.pk, "unit_id": unit.pk},
    )


def readiness_url(world: World, unit: Unit) -> str:
    return reverse("kits:readiness", kwargs={"org": world.org.slug, "unit_id": unit.pk})


def go_on(client: Client, world: World, unit: Unit, next_url: str) -> None:
    """Tick "Jeg har læst det og vil fortsætte" on the readiness page."""
    response = client.post(readiness_url(world, unit), {"understood": "on", "next": next_url})
    assert response.status_code == 302, response.status_code
