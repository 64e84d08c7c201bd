"""Starting a risk assessment and deleting a registration cannot be undone: a page says what
will happen first, and nothing happens without the confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.apv import services
from tryghed.apv.models import IndicatorEntry, RiskAssessment, SicknessAbsence

pytestmark = pytest.mark.django_db


def _url(name: str, world: World, **kwargs: int) -> str:
    return reverse(f"apv:{name}", kwargs={"org": world.org.slug, **kwargs})


def test_start_assessment_is_a_link_to_a_page_that_says_what_happens(world: World) -> None:
    start = _url("assessment_start", world, unit_id=world.team_a.pk)
    client = client_for(world.amo)
    overview = client.get(_url("assessments", world)).content.decode()
    assert f'href="{start}"' in overview and f'action="{start}"' not in overview
    page = client.get(start).content.decode()
    assert "En ny risikovurdering af Team A oprettes med dagens dato." in page
    assert "En oprettet risikovurdering kan ikke slettes igen." in page
    assert client.post(start).status_code == 200
    assert not RiskAssessment.objects.exists()
    assert client.post(start, {"confirm": "1"}).status_code == 302
    assert RiskAssessment.objects.get().unit == world.team_a


def test_a_second_assessment_says_it_replaces_the_current_one(world: World) -> None:
    services.risk_assessment_start(organisation=world.org, unit=world.team_a, actor=None)
    page = (
        client_for(world.amo)
        .get(_url("assessment_start", world, unit_id=world.team_a.pk))
        .content.decode()
    )
    assert "Den bliver enhedens seneste vurdering" in page


def test_a_change_is_not_risk_assessed_without_confirmation(world: World) -> None:
    change = services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_b,
        kind="methods",
        description="Ny vagtplan",
        changed_on=dt.date(2026, 5, 1),
    )
    url = _url("change_assess", world, change_id=change.pk)
    page = client_for(world.amo).get(url).content.decode()
    assert "Ny vagtplan" in page and "Team B" in page
    assert client_for(world.amo).post(url).status_code == 200
    assert not RiskAssessment.objects.exists()


def test_deleting_sickness_absence_and_a_goal_asks_first(world: World) -> None:
    absence = services.sickness_absence_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_a,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        absence_percent=Decimal("4.5"),
        absence_days=None,
        contributes="no",
        assessment="",
    )
    entry = services.indicator_entry_add(
        organisation=world.org,
        actor=world.amo,
        rule=1,
        indicator="Trivselssamtaler",
        value="12",
        period="",
    )
    client = client_for(world.amo)
    for url in (
        _url("absence_delete", world, absence_id=absence.pk),
        _url("indicator_delete", world, entry_id=entry.pk),
    ):
        assert "kan ikke hentes tilbage" in client.get(url).content.decode()
        assert client.post(url).status_code == 200
    assert SicknessAbsence.objects.filter(pk=absence.pk).exists()
    assert IndicatorEntry.objects.filter(pk=entry.pk).exists()
    for url in (
        _url("absence_delete", world, absence_id=absence.pk),
        _url("indicator_delete", world, entry_id=entry.pk),
    ):
        assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not SicknessAbsence.objects.exists() and not IndicatorEntry.objects.exists()
