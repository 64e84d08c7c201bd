from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World
from tests.dialogue.conftest import exercise, phones_answer, show, start
from tryghed.audit.models import AuditEvent
from tryghed.dialogue import selectors, services
from tryghed.dialogue.models import ExerciseKind, Note, Placement, Session


def test_a_session_starts_with_every_exercise_and_a_short_code(world: World) -> None:
    session = start(world)
    assert session.code is not None and len(session.code) == 6
    assert set(session.code) <= set(services.CODE_ALPHABET)
    assert [e.kind for e in session.exercises.all()] == [
        "horseshoe",
        "support",
        "zones",
        "round",
        "levers",
    ]
    assert session.current is not None and session.current.kind == "horseshoe"
    assert session.minimum == 5
    assert AuditEvent.objects.filter(action="dialogue.session_started").count() == 1


def test_the_minimum_is_never_below_three_nor_the_organisations(world: World) -> None:
    with pytest.raises(ValidationError):
        start(world, minimum=4)  # the organisation asks 5
    world.org.min_group_score = 3
    world.org.save()
    world.team_a.refresh_from_db()
    with pytest.raises(ValidationError):
        start(world, minimum=2)
    assert start(world, minimum=3).minimum == 3


def test_the_default_minimum_follows_the_organisations_setting(world: World) -> None:
    world.org.min_group_score = 7
    world.org.save()
    world.team_a.refresh_from_db()
    assert start(world).minimum == 7


def test_no_distribution_at_four_answers_and_a_reveal_at_five(world: World) -> None:
    session = start(world)
    horseshoe = exercise(session, ExerciseKind.HORSESHOE)
    phones_answer(horseshoe, [3, 7, 7, 9])
    assert selectors.answer_count(horseshoe) == 4
    with pytest.raises(ValidationError):
        services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    horseshoe.refresh_from_db()
    assert not horseshoe.revealed and horseshoe.distribution is None
    phones_answer(horseshoe, [7])
    revealed = services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    assert revealed.revealed
    counts = revealed.shown["values"][""]
    assert counts == {
        "1": 0,
        "2": 0,
        "3": 1,
        "4": 0,
        "5": 0,
        "6": 0,
        "7": 3,
        "8": 0,
        "9": 1,
        "10": 0,
    }
    assert revealed.shown["n"] == 5


def test_at_minimum_three_three_answers_reveal(world: World) -> None:
    world.org.min_group_score = 3
    world.org.save()
    world.team_a.refresh_from_db()
    session = start(world, minimum=3)
    zones = show(session, ExerciseKind.ZONES)
    phones_answer(zones, [1, 2])
    with pytest.raises(ValidationError):
        services.exercise_reveal(exercise=zones, actor=world.leader)
    phones_answer(zones, [2])
    assert services.exercise_reveal(exercise=zones, actor=world.leader).shown["values"][""] == {
        "1": 1,
        "2": 2,
        "3": 0,
        "4": 0,
    }


def test_a_phone_changes_its_answer_until_reveal_and_counts_once(world: World) -> None:
    session = start(world)
    horseshoe = exercise(session, ExerciseKind.HORSESHOE)
    (token,) = phones_answer(horseshoe, [2])
    services.placement_set(exercise=horseshoe, token=token, answers={"": "8"})
    assert selectors.answer_count(horseshoe) == 1
    assert services.phone_answers(exercise=horseshoe, token=token) == {"": 8}
    phones_answer(horseshoe, [5, 5, 5, 5])
    services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    with pytest.raises(ValidationError):
        services.placement_set(exercise=horseshoe, token=token, answers={"": "1"})
    with pytest.raises(ValidationError):
        phones_answer(horseshoe, [1])  # no late answers that would move one bar
    horseshoe.refresh_from_db()
    assert horseshoe.shown["values"][""]["8"] == 1


def test_only_the_exercise_on_the_screen_takes_answers(world: World) -> None:
    session = start(world)
    zones = exercise(session, ExerciseKind.ZONES)
    with pytest.raises(ValidationError):
        phones_answer(zones, [1])
    show(session, ExerciseKind.ZONES)
    with pytest.raises(ValidationError):
        phones_answer(zones, [5])  # not a zone
    levers = show(session, ExerciseKind.LEVERS)
    with pytest.raises(ValidationError):
        services.placement_set(exercise=levers, token=services.phone_token_new(), answers={})


