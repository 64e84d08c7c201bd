"""Who reads, writes and leads a team's learning log: the team, its leader and the AMO read;
the team and its leader write; the leader reviews and acts; the AMO reads what was sent on.
Another team's log, or another organisation's, is a 404; a role without the capability a 403.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.learning.conftest import write
from tryghed.accounts.models import SignInLink
from tryghed.accounts.signin_link import new_token
from tryghed.learning.models import Entry
from tryghed.orgs.models import Role


def _get(client: Client, world: World, name: str, **kwargs: object) -> int:
    url = reverse(f"learning:{name}", kwargs={"org": world.org.slug, **kwargs})
    return client.get(url).status_code


def _post(
    client: Client, world: World, name: str, data: dict[str, str] | None = None, **kwargs: object
) -> int:
    url = reverse(f"learning:{name}", kwargs={"org": world.org.slug, **kwargs})
    return client.post(url, data or {}).status_code


@pytest.mark.django_db
def test_each_role_gets_what_the_table_gives_on_team_as_log(world: World) -> None:
    entry = write(world)
    top = make_user("top@example.test")
    grant(top, world.org, Role.TOP_MANAGEMENT)
    a = {"unit_id": world.team_a.pk}
    e = {"learning_id": entry.pk}
    expected = {
        # user: (log, write form, mix, entry page, sort POST, AMO's list)
        "leader": (world.leader, (200, 200, 200, 200, 302, 403)),
        "employee": (world.employee, (200, 200, 403, 200, 403, 403)),
        "amo": (world.amo, (200, 403, 403, 200, 403, 200)),
        "admin": (world.owner, (403, 403, 403, 403, 403, 403)),
        "top management": (top, (403, 403, 403, 403, 403, 403)),
        "outsider": (world.outsider, (404, 404, 404, 404, 404, 404)),
    }
    for who, (user, statuses) in expected.items():
        client = client_for(user)
        got = (
            _get(client, world, "log", **a),
            _get(client, world, "write", **a),
            _get(client, world, "mix", **a),
            _get(client, world, "entry", **e),
            _post(client, world, "sort", {"kind": "basic"}, **e),
            _get(client, world, "forwarded"),
        )
        assert got == statuses, who


@pytest.mark.django_db
def test_another_teams_log_and_entries_are_404(world: World) -> None:
    other = write(world, unit=world.team_b)
    for user in (world.employee, world.leader):
        client = client_for(user)
        assert _get(client, world, "log", unit_id=world.team_b.pk) == 404
        assert _get(client, world, "write", unit_id=world.team_b.pk) == 404
        assert _get(client, world, "entry", learning_id=other.pk) == 404
        assert _post(client, world, "forward", learning_id=other.pk) in (403, 404)
    other.refresh_from_db()
    assert other.forwarded_on is None


@pytest.mark.django_db
def test_a_leader_of_the_area_reads_and_leads_both_teams(world: World) -> None:
    boss = make_user("area@example.test")
    grant(boss, world.org, Role.LEADER, world.area)
    entry = write(world, unit=world.team_b)
    client = client_for(boss)
    assert _get(client, world, "log", unit_id=world.team_b.pk) == 200
    assert _get(client, world, "log", unit_id=world.team_a.pk) == 200
    assert _post(client, world, "forward", learning_id=entry.pk) == 302


@pytest.mark.django_db
def test_the_amo_reads_but_neither_writes_nor_sends_on(world: World) -> None:
    entry = write(world)
    client = client_for(world.amo)
    assert (
        _post(
            client,
            world,
            "write",
            {"what_happened": "x", "show_name": "anonymous"},
            unit_id=world.team_a.pk,
        )
        == 403
    )
    assert _post(client, world, "forward", learning_id=entry.pk) == 403
    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_an_employee_signed_in_by_link_writes_in_their_own_teams_log(world: World) -> None:
    token, token_hash = new_token()
    SignInLink.objects.create(
        person=world.person_a,
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )
    client = Client()
    assert client.post(reverse("accounts:link_use"), {"token": token}).status_code == 302
    # The index goes straight to the one team's log.
    index = client.get(reverse("learning:index", kwargs={"org": world.org.slug}))
    assert index.status_code == 302 and index["Location"].endswith(f"/laering/{world.team_a.pk}/")
    status = _post(
        client,
        world,
        "write",
        {"what_happened": "Et forsøg med ny vagtplan gik skævt.", "show_name": "named"},
        unit_id=world.team_a.pk,
    )
    assert status == 302
    entry = Entry.objects.get()
    assert entry.unit == world.team_a and entry.author_name == "Alma A"
    assert _get(client, world, "write", unit_id=world.team_b.pk) == 404
