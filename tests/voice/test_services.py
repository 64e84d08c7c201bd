from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World
from tryghed.voice import services
from tryghed.voice.models import Case, Message, MessageKind, add_months
from tryghed.voice.selectors import case_messages

DAY = dt.date(2026, 11, 30)


def _raise(world: World, **kwargs: object) -> tuple[Case, str]:
    values: dict[str, object] = {
        "organisation": world.org,
        "unit": world.team_a,
        "receiver": "leader",
        "kind": "concern",
        "text": "Vi når ikke pauserne, når vi er to på vagt.",
        "today": DAY,
    }
    values.update(kwargs)
    return services.case_raise(**values)  # type: ignore[arg-type]


def test_it_stores_only_the_hash_of_the_receipt_code(world: World) -> None:
    case, code = _raise(world)
    stored = Case.objects.get(pk=case.pk)
    assert len(code) == 16
    assert code not in stored.code_hash
    assert stored.code_hash == services.receipt_code_hash(code)
    assert services.case_for_code(organisation=world.org, code=code.lower()) == case


def test_the_code_opens_nothing_in_another_organisation(world: World) -> None:
    _, code = _raise(world)
    assert services.case_for_code(organisation=world.other_org, code=code) is None
    assert services.case_for_code(organisation=world.org, code="not a code") is None


def test_deadlines_are_seven_days_and_three_months(world: World) -> None:
    case, _ = _raise(world)
    assert case.opened_on == DAY
    assert case.acknowledge_by == dt.date(2026, 12, 7)
    assert case.answer_by == dt.date(2027, 2, 28)  # 30 February does not exist
    assert add_months(dt.date(2026, 1, 15), 3) == dt.date(2026, 4, 15)


def test_a_leader_case_needs_a_unit_of_the_organisation(world: World) -> None:
    with pytest.raises(ValidationError):
        _raise(world, unit=None)
    with pytest.raises(ValidationError):
        _raise(world, unit=world.other_unit)
    case, _ = _raise(world, unit=None, receiver="amo")
    assert case.unit is None


def test_the_conversation_keeps_its_order_and_the_dates(world: World) -> None:
    case, _ = _raise(world)
    later = DAY + dt.timedelta(days=2)
    services.receiver_acknowledge(case=case, actor=world.leader, which="read", today=later)
    services.receiver_note(case=case, actor=world.leader, text="Tal med vagtplanlæggeren.")
    services.receiver_reply(
        case=case, actor=world.leader, text="Vi ændrer vagtplanen.", today=later
    )
    services.reporter_reply(case=case, text="Tak.", today=later)
    case.refresh_from_db()
    assert case.acknowledged_on == later
    assert case.answered_on == later
    shown = [m.display_text for m in case_messages(case, for_reporter=True)]
    assert shown == ["Tak, vi har læst det.", "Vi ændrer vagtplanen.", "Tak."]
    everything = case_messages(case, for_reporter=False)
    assert [m.kind for m in everything] == ["ack", "note", "reply", "reply"]


def test_an_acknowledgement_is_not_an_answer(world: World) -> None:
    case, _ = _raise(world)
    services.receiver_acknowledge(case=case, actor=world.leader, which="meeting", today=DAY)
    case.refresh_from_db()
    assert case.acknowledged_on == DAY
    assert case.answered_on is None
    with pytest.raises(ValidationError):
        services.receiver_acknowledge(case=case, actor=world.leader, which="whatever")


def test_a_closed_case_takes_no_more_replies(world: World) -> None:
    case, _ = _raise(world)
    services.case_close(case=case, today=DAY)
    with pytest.raises(ValidationError):
        services.reporter_reply(case=case, text="Hallo?")
    with pytest.raises(ValidationError):
        services.receiver_reply(case=case, actor=world.leader, text="Svar")
    assert not Message.objects.filter(case=case).exclude(kind=MessageKind.NOTE).exists()


def test_it_warns_about_names_of_people_and_dates(world: World) -> None:
    hints = services.identifying_hints(
        organisation=world.org, text="Kirsten Holm råbte ad mig d. 3. marts og igen 12/4 kl. 14."
    )
    assert hints.names == ("Holm", "Kirsten")
    assert "3. marts" in hints.dates and "12/4" in hints.dates
    assert not services.identifying_hints(
        organisation=world.org, text="Vi mangler tid til at tale sammen om arbejdet."
    )
    # A sentence's first word is capitalised anyway; lower case is an ordinary word.
    assert not services.identifying_hints(organisation=world.org, text="Frede og holm")


def test_the_warning_does_not_read_the_person_register(world: World) -> None:
    """The form is public: a name in the register and one that is not get the same hint."""
    employed = services.identifying_hints(organisation=world.org, text="Jeg talte med Bent.")
    unknown = services.identifying_hints(organisation=world.org, text="Jeg talte med Gorm.")
    assert employed.names == ("Bent",) and unknown.names == ("Gorm",)


def test_the_warning_skips_public_words_and_finds_contact_details(world: World) -> None:
    text = (
        "Det gælder os i Team A og Område, som De kender. Ring til hr. Hansen på "
        "12 34 56 78 eller skriv til vagt@example.test."
    )
    hints = services.identifying_hints(organisation=world.org, text=text)
    assert hints.names == ("Hansen",)
    assert hints.contacts == ("vagt@example.test", "12 34 56 78")
