"""Unlinkable storage (privacy.md section 1, docs/anonymity.md "Storage"): marks instead of
a used flag, sealed and padded pending answers, releases in batches never smaller than the
minimum, the answer keyring, and the SQLite table layout."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import stat
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.factories import make_person
from tests.surveys.conftest import CaptureOnCommit, tokens_from_outbox
from tryghed import settings as tryghed_settings
from tryghed.core.instruments import load_builtin
from tryghed.surveys import sealing, services
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.checks import check_answer_keys
from tryghed.surveys.models import (
    Invitation,
    Measurement,
    PendingAnswer,
    Response,
    Status,
    SubmissionMark,
)
from tryghed.surveys.questionnaire import MAX_TEXT

KEY_A = "a:" + base64.b64encode(bytes([1]) * 32).decode()
KEY_B = "b:" + base64.b64encode(bytes([2]) * 32).decode()


def _measurement(
    world: World, *, minimum: int = 5, instruments: tuple[str, ...] = ("ps7",)
) -> Measurement:
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Lager",
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        minimums={"score": minimum},
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.OPEN)
    measurement.refresh_from_db()
    return measurement


def _pend(measurement: Measurement, unit_id: int, answers: dict[str, Any]) -> None:
    """A pending answer exactly as ``response_submit`` seals it."""
    PendingAnswer.objects.create(
        measurement=measurement,
        sealed=sealing.seal(
            measurement_id=measurement.pk,
            payload={"unit": unit_id, "week": "2026-W49", "answers": answers, "texts": {}},
            size=sealing.sealed_size(survey_selectors.measurement_instruments(measurement)),
        ),
    )


def _opened_survey(
    world: World, capture: CaptureOnCommit, people: int
) -> tuple[Measurement, list[str]]:
    for i in range(people - 2):  # person_a and person_b are in the area already
        make_person(world.team_a, name=f"P {i}", email=f"p{i}@example.test")
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Efterår",
        instrument_ids=["ps7", "hesteskoen"],
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    mail.outbox.clear()
    with capture(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    return measurement, list(tokens_from_outbox().values())


def test_a_submission_stores_a_mark_and_a_sealed_answer_but_no_readable_response(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement, tokens = _opened_survey(world, django_capture_on_commit_callbacks, 5)
    invitations_before = list(Invitation.objects.values())
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(
            token=tokens[0], answers={"ps7.1": 3}, texts={"hesteskoen.2": "Hemmelig kommentar"}
        )
    assert Response.objects.count() == 0  # 1 pending < 2 x the minimum of 5
    (pending,) = PendingAnswer.objects.all()
    assert b"Hemmelig" not in bytes(pending.sealed)
    assert b"ps7.1" not in bytes(pending.sealed)
    assert SubmissionMark.objects.filter(measurement=measurement).count() == 1
    # The invitation row is not touched: its row version cannot pair it with anything.
    assert list(Invitation.objects.values()) == invitations_before
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(token=tokens[0], answers={"ps7.1": 1}, texts={})
    assert refused.value.reason == "used"
    assert PendingAnswer.objects.count() == 1


def test_submissions_are_released_in_batches_and_the_minimum_is_held_back_until_closing(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement, tokens = _opened_survey(world, django_capture_on_commit_callbacks, 12)
    sent = []
    for n, token in enumerate(tokens[:11]):
        with django_capture_on_commit_callbacks(execute=True):
            services.response_submit(token=token, answers={"ps7.1": n % 7 + 1}, texts={})
        sent.append(n % 7 + 1)
        released = Response.objects.filter(measurement=measurement).count()
        # Nothing before 10 pending; at 10, 5 are released and 5 held back.
        assert released == (0 if n < 9 else 5)
    assert PendingAnswer.objects.filter(measurement=measurement).count() == 6
    services.measurement_close(measurement=measurement, actor=world.owner)
    assert PendingAnswer.objects.filter(measurement=measurement).count() == 0
    got = Counter(r.answers["ps7.1"] for r in Response.objects.filter(measurement=measurement))
    assert got == Counter(sent)
    assert {r.week for r in Response.objects.all()} == {services.iso_week()}
    assert {r.unit_id for r in Response.objects.all()} <= {world.team_a.pk, world.team_b.pk}


def test_a_submission_that_comes_after_closing_is_refused_as_closed(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement, tokens = _opened_survey(world, django_capture_on_commit_callbacks, 3)
    entry = survey_selectors.resolve_token(tokens[0])
    services.measurement_close(measurement=measurement, actor=world.owner)
    with pytest.raises(services.SubmissionRefused) as refused:
        services._lock_while_accepting(entry.measurement)
    assert refused.value.reason == "closed"


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    minimum=st.integers(min_value=5, max_value=7),
    steps=st.lists(st.sampled_from(["submit", "submit", "submit", "release"]), max_size=40),
)
def test_no_release_is_ever_smaller_than_the_minimum_and_nothing_is_lost(
    world: World, minimum: int, steps: list[str]
) -> None:
    measurement = _measurement(world, minimum=minimum)
    batches: list[int] = []
    submitted = 0
    for step in steps:
        if step == "submit":
            _pend(measurement, world.team_a.pk, {"ps7.1": submitted % 7 + 1})
            submitted += 1
        released = services.pending_release(measurement=measurement)
        if released:
            batches.append(released)
        pending = PendingAnswer.objects.filter(measurement=measurement).count()
        assert pending < 2 * minimum or submitted < 2 * minimum
    before = Response.objects.filter(measurement=measurement).count()
    services.measurement_close(measurement=measurement, actor=world.owner)
    final = Response.objects.filter(measurement=measurement).count() - before
    assert services.pending_release(measurement=measurement) == 0  # idempotent
    assert all(batch >= minimum for batch in batches)
    if final:
        # The closing batch joins the held-back minimum, or is the whole measurement.
        assert final >= minimum or (final == submitted and not batches)
    assert Response.objects.filter(measurement=measurement).count() == submitted
    assert not PendingAnswer.objects.filter(measurement=measurement).exists()


def test_each_set_of_instruments_keeps_its_own_padded_size_worked_out_once() -> None:
    """The padded size is worked out once per set of instruments, and each set (even of
    the same length) keeps its own: a size too small would let a long answer's sealed row
    stand out by its length."""
    builtin = load_builtin()
    with_text = [builtin["ps7"], builtin["hesteskoen"]]
    without_text = [builtin["ps7"], builtin["amk"]]
    large, small = sealing._padded_size(with_text), sealing._padded_size(without_text)
    assert large > small
    sealing._SIZES.clear()
    with mock.patch.object(sealing, "_padded_size", wraps=sealing._padded_size) as worked:
        for _ in range(2):
            assert sealing.sealed_size(with_text) == sealing.sealed_size(list(with_text)) == large
            assert sealing.sealed_size(without_text) == small
    assert worked.call_count == 2


def test_every_sealed_answer_of_a_measurement_has_the_same_size_even_the_largest_possible(
    world: World,
) -> None:
    measurement = _measurement(world, instruments=("ps7", "hesteskoen"))
    instruments = survey_selectors.measurement_instruments(measurement)
    size = sealing.sealed_size(instruments)
    largest_answers: dict[str, Any] = {}
    largest_texts: dict[str, str] = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.type == "text":
                # The widest JSON per character (a control character is \\u00XX).
                largest_texts[item.id] = "\x01" * MAX_TEXT
            elif item.type == "multi":
                largest_answers[item.id] = list(item.codes)
            else:
                largest_answers[item.id] = max(item.codes)
    small = sealing.seal(
        measurement_id=measurement.pk,
        payload={"unit": 1, "week": "2026-W49", "answers": {}, "texts": {}},
        size=size,
    )
    large = sealing.seal(
        measurement_id=measurement.pk,
        payload={
            "unit": 10**12,
            "week": "2026-W49",
            "answers": largest_answers,
            "texts": largest_texts,
        },
        size=size,
    )
    assert len(small) == len(large)
    opened = sealing.unseal(measurement_id=measurement.pk, sealed=large)
    assert opened["texts"] == largest_texts
    with pytest.raises(ValueError, match="does not fit"):
        sealing.seal(
            measurement_id=measurement.pk,
            payload={"texts": {"x": "a" * size}},
            size=size,
        )


def test_a_sealed_answer_does_not_open_for_another_measurement(world: World) -> None:
    sealed = sealing.seal(measurement_id=1, payload={"a": 1}, size=1024)
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(measurement_id=2, sealed=sealed)


def test_after_a_key_rotation_the_old_key_still_reads_answers_and_marks(
    world: World, settings: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    settings.TRYGHED_ANSWER_KEYS = [KEY_A]
    measurement, tokens = _opened_survey(world, django_capture_on_commit_callbacks, 3)
    services.response_submit(token=tokens[0], answers={"ps7.1": 4}, texts={})
    settings.TRYGHED_ANSWER_KEYS = [KEY_B, KEY_A]  # b is current, a only reads
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(token=tokens[0], answers={"ps7.1": 1}, texts={})
    assert refused.value.reason == "used"
    services.response_submit(token=tokens[1], answers={"ps7.1": 5}, texts={})
    assert bytes(PendingAnswer.objects.order_by("sealed").first().sealed).startswith(b"a:")  # type: ignore[union-attr]
    assert len(survey_selectors.answered_invitation_ids(measurement)) == 2
    services.measurement_close(measurement=measurement, actor=world.owner)
    assert sorted(r.answers["ps7.1"] for r in Response.objects.all()) == [4, 5]


def test_answers_sealed_under_a_lost_key_stay_pending_and_do_not_block_closing(
    world: World, settings: Any
) -> None:
    settings.TRYGHED_ANSWER_KEYS = [KEY_A]
    measurement = _measurement(world)
    for code in (1, 2, 3):
        _pend(measurement, world.team_a.pk, {"ps7.1": code})
    settings.TRYGHED_ANSWER_KEYS = [KEY_B]
    _pend(measurement, world.team_a.pk, {"ps7.1": 7})
    services.measurement_close(measurement=measurement, actor=world.owner)
    assert [r.answers for r in Response.objects.all()] == [{"ps7.1": 7}]
    assert PendingAnswer.objects.filter(measurement=measurement).count() == 3


def test_a_missing_answer_key_is_an_error_in_production_only(settings: Any) -> None:
    settings.TRYGHED_ANSWER_KEYS = []
    settings.TRYGHED_ENV = "production"
    assert [e.id for e in check_answer_keys()] == ["tryghed.E001"]
    settings.TRYGHED_ENV = "development"
    assert check_answer_keys() == []
    settings.TRYGHED_ANSWER_KEYS = ["a:not-base64!"]
    assert [e.id for e in check_answer_keys()] == ["tryghed.E002"]
    settings.TRYGHED_ANSWER_KEYS = [KEY_A, KEY_A]
    assert [e.id for e in check_answer_keys()] == ["tryghed.E002"]
    settings.TRYGHED_ENV = "production"
    settings.TRYGHED_ANSWER_KEYS = [KEY_A]
    assert check_answer_keys() == []


def test_development_creates_a_private_key_file_once_and_production_never(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRYGHED_ANSWER_KEYS", raising=False)
    assert tryghed_settings.answer_keys(tmp_path, create=False) == []
    assert not (tmp_path / "answer.key").exists()
    first = tryghed_settings.answer_keys(tmp_path, create=True)
    assert len(sealing.parse_keys(first)) == 1
    assert stat.S_IMODE(os.stat(tmp_path / "answer.key").st_mode) == 0o600
    assert tryghed_settings.answer_keys(tmp_path, create=True) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.key"]
    monkeypatch.setenv("TRYGHED_ANSWER_KEYS", f"{KEY_B}, {KEY_A}")
    assert tryghed_settings.answer_keys(tmp_path, create=True) == [KEY_B, KEY_A]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite table layout")
def test_sqlite_responses_have_no_rowid_and_deleted_data_is_overwritten() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'surveys_response'")
        (create,) = cursor.fetchone()
        cursor.execute("PRAGMA secure_delete")
        (secure_delete,) = cursor.fetchone()
    # A later migration that rebuilds the table (Django does for many changes on SQLite)
    # loses WITHOUT ROWID: it must then rebuild it again, as 0004 does.
    assert "WITHOUT ROWID" in create.upper()
    assert secure_delete == 1


def test_after_a_reminder_the_invitation_rows_of_those_who_answered_look_like_the_others(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    measurement, tokens = _opened_survey(world, django_capture_on_commit_callbacks, 4)
    services.response_submit(token=tokens[0], answers={"ps7.1": 2}, texts={})
    start = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_request(measurement=measurement, actor=world.owner)
    assert len(mail.outbox) - start == 3  # e-mail only to those who have not answered
    rows = [
        (i["reminded_week"], i["reminders_sent"], n)
        for i, n in (
            (row, Invitation.objects.get(pk=row["id"]).tokens.count())
            for row in Invitation.objects.filter(measurement=measurement).values()
        )
    ]
    assert len(set(rows)) == 1, rows  # the same reminder week, count and tokens for all


def _pend_payload(measurement: Measurement, payload: dict[str, Any]) -> None:
    PendingAnswer.objects.create(
        measurement=measurement,
        sealed=sealing.seal(
            measurement_id=measurement.pk,
            payload=payload,
            size=sealing.sealed_size(survey_selectors.measurement_instruments(measurement)),
        ),
    )


def test_a_release_is_four_statements_in_order_and_writes_what_the_answers_say(
    world: World,
) -> None:
    """A release while open, in plain SQL built once per process (issue 14): the
    measurement's row locked, the pending rows read and locked, the chosen answers inserted
    as responses in their shuffled order, the released pending rows deleted; no ORM query
    compiled. Each response is its sealed answer, in the week of the release."""
    from django.db.models.sql.query import Query
    from django.test.utils import CaptureQueriesContext

    from tryghed.core.answer_codes import choice_item_ids, encode

    measurement = _measurement(world, minimum=5, instruments=("ps7", "hesteskoen"))
    payloads = [
        {
            "unit": (world.team_a if n % 2 else world.team_b).pk,
            "week": "2026-W01",
            "answers": {"ps7.1": n % 7 + 1, "ps7.2": 2},
            "texts": {"hesteskoen.2": f"Kommentar {n}"} if n % 3 == 0 else {},
        }
        for n in range(12)
    ]
    for payload in payloads:
        _pend_payload(measurement, payload)
    services.pending_release(measurement=measurement)  # the statements built once
    Response.objects.all().delete()
    PendingAnswer.objects.all().delete()
    for payload in payloads:
        _pend_payload(measurement, payload)
    shuffled: list[list[Any]] = []
    real_shuffle = secrets.SystemRandom.shuffle

    def shuffle(self: Any, items: list[Any]) -> None:
        real_shuffle(self, items)
        shuffled.append([item.pk for item in items])

    compiled = mock.patch.object(
        Query, "get_compiler", autospec=True, side_effect=Query.get_compiler
    )
    with (
        compiled as compiles,
        mock.patch.object(secrets.SystemRandom, "shuffle", shuffle),
        CaptureQueriesContext(connection) as queries,
    ):
        released = services.pending_release(measurement=measurement)
    assert released == 7  # 12 pending, 5 held back
    assert compiles.call_count == 0
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN"))
    ]
    postgres = connection.vendor == "postgresql"
    assert statements[0].startswith('SELECT "status", "min_group_score" FROM "surveys_measurement"')
    assert statements[0].endswith("FOR NO KEY UPDATE") == postgres
    assert statements[1].startswith('SELECT "id", "sealed" FROM "surveys_pendinganswer"')
    assert statements[1].endswith("FOR UPDATE") == postgres
    assert statements[2].startswith('INSERT INTO "surveys_response"')
    assert statements[3].startswith('DELETE FROM "surveys_pendinganswer" WHERE "id" IN')
    # Then nothing but (outside the tests' transaction) the commit and SQLite's checkpoint.
    assert all("wal_checkpoint" in s or s.upper() == "COMMIT" for s in statements[4:])
    # What was written: the released answers, whole, and 5 still sealed.
    responses = list(Response.objects.filter(measurement=measurement))
    assert len(responses) == 7 and PendingAnswer.objects.count() == 5
    (order,) = shuffled
    assert sorted(order) == sorted(r.pk for r in responses)
    if postgres:  # inserted in the shuffled order, nothing else
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM surveys_response ORDER BY ctid")
            assert [row[0] for row in cursor.fetchall()] == order
    left = [
        sealing.unseal(measurement_id=measurement.pk, sealed=p.sealed)
        for p in PendingAnswer.objects.all()
    ]
    item_ids = choice_item_ids(survey_selectors.measurement_instruments(measurement))

    def key(unit: object, answers: object, texts: object, codes: bytes | None, week: str) -> str:
        return json.dumps([unit, answers, texts, (codes or b"").hex(), week], sort_keys=True)

    got = sorted(
        key(r.unit_id, r.answers, r.texts, bytes(r.codes or b""), r.week) for r in responses
    )
    expected = sorted(
        key(
            p["unit"], p["answers"], p["texts"], encode(p["answers"], item_ids), services.iso_week()
        )
        for p in payloads
        if p not in left
    )
    assert len(expected) == 7 and got == expected


def test_a_closing_releases_many_pending_answers_in_statements_the_database_takes(
    world: World,
) -> None:
    """At closing everything goes in one batch, inserted in parts of at most 500 rows and
    fewer where the database limits a statement's parameters, as bulk_create did."""
    from django.test.utils import CaptureQueriesContext

    measurement = _measurement(world)
    for n in range(600):
        _pend(measurement, world.team_a.pk, {"ps7.1": n % 7 + 1})
    with CaptureQueriesContext(connection) as queries:
        services.measurement_close(measurement=measurement, actor=world.owner)
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "surveys_response"')
    ]
    per_statement = min(
        500, connection.ops.bulk_batch_size(Response._meta.concrete_fields, [0] * 600)
    )
    assert len(inserts) == -(-600 // per_statement)
    assert Response.objects.filter(measurement=measurement).count() == 600
    assert not PendingAnswer.objects.exists()
    got = Counter(r.answers["ps7.1"] for r in Response.objects.filter(measurement=measurement))
    assert got == Counter(n % 7 + 1 for n in range(600))


def test_an_answer_sealed_with_a_nul_in_a_text_is_released_without_it(world: World) -> None:
    """An answer sealed before NULs were dropped as answers are read still holds one; on
    PostgreSQL a jsonb value holds none, so its release failed, and every release and the
    closing after it. It is released with the NUL taken out, beside the others."""
    measurement = _measurement(world, minimum=5, instruments=("ps7", "hesteskoen"))
    for n in range(10):
        _pend_payload(
            measurement,
            {
                "unit": world.team_a.pk,
                "week": "2026-W01",
                "answers": {"ps7.1": 2},
                "texts": {"hesteskoen.2": "før\x00efter"} if n == 0 else {},
            },
        )
    assert services.pending_release(measurement=measurement) + 5 == 10
    services.measurement_close(measurement=measurement, actor=world.owner)
    texts = [r.texts for r in Response.objects.filter(measurement=measurement)]
    assert len(texts) == 10
    assert [t for t in texts if t] == [{"hesteskoen.2": "førefter"}]
    assert not PendingAnswer.objects.filter(measurement=measurement).exists()
