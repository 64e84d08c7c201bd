"""Deleting a draft measurement ("Slet kladden"): only a draft, confirmed, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for, draft_of
from tests.results.test_aggregates import answer, make_measurement, ps7
from tryghed.audit.models import AuditEvent
from tryghed.surveys import services
from tryghed.surveys.models import (
    Measurement,
    MeasurementInstrument,
    MeasurementScope,
    Response,
    Status,
)
from tryghed.surveys.retention import due_for_purge, measurement_purge_responses


def _draft(world: World, name: str = "Forår") -> Measurement:
    return draft_of(
        world, name=name, instruments=("ps7", "stress"), scope=[world.team_a, world.team_b]
    )


def _url(world: World, measurement: Measurement, name: str = "delete") -> str:
    return reverse(
        f"surveys_admin:{name}",
        kwargs={"org": measurement.organisation.slug, "measurement_id": measurement.pk},
    )


# --------------------------------------------------------------------------- the service


def test_it_deletes_a_draft_with_its_instruments_and_units(world: World) -> None:
    draft = _draft(world)
    kept = _draft(world, name="Efterår")
    services.measurement_delete_draft(measurement=draft, actor=world.amo)
    assert not Measurement.objects.filter(pk=draft.pk).exists()
    assert not MeasurementInstrument.objects.filter(measurement_id=draft.pk).exists()
    assert not MeasurementScope.objects.filter(measurement_id=draft.pk).exists()
    assert Measurement.objects.get(pk=kept.pk).instruments.count() == 2


def test_deleting_a_draft_leaves_an_audit_row(world: World) -> None:
    draft = _draft(world)
    draft_id = draft.pk
    services.measurement_delete_draft(measurement=draft, actor=world.amo)
    event = AuditEvent.objects.get(action="measurement.deleted")
    assert event.organisation == world.org
    assert event.actor == world.amo
    assert (event.object_type, event.object_id) == ("Measurement", str(draft_id))
    assert event.summary == "Forår"
    assert event.data == {"instruments": ["ps7", "stress"], "previous": None}


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED])
def test_an_opened_measurement_is_refused_and_kept(world: World, status: Status) -> None:
    measurement = make_measurement(world, status=status)
    answer(measurement, world.team_a, ps7([3]))
    with pytest.raises(ValidationError, match="Kun en kladde kan slettes"):
        services.measurement_delete_draft(measurement=measurement, actor=world.amo)
    assert Measurement.objects.filter(pk=measurement.pk, status=status).exists()
    assert Response.objects.filter(measurement=measurement).count() == 1
    assert not AuditEvent.objects.filter(action="measurement.deleted").exists()


# --------------------------------------------------------------------------- the pages


def test_the_drafts_page_offers_to_delete_it_and_an_open_ones_does_not(world: World) -> None:
    client = client_for(world.amo)
    draft = _draft(world)
    assert _url(world, draft) in client.get(_url(world, draft, "detail")).content.decode()
    opened = make_measurement(world, status=Status.OPEN)
    html = client.get(_url(world, opened, "detail")).content.decode()
    assert "/slet/" not in html and "Slet kladden" not in html


def test_get_shows_what_will_be_deleted_and_deletes_nothing(world: World) -> None:
    draft = _draft(world)
    response = client_for(world.amo).get(_url(world, draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Slet kladden Forår?" in html
    assert "Psykologisk tryghed (7 udsagn, Edmondson)" in html
    assert "Team A, Team B" in html
    assert 'name="confirm" value="1"' in html and "csrfmiddlewaretoken" in html
    assert "Ja, slet kladden" in html
    assert Measurement.objects.filter(pk=draft.pk).exists()


def test_the_page_names_the_earlier_wave_and_says_it_is_not_touched(world: World) -> None:
    first = make_measurement(world)
    draft = make_measurement(world, previous=first, status=Status.DRAFT)
    Measurement.objects.filter(pk=first.pk).update(name="Efterår 2026")
    html = client_for(world.amo).get(_url(world, draft)).content.decode()
    assert "Efterår 2026, som kladden skulle sammenlignes med, bliver ikke ændret." in html


def test_a_confirmed_post_deletes_and_goes_to_the_list_with_a_message(world: World) -> None:
    draft = _draft(world)
    client = client_for(world.owner)
    response = client.post(_url(world, draft), {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys_admin:list", kwargs={"org": world.org.slug})
    assert not Measurement.objects.filter(pk=draft.pk).exists()
    html = client.get(response["Location"]).content.decode()
    assert "Kladden Forår er slettet." in html
    assert AuditEvent.objects.get(action="measurement.deleted").actor == world.owner


def test_a_post_without_the_confirmation_only_asks_again(world: World) -> None:
    draft = _draft(world)
    response = client_for(world.amo).post(_url(world, draft), {})
    assert response.status_code == 200
    assert "Ja, slet kladden" in response.content.decode()
    assert Measurement.objects.filter(pk=draft.pk).exists()


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    draft = _draft(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.amo)
    assert client.post(_url(world, draft), {"confirm": "1"}).status_code == 403
    assert Measurement.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED])
def test_the_page_of_an_opened_measurement_sends_back_with_the_reason(
    world: World, status: Status
) -> None:
    measurement = make_measurement(world, status=status)
    client = client_for(world.amo)
    for response in (
        client.get(_url(world, measurement)),
        client.post(_url(world, measurement), {"confirm": "1"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == _url(world, measurement, "detail")
    html = client.get(_url(world, measurement, "detail")).content.decode()
    assert "Kun en kladde kan slettes." in html
    assert Measurement.objects.filter(pk=measurement.pk, status=status).exists()


@pytest.mark.parametrize("user", ["leader", "employee"])
def test_a_role_that_cannot_open_measurements_cannot_delete_one(world: World, user: str) -> None:
    draft = _draft(world)
    client = client_for(getattr(world, user))
    assert client.get(_url(world, draft)).status_code == 403
    assert client.post(_url(world, draft), {"confirm": "1"}).status_code == 403
    assert Measurement.objects.filter(pk=draft.pk).exists()


def test_another_organisations_draft_is_not_found(world: World) -> None:
    today = timezone.localdate()
    theirs = services.measurement_create(
        organisation=world.other_org,
        actor=world.outsider,
        name="Deres",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.other_unit)],
        opens_on=today,
        closes_on=today,
    )
    # Through our own organisation's address, and through theirs.
    ours = reverse(
        "surveys_admin:delete", kwargs={"org": world.org.slug, "measurement_id": theirs.pk}
    )
    client = client_for(world.owner)
    assert client.get(ours).status_code == 404
    assert client.post(ours, {"confirm": "1"}).status_code == 404
    assert client.post(_url(world, theirs), {"confirm": "1"}).status_code == 404
    assert Measurement.objects.filter(pk=theirs.pk).exists()


# --------------------------------------------------------------------------- retention


def test_a_forgotten_follow_up_draft_does_not_hold_the_earlier_answers_back(
    world: World,
) -> None:
    first = make_measurement(world)  # closed 2026-11-16
    answer(first, world.team_a, ps7([4]))
    draft = make_measurement(world, previous=first, status=Status.DRAFT)
    today = dt.date(2030, 1, 1)
    assert [o.measurement for o in due_for_purge(today=today)] == [first]
    measurement_purge_responses(measurement=first)
    assert Response.objects.filter(measurement=first).count() == 0
    # The draft is still there, to open or delete.
    services.measurement_delete_draft(measurement=draft, actor=world.amo)
    assert not Measurement.objects.filter(pk=draft.pk).exists()
