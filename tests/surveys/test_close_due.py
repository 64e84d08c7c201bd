"""The nightly closing: an open measurement past its closing day closes by itself
(``tryghed close-measurements``), as if an administrator had pressed «Luk målingen»."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.surveys.conftest import CaptureOnCommit, Survey, open_survey_of
from tryghed import cli
from tryghed.audit.models import AuditEvent
from tryghed.results.models import ReportCache
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, PendingAnswer, Response, Status


def _day_after(measurement: Measurement) -> dt.date:
    return measurement.closes_on + dt.timedelta(days=1)


def _status(measurement: Measurement) -> str:
    return str(Measurement.objects.get(pk=measurement.pk).status)


def _closings() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action="measurement.closed").values_list(
            "object_id", "actor_label"
        )
    )


def _second_open(world: World, capture: CaptureOnCommit, closes_on: dt.date) -> Measurement:
    """Another open measurement of the world's organisation, closing on ``closes_on``."""
    measurement = open_survey_of(world, capture, ["ps7"], name="Forår").measurement
    Measurement.objects.filter(pk=measurement.pk).update(closes_on=closes_on)
    return Measurement.objects.get(pk=measurement.pk)


def _other_org_open(world: World, closes_on: dt.date) -> Measurement:
    """An open measurement of the other organisation (the closing is for every one)."""
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.other_org,
        actor=world.outsider,
        name="Fremmed måling",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.other_unit)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    services.measurement_open(measurement=measurement, actor=world.outsider)
    Measurement.objects.filter(pk=measurement.pk).update(closes_on=closes_on)
    return Measurement.objects.get(pk=measurement.pk)


