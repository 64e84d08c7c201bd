"""Red team: the learning log's anonymous entry attacked through the writer's own session.

An anonymous entry is written by a signed-in team member (docs/learning.md). The operator
of the database (privacy.md section 0, adversary 2) reads every table: beyond the entry's
own row (test_learning_attack.py), what else did the writing request change? Any row about
the writer written by the same request, and so beside the entry in time, ties the two.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.privacy import attack
from tryghed.accounts.staff_session import STARTED
from tryghed.learning.models import Entry
from tryghed.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queued_in_the_database(settings: Any) -> None:
    # The task queue as in production (tests/privacy/conftest.py runs tasks at once, which
    # would leave no row to find): a task enqueued by the attacked request stays a row.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


TEXT = "Vi glemte at give besked om den nye rute – redteam-markør-5521"
# Whatever a request may change without saying anything about the writer.
UNRELATED = {"learning_entry"}


def _snapshot() -> dict[str, set[tuple[Any, ...]]]:
    return {t: {tuple(map(str, r)) for r in attack.rows(t)} for t in attack.tables()}


def _idle(client: Client, seconds: int) -> None:
    """The writer took ``seconds`` to write: the session's clock is that old."""
    session = client.session
    session[STARTED] = int(time.time()) - seconds
    session.save()


def _write(world: World, client: Client) -> None:
    response = client.post(
        reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
        {"what_happened": TEXT, "kind": "complex", "show_name": "anonymous"},
    )
    assert response.status_code == 302
    assert Entry.objects.get(what_happened=TEXT).author_id is None


def test_an_anonymous_entry_changes_no_row_but_its_own(world: World) -> None:
    """The writer, signed in by a sign-in link (an employee), opens the form and writes.
    Between before and after, only learning_entry may differ: no user, session, audit,
    task or cache row."""
    client = client_for(world.employee)
    session = client.session
    session["tryghed_signin"] = "link"  # as accounts.link_views opens it
    session.save()
    client.get(
        reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    )
    before = _snapshot()
    _write(world, client)
    after = _snapshot()
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed <= UNRELATED, changed


def test_the_writers_session_is_not_the_next_row_written_on_postgresql(world: World) -> None:
    """A session signed in with a password keeps its idle clock in a signed cookie
    (accounts/staff_session.py), not in the stored session: were it saved on the request
    that writes the entry, the writer's django_session row would have the next xmin."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin exists only on PostgreSQL")
    # Two team members signed in with passwords; the one who writes took five minutes.
    colleague = make_user("kollega@example.test")
    grant(colleague, world.org, Role.EMPLOYEE, world.team_a)
    other = client_for(colleague)
    writer = client_for(world.employee)
    _idle(other, 300)
    _idle(writer, 300)
    _write(world, writer)
    entry_xmin = int(
        next(r[0] for r in attack.rows("learning_entry", "xmin::text") if TEXT in map(str, r))
    )
    # The operator: the session first written after the entry's transaction is its writer's.
    later = sorted((int(xmin), key) for xmin, key in _session_rows() if int(xmin) > entry_xmin)
    guess = later[0][1] if later else None
    assert guess != writer.session.session_key, "the writer's session follows the entry"


def _session_rows() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text, session_key FROM django_session")
        return [(str(x), str(k)) for x, k in cursor.fetchall()]
