"""Red team: what logs, error paths and failures half-way leave behind (privacy.md
section 0: the operator who reads the logs with the database, an insider who can answer,
an outsider who sends odd requests).

Every record is caught by a handler of our own on the root logger, without the console
handler's filter, as an operator's own handler (a file, a log shipper) would receive it:
its message, its arguments, its traceback and the request attached to it.
"""

from __future__ import annotations

import copy
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client, TestCase
from django_tasks_db.models import DBTaskResult

from tests.conftest import World
from tests.dialogue.conftest import show, start
from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.task_worker import run_ready_tasks
from tryghed.dialogue.models import ExerciseKind, Placement
from tryghed.surveys import sealing
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import (
    InvitationToken,
    PendingAnswer,
    Response,
    Status,
    SubmissionMark,
)

pytestmark = pytest.mark.django_db

ANSWER = "/s/svar/"


class _Everything(logging.Handler):
    """What a handler on the root logger receives, in full."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # A copy, as the record is now: the console handler after this one runs its own
        # filter, which changes the record in place (its message, its request), and would
        # hide a logger that passed the record on unfiltered.
        self.records.append(copy.copy(record))

    def text(self) -> str:
        parts = []
        for record in self.records:
            parts.append(record.getMessage())
            parts.append(repr(record.args))
            if record.exc_info and record.exc_info[1] is not None:
                parts.append("".join(traceback.format_exception(record.exc_info[1])))
            request = getattr(record, "request", None)
            if request is not None:
                parts.append(request.get_full_path())
                parts.append(repr(dict(request.POST)) if request.method == "POST" else "")
                parts.append(repr(request.COOKIES))
        return "\n".join(parts)


@pytest.fixture
def logged() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    level = root.level
    # First among the root's handlers: it sees each record as the logger passed it on,
    # before the console handler's own filter changed it in place.
    root.handlers.insert(0, handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _first_page(client: Client, token: str) -> dict[str, str]:
    return attack.hidden_fields(client.get(f"/s/{token}/").content.decode())


# ------------------------------------------------------------ a NUL in a free text


def test_a_nul_in_a_comment_neither_blocks_the_results_nor_reaches_the_log(
    logged: _Everything,
) -> None:
    """One respondent (by a paste, or an insider on purpose) sends a comment with a NUL
    character. The answer is sealed as it is, but PostgreSQL's jsonb holds no \\u0000: every
    release after it failed, on every later submission, and the closing too, so the
    measurement could never close and no one's answers became results. Each failure was
    logged with PostgreSQL's own words, which quote the row: the comment up to the NUL
    and that respondent's other answers (a comment the report would have hidden below the
    comment minimum), at the time of the submission that set off the release."""
    place = attack.build_workplace({"Hjemmeplejen": (None, 12)})
    launched = attack.launch(place)
    tokens = list(launched.tokens.values())
    secret = attack.secret_comment()
    client = Client(raise_request_exception=False)
    fields = _first_page(client, tokens[0])
    answers = {f"q-{k}": str(v) for k, v in ps7([4]).items()}
    with TestCase.captureOnCommitCallbacks(execute=True):
        thanks = client.post(
            ANSWER,
            {**fields, **answers, "q-hesteskoen.2": f"{secret} og\x00 mere", "action": "submit"},
        )
    assert "Tak for dine svar" in thanks.content.decode()
    for token in tokens[1:]:
        attack.submit(token, ps7([3]))
    attack.close(place, launched.measurement)
    assert launched.measurement.status == Status.CLOSED
    assert not PendingAnswer.objects.filter(measurement=launched.measurement).exists()
    assert Response.objects.filter(measurement=launched.measurement).count() == 12
    stored = [t for r in Response.objects.all() for t in r.texts.values()]
    assert stored == [f"{secret} og mere"]
    assert secret not in logged.text()
    assert not [r for r in logged.records if r.levelno >= logging.ERROR]


def test_a_nul_in_a_word_on_the_dialogue_phone_is_no_server_error(
    world: World, logged: _Everything
) -> None:
    """A phone's word in "Bordet rundt" with a NUL was a server error on PostgreSQL (a
    text column holds no NUL), logged with the phone's request."""
    session = start(world)
    exercise = show(session, ExerciseKind.ROUND)
    phone = Client(raise_request_exception=False)
    joined = phone.get(f"/d/?kode={session.code}")
    path = joined["Location"]
    phone.get(path)
    sent = phone.post(path, {"exercise": exercise.pk, "a-": "tryg\x00hed"})
    assert sent.status_code in {302, 400}
    assert not [r for r in logged.records if r.levelno >= logging.ERROR]
    assert set(Placement.objects.values_list("text", flat=True)) <= {"tryghed", "tryg hed"}


# ------------------------------------------------------------ failures half-way


