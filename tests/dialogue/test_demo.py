"""The demo has a finished dialogue session with notes for the demo leader's team."""

from __future__ import annotations

import pytest

from tests.conftest import client_for
from tryghed.accounts.models import User
from tryghed.dialogue.demo import LEADER_EMAIL, load_demo_dialogue
from tryghed.dialogue.models import NoteKind, Placement, Session, SessionStatus
from tryghed.orgs.demo import load_demo


@pytest.mark.django_db
def test_the_demo_team_has_a_finished_session_with_notes_and_the_kept_distribution() -> None:
    organisation, _ = load_demo()
    assert load_demo_dialogue(organisation)
    assert not load_demo_dialogue(organisation)  # once only
    session = Session.objects.get()
    assert session.status == SessionStatus.ENDED and session.code is None
    assert session.notes.filter(kind=NoteKind.FOCUS).count() == 3
    assert session.notes.filter(kind=NoteKind.NOTE).count() == 2
    assert not Placement.objects.exists()
    horseshoe = session.exercises.get(kind="horseshoe")
    assert horseshoe.shown["n"] == 9 and horseshoe.shown["values"][""]["7"] == 3
    page = client_for(User.objects.get(email=LEADER_EMAIL)).get(
        f"/o/{organisation.slug}/dialog/{session.pk}/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Bordet rundt som fast punkt på teammødet." in text and "9 svarede." in text
