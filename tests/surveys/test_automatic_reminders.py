"""The automatic reminder (``tryghed remind-measurements``, daily): when at most three days
are left to an open measurement's closing day, the reminder round the button sends goes out
by itself, unless a round went out that week already."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.surveys.conftest import CaptureOnCommit, Survey, tokens_from_outbox
from tests.surveys.test_anonymity import _submit
from tryghed import cli
from tryghed.audit.models import AuditEvent
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import AUTOMATIC_REMINDER_DAYS, automatic_reminders_due


def _dates(survey: Survey, *, opened_days_ago: int, days_left: int) -> Measurement:
    today = timezone.localdate()
    Measurement.objects.filter(pk=survey.measurement.pk).update(
        opens_on=today - dt.timedelta(days=opened_days_ago),
        closes_on=today + dt.timedelta(days=days_left),
    )
    return Measurement.objects.get(pk=survey.measurement.pk)


def _run(capture: CaptureOnCommit, *args: str) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("remind_measurements", *args, stdout=out)
    return out.getvalue()


def _reminded() -> list[tuple[str, str, dict[str, object]]]:
    return list(
        AuditEvent.objects.filter(action="measurement.reminded").values_list(
            "object_id", "actor_label", "data"
        )
    )


def test_the_round_goes_to_those_who_have_not_answered_once(
    open_survey: Survey,
    ps7_answers: dict[str, int],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    measurement = _dates(open_survey, opened_days_ago=10, days_left=AUTOMATIC_REMINDER_DAYS)
    for person in open_survey.people[:2]:
        _submit(Client(), open_survey.tokens[person.email], ps7_answers)
    start = len(mail.outbox)
    out = _run(django_capture_on_commit_callbacks)
    assert f"Reminded Testkommune: {measurement.name}" in out
    reminded = tokens_from_outbox(start)
    assert set(reminded) == {p.email for p in open_survey.people[2:]}
    assert all("Påmindelse" in m.subject for m in mail.outbox[start:])
    # As the button's round: no actor, and no count of those who had not answered.
    assert _reminded() == [(str(measurement.pk), "system", {})]
    # The fresh link works.
    late = open_survey.people[2]
    assert "Tak for dine svar" in _submit(Client(), reminded[late.email], ps7_answers)
    # The next morning: nothing again.
    start = len(mail.outbox)
    assert "No measurement is due" in _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == start
    assert len(_reminded()) == 1


@pytest.mark.parametrize(
    ("opened_days_ago", "days_left", "due"),
    [
        (10, AUTOMATIC_REMINDER_DAYS + 1, False),  # too early
        (10, AUTOMATIC_REMINDER_DAYS, True),
        (10, 0, True),  # the closing day itself
        (1, 2, False),  # the invitations went out yesterday
        (2, 2, True),
    ],
)
def test_it_is_due_in_the_last_days_of_a_measurement_open_long_enough(
    open_survey: Survey, opened_days_ago: int, days_left: int, due: bool
) -> None:
    measurement = _dates(open_survey, opened_days_ago=opened_days_ago, days_left=days_left)
    found = automatic_reminders_due(today=timezone.localdate())
    assert (measurement in found) is due


def test_a_round_sent_with_the_button_that_week_is_enough(
    open_survey: Survey, world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement = _dates(open_survey, opened_days_ago=10, days_left=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_request(measurement=measurement, actor=world.owner)
    start = len(mail.outbox)
    assert "No measurement is due" in _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == start


def test_drafts_and_closed_measurements_get_none(
    open_survey: Survey, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement = _dates(open_survey, opened_days_ago=10, days_left=1)
    for status in (Status.DRAFT, Status.CLOSED):
        Measurement.objects.filter(pk=measurement.pk).update(status=status)
        assert automatic_reminders_due(today=timezone.localdate()) == []


def test_a_dry_run_lists_and_sends_nothing(
    open_survey: Survey, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement = _dates(open_survey, opened_days_ago=10, days_left=1)
    start = len(mail.outbox)
    out = _run(django_capture_on_commit_callbacks, "--dry-run")
    assert f"Would remind Testkommune: {measurement.name}" in out
    assert len(mail.outbox) == start
    assert _reminded() == []
    assert cli.main(["remind-measurements", "--dry-run"]) == 0


def test_the_measurement_page_tells_the_administrator(open_survey: Survey, world: World) -> None:
    url = reverse(
        "surveys_admin:detail",
        kwargs={"org": world.org.slug, "measurement_id": open_survey.measurement.pk},
    )
    page = client_for(world.owner).get(url).content.decode()
    assert "3 dage før lukkedagen sender Tryghed automatisk en påmindelse" in page


def test_someone_who_has_left_gets_no_reminder(
    open_survey: Survey, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    _dates(open_survey, opened_days_ago=10, days_left=1)
    leaver = open_survey.people[0]
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    start = len(mail.outbox)
    _run(django_capture_on_commit_callbacks)
    assert set(tokens_from_outbox(start)) == {p.email for p in open_survey.people[1:]}