def test_a_submission_that_fails_after_its_mark_leaves_nothing_and_logs_no_answer(
    logged: _Everything, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The submission fails between the mark and the sealed answer (the key file gone, a
    disk error): nothing of it stays (no mark that would use up the link with no answer),
    the link still works afterwards, and the 500's log record holds neither the token, nor
    the answers, nor the request (which holds both in its POST)."""
    place = attack.build_workplace({"Køkkenet": (None, 6)})
    launched = attack.launch(place)
    token = next(iter(launched.tokens.values()))
    secret = attack.secret_comment()

    def broken(**kwargs: Any) -> bytes:
        raise RuntimeError("sealing failed")

    client = Client(raise_request_exception=False)
    fields = _first_page(client, token)
    posted = {
        **fields,
        **{f"q-{k}": str(v) for k, v in ps7([5]).items()},
        "q-hesteskoen.2": secret,
        "action": "submit",
    }
    with monkeypatch.context() as patched:
        patched.setattr(sealing, "seal", broken)
        failed = client.post(ANSWER, posted)
    assert failed.status_code == 500
    body = failed.content.decode()
    assert token not in body and secret not in body and "sealing failed" not in body
    assert not SubmissionMark.objects.exists() and not PendingAnswer.objects.exists()
    text = logged.text()
    assert "sealing failed" in text  # the failure itself is logged, for the operator
    assert token not in text and secret not in text
    assert all(getattr(r, "request", None) is None for r in logged.records)
    # The respondent tries again: the link was not used up.
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(ANSWER, posted)
    assert "Tak for dine svar" in again.content.decode()
    assert SubmissionMark.objects.count() == 1 and PendingAnswer.objects.count() == 1


def test_a_release_that_fails_after_a_submission_keeps_the_answers_and_logs_none(
    logged: _Everything, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release after a submission fails (here in opening the sealed answers): the
    submission stands,
    the answers stay pending for the next release or the closing, and the log says what
    failed without quoting a response."""
    place = attack.build_workplace({"Køkkenet": (None, 12)})
    launched = attack.launch(place)
    tokens = list(launched.tokens.values())
    secrets_ = [attack.secret_comment() for _ in tokens]

    def refused(**kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("release refused")

    with monkeypatch.context() as patched:
        patched.setattr(sealing, "unseal", refused)
        for token, secret in zip(tokens, secrets_, strict=True):
            attack.submit(token, ps7([2]), {"hesteskoen.2": secret})
    assert PendingAnswer.objects.count() == 12 and not Response.objects.exists()
    text = logged.text()
    assert "release refused" in text
    assert not [s for s in secrets_ if s in text]
    assert not [t for t in tokens if t in text]
    attack.close(place, launched.measurement)
    assert Response.objects.count() == 12 and not PendingAnswer.objects.exists()


# ------------------------------------------------------------ tokens in every logger


def test_no_logger_passes_a_survey_or_sign_in_token_to_a_handler(logged: _Everything) -> None:
    """The request log's filter sits on django.request; odd requests on a token's address
    are also logged by others (django.security.csrf, a refused method, a broken query
    string). Whatever logger records them, no handler receives the token: not in the
    message, not in the request attached to the record."""
    place = attack.build_workplace({"Køkkenet": (None, 6)})
    launched = attack.launch(place)
    token = next(iter(launched.tokens.values()))
    link = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0UvW"  # the shape of a sign-in token
    forged = Client(enforce_csrf_checks=True, raise_request_exception=False)
    seen = {
        "survey link posted": forged.post(f"/s/{token}/", {"x": "1"}),
        "survey link put": forged.put(f"/s/{token}/"),
        "survey link unknown": forged.get(f"/s/{token[::-1]}/"),
        "survey link too many fields": forged.get(f"/s/{token}/?" + "&".join(["a=1"] * 1100)),
        "sign-in link posted": forged.post(f"/konto/link/{link}/", {"x": "1"}),
        "sign-in confirm posted": forged.post(f"/konto/link/{link}/bekraeft/", {"x": "1"}),
        "sign-in link put": forged.put(f"/konto/link/{link}/"),
    }
    assert all(r.status_code >= 400 for r in seen.values()), {
        k: r.status_code for k, r in seen.items()
    }
    text = logged.text()
    assert logged.records
    for secret in (token, token[::-1], link):
        assert secret not in text


def test_the_respondents_failures_log_no_address_or_browser(logged: _Everything) -> None:
    """A survey address that fails (an unknown link, a refused method, a form with
    errors): no log record keeps the client's address or browser, in its message or in
    the request attached to it."""
    place = attack.build_workplace({"Køkkenet": (None, 6)})
    launched = attack.launch(place)
    token = next(iter(launched.tokens.values()))
    ip, agent = "198.51.100.23", "Lommetelefon/7.3 (redlogs)"
    client = Client(raise_request_exception=False, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    fields = _first_page(client, token)
    client.post(ANSWER, {**fields, "q-ps7.1": "99", "action": "next"})  # 400
    client.get("/s/" + "B" * 43 + "/")  # 404
    client.delete(f"/s/{token}/")  # 405
    client.post("/s/kode/", {"code": "0000-0000-0000-0000"})  # 404
    assert logged.records
    for record in logged.records:
        request = getattr(record, "request", None)
        if request is not None:
            assert not request.path.startswith("/s/"), record.getMessage()
    text = logged.text()
    assert ip not in text and agent not in text and token not in text


def test_the_voice_reporter_and_the_phone_leave_no_request_in_a_log(
    world: World, logged: _Everything
) -> None:
    """Sig det (privacy.md section 6: no link through logs) and the dialogue phone: a
    report sent with a mistake (400), a wrong receipt code (404), a phone's answer with a
    mistake (400). Django logs each with the request attached, which holds the client's
    address and browser, the report's text, the typed code and the phone's cookie; an
    operator's handler (a log shipper, an error tracker) would keep them side by side."""
    ip, agent = "198.51.100.41", "Lommetelefon/7.4 (redlogs)"
    text = attack.secret_comment()
    reporter = Client(raise_request_exception=False, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    voice = f"/o/{world.org.slug}/sig-det/"
    mistaken = reporter.post(voice, {"unit": world.team_a.pk, "receiver": "amo", "text": text})
    assert mistaken.status_code == 400
    wrong_code = reporter.post(f"{voice}sag/", {"code": "ABCD-EFGH-JKLM-NPQR"})
    assert wrong_code.status_code == 404
    session = start(world)
    exercise = show(session, ExerciseKind.HORSESHOE)
    phone = Client(raise_request_exception=False, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    path = phone.get(f"/d/?kode={session.code}")["Location"]
    phone.get(path)
    assert phone.post(path, {"exercise": exercise.pk, "a-": "99"}).status_code == 400
    assert len(logged.records) >= 3
    assert all(getattr(r, "request", None) is None for r in logged.records), [
        r.getMessage() for r in logged.records if getattr(r, "request", None) is not None
    ]
    everything = logged.text()
    assert ip not in everything and agent not in everything and text not in everything


def test_a_reminder_that_fails_on_an_address_leaves_no_address_behind(
    settings: Any, logged: _Everything, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only those who have not answered get a reminder's e-mail, so an address in a failed
    reminder says "had not answered by then". A refusal that is not an OSError (Django's
    own check of an address raises ValueError quoting it) stopped the round there and put
    the address in the log and in the task queue's row (its traceback), which the
    operator reads; the reminders after it in the round did not go out."""
    place = attack.build_workplace({"Køkkenet": (None, 8)})
    launched = attack.launch(place)
    # The reminder round goes through the task queue as in production.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    people = place.people["Køkkenet"]
    tokens = launched.tokens
    for person in people[:3]:
        attack.submit(tokens[person.pk], ps7([2]))
    stuck = people[5].email
    real_send = locmem.EmailBackend.send_messages

    def refusing(self: Any, messages: Any) -> int:
        for message in messages:
            if stuck in message.to:
                raise ValueError(f'Invalid address "{stuck}"')
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refusing)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey_services.reminders_request(measurement=launched.measurement, actor=place.owner)
    run_ready_tasks("redlogs")
    assert len(mail.outbox) == 4  # the other non-responders
    stored = " ".join(str(v) for row in attack.rows(DBTaskResult._meta.db_table) for v in row)
    assert stuck not in stored
    assert stuck not in logged.text()


def test_an_invitation_that_fails_on_an_address_keeps_the_others_and_no_address(
    settings: Any, logged: _Everything, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for the reminders: a refusal that is not an OSError (Django's address check
    raises ValueError quoting it) stopped the invitations after it and put the address in
    the log and the task queue's row. The others go out; the refused one keeps no token,
    so the next run sends it."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    place = attack.build_workplace({"Køkkenet": (None, 8)})
    stuck = place.people["Køkkenet"][0].email
    real_send = locmem.EmailBackend.send_messages

    def refusing(self: Any, messages: Any) -> int:
        for message in messages:
            if stuck in message.to:
                raise ValueError(f'Invalid address "{stuck}"')
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refusing)
    mail.outbox.clear()
    measurement = attack.launch(place).measurement
    run_ready_tasks("redlogs")
    assert len(mail.outbox) == 7
    assert not InvitationToken.objects.filter(
        invitation__measurement=measurement, invitation__person__email=stuck
    ).exists()
    stored = " ".join(str(v) for row in attack.rows(DBTaskResult._meta.db_table) for v in row)
    assert stuck not in stored
    assert stuck not in logged.text()
