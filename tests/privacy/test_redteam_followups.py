"""Red team findings on the rebuilt anonymity, each attacked as its adversary would:
a move while open (a reader of the participation page), the submission week splitting a
release batch (the operator with outside timing), and a timestamped count of the
non-responders in the audit log (the operator with a backup)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_reader_attacks import _row_counts
from tryghed.audit.models import AuditEvent
from tryghed.orgs import services as org_services
from tryghed.surveys import services
from tryghed.surveys.models import PendingAnswer, Response

pytestmark = pytest.mark.django_db


def test_moving_a_small_team_while_open_moves_no_participation_count() -> None:
    """Reader (section 0.1), "after a reorganisation": the rate page read before and after
    a 3-person team moves to another department, with no release in between."""
    place = attack.build_workplace(
        {
            "Drift": (None, 0),
            "Team A": ("Drift", 3),
            "Team B": ("Drift", 12),
            "Plejen": (None, 0),
            "Team C": ("Plejen", 20),
        }
    )
    launched = attack.launch(place)
    m = launched.measurement
    # Some do not answer (a row where everyone answered is never shown). Team C first:
    # batches of all but the minimum leave Drift with 5..10 of 15 released, Plejen 10..15
    # of 20, so both keep five who answered and five who did not, whatever the draw.
    for p in place.people["Team C"][:15] + place.people["Team A"] + place.people["Team B"][:7]:
        attack.submit(launched.tokens[p.pk], ps7([2]))
    released = Response.objects.filter(measurement=m).count()
    assert released >= 5 and PendingAnswer.objects.filter(measurement=m).count() >= 5

    amo = attack.client_for(place.amo)
    url = attack.rate_urls(place, m)[0]
    names = list(place.units)
    before = _row_counts(attack.read(amo, url) or "", names)
    org_services.unit_move(
        unit=place.units["Team A"], actor=place.owner, new_parent=place.units["Plejen"]
    )
    after = _row_counts(attack.read(amo, url) or "", names)
    assert Response.objects.filter(measurement=m).count() == released
    assert before.get("Drift"), before  # the attack has a row to subtract from
    assert before == after


def test_a_release_batch_carries_one_week_so_no_answer_stands_out_by_time() -> None:
    """Operator (section 0.2) who knows when someone answered: four answers one week, the
    last the next week, then closing. The five rows of the closing batch must not tell the
    last submitter's answer by its week."""
    place = attack.build_workplace({"Hjemmeplejen": (None, 8)})
    launched = attack.launch(place)
    people = place.people["Hjemmeplejen"]
    for p in people[:4]:
        attack.submit(launched.tokens[p.pk], ps7([1]))
    next_week = timezone.localdate() + dt.timedelta(days=7)
    with mock.patch("django.utils.timezone.localdate", return_value=next_week):
        attack.submit(launched.tokens[people[4].pk], ps7([5]))
        attack.close(place, launched.measurement)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT week FROM surveys_response WHERE measurement_id = %s",
            [launched.measurement.pk],
        )
        weeks = [row[0] for row in cursor.fetchall()]
    assert len(weeks) == 5
    assert len(set(weeks)) == 1


def test_a_reminder_round_logs_no_count_of_those_who_have_not_answered() -> None:
    """Operator with a backup (section 0.2): the audit log's timestamped rows must not
    count the non-responders click by click (each answer would lower the count)."""
    place = attack.build_workplace({"Kontoret": (None, 8)})
    launched = attack.launch(place)
    m = launched.measurement
    services.reminders_request(measurement=m, actor=place.amo)
    attack.submit(launched.tokens[place.people["Kontoret"][0].pk], ps7([2]))
    services.reminders_request(measurement=m, actor=place.amo)
    logged = list(
        AuditEvent.objects.filter(action="measurement.reminded").values_list("data", flat=True)
    )
    assert len(logged) == 2
    assert all("8" not in str(data) and "7" not in str(data) for data in logged), logged
