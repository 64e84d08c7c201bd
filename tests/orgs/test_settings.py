"""The organisation's settings: minimum group sizes (never below the floor), retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Organisation
from tryghed.surveys import services as survey_services

VALID = {
    "min_group_score": "7",
    "min_group_comment": "12",
    "min_group_sensitive": "15",
    "response_retention_months": "24",
    "contact_email": "amo@testkommune.dk",
}


@pytest.mark.django_db
def test_an_admin_raises_the_minimums_and_new_measurements_use_them(world: World) -> None:
    url = reverse("orgs:settings", kwargs={"org": world.org.slug})
    response = client_for(world.owner).post(url, VALID)
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=world.org.pk)
    assert (
        organisation.min_group_score,
        organisation.min_group_comment,
        organisation.min_group_sensitive,
        organisation.response_retention_months,
        organisation.contact_email,
    ) == (7, 12, 15, 24, "amo@testkommune.dk")
    event = AuditEvent.objects.get(action="organisation.settings_changed")
    assert event.actor == world.owner
    assert event.data["changed"]["min_group_score"] == [5, 7]

    measurement = survey_services.measurement_create(
        organisation=organisation,
        actor=world.owner,
        name="Forår",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(world.root)],
        opens_on=dt.date(2027, 3, 1),
        closes_on=dt.date(2027, 3, 14),
    )
    assert measurement.min_group_score == 7


@pytest.mark.django_db
def test_a_minimum_below_the_floor_is_refused_and_nothing_changes(world: World) -> None:
    url = reverse("orgs:settings", kwargs={"org": world.org.slug})
    response = client_for(world.owner).post(url, {**VALID, "min_group_score": "2"})
    assert response.status_code == 200
    assert "større end eller lig 3" in response.content.decode()
    assert Organisation.objects.get(pk=world.org.pk).min_group_score == 5
    assert not AuditEvent.objects.filter(action="organisation.settings_changed").exists()


@pytest.mark.django_db
def test_the_form_shows_the_current_values(world: World) -> None:
    page = client_for(world.owner).get(reverse("orgs:settings", kwargs={"org": world.org.slug}))
    html = page.content.decode()
    assert 'name="response_retention_months" value="36"' in html
    assert 'name="min_group_comment" value="10"' in html


@pytest.mark.django_db
def test_the_floor_help_texts_follow_the_readers_language(world: World) -> None:
    url = reverse("orgs:settings", kwargs={"org": world.org.slug})
    client = client_for(world.owner)
    danish = client.get(url).content.decode()
    assert "Kan hæves, men ikke sættes under 3." in danish
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Can be raised, but not set below 3." in english
    assert "Questions about harassment and violence." in english
    assert "Kan hæves" not in english


@pytest.mark.django_db
def test_an_admin_sets_the_legal_basis_and_the_change_is_audited(world: World) -> None:
    url = reverse("orgs:settings", kwargs={"org": world.org.slug})
    client = client_for(world.owner)
    form = client.get(url).content.decode()
    # blank shows the default, and the form says what the default says
    assert "Står feltet tomt, ser de, der svarer, standardteksten" in form
    assert "arbejdsmiljølovens § 15 a" in form
    own = "Behandlingen sker efter aftale med vores DPO."
    response = client.post(url, {**VALID, "privacy_legal_basis": f"  {own}\n"})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=world.org.pk).privacy_legal_basis == own
    event = AuditEvent.objects.get(action="organisation.settings_changed")
    assert event.actor == world.owner
    assert event.data["changed"]["privacy_legal_basis"] == ["", own]
    assert "privacy_legal_basis" in event.summary
    assert own in client.get(url).content.decode()  # the form shows the current text

    client.post(url, {**VALID, "privacy_legal_basis": ""})
    assert Organisation.objects.get(pk=world.org.pk).privacy_legal_basis == ""
    last = AuditEvent.objects.filter(action="organisation.settings_changed").latest("pk")
    assert last.data["changed"] == {"privacy_legal_basis": [own, ""]}