def test_an_open_measurement_closes_the_day_after_its_closing_day(
    open_survey: Survey,
    world: World,
    ps7_answers: dict[str, int],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    m = open_survey.measurement
    # Three answers: fewer than a batch, so they wait sealed until the closing.
    for person in open_survey.people[:3]:
        services.response_submit(
            token=open_survey.tokens[person.email], answers=ps7_answers, texts={}
        )
    assert PendingAnswer.objects.filter(measurement=m).count() == 3
    assert not Response.objects.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.measurements_close_due(today=_day_after(m))
    assert [closed.pk for closed in outcome.closed] == [m.pk] and outcome.failed == []
    stored = Measurement.objects.get(pk=m.pk)
    assert stored.status == Status.CLOSED and stored.closed_at is not None
    # The last batch is released, as the button's closing releases it.
    assert Response.objects.filter(measurement=m).count() == 3
    assert not PendingAnswer.objects.filter(measurement=m).exists()
    assert _closings() == [(str(m.pk), "system")]
    assert AuditEvent.objects.get(action="measurement.closed").actor is None
    # After the commit: the publication is built and everyone hears the results are ready.
    assert ReportCache.objects.filter(measurement=m).exists()
    assert "Resultaterne er klar: Efterår" in {message.subject for message in mail.outbox}


def test_a_measurement_closing_today_stays_open_all_day(open_survey: Survey) -> None:
    m = open_survey.measurement
    outcome = services.measurements_close_due(today=m.closes_on)
    assert outcome.closed == [] and outcome.failed == []
    assert _status(m) == Status.OPEN
    assert _closings() == []


def test_drafts_and_closed_measurements_are_left_as_they_are(
    open_survey: Survey, world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    today = timezone.localdate()
    draft = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Kladde",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.area)],
        opens_on=today - dt.timedelta(days=20),
        closes_on=today - dt.timedelta(days=10),
    )
    closed = services.measurement_close(measurement=open_survey.measurement, actor=world.owner)
    Measurement.objects.filter(pk=closed.pk).update(
        opens_on=today - dt.timedelta(days=20), closes_on=today - dt.timedelta(days=10)
    )
    outcome = services.measurements_close_due(today=today)
    assert outcome.closed == [] and outcome.failed == []
    assert _status(draft) == Status.DRAFT
    assert Measurement.objects.get(pk=closed.pk).closed_at == closed.closed_at
    assert _closings() == [(str(closed.pk), world.owner.email)]


def test_a_second_run_changes_nothing(open_survey: Survey) -> None:
    m = open_survey.measurement
    day = _day_after(m)
    assert len(services.measurements_close_due(today=day).closed) == 1
    closed_at = Measurement.objects.get(pk=m.pk).closed_at
    again = services.measurements_close_due(today=day + dt.timedelta(days=1))
    assert again.closed == [] and again.failed == []
    assert Measurement.objects.get(pk=m.pk).closed_at == closed_at
    assert len(_closings()) == 1


def test_one_failing_closing_does_not_stop_the_others_and_the_command_fails(
    open_survey: Survey,
    world: World,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = open_survey.measurement
    day = _day_after(first)
    # Closing one day earlier, so it is tried first (oldest closing day first).
    failing = _second_open(
        world, django_capture_on_commit_callbacks, first.closes_on - dt.timedelta(days=1)
    )
    other = _other_org_open(world, first.closes_on)
    real_freeze = services.measurement_freeze_tree

    # It fails halfway through its closing, after its status was written: that is undone.
    def freeze(*, measurement: Measurement) -> list[dict[str, object]]:
        if measurement.pk == failing.pk:
            raise RuntimeError("disk full")
        return real_freeze(measurement=measurement)

    monkeypatch.setattr(services, "measurement_freeze_tree", freeze)
    out = StringIO()
    with pytest.raises(CommandError, match="Testkommune: Forår"):
        call_command("close_measurements", date=day.isoformat(), stdout=out)
    assert _status(failing) == Status.OPEN
    assert _status(first) == Status.CLOSED and _status(other) == Status.CLOSED
    assert out.getvalue().splitlines() == [
        f"Closed Testkommune: Efterår (closing day {first.closes_on.isoformat()})",
        f"Closed Andenkommune: Fremmed måling (closing day {first.closes_on.isoformat()})",
    ]
    assert "disk full" in caplog.text
    # The tryghed command says so on stderr and exits 1, for cron.
    assert cli.main(["close-measurements", "--date", day.isoformat()]) == 1


def test_the_command_prints_each_closing_or_that_there_is_none(
    open_survey: Survey, capsys: pytest.CaptureFixture[str]
) -> None:
    m = open_survey.measurement
    day = _day_after(m).isoformat()
    assert cli.COMMANDS["close-measurements"][0] == "close_measurements"
    assert cli.main(["close-measurements", "--date", day]) == 0
    assert capsys.readouterr().out == (
        f"Closed Testkommune: Efterår (closing day {m.closes_on.isoformat()})\n"
    )
    assert cli.main(["close-measurements", "--date", day]) == 0
    assert capsys.readouterr().out == "No measurement is past its closing day.\n"


def test_a_dry_run_lists_what_would_close_and_changes_nothing(open_survey: Survey) -> None:
    m = open_survey.measurement
    out = StringIO()
    call_command("close_measurements", date=_day_after(m).isoformat(), dry_run=True, stdout=out)
    assert out.getvalue() == (
        f"Would close Testkommune: Efterår (closing day {m.closes_on.isoformat()})\n"
    )
    assert _status(m) == Status.OPEN
    assert _closings() == []
    out = StringIO()
    call_command("close_measurements", date=m.closes_on.isoformat(), dry_run=True, stdout=out)
    assert out.getvalue() == "No measurement is past its closing day.\n"


def test_a_bad_date_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="--date: '5/12/2026' is not a date like 2029-12-01"):
        call_command("close_measurements", date="5/12/2026")


def test_the_measurement_page_says_it_closes_by_itself(open_survey: Survey, world: World) -> None:
    m = open_survey.measurement
    Measurement.objects.filter(pk=m.pk).update(closes_on=dt.date(2099, 12, 5))
    url = reverse("surveys_admin:detail", kwargs={"org": world.org.slug, "measurement_id": m.pk})
    line = "Målingen lukker af sig selv natten efter 5. december 2099. Du kan også lukke den nu."
    assert line in client_for(world.owner).get(url).content.decode()
    services.measurement_close(measurement=m, actor=world.owner)
    assert "lukker af sig selv" not in client_for(world.owner).get(url).content.decode()