def test_support_counts_the_phones_that_rated_all_four_kinds(world: World) -> None:
    session = start(world)
    support = show(session, ExerciseKind.SUPPORT)
    phones_answer(support, [1, 5, 10, 10, 8])
    with pytest.raises(ValidationError):
        services.placement_set(
            exercise=support, token=services.phone_token_new(), answers={"practical": "3"}
        )
    assert selectors.answer_count(support) == 5
    values = services.exercise_reveal(exercise=support, actor=None).shown["values"]
    assert set(values) == {"practical", "emotional", "appraisal", "information"}
    assert values["emotional"]["10"] == 2


def test_the_round_shows_the_words_only_after_reveal_at_the_comment_minimum(
    world: World,
) -> None:
    session = start(world)
    round_ = show(session, ExerciseKind.ROUND)
    words = ["Travlt", "Godt samarbejde", "Tryg", "Uklart", "Hjælpsomme kolleger"]
    words += [f"Ord {n}" for n in range(4)]
    for word in words:
        services.placement_set(
            exercise=round_, token=services.phone_token_new(), answers={"": f"  {word} "}
        )
    assert selectors.reveal_minimum(round_, session) == 10  # free text: the comment minimum
    with pytest.raises(ValidationError):
        services.exercise_reveal(exercise=round_, actor=None)
    round_.refresh_from_db()
    assert round_.distribution is None
    words.append("Sidste ord")
    services.placement_set(
        exercise=round_, token=services.phone_token_new(), answers={"": "Sidste ord"}
    )
    shown = services.exercise_reveal(exercise=round_, actor=None).shown
    assert sorted(shown["words"]) == sorted(words)


def test_ending_deletes_every_placement_and_keeps_only_what_the_team_chose(world: World) -> None:
    session = start(world)
    horseshoe = exercise(session, ExerciseKind.HORSESHOE)
    phones_answer(horseshoe, [4, 5, 6, 7, 8])
    services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    round_ = show(session, ExerciseKind.ROUND)
    for word in "abcdefghij":
        services.placement_set(
            exercise=round_, token=services.phone_token_new(), answers={"": word}
        )
    services.exercise_reveal(exercise=round_, actor=world.leader)
    code = session.code
    services.session_end(
        session=session,
        actor=world.leader,
        notes=["Vi mødes igen om en måned", ""],
        focus_points=[services.FocusPoint("Sig til, når vi er i tvivl")],
        keep_distribution=True,
    )
    session.refresh_from_db()
    assert not Placement.objects.exists()
    assert session.code is None and services.session_by_code(code or "") is None
    horseshoe.refresh_from_db()
    round_.refresh_from_db()
    assert horseshoe.distribution is not None
    assert round_.distribution is None  # the words are never kept
    assert list(Note.objects.values_list("kind", "text")) == [
        ("focus", "Sig til, når vi er i tvivl"),
        ("note", "Vi mødes igen om en måned"),
    ]


def test_without_gem_fordelingen_nothing_of_the_answers_remains(world: World) -> None:
    session = start(world)
    horseshoe = exercise(session, ExerciseKind.HORSESHOE)
    phones_answer(horseshoe, [4, 5, 6, 7, 8])
    services.exercise_reveal(exercise=horseshoe, actor=world.leader)
    services.session_end(
        session=session, actor=world.leader, notes=[], focus_points=[], keep_distribution=False
    )
    horseshoe.refresh_from_db()
    assert horseshoe.distribution is None and not Placement.objects.exists()
    assert Session.objects.get().status == "ended"


def test_at_most_three_focus_points(world: World) -> None:
    session = start(world)
    with pytest.raises(ValidationError):
        services.session_end(
            session=session,
            actor=world.leader,
            notes=[],
            focus_points=[services.FocusPoint(f"Punkt {n}") for n in range(4)],
            keep_distribution=False,
        )
    assert Session.objects.get().is_active
