"""Launch, answer, remind, close: measurements end to end."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.surveys.conftest import CaptureOnCommit, Survey, tokens_from_outbox
from tests.surveys.races import submit_twice_at_once
from tests.surveys.test_anonymity import _submit
from tryghed.surveys import services
from tryghed.surveys.models import (
    Measurement,
    PendingAnswer,
    Response,
    Status,
    SubmissionMark,
)


def _state(html: str) -> str:
    match = re.search(r'name="state" value="([^"]*)"', html)
    assert match, html[:500]
    return match.group(1)


def test_opening_invites_everyone_in_scope_and_emails_each_a_personal_link(
    open_survey: Survey,
) -> None:
    assert open_survey.measurement.invitations.count() == 5
    assert set(open_survey.tokens) == {p.email for p in open_survey.people}
    assert len(set(open_survey.tokens.values())) == 5
    message = next(m for m in mail.outbox if m.to == [open_survey.people[0].email])
    assert "anonymt" in message.body
    assert "Efterår" in message.subject


def test_invitation_emails_are_sent_only_after_the_transaction_commits(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="M",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.measurement_open(measurement=measurement, actor=world.owner)
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 2


def test_a_respondent_walks_through_notice_questions_and_thanks(
    open_survey: Survey, ps7_answers: dict[str, int]
) -> None:
    token = open_survey.tokens[open_survey.people[0].email]
    client = Client()
    notice = client.get(reverse("surveys:start", kwargs={"token": token})).content.decode()
    assert "sådan beskytter vi dine svar" in notice
    assert "mindst 5 har svaret" in notice
    assert "36 måneder" in notice
    page1 = client.post(
        reverse("surveys:answer"), {"token": token, "lang": "da", "step": "-1"}
    ).content.decode()
    # ps7 and hesteskoen on one page under the notice: no "Del 1 af 1", only «Send svar».
    assert "Del 1 af" not in page1 and ">Send svar</button>" in page1
    assert "Når nogen laver en fejl" in page1
    assert 'name="q-ps7.1"' in page1 and "Meget enig" in page1
    assert token in page1  # carried in the POST body, not the URL
    html = _submit(client, token, ps7_answers)
    assert "Tak for dine svar" in html
    assert "Hvad sker der nu?" in html
    # Readable only once released: in a batch, at the latest at closing.
    assert not Response.objects.exists()
    services.measurement_close(measurement=open_survey.measurement, actor=None)
    response = Response.objects.get()
    assert response.answers == {**ps7_answers, "hesteskoen.1": 7}
    assert response.texts == {"hesteskoen.2": "Vi hjælper hinanden"}


def test_answers_survive_going_back_and_forward(long_survey: Survey) -> None:
    token = long_survey.tokens[long_survey.people[0].email]
    url = reverse("surveys:answer")
    client = Client()
    page = client.post(url, {"token": token, "lang": "da", "step": "-1"}).content.decode()
    page = client.post(
        url,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _state(page),
            "action": "next",
            "q-ps7.3": "2",
        },
    ).content.decode()
    assert "Del 2 af 2" in page
    back = client.post(
        url,
        {
            "token": token,
            "lang": "da",
            "step": "1",
            "state": _state(page),
            "action": "back",
            "q-hesteskoen.1": "4",
        },
    ).content.decode()
    assert 'id="q-ps7.3-2" name="q-ps7.3" value="2" checked' in back
    forward = client.post(
        url,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _state(back),
            "action": "next",
            "q-ps7.3": "2",
        },
    ).content.decode()
    assert 'value="4" checked' in forward


def test_an_invalid_code_is_explained_next_to_the_question(open_survey: Survey) -> None:
    token = open_survey.tokens[open_survey.people[0].email]
    url = reverse("surveys:answer")
    client = Client()
    page = client.post(url, {"token": token, "lang": "da", "step": "-1"}).content.decode()
    bad = client.post(
        url,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _state(page),
            "action": "next",
            "q-ps7.2": "9",
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Vælg et af svarene." in html
    assert 'href="#q-ps7.2-fejl"' in html


def test_the_survey_is_available_in_english(open_survey: Survey) -> None:
    token = open_survey.tokens[open_survey.people[0].email]
    notice = (
        Client()
        .get(reverse("surveys:start", kwargs={"token": token}) + "?sprog=en")
        .content.decode()
    )
    assert '<html lang="en">' in notice
    page = (
        Client()
        .post(reverse("surveys:answer"), {"token": token, "lang": "en", "step": "-1"})
        .content.decode()
    )
    assert "If you make a mistake on this team" in page
    assert "Strongly agree" in page


def test_a_second_submission_with_the_same_token_says_already_answered_and_overwrites_nothing(
    open_survey: Survey, ps7_answers: dict[str, int]
) -> None:
    token = open_survey.tokens[open_survey.people[0].email]
    _submit(Client(), token, ps7_answers)
    again = Client().post(
        reverse("surveys:answer"),
        {"token": token, "step": "0", "action": "submit", "q-hesteskoen.1": "1"},
    )
    assert "Du har allerede svaret" in again.content.decode()
    assert "intet er blevet overskrevet" in again.content.decode()
    link = Client().get(reverse("surveys:start", kwargs={"token": token}))
    assert "Du har allerede svaret" in link.content.decode()
    services.measurement_close(measurement=open_survey.measurement, actor=None)
    assert Response.objects.count() == 1
    assert Response.objects.get().answers == {**ps7_answers, "hesteskoen.1": 7}


def test_an_unknown_link_explains_itself(db: None) -> None:
    response = Client().get(reverse("surveys:start", kwargs={"token": "not-a-real-token-at-all"}))
    assert response.status_code == 404
    assert "Linket virker ikke" in response.content.decode()


def test_a_closed_measurement_refuses_answers_and_says_so(
    open_survey: Survey, world: World, ps7_answers: dict[str, int]
) -> None:
    token = open_survey.tokens[open_survey.people[0].email]
    services.measurement_close(measurement=open_survey.measurement, actor=world.owner)
    response = Client().get(reverse("surveys:start", kwargs={"token": token}))
    assert response.status_code == 410
    assert "Målingen er lukket" in response.content.decode()
    with pytest.raises(services.SubmissionRefused):
        services.response_submit(token=token, answers=ps7_answers, texts={})
    assert Response.objects.count() == 0
    assert not PendingAnswer.objects.exists()


def test_closing_computes_and_stores_the_report_data_in_the_background(
    open_survey: Survey,
    world: World,
    client: Client,
    ps7_answers: dict[str, int],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    from tryghed.results.aggregates import fingerprint
    from tryghed.results.models import ReportCache

    for token in open_survey.tokens.values():
        _submit(client, token, ps7_answers)
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_close(measurement=open_survey.measurement, actor=world.owner)
    measurement = Measurement.objects.get(pk=open_survey.measurement.pk)
    stored = ReportCache.objects.get(measurement=measurement)
    assert stored.fingerprint == fingerprint(measurement)
    assert stored.data["organisation"] is not None


def test_a_measurement_past_its_closing_date_refuses_answers(open_survey: Survey) -> None:
    Measurement.objects.filter(pk=open_survey.measurement.pk).update(
        opens_on=timezone.localdate() - dt.timedelta(days=10),
        closes_on=timezone.localdate() - dt.timedelta(days=1),
    )
    token = open_survey.tokens[open_survey.people[0].email]
    assert Client().get(reverse("surveys:start", kwargs={"token": token})).status_code == 410


def test_reminders_reach_only_those_who_have_not_answered_and_the_rate_rises(
    open_survey: Survey,
    world: World,
    ps7_answers: dict[str, int],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    answered = open_survey.people[:2]
    for person in answered:
        _submit(Client(), open_survey.tokens[person.email], ps7_answers)
    start = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.reminders_request(measurement=open_survey.measurement, actor=world.owner)
    assert count == 3
    reminded = tokens_from_outbox(start)
    assert set(reminded) == {p.email for p in open_survey.people[2:]}
    assert all("Påmindelse" in m.subject for m in mail.outbox[start:])
    # The reminder carries a fresh link that works; the first link still works too.
    late = open_survey.people[2]
    assert reminded[late.email] != open_survey.tokens[late.email]
    assert "Tak for dine svar" in _submit(Client(), reminded[late.email], ps7_answers)
    with pytest.raises(services.SubmissionRefused):
        services.response_submit(token=open_survey.tokens[late.email], answers={}, texts={})
    # Counted once released (at closing here: 3 answers never make a batch of 2 x 5).
    services.measurement_close(measurement=open_survey.measurement, actor=None)
    assert Response.objects.filter(measurement=open_survey.measurement).count() == 3


def test_the_admin_page_shows_counts_never_who_answered(
    open_survey: Survey, world: World, ps7_answers: dict[str, int]
) -> None:
    _submit(Client(), open_survey.tokens[world.person_a.email], ps7_answers)
    html = (
        client_for(world.owner)
        .get(
            reverse(
                "surveys_admin:detail",
                kwargs={"org": world.org.slug, "measurement_id": open_survey.measurement.pk},
            )
        )
        .content.decode()
    )
    # The one answer is still pending: the pending pool is never shown, only released ones.
    assert "1 af 5" not in html and "20 %" not in html
    for person in open_survey.people:
        assert person.name not in html and person.email not in html


@pytest.mark.parametrize(
    ("user", "status", "participation"),
    [
        ("owner", 200, 200),
        ("amo", 200, 200),
        # A leader reads their subtree's participation (tests/surveys/test_leader_participation.py).
        ("leader", 403, 200),
        ("employee", 403, 403),
        ("outsider", 404, 404),
    ],
)
def test_measurement_pages_are_for_admins_and_the_amo(
    open_survey: Survey, world: World, user: str, status: int, participation: int
) -> None:
    client = client_for(getattr(world, user))
    assert (
        client.get(reverse("surveys_admin:create", kwargs={"org": world.org.slug})).status_code
        == status
    )
    for url in (
        reverse("surveys_admin:list", kwargs={"org": world.org.slug}),
        reverse(
            "surveys_admin:detail",
            kwargs={"org": world.org.slug, "measurement_id": open_survey.measurement.pk},
        ),
    ):
        assert client.get(url).status_code == participation


def test_another_organisations_measurement_is_404(open_survey: Survey, world: World) -> None:
    url = reverse(
        "surveys_admin:detail",
        kwargs={"org": world.other_org.slug, "measurement_id": open_survey.measurement.pk},
    )
    assert client_for(world.outsider).get(url).status_code == 404


def test_an_admin_creates_and_opens_a_measurement_for_a_subtree_from_the_browser_forms(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = client_for(world.amo)
    today = timezone.localdate()
    response = client.post(
        reverse("surveys_admin:create", kwargs={"org": world.org.slug}),
        {
            "name": "Forår",
            "template": "",
            "instruments": ["ps7", "stress"],
            "units": [world.team_a.pk],
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=7)).isoformat(),
            "languages": ["da"],
            "min_group_score": "5",
            "min_group_comment": "10",
            "min_group_sensitive": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    measurement = Measurement.objects.get(name="Forår")
    assert [i.instrument_id for i in measurement.instruments.all()] == ["ps7", "stress"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "surveys_admin:open",
                kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
            ),
            {"confirm": "1"},
        )
    measurement.refresh_from_db()
    assert measurement.status == Status.OPEN
    assert [m.to for m in mail.outbox] == [[world.person_a.email]]  # team A only, not team B


def test_minimum_group_sizes_cannot_go_below_the_floor(world: World) -> None:
    today = timezone.localdate()
    response = client_for(world.owner).post(
        reverse("surveys_admin:create", kwargs={"org": world.org.slug}),
        {
            "name": "X",
            "instruments": ["ps7"],
            "units": [world.area.pk],
            "opens_on": today.isoformat(),
            "closes_on": today.isoformat(),
            "languages": ["da"],
            "min_group_score": "2",
            "min_group_comment": "10",
            "min_group_sensitive": "9",
        },
    )
    assert response.status_code == 200
    assert not Measurement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_token_store_one_response(
    world: World, ps7_answers: dict[str, int], settings: object
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the two-connection race needs PostgreSQL (SQLite serialises writers anyway)")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Race",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.team_a)],
        opens_on=today,
        closes_on=today,
    )
    mail.outbox.clear()
    services.measurement_open(measurement=measurement, actor=None)  # commits: the e-mail goes now
    token = tokens_from_outbox()[world.person_a.email]
    outcomes = submit_twice_at_once(token, ps7_answers)
    assert sorted(outcomes) == ["stored", "used"]
    assert PendingAnswer.objects.filter(measurement=measurement).count() == 1
    assert SubmissionMark.objects.filter(measurement=measurement).count() == 1
    services.measurement_close(measurement=measurement, actor=None)
    assert Response.objects.filter(measurement=measurement).count() == 1


def test_the_date_fields_render_iso_dates_for_the_native_date_picker(world: World) -> None:
    html = (
        client_for(world.owner)
        .get(reverse("surveys_admin:create", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    today = timezone.localdate().isoformat()
    assert f'type="date" name="opens_on" value="{today}"' in html
