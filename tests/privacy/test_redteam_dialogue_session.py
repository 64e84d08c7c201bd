"""Red team: a phone in a live dialogue session that is also a signed-in staff browser.

The operator of the database (privacy.md section 0, adversary 2) reads the tables while a
session runs. A placement is keyed by an HMAC of the phone's cookie token and holds no
time (dialogue/models.py). But a participant who holds a staff role and answers from the
browser they are signed in with sends their session cookie along: if the answering
request saves the session (the idle clock of accounts/staff_session.py), that row is
written right after the placement (on PostgreSQL, the next ``xmin``) and names its user.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy import attack
from tryghed.accounts.staff_session import STARTED
from tryghed.dialogue import services
from tryghed.dialogue.models import ExerciseKind, Placement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queued_in_the_database(settings: Any) -> None:
    # The task queue as in production (tests/privacy/conftest.py runs tasks at once, which
    # would leave no row to find): a task enqueued by the attacked request stays a row.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _snapshot() -> dict[str, set[tuple[str, ...]]]:
    return {t: {tuple(map(str, r)) for r in attack.rows(t)} for t in attack.tables()}


def test_a_signed_in_phone_changes_no_row_but_its_placement(world: World) -> None:
    session = services.session_start(unit=world.team_a, actor=world.leader)
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    assert session.current_id == horseshoe.pk
    phone: Client = client_for(world.amo)  # an AMO member, in the room, on their own phone
    stored = phone.session
    stored[STARTED] = int(time.time()) - 5 * 60
    stored.save()
    url = reverse("dialogue_phone:session", args=[session.code])
    assert phone.get(url).status_code == 200  # the phone's token cookie is set
    stored = phone.session
    stored[STARTED] = int(time.time()) - 5 * 60  # the meeting talked for five minutes
    stored.save()
    before = _snapshot()
    response = phone.post(url, {"exercise": str(horseshoe.pk), "a-": "3"})
    assert response.status_code == 302
    assert Placement.objects.filter(exercise=horseshoe).count() == 1
    assert "sessionid" not in response.cookies
    after = _snapshot()
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed == {"dialogue_placement"}, changed
