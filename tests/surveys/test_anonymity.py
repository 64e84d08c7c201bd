"""Unlinkability, proven by looking into the database after real submissions (privacy.md §1)."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from tests.surveys.conftest import Survey
from tryghed.surveys import services
from tryghed.surveys.models import (
    Invitation,
    InvitationToken,
    PaperCode,
    PendingAnswer,
    Response,
    SubmissionMark,
)
from tryghed.surveys.services import hash_token

ISO_WEEK = re.compile(r"^\d{4}-W\d{2}$")


def _submit(client: Client, token: str, answers: dict[str, int], **extra: Any) -> str:
    """Walk the respondent's way through with the test client; returns the final page."""
    client.get(reverse("surveys:start", kwargs={"token": token}), **extra)
    url = reverse("surveys:answer")
    page = client.post(url, {"token": token, "lang": "da", "step": "-1"}, **extra)
    state = re.search(r'name="state" value="([^"]*)"', page.content.decode())
    assert state
    ps7 = {f"q-{k}": str(v) for k, v in answers.items()}
    # ps7 and hesteskoen share one page (respond.PAGE_QUESTIONS): «Send svar» on it.
    final = client.post(
        url,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": state.group(1),
            "action": "submit",
            **ps7,
            "q-hesteskoen.1": "7",
            "q-hesteskoen.2": "Vi hjælper hinanden",
        },
        **extra,
    )
    return final.content.decode()


def test_a_response_row_has_no_column_that_links_it_to_an_invitation_person_or_session(
    open_survey: Survey, ps7_answers: dict[str, int]
) -> None:
    client = Client()
    for token in list(open_survey.tokens.values())[:3]:
        assert "Tak for dine svar" in _submit(client, token, ps7_answers)
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, Response._meta.db_table)
        }
    # No job group, seniority or language: quasi-identifiers no report uses. ``codes`` is
    # the choice answers again, one byte each (core.answer_codes).
    assert columns == {"id", "measurement_id", "unit_id", "week", "answers", "texts", "codes"}
    related = {f.related_model for f in Response._meta.get_fields() if f.is_relation}
    assert Invitation not in related and InvitationToken not in related
    assert not {m.__name__ for m in related if m} & {"Person", "Session", "User", "Invitation"}


def test_no_time_finer_than_the_iso_week_is_stored_for_responses_or_invitations(
    open_survey: Survey, ps7_answers: dict[str, int]
) -> None:
    _submit(Client(), next(iter(open_survey.tokens.values())), ps7_answers)
    services.measurement_close(measurement=open_survey.measurement, actor=None)
    for model in (Response, Invitation, InvitationToken, PaperCode, SubmissionMark, PendingAnswer):
        time_fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
        ]
        assert time_fields == [], f"{model.__name__} stores a time: {time_fields}"
    response = Response.objects.get()
    assert ISO_WEEK.match(response.week)
    invitation = Invitation.objects.filter(measurement=open_survey.measurement).first()
    assert invitation is not None and ISO_WEEK.match(invitation.sent_week)


def test_response_ids_are_random_uuids_not_sequential(
    open_survey: Survey, ps7_answers: dict[str, int]
) -> None:
    client = Client()
    for token in open_survey.tokens.values():
        _submit(client, token, ps7_answers)
    services.measurement_close(measurement=open_survey.measurement, actor=None)
    ids = list(Response.objects.values_list("id", flat=True))
    assert len(ids) == 5
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert len({i.int >> 64 for i in ids}) == 5  # high halves differ: not a counter


def test_only_hashes_of_tokens_are_stored(open_survey: Survey) -> None:
    stored = set(InvitationToken.objects.values_list("token_hash", flat=True))
    for token in open_survey.tokens.values():
        assert token not in stored
        assert hash_token(token) in stored
        assert len(token) >= 22  # >= 128 bits of urlsafe base64


def test_the_server_logs_no_ip_address_user_agent_or_token_for_a_submission(
    open_survey: Survey,
    ps7_answers: dict[str, int],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    ip, agent = "203.0.113.77", "SecretBrowser/9.1 (Testing)"
    token = next(iter(open_survey.tokens.values()))
    with caplog.at_level(logging.DEBUG):
        _submit(
            Client(),
            token,
            ps7_answers,
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT=agent,
            HTTP_REFERER="https://mail.example/inbox",
        )
        # A second submission (refused) and an unknown token are logged paths too.
        again = Client().post(
            reverse("surveys:answer"),
            {"token": token, "step": "1", "action": "submit"},
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT=agent,
        )
        assert "allerede svaret" in again.content.decode()
        Client().get(
            reverse("surveys:start", kwargs={"token": "x" * 43}),
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT=agent,
        )
    captured = capfd.readouterr()
    everything = (
        caplog.text
        + captured.out
        + captured.err
        + " ".join(str(r.__dict__) for r in caplog.records)
    )
    assert ip not in everything
    assert agent not in everything
    assert "mail.example" not in everything
    assert token not in everything
    assert "x" * 43 not in everything


def test_survey_pages_set_no_cookie_and_send_no_referrer(open_survey: Survey) -> None:
    token = next(iter(open_survey.tokens.values()))
    client = Client()
    start = client.get(reverse("surveys:start", kwargs={"token": token}))
    page = client.post(reverse("surveys:answer"), {"token": token, "lang": "da", "step": "-1"})
    for response in (start, page):
        assert response.cookies == {}
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"
    assert client.cookies == {}


def test_a_response_carries_the_unit_of_the_invitation_and_no_demographics(
    open_survey: Survey, ps7_answers: dict[str, int], world: Any
) -> None:
    person = open_survey.people[0]
    person.job_group, person.seniority_band = "SSA", "2-5 år"
    person.save()
    invited_unit = person.unit_id
    person.unit = world.team_b  # moved after the invitation: the answer counts where invited
    person.save()
    _submit(Client(), open_survey.tokens[person.email], ps7_answers)
    services.measurement_close(measurement=open_survey.measurement, actor=None)
    response = Response.objects.get()
    assert response.unit_id == invited_unit != world.team_b.pk
    # Every stored value but the random id (a UUID may well contain "2-5").
    stored = {k: v for k, v in Response.objects.values().get().items() if k != "id"}
    assert "SSA" not in str(stored) and "2-5 år" not in str(stored)
