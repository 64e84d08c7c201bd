"""Red team: personal API tokens (commit 242ad7b) as a thief, an ex-colleague and the
operator of the database would use them (privacy.md section 0, adversaries 2 and 4).

- a token that is refused is refused whatever else comes with the request (a session);
- a token outlives nothing its user lost: the role, the account;
- the token itself is written nowhere: not in the database (only its hash), the audit
  log, the log, the session, nor any answer but the one page that shows it once;
- its use is written at most once a day (a day, not an instant), so the token table is
  no timeline of a reader's requests.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.debug import get_default_exception_reporter_filter

from tests.api.helpers import get_json
from tests.api.test_tokens import bearer, create, signed_in
from tests.conftest import World
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import fill
from tryghed.accounts.models import ApiToken
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Membership, Role
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("api:organisations")


def publication_url(measurement: Measurement) -> str:
    return reverse("api:publication", kwargs={"measurement_id": measurement.pk})


@pytest.fixture
def closed(world: World) -> Measurement:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 6, [2])
    return measurement


def test_no_refused_or_malformed_authorization_falls_back_to_the_session(world: World) -> None:
    client = signed_in(world.owner, second_factor=True)
    assert client.get(ORGANISATIONS).status_code == 200  # the session alone reads
    for header in (
        "Bearer tryghed_" + "A" * 43,  # unknown
        "Bearer",  # no token
        "",  # an empty header
        "Basic b3duZXI6eA==",  # another scheme
        "Bearer tryghed_x tryghed_y",  # two tokens
    ):
        response = client.get(ORGANISATIONS, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json() == {"detail": "invalid token"}


def test_a_deactivated_users_token_is_refused(world: World) -> None:
    token = create(signed_in(world.leader, second_factor=False))
    assert get_json(Client(), ORGANISATIONS, headers=bearer(token))
    world.leader.is_active = False
    world.leader.save(update_fields=["is_active"])
    response = Client().get(ORGANISATIONS, headers=bearer(token))
    assert response.status_code == 401 and response.json() == {"detail": "invalid token"}
    assert AuditEvent.objects.get(action="api_token.denied").summary == "inactive user"


def test_a_token_made_before_the_leader_lost_her_team_reads_nothing_of_it(
    world: World, closed: Measurement
) -> None:
    token = create(signed_in(world.leader, second_factor=False))
    body = get_json(Client(), publication_url(closed), headers=bearer(token))
    assert {g["unit"] for g in body["groups"]} >= {world.team_a.pk}
    Membership.objects.filter(user=world.leader, role=Role.LEADER).delete()
    gone = Client().get(publication_url(closed), headers=bearer(token))
    assert gone.status_code == 404 and gone.json() == {"detail": "Not Found"}
    measurements = reverse("api:measurements", kwargs={"organisation_id": world.org.pk})
    assert Client().get(measurements, headers=bearer(token)).status_code == 404
    assert get_json(Client(), ORGANISATIONS, headers=bearer(token)) == []


def test_the_token_is_written_nowhere_but_the_page_that_shows_it_once(
    world: World, closed: Measurement, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = signed_in(world.owner, second_factor=True)
    token = create(client, name="Lønsystem")
    secret = token.removeprefix("tryghed_")
    answers = [
        Client().get(ORGANISATIONS, headers=bearer(token)),
        Client().get(publication_url(closed), headers=bearer(token)),
        Client().get(
            reverse("api:publication", kwargs={"measurement_id": 999}), headers=bearer(token)
        ),
        client.get(reverse("accounts:api_tokens")),  # the list of tokens, later
    ]
    row = ApiToken.objects.get(user=world.owner)
    client.post(reverse("accounts:api_token_revoke", kwargs={"token_id": row.pk}))
    answers.append(Client().get(ORGANISATIONS, headers=bearer(token)))  # refused, audited
    assert [a.status_code for a in answers] == [200, 200, 404, 200, 401]
    for answer in answers:
        assert secret not in answer.content.decode()
        assert all(secret not in value for value in answer.headers.values())
    row.refresh_from_db()
    assert secret not in row.token_hash and len(row.token_hash) == 64
    events = list(AuditEvent.objects.values())
    assert {e["action"] for e in events} >= {
        "api_token.create",
        "api_token.revoke",
        "api_token.denied",
    }
    assert secret not in json.dumps(events, default=str)
    assert all(secret not in s.session_data for s in Session.objects.all())
    logged = [r.getMessage() + repr(r.__dict__) for r in caplog.records]
    assert logged and all(secret not in line for line in logged)


def test_a_token_used_all_day_is_written_once_and_only_as_the_day(
    world: World, closed: Measurement
) -> None:
    token = create(signed_in(world.owner, second_factor=True))
    table = ApiToken._meta.db_table

    def writes() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            get_json(Client(), publication_url(closed), headers=bearer(token))
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and table in q["sql"]]

    assert len(writes()) == 1  # the first use of the day
    assert writes() == writes() == []  # every later one writes nothing
    used = ApiToken.objects.get(user=world.owner).last_used_on
    assert type(used) is dt.date  # a day, never an instant


def test_an_error_report_and_the_page_showing_the_token_let_it_out_nowhere(
    world: World,
) -> None:
    """A crash report (ADMINS mail, an error tracker) is made with the exception reporter
    filter: the Authorization header is cleansed there. The page that shows a new token
    sends no Referer to other sites from its links, and no cache keeps it."""
    token = "tryghed_" + "S" * 43
    request = RequestFactory().get(ORGANISATIONS, HTTP_AUTHORIZATION=f"Bearer {token}")
    meta = get_default_exception_reporter_filter().get_safe_request_meta(request)
    assert token not in repr(meta)
    assert meta["HTTP_AUTHORIZATION"] != f"Bearer {token}"
    client = signed_in(world.owner, second_factor=True)
    shown = client.post(reverse("accounts:api_tokens"), {"name": "Rapport", "days": 30})
    assert "tryghed_" in shown.content.decode()
    assert shown["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert "no-store" in shown["Cache-Control"]
