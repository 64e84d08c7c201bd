"""Paper codes for people without e-mail (privacy.md section 5): capped, single-use,
stored as hashes only, printed once with an audit row, and answered without signing in."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories import make_person
from tests.surveys.conftest import CaptureOnCommit, tokens_from_outbox
from tests.surveys.races import submit_twice_at_once
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Person
from tryghed.surveys import codes, services
from tryghed.surveys.models import Invitation, Measurement, PaperCode, Response, SubmissionMark
from tryghed.surveys.selectors import paper_code_counts, paper_code_counts_shown
from tryghed.web.log import RedactSurveyTokens

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
PS7 = {f"ps7.{n}": 3 for n in range(1, 8)}


@dataclass
class CodeSurvey:
    measurement: Measurement
    tokens: dict[str, str]  # e-mail -> personal link token
    without_email: list[Person]  # in team B


@pytest.fixture
def code_survey(world: World, django_capture_on_commit_callbacks: CaptureOnCommit) -> CodeSurvey:
    """The world's area: Alma (team A) and Bent (team B) with e-mail, and three people
    without e-mail in team B. Team B has 4 invited, 3 of them without a personal link."""
    without = [make_person(world.team_b, name=f"Uden mail {i}") for i in range(3)]
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Papir",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    return CodeSurvey(measurement, tokens_from_outbox(), without)


def _print(survey: CodeSurvey, world: World, count: int) -> list[str]:
    return services.paper_codes_print(
        measurement=survey.measurement, unit=world.team_b, count=count, actor=world.amo
    )


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, html[:800]
    return match.group(1)


def _answer_from_notice(client: Client, notice_html: str) -> str:
    """From the notice page on, as the respondent's browser would: the token in the body."""
    token = _hidden(notice_html, "token")
    url = reverse("surveys:answer")
    page = client.post(url, {"token": token, "lang": "da", "step": "-1"}).content.decode()
    final = client.post(
        url,
        {
            "token": token,
            "lang": "da",
            "step": "0",
            "state": _hidden(page, "state"),
            "action": "submit",
            **{f"q-{k}": str(v) for k, v in PS7.items()},
        },
    )
    return final.content.decode()


def _answer_with_code(code: str) -> str:
    """The thank-you page, or the page that refused the code."""
    client = Client()
    notice = client.post(reverse("surveys:code"), {"code": code}).content.decode()
    return _answer_from_notice(client, notice) if 'name="token"' in notice else notice


def _answer_with_link(token: str) -> str:
    client = Client()
    notice = client.get(reverse("surveys:start", kwargs={"token": token})).content.decode()
    return _answer_from_notice(client, notice) if 'name="token"' in notice else notice


# --------------------------------------------------------------------------- the code


def test_a_code_is_16_crockford_characters_and_reads_back_however_it_is_typed() -> None:
    code = codes.paper_code_new()
    assert len(code) == 16 and set(code) <= set(codes.ALPHABET)
    assert codes.paper_code_display("7K2MQX9D4HRTB0WE") == "7K2M-QX9D-4HRT-B0WE"
    for typed in ("7k2m-qx9d-4hrt-b0we", " 7K2M QX9D 4HRT BOWE ", "7K2MQX9D4HRTB0WE"):
        assert codes.paper_code_normalise(typed) == "7K2MQX9D4HRTB0WE"
    assert codes.paper_code_normalise("IL00-0000-0000-0000") == "1100000000000000"
    assert codes.paper_code_normalise("7K2M-QX9D-4HRT-B0W") is None  # one short
    assert codes.paper_code_normalise("UUUU-UUUU-UUUU-UUUU") is None  # U is not Crockford
    assert codes.paper_code_normalise("kode") is None


# --------------------------------------------------------------------------- printing


def test_codes_for_a_unit_are_capped_at_its_invited_people_without_email(
    code_survey: CodeSurvey, world: World
) -> None:
    assert services.paper_code_room(code_survey.measurement, world.team_b) == 3
    assert len(_print(code_survey, world, 2)) == 2
    assert services.paper_code_room(code_survey.measurement, world.team_b) == 1
    with pytest.raises(ValidationError, match="højst laves 1 kode mere"):
        _print(code_survey, world, 2)
    assert len(_print(code_survey, world, 1)) == 1
    with pytest.raises(ValidationError):
        _print(code_survey, world, 1)
    with pytest.raises(ValidationError):  # everyone in team A has e-mail
        services.paper_codes_print(
            measurement=code_survey.measurement, unit=world.team_a, count=1, actor=world.amo
        )
    assert PaperCode.objects.filter(measurement=code_survey.measurement).count() == 3


