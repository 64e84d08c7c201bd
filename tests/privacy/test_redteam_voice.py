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
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.accounts import throttle
from tryghed.voice.models import Case

pytestmark = pytest.mark.django_db

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
