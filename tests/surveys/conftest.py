from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import RequestFactory
from django.utils import timezone

from tests.conftest import World
from tests.factories import make_person
from tryghed.orgs.models import Person
from tryghed.surveys import questionnaire, respond, services
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments, resolve_token

LINK = re.compile(r"https?://[^\s]+/s/([A-Za-z0-9_\-]+)/")
CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # In tests a queued task runs as soon as it is enqueued (after the commit).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def tokens_from_outbox(start: int = 0) -> dict[str, str]:
    """E-mail address -> the link token in the latest e-mail to it."""
    found = {}
    for message in mail.outbox[start:]:
        match = LINK.search(str(message.body))
        assert match, message.body
        found[message.to[0]] = match.group(1)
    return found


@dataclass
class Survey:
    measurement: Measurement
    tokens: dict[str, str]  # e-mail -> token
    people: list[Person]


@pytest.fixture
def open_survey(world: World, django_capture_on_commit_callbacks: CaptureOnCommit) -> Survey:
    """ps7 + hesteskoen for the world's area: Alma, Bent and three more, all with e-mail."""
    extra = [
        make_person(world.team_a, name=f"Extra {i}", email=f"extra{i}@example.test")
        for i in range(3)
    ]
    survey = open_survey_of(
        world, django_capture_on_commit_callbacks, ["ps7", "hesteskoen"], name="Efterår"
    )
    return Survey(survey.measurement, survey.tokens, [*survey.people, *extra])


def open_survey_of(
    world: World, capture: CaptureOnCommit, instrument_ids: list[str], name: str = "Forår"
) -> Survey:
    """An open measurement of these instruments for the world's area (Alma and Bent)."""
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name=name,
        instrument_ids=instrument_ids,
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        languages=["da", "en"],
    )
    mail.outbox.clear()
    with capture(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    return Survey(measurement, tokens_from_outbox(), [world.person_a, world.person_b])


@pytest.fixture
def long_survey(world: World, django_capture_on_commit_callbacks: CaptureOnCommit) -> Survey:
    """ps7, amk and hesteskoen (7 + 8 + 3 questions): two pages for the respondent, ps7
    under the notice, then amk and hesteskoen together (respond.PAGE_QUESTIONS)."""
    return open_survey_of(world, django_capture_on_commit_callbacks, ["ps7", "amk", "hesteskoen"])


@pytest.fixture
def ps7_answers() -> dict[str, int]:
    return {f"ps7.{n}": code for n, code in zip(range(1, 8), [1, 2, 3, 4, 5, 1, 2], strict=True)}


@pytest.fixture
def outbox() -> Iterator[list[mail.EmailMessage]]:
    yield mail.outbox


def signed_at(seconds: int) -> AbstractContextManager[Any]:
    """Every signature made inside is dated ``seconds``: the signed ``state`` field carries
    the time it was made, so two pages compared byte for byte need one clock."""
    return mock.patch.object(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(seconds)
    )


def first_page_afresh(token: str, lang: str) -> str:
    """The page a link opens, as rendered for this request with nothing kept."""
    entry = resolve_token(token)
    return respond._page(
        RequestFactory().get(f"/s/{token}/"),
        token=token,
        lang=lang,
        entry=entry,
        instruments=measurement_instruments(entry.measurement),
        step=0,
        state=questionnaire.State(),
        language_links=True,
    ).content.decode()