def test_only_the_hash_of_a_code_is_stored_anywhere_in_the_database(
    code_survey: CodeSurvey, world: World
) -> None:
    printed = _print(code_survey, world, 3)
    assert "Tak for dine svar" in _answer_with_code(printed[0])
    normalised = [codes.paper_code_normalise(code) for code in printed]
    assert set(PaperCode.objects.values_list("code_hash", flat=True)) == {
        services.hash_token(code) for code in normalised if code
    }
    # Every row of every table, as text: no code appears, in either spelling.
    dump: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the db)
            dump.extend(str(row) for row in cursor.fetchall())
    text = "\n".join(dump)
    for display, plain in zip(printed, normalised, strict=True):
        assert plain and plain not in text and display not in text


def test_printing_is_audit_logged_with_who_how_many_and_which_unit(
    code_survey: CodeSurvey, world: World
) -> None:
    _print(code_survey, world, 2)
    event = AuditEvent.objects.get(action="measurement.paper_codes_printed")
    assert event.actor == world.amo
    assert event.organisation == world.org
    assert event.object_id == str(code_survey.measurement.pk)
    assert event.summary == "Team B"
    assert event.data == {"unit": world.team_b.pk, "count": 2}
    assert event.at is not None


def test_the_print_page_shows_the_codes_once_as_slips_and_never_again(
    code_survey: CodeSurvey, world: World
) -> None:
    client = client_for(world.amo)
    url = reverse(
        "surveys_admin:paper_codes_print",
        kwargs={"org": world.org.slug, "measurement_id": code_survey.measurement.pk},
    )
    response = client.post(url, {"unit": world.team_b.pk, "count": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    shown = CODE.findall(html)
    assert len(shown) == 2 and len(set(shown)) == 2
    assert html.count("<svg") == 2  # a QR code per slip
    assert "Tag en seddel. Koden kan bruges én gang. Ingen kan se, hvem der fik hvilken kode." in (
        html
    )
    assert "http://testserver/s/kode/" in html
    detail = client.get(
        reverse(
            "surveys_admin:detail",
            kwargs={"org": world.org.slug, "measurement_id": code_survey.measurement.pk},
        )
    ).content.decode()
    assert not set(CODE.findall(detail)) & set(shown)
    again = client.post(url, {"unit": world.team_b.pk, "count": "1"}).content.decode()
    assert len(CODE.findall(again)) == 1 and not set(CODE.findall(again)) & set(shown)
    refused = client.post(url, {"unit": world.team_b.pk, "count": "1"}, follow=True)
    assert "højst laves 0 koder mere" in refused.content.decode()
    assert PaperCode.objects.count() == 3


@pytest.mark.parametrize(
    ("user", "status"), [("leader", 403), ("employee", 403), ("outsider", 404)]
)
def test_only_admins_and_the_amo_can_print_codes(
    code_survey: CodeSurvey, world: World, user: str, status: int
) -> None:
    url = reverse(
        "surveys_admin:paper_codes_print",
        kwargs={"org": world.org.slug, "measurement_id": code_survey.measurement.pk},
    )
    response = client_for(getattr(world, user)).post(url, {"unit": world.team_b.pk, "count": "1"})
    assert response.status_code == status
    assert not PaperCode.objects.exists()


# --------------------------------------------------------------------------- answering


def test_a_respondent_types_a_code_and_answers_without_signing_in_or_cookies(
    code_survey: CodeSurvey, world: World
) -> None:
    code = _print(code_survey, world, 1)[0]
    client = Client()
    form = client.get(reverse("surveys:code"))
    assert form.status_code == 200 and 'name="code"' in form.content.decode()
    # Typed on a phone: lower case, spaces instead of hyphens.
    notice = client.post(reverse("surveys:code"), {"code": code.lower().replace("-", " ")})
    html = notice.content.decode()
    assert "Du svarer med en papirkode" in html
    assert _hidden(html, "token") == code  # from here on in the POST body
    assert not notice.cookies and notice["Cache-Control"] == "no-store"
    thanks = _answer_from_notice(client, html)
    assert "Tak for dine svar" in thanks and "Din kode er nu brugt" in thanks
    services.measurement_close(measurement=code_survey.measurement, actor=world.owner)
    assert list(Response.objects.values_list("unit", flat=True)) == [world.team_b.pk]
    assert Response.objects.get().answers == PS7


def test_the_qr_address_of_a_slip_opens_the_privacy_notice(
    code_survey: CodeSurvey, world: World
) -> None:
    code = _print(code_survey, world, 1)[0]
    response = Client().get(reverse("surveys:start", kwargs={"token": code}))
    assert response.status_code == 200
    assert "Du svarer med en papirkode" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_used_code_says_so_and_stores_nothing_more(code_survey: CodeSurvey, world: World) -> None:
    code = _print(code_survey, world, 1)[0]
    assert "Tak for dine svar" in _answer_with_code(code)
    again = Client().post(reverse("surveys:code"), {"code": code})
    assert again.status_code == 200
    assert "Koden er allerede brugt" in again.content.decode()
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(token=code, answers=PS7, texts={})
    assert refused.value.reason == "used"
    assert SubmissionMark.objects.filter(measurement=code_survey.measurement).count() == 1
    assert paper_code_counts(code_survey.measurement) == (1, 1)


def test_an_unknown_code_explains_itself(code_survey: CodeSurvey, world: World) -> None:
    _print(code_survey, world, 1)
    for typed in ("AAAA-BBBB-CCCC-DDDD", "hej"):
        response = Client().post(reverse("surveys:code"), {"code": typed})
        assert response.status_code == 404
        assert "Koden findes ikke" in response.content.decode()
    page = Client().get(reverse("surveys:start", kwargs={"token": "AAAA-BBBB-CCCC-DDDD"}))
    assert page.status_code == 404 and "Koden virker ikke" in page.content.decode()


def test_a_code_no_longer_answers_once_the_measurement_is_closed(
    code_survey: CodeSurvey, world: World
) -> None:
    code = _print(code_survey, world, 1)[0]
    services.measurement_close(measurement=code_survey.measurement, actor=world.owner)
    response = Client().post(reverse("surveys:code"), {"code": code})
    assert response.status_code == 410 and "Målingen er lukket" in response.content.decode()


def test_a_units_answers_never_exceed_its_invited_headcount(
    code_survey: CodeSurvey, world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement = code_survey.measurement
    printed = _print(code_survey, world, 2) + _print(code_survey, world, 1)
    with pytest.raises(ValidationError):
        _print(code_survey, world, 1)
    # Someone without e-mail at opening gets an address later: still no personal link,
    # or they could answer with a code and a link.
    late = code_survey.without_email[0]
    late.email = "sen@example.test"
    late.save(update_fields=["email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_request(measurement=measurement, actor=world.owner)
    assert "sen@example.test" not in {m.to[0] for m in mail.outbox}
    for code in printed:
        assert "Tak for dine svar" in _answer_with_code(code)
        assert "Koden er allerede brugt" in _answer_with_code(code)
    for token in code_survey.tokens.values():
        assert "Tak for dine svar" in _answer_with_link(token)
        assert "Du har allerede svaret" in _answer_with_link(token)
    services.measurement_close(measurement=measurement, actor=world.owner)
    for unit in (world.team_a, world.team_b):
        invited = Invitation.objects.filter(measurement=measurement, unit=unit).count()
        answered = Response.objects.filter(measurement=measurement, unit=unit).count()
        assert answered == invited, unit.name
    assert Response.objects.filter(measurement=measurement).count() == 5
    assert paper_code_counts(measurement) == (3, 3)


def test_the_code_count_is_per_measurement_and_published_only_when_safe(
    code_survey: CodeSurvey, world: World
) -> None:
    measurement = code_survey.measurement
    printed = _print(code_survey, world, 3)
    _answer_with_code(printed[0])
    assert paper_code_counts(measurement) == (3, 1)
    assert paper_code_counts_shown(measurement) is None  # open: no live figure
    services.measurement_close(measurement=measurement, actor=world.owner)
    measurement.refresh_from_db()
    # 3 codes printed is below the participation minimum of 5: the split stays hidden.
    assert paper_code_counts_shown(measurement) is None


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_code_store_one_answer(
    world: World, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the two-connection race needs PostgreSQL (SQLite serialises writers anyway)")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    make_person(world.team_b, name="Uden mail")
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Kapløb",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.team_b)],
        opens_on=today,
        closes_on=today,
    )
    services.measurement_open(measurement=measurement, actor=None)
    code = services.paper_codes_print(
        measurement=measurement, unit=world.team_b, count=1, actor=world.amo
    )[0]
    outcomes = submit_twice_at_once(code, PS7)
    assert sorted(outcomes) == ["stored", "used"]
    assert SubmissionMark.objects.filter(measurement=measurement).count() == 1
    services.measurement_close(measurement=measurement, actor=None)
    assert Response.objects.filter(measurement=measurement).count() == 1


def test_the_request_log_never_holds_a_code_from_a_qr_address() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /s/%s/ HTTP/1.1" 200',
        ("7K2M-QX9D-4HRT-B0WE",),
        None,
    )
    RedactSurveyTokens().filter(record)
    assert record.getMessage() == '"GET /s/[token]/ HTTP/1.1" 200'
