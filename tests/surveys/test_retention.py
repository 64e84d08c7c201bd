"""Retention (privacy.md section 5): answers are deleted after the period, reports stay."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import World
from tests.results.test_aggregates import answer, make_measurement, ps7
from tests.surveys.conftest import Survey
from tests.surveys.test_anonymity import _submit
from tryghed.audit.models import AuditEvent
from tryghed.results.aggregates import compute_report_data, group, report_data
from tryghed.surveys import selectors, services
from tryghed.surveys.models import Invitation, InvitationToken, Measurement, Response, Status
from tryghed.surveys.retention import add_months, due_for_purge, measurement_purge_responses


def _purge(today: dt.date) -> str:
    out = io.StringIO()
    call_command("purge_responses", today=today.isoformat(), stdout=out)
    return out.getvalue()


def _answered(survey: Survey, client: Client, ps7_answers: dict[str, int]) -> Measurement:
    for token in survey.tokens.values():
        _submit(client, token, ps7_answers)
    return services.measurement_close(measurement=survey.measurement, actor=None)


def test_months_are_added_by_the_calendar_and_clamped_to_the_month_end() -> None:
    assert add_months(dt.date(2026, 11, 16), 36) == dt.date(2029, 11, 16)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


@pytest.mark.django_db
def test_nothing_is_due_before_the_organisations_retention_period_has_passed(
    world: World,
) -> None:
    measurement = make_measurement(world)  # closes 2026-11-16
    answer(measurement, world.team_a, ps7([2]))
    assert due_for_purge(today=dt.date(2029, 11, 15)) == []
    assert [o.measurement for o in due_for_purge(today=dt.date(2029, 11, 16))] == [measurement]
    world.org.response_retention_months = 12
    world.org.save()
    assert [o.responses for o in due_for_purge(today=dt.date(2027, 11, 16))] == [1]


@pytest.mark.django_db
def test_the_answers_go_and_the_report_and_response_rate_read_the_same(
    world: World, open_survey: Survey, client: Client, ps7_answers: dict[str, int]
) -> None:
    measurement = _answered(open_survey, client, ps7_answers)
    before = report_data(measurement)
    rates_before = selectors.response_rates(measurement)
    assert group(before, None, "organisation")["suppressed"] is False

    output = _purge(measurement.closes_on + dt.timedelta(days=3 * 366))

    assert "Deleted 5 answers" in output
    assert Response.objects.filter(measurement=measurement).count() == 0
    assert InvitationToken.objects.filter(invitation__measurement=measurement).count() == 0
    assert not Invitation.objects.filter(measurement=measurement, person__isnull=False).exists()
    measurement.refresh_from_db()
    assert report_data(measurement) == before
    assert selectors.response_rates(measurement) == rates_before
    event = AuditEvent.objects.get(action="measurement.responses_purged")
    assert event.data == {"responses": 5}


@pytest.mark.django_db
def test_running_it_twice_deletes_nothing_more(world: World) -> None:
    measurement = make_measurement(world)
    for _ in range(5):
        answer(measurement, world.team_a, ps7([2]))
    later = dt.date(2030, 1, 1)
    assert "Deleted 5 answers" in _purge(later)
    assert "No measurement is due" in _purge(later)
    assert measurement_purge_responses(measurement=measurement).responses == 0
    assert AuditEvent.objects.filter(action="measurement.responses_purged").count() == 1


@pytest.mark.django_db
def test_a_dry_run_lists_and_deletes_nothing(world: World) -> None:
    measurement = make_measurement(world)
    answer(measurement, world.team_a, ps7([2]))
    out = io.StringIO()
    call_command("purge_responses", today="2030-01-01", dry_run=True, stdout=out)
    assert "Would delete 1 answers" in out.getvalue()
    assert Response.objects.filter(measurement=measurement).count() == 1


@pytest.mark.django_db
def test_a_later_wave_keeps_its_change_figures_after_the_earlier_answers_are_gone(
    world: World,
) -> None:
    first = make_measurement(world)
    for k in range(10):
        answer(first, world.team_a, ps7([4 + k % 2]))
    second = make_measurement(world, previous=first)
    for k in range(10):
        answer(second, world.team_a, ps7([1 + k % 2]))
    change = group(report_data(second), None, "organisation")["instruments"]["ps7"]["scales"]
    assert change["total"]["change"]["reading"] == "real"

    _purge(dt.date(2030, 1, 1))  # due for the first wave only

    assert Response.objects.filter(measurement=first).count() == 0
    assert Response.objects.filter(measurement=second).count() == 10
    after = group(report_data(second), None, "organisation")["instruments"]["ps7"]["scales"]
    assert after["total"]["change"] == change["total"]["change"]


@pytest.mark.django_db
def test_a_later_wave_still_open_does_not_hold_the_earlier_answers_back(
    world: World,
) -> None:
    """The notice's months hold with a follow-up running: the earlier answers go on the
    day, and the follow-up's change, once it closes, is the one the earlier wave's answers
    would have given (it is built from the earlier publication, frozen by the purge)."""
    first = make_measurement(world)
    for k in range(10):
        answer(first, world.team_a, ps7([4 + k % 2]))
    second = make_measurement(world, previous=first, status=Status.OPEN)
    for k in range(10):
        answer(second, world.team_a, ps7([1 + k % 2]))

    def change() -> object:
        # Built as at closing (not stored), the follow-up closed for the moment.
        Measurement.objects.filter(pk=second.pk).update(status=Status.CLOSED)
        built = compute_report_data(Measurement.objects.get(pk=second.pk))
        Measurement.objects.filter(pk=second.pk).update(status=Status.OPEN)
        return group(built, None, "organisation")["instruments"]["ps7"]["scales"]["total"]["change"]

    expected = change()
    assert isinstance(expected, dict) and expected["reading"] == "real"
    assert "Deleted 10 answers" in _purge(dt.date(2030, 1, 1))
    assert Response.objects.filter(measurement=first).count() == 0
    assert change() == expected


@pytest.mark.django_db
def test_a_wrong_date_is_refused_with_the_format_to_use() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2029-12-01"):
        call_command("purge_responses", today="1/12/2029")
