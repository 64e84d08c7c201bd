"""Sig det's reminders, escalation and moderation attacked (privacy.md sections 0, 1, 6).

The operator of the database reads every table before and after the daily reminder run:
it must add no row (nothing that could link a case to a person, a receiver or a moment)
and store nothing finer than a day. The mail server's operator reads every reminder: it
names no case, unit or kind, and a receiver cannot learn the time of day a case was
raised from when the reminder arrives. A hidden text, once erased, is nowhere.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from tests.privacy import attack
from tryghed.voice import services
from tryghed.voice.models import HIDDEN_KEEP_DAYS, Case, Kind, Message

CODE = re.compile(r"<strong>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</strong>")
DAY = dt.date(2026, 11, 2)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    current = [timezone.make_aware(dt.datetime(2026, 11, 2, 0, 0))]
    monkeypatch.setattr(timezone, "now", lambda: current[0])

    def set_to(moment: dt.datetime) -> None:
        current[0] = moment

    return set_to


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of a day on the local clock (the days of the channel are local days)."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _raise(world: World, text: str) -> str:
    response = Client().post(
        reverse("voice:raise", kwargs={"org": world.org.slug}),
        {"unit": world.team_a.pk, "receiver": "leader", "kind": "concern", "text": text},
    )
    match = CODE.search(response.content.decode())
    assert match, "no receipt code shown"
    return match.group(1)


def _remind() -> list[mail.EmailMessage]:
    before = len(mail.outbox)
    call_command("remind_voice", stdout=io.StringIO())
    return list(mail.outbox[before:])


def _row_counts() -> dict[str, int]:
    return {table: len(attack.rows(table)) for table in attack.tables()}


@pytest.mark.django_db
def test_no_reminder_tells_the_time_of_day_a_case_was_raised(
    world: World, clock: Callable[[dt.datetime], None]
) -> None:
    # The job may run every hour: nothing goes out on the day a case is raised, so the
    # time of an e-mail never follows the time of a raise.
    sent_on_the_day: list[mail.EmailMessage] = []
    for hour in range(24):
        clock(_at(DAY, hour, 40))
        if hour == 8:
            _raise(world, "Morgenens sag")
        if hour == 15:
            _raise(world, "Eftermiddagens sag")
        sent_on_the_day += _remind()
    assert sent_on_the_day == []
    bodies = []
    for hour in range(24):
        clock(_at(DAY + dt.timedelta(days=1), hour, 5))
        bodies += [str(m.body) for m in _remind()]
    # One e-mail, at the first run of the next day, counting both cases together.
    assert len(bodies) == 1
    assert "2 nye sager venter på en kvittering." in bodies[0]


@pytest.mark.django_db
def test_reminders_and_escalation_add_no_row_and_nothing_finer_than_a_day(
    world: World, clock: Callable[[dt.datetime], None]
) -> None:
    clock(_at(DAY, 10))
    for n in range(3):
        _raise(world, f"Sag nummer {n}")
    before = _row_counts()
    for offset in (1, 8, 80, 100):
        clock(_at(DAY + dt.timedelta(days=offset), 6))
        _remind()
    assert _row_counts() == before, "the reminder run wrote rows"
    assert Case.objects.filter(escalated_on__isnull=False).count() == 3
    columns = attack.columns("voice_case")
    for row in attack.rows("voice_case"):
        values = dict(zip(columns, row, strict=True))
        for name in ("escalated_on", "acknowledge_reminded_on", "answer_reminded_on"):
            assert ISO_DAY.fullmatch(str(values[name])), (name, values[name])


@pytest.mark.django_db
def test_the_mail_server_learns_no_case_unit_kind_or_code(
    world: World, clock: Callable[[dt.datetime], None]
) -> None:
    clock(_at(DAY, 10))
    code = _raise(world, "Hemmelig tekst om vagtplanen")
    case = Case.objects.get()
    mails: list[mail.EmailMessage] = []
    for offset in (1, 8, 100):
        clock(_at(DAY + dt.timedelta(days=offset), 6))
        mails += _remind()
    assert {m.to[0] for m in mails} == {world.leader.email, world.amo.email}
    kinds = [str(label) for label in Kind.labels]
    for message in mails:
        carried = (message.subject + str(message.body) + str(message.extra_headers)).lower()
        for secret in ("hemmelig", "vagtplanen", "team a", str(case.pk), code.lower()):
            assert secret not in carried
        assert not [k for k in kinds if k.lower() in carried]
        assert DAY.isoformat() not in carried and "2. november" not in carried


@pytest.mark.django_db
def test_an_erased_hidden_text_is_nowhere_in_the_database(world: World) -> None:
    case, _code = services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="concern",
        text="Navngiver Kollegaen Xylofon",
        today=DAY,
    )
    services.reporter_reply(case=case, text="Også Xylofon igen", today=DAY)
    reply = Message.objects.get(case=case)
    services.reporter_text_hide(case=case, actor=world.leader, reason="identifies", today=DAY)
    services.reporter_text_hide(
        case=case, actor=world.leader, reason="identifies", message=reply, today=DAY
    )
    services.hidden_texts_erase(DAY + dt.timedelta(days=HIDDEN_KEEP_DAYS + 1))
    found = [
        table
        for table in attack.tables()
        for row in attack.rows(table)
        if any("xylofon" in str(v).lower() for v in row)
    ]
    assert found == []
