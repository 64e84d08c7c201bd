"""Attacks on the live dialogue session (docs/dialogue.md, privacy.md section 0).

The facilitator (a reader of results, adversary 1) watches the big screen and its status
while people in the room tap their phones; the operator (adversary 2) reads every table.
Neither may tie a placement to a phone or a person: no order, no time, no link between a
phone's placements, nothing before the minimum, everything deleted at the end.
"""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection
from django.test import Client, override_settings

from tests.conftest import World, client_for
from tests.privacy import attack
from tryghed.audit.models import AuditEvent
from tryghed.dialogue import selectors, services
from tryghed.dialogue.models import Exercise, ExerciseKind, Placement, Session

pytestmark = pytest.mark.django_db
ROOM = 30


def _start(world: World) -> Session:
    return services.session_start(unit=world.team_a, actor=world.leader)


def _show(session: Session, kind: str) -> Exercise:
    exercise = session.exercises.get(kind=kind)
    services.session_show(session=session, exercise=exercise)
    return exercise


def _answer(exercise: Exercise, token: str, value: int | str) -> None:
    services.placement_set(exercise=exercise, token=token, answers={"": str(value)})


def test_the_placement_table_holds_no_time_no_phone_and_no_order_on_sqlite(world: World) -> None:
    assert set(attack.columns("dialogue_placement")) == {
        "id",
        "exercise_id",
        "key",
        "value",
        "text",
    }
    if connection.vendor != "sqlite":
        pytest.skip("rowid exists only on SQLite (PostgreSQL: see docs/dialogue.md)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'dialogue_placement'"
        )
        (create,) = cursor.fetchone()
    assert "WITHOUT ROWID" in create.upper(), "a migration rebuilt dialogue_placement"
    session = _start(world)
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    written = []
    for n in range(ROOM):
        token = services.phone_token_new()
        _answer(horseshoe, token, n % 10 + 1)
        written.append(services.placement_id(exercise=horseshoe, key="", token=token))
    assert attack.rows("dialogue_placement", "rowid") == []
    read = [row[0] for row in attack.rows("dialogue_placement")]
    # A plain SELECT reads in key order (the HMAC's), not in the order phones answered.
    assert read == sorted(written) and read != written


def test_the_operator_cannot_link_one_phones_placements_or_compute_an_id(world: World) -> None:
    session = _start(world)
    token = services.phone_token_new()
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    _answer(horseshoe, token, 2)
    zones = _show(session, ExerciseKind.ZONES)
    _answer(zones, token, 4)
    ids = [row[0] for row in attack.rows("dialogue_placement")]
    assert len(ids) == 2
    assert ids[0][:12] != ids[1][:12]
    # Without the application's key the id cannot be computed from a token (nor a token
    # tried against the table): the same token under another key gives another id.
    with override_settings(SECRET_KEY="an operator's guess" * 3):
        guessed = services.placement_id(exercise=horseshoe, key="", token=token)
    assert guessed not in ids
    every_value = [
        value for table in attack.tables() for row in attack.rows(table) for value in row
    ]
    assert token not in {str(v) for v in every_value}


def test_the_facilitator_learns_nothing_but_a_count_before_the_minimum(world: World) -> None:
    session = _start(world)
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    screen = client_for(world.leader)
    base = f"/o/{world.org.slug}/dialog/{session.pk}/"
    seen: list[tuple[str, str]] = []
    tokens = [services.phone_token_new() for _ in range(4)]
    for n, token in enumerate(tokens):
        # The facilitator watches who taps, and reads the screen and status after each tap.
        _answer(horseshoe, token, [1, 10, 1, 10][n])
        seen.append(
            (screen.get(base).content.decode(), screen.get(base + "status/").content.decode())
        )
    # The same phone changes its answer: nothing the facilitator can read changes.
    before = screen.get(base + "status/").content
    _answer(horseshoe, tokens[0], 10)
    assert screen.get(base + "status/").content == before
    for page, status in seen:
        assert set(json.loads(status)) == {
            "active",
            "exercise",
            "revealed",
            "count",
            "minimum",
            "can_reveal",
        }
        assert "dialog-chart" not in page and "<rect" not in page
    screen.post(base + "afslor/", {"exercise": horseshoe.pk})
    horseshoe.refresh_from_db()
    assert not horseshoe.revealed and horseshoe.distribution is None


def test_after_reveal_no_late_answer_can_move_a_bar(world: World) -> None:
    session = _start(world)
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    for value in (3, 4, 5, 6, 7):
        _answer(horseshoe, services.phone_token_new(), value)
    services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    shown = Exercise.objects.get(pk=horseshoe.pk).shown
    phone = Client()
    page = phone.get(f"/d/{session.code}/")
    assert page.status_code == 200
    phone.post(f"/d/{session.code}/", {"exercise": horseshoe.pk, "a-": "10"})
    assert Exercise.objects.get(pk=horseshoe.pk).distribution == shown
    assert selectors.answer_count(horseshoe) == 5


def test_the_words_of_bordet_rundt_come_out_shuffled_not_in_the_order_written(world: World) -> None:
    session = _start(world)
    round_ = _show(session, ExerciseKind.ROUND)
    words = [f"ord{n:02d}" for n in range(ROOM)]
    for word in words:
        _answer(round_, services.phone_token_new(), word)
    shown = services.exercise_reveal(exercise=round_, actor=world.leader).shown["words"]
    assert sorted(shown) == words and shown != words


def test_the_end_deletes_every_placement_and_the_audit_log_holds_no_answer(world: World) -> None:
    session = _start(world)
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    values = [random.randint(1, 10) for _ in range(ROOM)]
    for value in values:
        _answer(horseshoe, services.phone_token_new(), value)
    services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    round_ = _show(session, ExerciseKind.ROUND)
    for n in range(10):
        _answer(round_, services.phone_token_new(), f"hemmeligtord{n}")
    services.exercise_reveal(exercise=round_, actor=world.leader)
    services.session_end(
        session=session,
        actor=world.leader,
        notes=["Noten"],
        focus_points=[],
        keep_distribution=True,
    )
    assert attack.rows("dialogue_placement") == []
    assert not Placement.objects.exists()
    for table in attack.tables():
        for row in attack.rows(table):
            assert not any("hemmeligtord" in str(value) for value in row), table
    for event in AuditEvent.objects.filter(action__startswith="dialogue."):
        assert set(event.data) <= {
            "unit",
            "minimum",
            "exercise",
            "n",
            "notes",
            "focus_points",
            "focus_areas",
            "kept_distribution",
        }
