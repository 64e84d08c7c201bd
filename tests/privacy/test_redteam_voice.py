"""Red team: Sig det attacked by the operator and by readers, beyond test_voice_attack.py.

- The operator (adversary 2) holds a backup of the data directory: the SQLite database and,
  in production, the file cache beside it (settings.CACHES), where the throttles count
  per client address. Knowing the code (it is public) but not the secret key, they try
  every address of the organisation's network against the cache's file names.
- The operator reads the task queue table after a case is raised.
- A leader (adversary 1) reads their readiness check, inbox and pages after a case about
  their unit went to the AMO.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant
from tests.privacy import attack
from tryghed.accounts import throttle
from tryghed.accounts.staff_session import STARTED
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Role
from tryghed.orgs.selectors import access_for
from tryghed.voice import selectors as voice_selectors
from tryghed.voice.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queued_in_the_database(settings: Any) -> None:
    # The task queue as in production (tests/privacy/conftest.py runs tasks at once, which
    # would leave no row to find): a task enqueued by the attacked request stays a row.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


NETWORK = ipaddress.ip_network("10.20.30.0/24")
REPORTER_ADDRESS = "10.20.30.57"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _raise(world: World, **extra: Any) -> None:
    response = Client().post(
        reverse("voice:raise", kwargs={"org": world.org.slug}),
        {"unit": world.team_a.pk, "receiver": "amo", "kind": "offensive", "text": "Grimme ord."},
        **extra,
    )
    assert response.status_code == 200
    assert Case.objects.count() == 1


def _known_scheme_file_names(cache: FileBasedCache, scope: str, address: str) -> list[str]:
    """The cache files an attacker who reads the code expects for this address: the key is
    the scope and the address, hashed as the code hashes it without the secret key."""
    digest = hashlib.sha256(f"{scope}\x00{address}".encode()).hexdigest()
    # Django's own file naming (a private method, the one the backend uses).
    to_file = cache._key_to_file  # type: ignore[attr-defined]
    return [to_file(f"throttle:{digest}:{part}") for part in ("n", "t")]


def test_the_operator_cannot_find_the_reporters_address_in_the_throttle_cache(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    _raise(world, REMOTE_ADDR=REPORTER_ADDRESS)
    cache = caches["default"]
    assert isinstance(cache, FileBasedCache)
    stored = {str(p) for p in (tmp_path / "cache").glob("*")}
    assert stored, "the raise throttle counted the address (else this attack tests nothing)"
    found = {
        str(address)
        for address in NETWORK.hosts()
        for scope in throttle.RULES
        for name in _known_scheme_file_names(cache, scope, str(address))
        if name in stored
    }
    assert found == set(), f"the backup ties a raised case to {found}"


def test_raising_a_case_queues_no_task(world: World) -> None:
    tables = connection.introspection.table_names()
    queued = [t for t in tables if t.startswith("django_tasks_db")]
    before = {t: _rows(t) for t in queued}
    _raise(world)
    assert {t: _rows(t) for t in queued} == before


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a table name we listed
        return int(cursor.fetchone()[0])


def test_a_case_sent_to_the_amo_changes_nothing_the_leader_reads(world: World) -> None:
    """The leader's inbox, readiness check and unit pages, before and after an offensive
    case about their own team: the same page, to the letter (a count, a flag, a date)."""
    client = client_for(world.leader)
    urls = [
        reverse("voice:inbox", kwargs={"org": world.org.slug}),
        reverse("kits:readiness", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
        reverse("kits:unit", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
        reverse("orgs:dashboard", kwargs={"org": world.org.slug}),
    ]

    def pages() -> dict[str, str]:
        found = {}
        for url in urls:
            response = client.get(url)
            page = CSRF.sub("", response.content.decode())  # masked anew on every request
            found[url] = f"{response.status_code} {page}"
        return found

    before = pages()
    _raise(world)
    after = pages()
    for url in urls:
        assert after[url] == before[url], url


def _snapshot() -> dict[str, set[tuple[str, ...]]]:
    return {t: {tuple(map(str, r)) for r in attack.rows(t)} for t in attack.tables()}


def _signed_in_staff(world: World, idle: int) -> Client:
    """The leader of team A, signed in with a password in the browser they report from;
    their last request was ``idle`` seconds ago."""
    client = client_for(world.leader)
    session = client.session
    session[STARTED] = int(time.time()) - idle
    session.save()
    return client


def test_raising_a_case_signed_in_changes_no_row_but_the_case(world: World) -> None:
    """A staff member reports from the browser they are signed in with (the session cookie
    goes along). The operator compares the database before and after: only voice_case may
    differ, or the session's row, saved by the same request, sits beside the case (on
    PostgreSQL the next xmin) and names its user."""
    client = _signed_in_staff(world, idle=5 * 60)
    before = _snapshot()
    response = client.post(
        reverse("voice:raise", kwargs={"org": world.org.slug}),
        {"unit": world.area.pk, "receiver": "amo", "kind": "concern", "text": "Om ledelsen."},
    )
    assert response.status_code == 200
    assert not response.cookies
    after = _snapshot()
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed == {"voice_case"}, changed


def test_an_idle_staff_session_does_not_stop_or_mark_a_report(world: World) -> None:
    """A staff member whose session went idle sends a case from that browser. Were the
    session clocks to run on the reporter's pages, they would be signed out there (an
    auth.session_expired audit row with its time) and the case not raised; the anonymous
    pages are exempt (accounts.staff_session.anonymous_page)."""
    client = _signed_in_staff(world, idle=24 * 60 * 60)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("voice:raise", kwargs={"org": world.org.slug}),
        {"unit": world.area.pk, "receiver": "amo", "kind": "concern", "text": "Om ledelsen."},
    )
    assert response.status_code == 200, response.status_code
    assert Case.objects.count() == 1
    assert AuditEvent.objects.count() == events


def _warning_page(world: World, name: str) -> str:
    response = Client().post(
        reverse("voice:raise", kwargs={"org": world.org.slug}),
        {
            "unit": world.team_a.pk,
            "receiver": "amo",
            "kind": "concern",
            "text": f"Jeg har talt med {name} om vagtplanen.",
        },
    )
    assert Case.objects.count() == 0 or response.status_code == 200
    return CSRF.sub("", response.content.decode()).replace(name, "NAVN")


def test_an_outsider_cannot_ask_the_raise_form_who_works_here(world: World) -> None:
    employed = world.person_b.name.split()[0]  # "Bent", of team B
    assert len(employed) >= 3
    unknown = "Gorm"  # no one of that name in the register
    pages = {who: _warning_page(world, who) for who in (employed, unknown)}
    warned = {who for who, page in pages.items() if "Kan teksten pege på nogen?" in page}
    assert warned in (set(), {employed, unknown}), f"only {warned} are warned about"
    assert pages[employed] == pages[unknown]


def test_a_leader_in_the_amo_does_not_read_the_amo_cases_about_their_own_team(
    world: World,
) -> None:
    grant(world.leader, world.org, Role.AMO)
    _raise(world)  # offensive behaviour in team A, sent to the AMO
    access = access_for(user=world.leader, slug=world.org.slug)
    assert not [c for c in voice_selectors.visible_cases(access) if c.unit == world.team_a]
