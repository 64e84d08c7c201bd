from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import grant, make_org, make_person, make_unit, make_user, root_of
from tryghed.accounts.models import User
from tryghed.orgs.models import Organisation, Person, Role, Unit
from tryghed.settings import sqlite_database
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement

# Property tests judge what the code computes, never how fast: these machines are shared
# and noisy, and speed is measured by the benchmarks under bench/. So no example has a
# deadline and a slow generation is no failure (a test's own settings may still set both).
hypothesis_settings.register_profile(
    "tryghed", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("tryghed")


def sqlite_file_connection(path: Path, **options: str) -> BaseDatabaseWrapper:
    """A Django connection to a SQLite file of its own, made as the settings make the
    product's (tryghed.sqlite: WAL, IMMEDIATE, busy timeout), whatever the test run's
    database is; ``options`` as in a DATABASE_URL's query (``timeout="0.05"``). Not the
    test database, so no django_db mark: open it inside ``django_db_blocker.unblock()``."""
    config = {**sqlite_database(path, options), "CONN_MAX_AGE": 0}
    return ConnectionHandler({"default": config})["default"]


def draft_of(
    world: World,
    *,
    name: str = "Forår",
    instruments: Sequence[str] = ("ps7",),
    scope: Sequence[Unit] | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    languages: Sequence[str] = ("da",),
) -> Measurement:
    """A draft measurement made by the world's owner, as the form makes one: of the
    world's area unless ``scope`` names units, opening today and closing 14 days after it
    opens unless told otherwise; not opened."""
    opens = opens_on or timezone.localdate()
    return survey_services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name=name,
        instrument_ids=list(instruments),
        scope=[survey_services.ScopeEntry(u) for u in (scope or [world.area])],
        opens_on=opens,
        closes_on=closes_on or opens + dt.timedelta(days=14),
        languages=list(languages),
    )


@dataclass
class World:
    """An organisation with a small tree, and the three people every access test needs.

    org: root → area → (team_a, team_b); other_org: an organisation the outsider owns.
    owner = admin of org; leader = leader of team_a; employee = employee in team_a;
    amo = AMO member of org; outsider = admin of other_org only.
    """

    org: Organisation
    root: Unit
    area: Unit
    team_a: Unit
    team_b: Unit
    person_a: Person
    person_b: Person
    owner: User
    amo: User
    leader: User
    employee: User
    outsider: User
    other_org: Organisation
    other_unit: Unit
    other_person: Person


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


# A fixed answer key (docs/anonymity.md), so tests never depend on data/answer.key.
TEST_ANSWER_KEY = "test:" + base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def _fixed_answer_key(settings: pytest.FixtureRequest) -> None:
    settings.TRYGHED_ANSWER_KEYS = [TEST_ANSWER_KEY]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _a_data_directory_of_its_own(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    # What the code writes to DATA_DIR at run time (the rewrites a purge owes) stays in the
    # test's own directory, never in the checkout's data/.
    settings.DATA_DIR = tmp_path / "data"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _each_test_starts_with_an_empty_cache() -> None:
    # Sign-in throttles and used MFA codes live in the cache: no test inherits another's.
    cache.clear()


@pytest.fixture(autouse=True)
def _each_test_starts_without_kept_respondent_pages() -> None:
    # The respondent's first, step and thank-you pages are kept per process by measurement id,
    # which a later test's rolled-back database may give to another measurement.
    from tryghed.surveys import respond

    respond._FIRST_PAGES.clear()
    respond._STEP_PAGES.clear()
    respond._THANKS.clear()


@pytest.fixture(autouse=True)
def _each_test_starts_without_kept_publications() -> None:
    # The publications a process has read (results.aggregates), and the rendered report pages
    # kept with them (PageCache), are keyed by measurement id and the stored content's hash,
    # which a later test's rolled-back database may give again to the same world: a test
    # would then read the pages another test kept.
    from tryghed.results import aggregates

    aggregates._typed.clear()
    aggregates._parsed.clear()


@pytest.fixture(autouse=True)
def _each_test_starts_in_danish() -> Iterator[None]:
    # A request in English leaves English active in the thread; the next test must not
    # inherit it (code outside a request then speaks the default language, Danish).
    translation.activate("da")
    yield
    translation.deactivate()


@pytest.fixture
def world(db: None) -> World:
    org = make_org("Testkommune", slug="testkommune")
    root = root_of(org)
    area = make_unit(org, name="Område", kind="omraade", external_id="AREA")
    team_a = make_unit(org, parent=area, name="Team A", external_id="TA")
    team_b = make_unit(org, parent=area, name="Team B", external_id="TB")
    owner, amo, leader, employee, outsider = (
        make_user(f"{n}@example.test") for n in ("owner", "amo", "leader", "employee", "outsider")
    )
    grant(owner, org, Role.ADMIN)
    grant(amo, org, Role.AMO)
    grant(leader, org, Role.LEADER, team_a)
    grant(employee, org, Role.EMPLOYEE, team_a)
    other_org = make_org("Andenkommune", slug="andenkommune")
    grant(outsider, other_org, Role.ADMIN)
    other_unit = make_unit(other_org, name="Fremmed team", external_id="X")
    return World(
        org=org,
        root=root,
        area=area,
        team_a=team_a,
        team_b=team_b,
        person_a=make_person(team_a, name="Alma A", email="alma@example.test"),
        person_b=make_person(team_b, name="Bent B", email="bent@example.test"),
        owner=owner,
        amo=amo,
        leader=leader,
        employee=employee,
        outsider=outsider,
        other_org=other_org,
        other_unit=other_unit,
        other_person=make_person(other_unit, name="Frede Fremmed"),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Clock:
    """Moves time.time() forward for the staff session clocks (accounts.staff_session)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr(
            "tryghed.accounts.staff_session.time.time", lambda: real() + self.offset
        )

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
