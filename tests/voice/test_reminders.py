"""remind_voice (issue 11): receivers are reminded of the acknowledgement and answer
deadlines, overdue leader cases escalate to the AMO; time is frozen by a settable clock."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tryghed import cli
from tryghed.voice import services
from tryghed.voice.models import Case, ChannelSettings
from tryghed.voice.tasks import ANSWER_SOON_DAYS

Clock = Callable[[dt.datetime], None]
RAISED = timezone.make_aware(dt.datetime(2026, 11, 2, 14, 3))


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze ``timezone.now`` (and so ``localdate``) at a moment the test sets."""
    current = [RAISED]
    monkeypatch.setattr(timezone, "now", lambda: current[0])

    def set_to(moment: dt.datetime) -> None:
        current[0] = moment

    return set_to


def _at(day: dt.date, hour: int = 6) -> dt.datetime:
    """A moment of a day on the local clock (the days of the channel are local days)."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _remind() -> list[mail.EmailMessage]:
    before = len(mail.outbox)
    call_command("remind_voice", stdout=io.StringIO())
    return list(mail.outbox[before:])


def _to(messages: list[mail.EmailMessage]) -> dict[str, str]:
    return {m.to[0]: m.subject + "\n" + str(m.body) for m in messages}


def _raise(world: World, **kwargs: Any) -> Case:
    data = {"unit": world.team_a.pk, "receiver": "leader", "kind": "concern"}
    data.update(kwargs)
    data.setdefault("text", "Vagtplanen holder ikke.")
    response = Client().post(reverse("voice:raise", kwargs={"org": world.org.slug}), data)
    assert response.status_code == 200
    return Case.objects.get(text=data["text"])


def test_the_leader_hears_of_a_new_case_the_next_day_and_only_once(
    world: World, clock: Clock
) -> None:
    case = _raise(world)
    assert case.opened_on == RAISED.date()
    assert _remind() == []  # never on the day it was raised
    clock(_at(RAISED.date() + dt.timedelta(days=1)))
    sent = _to(_remind())
    assert list(sent) == [world.leader.email]
    body = sent[world.leader.email]
    assert "1 ny sag venter på en kvittering." in body
    assert reverse("voice:inbox", kwargs={"org": world.org.slug}) in body
    assert "Vagtplanen" not in body and "Team A" not in body and str(case.pk) not in body
    assert _remind() == []  # the same day again: nothing
    clock(_at(RAISED.date() + dt.timedelta(days=3)))
    assert _remind() == []  # no reminder of the same stage twice
    case.refresh_from_db()
    assert case.acknowledge_reminded_on == RAISED.date() + dt.timedelta(days=1)


def test_an_unacknowledged_leader_case_escalates_to_the_amo(world: World, clock: Clock) -> None:
    case = _raise(world)
    overdue_day = case.acknowledge_by + dt.timedelta(days=1)
    clock(_at(overdue_day))
    sent = _to(_remind())
    assert set(sent) == {world.leader.email, world.amo.email}
    assert "1 sag har overskredet fristen på 7 dage for kvittering." in sent[world.leader.email]
    assert "sendt videre til AMO" not in sent[world.leader.email]
    assert "1 sag til en leder er sendt videre til AMO" in sent[world.amo.email]
    assert "en frist er overskredet" in sent[world.amo.email].splitlines()[0]
    case.refresh_from_db()
    assert case.escalated_on == overdue_day
    detail = reverse("voice:case_detail", kwargs={"org": world.org.slug, "case_id": case.pk})
    assert client_for(world.leader).get(detail).status_code == 200  # the leader keeps it
    inbox = client_for(world.amo).get(reverse("voice:inbox", kwargs={"org": world.org.slug}))
    assert "Sendt videre til AMO" in inbox.content.decode()
    clock(_at(overdue_day + dt.timedelta(days=1)))
    assert _remind() == []


def test_the_reporter_is_told_that_the_case_went_on_to_the_amo(world: World, clock: Clock) -> None:
    case, code = services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="idea",
        text="Idé",
        today=RAISED.date(),
    )
    clock(_at(case.acknowledge_by + dt.timedelta(days=1)))
    _remind()
    page = Client().post(reverse("voice:case", kwargs={"org": world.org.slug}), {"code": code})
    assert "sagen er også sendt til AMO/HR" in page.content.decode()


def test_the_answer_deadline_is_reminded_before_and_after(world: World, clock: Clock) -> None:
    case = _raise(world)
    services.receiver_acknowledge(
        case=case, actor=world.leader, which="read", today=RAISED.date() + dt.timedelta(days=1)
    )
    clock(_at(case.answer_by - dt.timedelta(days=ANSWER_SOON_DAYS + 1)))
    assert _remind() == []
    clock(_at(case.answer_by - dt.timedelta(days=ANSWER_SOON_DAYS)))
    sent = _to(_remind())
    assert list(sent) == [world.leader.email]
    assert f"1 sag skal besvares inden for {ANSWER_SOON_DAYS} dage." in sent[world.leader.email]
    clock(_at(case.answer_by))
    assert _remind() == []
    clock(_at(case.answer_by + dt.timedelta(days=1)))
    sent = _to(_remind())
    assert "1 sag har overskredet fristen på 3 måneder for svar." in sent[world.leader.email]
    assert "1 sag til en leder er sendt videre til AMO" in sent[world.amo.email]


def test_answered_and_closed_cases_are_left_alone(world: World, clock: Clock) -> None:
    answered = _raise(world, text="Besvaret")
    services.receiver_reply(case=answered, actor=world.leader, text="Svar", today=RAISED.date())
    closed = _raise(world, text="Lukket")
    services.case_close(case=closed, today=RAISED.date())
    clock(_at(RAISED.date() + dt.timedelta(days=200)))
    assert _remind() == []


def test_amo_cases_and_cases_without_a_leader_remind_the_amo(world: World, clock: Clock) -> None:
    _raise(world, receiver="amo", text="Om lederen")
    _raise(world, unit=world.team_b.pk, text="Team B har ingen leder")
    clock(_at(RAISED.date() + dt.timedelta(days=1)))
    sent = _to(_remind())
    assert list(sent) == [world.amo.email]
    assert "2 nye sager venter på en kvittering." in sent[world.amo.email]


def test_as_the_whistleblower_scheme_only_the_amo_is_reminded(world: World, clock: Clock) -> None:
    _raise(world, text="Før ordningen")
    ChannelSettings.objects.create(organisation=world.org, is_whistleblower_scheme=True)
    clock(_at(RAISED.date() + dt.timedelta(days=1)))
    assert list(_to(_remind())) == [world.amo.email]


def test_the_daily_run_erases_expired_hidden_texts(world: World, clock: Clock) -> None:
    case = _raise(world, text="Skjult navn")
    services.reporter_text_hide(
        case=case, actor=world.leader, reason="identifies", today=RAISED.date()
    )
    clock(_at(RAISED.date() + dt.timedelta(days=31)))
    _remind()
    case.refresh_from_db()
    assert case.text == ""


def test_the_tryghed_command_has_remind_voice(world: World, clock: Clock) -> None:
    assert cli.COMMANDS["remind-voice"][0] == "remind_voice"
    _raise(world)
    day = (RAISED.date() + dt.timedelta(days=1)).isoformat()
    assert cli.main(["remind-voice", "--date", day]) == 0
    assert [m.to for m in mail.outbox] == [[world.leader.email]]


def test_a_failed_send_leaves_no_mark_and_is_tried_again(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _raise(world)
    clock(_at(RAISED.date() + dt.timedelta(days=1)))

    def refuse(self: object, fail_silently: bool = False) -> int:
        raise OSError("the mail server is down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        assert _remind() == []
    case.refresh_from_db()
    assert case.acknowledge_reminded_on is None
    clock(_at(RAISED.date() + dt.timedelta(days=2)))
    assert list(_to(_remind())) == [world.leader.email]
