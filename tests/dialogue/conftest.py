"""Helpers for dialogue tests: a session for team A, phones that answer."""

from __future__ import annotations

from tests.conftest import World
from tryghed.dialogue import services
from tryghed.dialogue.models import Exercise, ExerciseKind, Session


def start(world: World, minimum: int | None = None) -> Session:
    return services.session_start(unit=world.team_a, actor=world.leader, minimum=minimum)


def exercise(session: Session, kind: str) -> Exercise:
    return session.exercises.get(kind=kind)


def show(session: Session, kind: str) -> Exercise:
    found = exercise(session, kind)
    services.session_show(session=session, exercise=found)
    return found


def phones_answer(exercise: Exercise, values: list[int]) -> list[str]:
    """One new phone per value; returns the phones' tokens."""
    tokens = []
    for value in values:
        token = services.phone_token_new()
        answers = (
            {
                "practical": str(value),
                "emotional": str(value),
                "appraisal": str(value),
                "information": str(value),
            }
            if exercise.kind == ExerciseKind.SUPPORT
            else {"": str(value)}
        )
        services.placement_set(exercise=exercise, token=token, answers=answers)
        tokens.append(token)
    return tokens
