"""Opening and closing a measurement cannot be undone: the button leads to a page that says
what will happen, and only the POST from that page (with its confirmation) does it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import World, client_for, draft_of
from tests.factories import make_person
from tests.surveys.conftest import CaptureOnCommit, Survey
from tryghed.surveys.models import Invitation, Measurement, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world: World) -> Measurement:
    make_person(world.team_a, name="Uden Mail")  # answers with a paper code
    return draft_of(world)


def _url(name: str, measurement: Measurement) -> str:
    return reverse(
        f"surveys_admin:{name}",
        kwargs={"org": measurement.organisation.slug, "measurement_id": measurement.pk},
    )


def test_the_detail_page_links_to_the_confirmation_instead_of_opening(
    world: World, draft: Measurement
) -> None:
    page = client_for(world.amo).get(_url("detail", draft)).content.decode()
    assert f'<a class="button" href="{_url("open", draft)}">' in page
    assert f'action="{_url("open", draft)}"' not in page


def test_the_confirmation_says_how_many_are_invited_and_that_it_cannot_be_undone(
    world: World, draft: Measurement
) -> None:
    response = client_for(world.amo).get(_url("open", draft))
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 medarbejdere i de valgte enheder bliver inviteret." in page
    assert "2 får en e-mail med et personligt link med det samme." in page
    assert "1 har ingen e-mailadresse og skal svare med en papirkode" in page
    assert "Invitationerne kan ikke kaldes tilbage" in page
    assert 'name="confirm" value="1"' in page and "csrfmiddlewaretoken" in page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not Invitation.objects.exists()


def test_a_post_without_the_confirmation_opens_nothing_and_sends_nothing(
    world: World, draft: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.amo).post(_url("open", draft))
    assert response.status_code == 200
    assert "bliver inviteret" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not Invitation.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.amo).post(_url("open", draft), {"confirm": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.OPEN and Invitation.objects.count() == 3
    assert len(mail.outbox) == 2


def test_closing_asks_first_and_says_that_no_more_answers_can_be_given(
    world: World, open_survey: Survey
) -> None:
    measurement = open_survey.measurement
    client = client_for(world.amo)
    page = client.get(_url("close", measurement)).content.decode()
    assert "Der kan ikke længere svares" in page
    assert "En lukket måling kan ikke åbnes igen." in page
    assert client.post(_url("close", measurement)).status_code == 200
    measurement.refresh_from_db()
    assert measurement.status == Status.OPEN
    assert client.post(_url("close", measurement), {"confirm": "1"}).status_code == 302
    measurement.refresh_from_db()
    assert measurement.status == Status.CLOSED


def test_an_employee_gets_no_confirmation_page(world: World, draft: Measurement) -> None:
    assert client_for(world.employee).get(_url("open", draft)).status_code == 403
    assert client_for(world.outsider).get(_url("open", draft)).status_code == 404


def test_reminders_are_sent_only_after_the_confirmation(
    world: World, open_survey: Survey, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement = open_survey.measurement
    client = client_for(world.amo)
    detail = client.get(_url("detail", measurement)).content.decode()
    assert f'<a class="button" href="{_url("remind", measurement)}">' in detail
    page = client.get(_url("remind", measurement)).content.decode()
    assert "Ingen kan se, hvem eller hvor mange der får den" in page
    assert "én runde påmindelser om ugen" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url("remind", measurement)).status_code == 200
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("remind", measurement), {"confirm": "1"})
    assert response.status_code == 302
    assert len(mail.outbox) == len(open_survey.tokens)
