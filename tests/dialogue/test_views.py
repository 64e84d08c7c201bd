from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.actions.conftest import first_wave
from tests.conftest import World, client_for
from tests.dialogue.conftest import exercise, phones_answer, show, start
from tests.factories import grant, make_user
from tryghed.actions.models import FocusArea
from tryghed.dialogue import services
from tryghed.dialogue.models import ExerciseKind, Note, Placement, Session
from tryghed.dialogue.phone import COOKIE
from tryghed.orgs.models import Role


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _base(world: World) -> str:
    return f"/o/{world.org.slug}/dialog/"


def test_a_leader_and_the_amo_may_start_sessions_others_may_not(world: World) -> None:
    assert client_for(world.leader).get(_base(world)).status_code == 200
    assert client_for(world.amo).get(_base(world)).status_code == 200
    assert client_for(world.employee).get(_base(world)).status_code == 403
    assert client_for(world.owner).get(_base(world)).status_code == 403
    assert client_for(world.outsider).get(_base(world)).status_code == 404
    assert Client().get(_base(world)).status_code == 302


def test_a_leader_starts_a_session_for_their_own_team_only(world: World) -> None:
    client = client_for(world.leader)
    refused = client.post(_base(world), {"unit": world.team_b.pk, "minimum": 5})
    assert refused.status_code == 200 and not Session.objects.exists()
    response = client.post(_base(world), {"unit": world.team_a.pk, "minimum": 5})
    session = Session.objects.get()
    assert response["Location"] == f"{_base(world)}{session.pk}/"
    assert session.unit == world.team_a and session.started_by == world.leader


def test_the_form_refuses_a_minimum_below_the_organisations(world: World) -> None:
    response = client_for(world.amo).post(_base(world), {"unit": world.team_b.pk, "minimum": 4})
    assert response.status_code == 200 and not Session.objects.exists()
    assert 'min="5"' in response.content.decode()


def test_another_leaders_session_is_a_404(world: World) -> None:
    other_leader = make_user("other-leader@example.test")
    grant(other_leader, world.org, Role.LEADER, world.team_b)
    session = start(world)
    assert client_for(other_leader).get(f"{_base(world)}{session.pk}/").status_code == 404
    assert client_for(world.amo).get(f"{_base(world)}{session.pk}/").status_code == 200
    outsider = client_for(world.outsider)
    assert outsider.get(f"/o/{world.other_org.slug}/dialog/{session.pk}/").status_code == 403


def test_the_screen_shows_the_code_and_a_qr_and_only_a_count(world: World) -> None:
    session = start(world)
    phones_answer(exercise(session, ExerciseKind.HORSESHOE), [2, 9, 9, 9])
    client = client_for(world.leader)
    page = client.get(f"{_base(world)}{session.pk}/").content.decode()
    assert session.code is not None and session.code in page and "<svg" in page
    assert "data-count>4<" in page
    assert "Vis fordelingen" in page and "data-reveal hidden" in page
    status = json.loads(client.get(f"{_base(world)}{session.pk}/status/").content)
    assert status == {
        "active": True,
        "exercise": str(session.current_id),
        "revealed": False,
        "count": 4,
        "minimum": 5,
        "can_reveal": False,
    }
    refused = client.post(
        f"{_base(world)}{session.pk}/afslor/", {"exercise": session.current_id}, follow=True
    )
    assert "mindst 5 har svaret" in refused.content.decode()
    phones_answer(exercise(session, ExerciseKind.HORSESHOE), [1])
    client.post(f"{_base(world)}{session.pk}/afslor/", {"exercise": session.current_id})
    page = client.get(f"{_base(world)}{session.pk}/").content.decode()
    assert "Hvad gør, at du står netop her og ikke længere nede af skalaen?" in page
    assert "Hvad ville være hjælpsomt, hvis du skulle bevæge dig et trin op ad?" in page


def _phone_join(client: Client, session: Session) -> str:
    response = client.get(f"/d/?kode={session.code.lower() if session.code else ''}")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    cookie = page.cookies[COOKIE]
    assert cookie["path"] == f"/d/{session.code}/"
    assert cookie["samesite"] == "Strict" and cookie["httponly"] and not cookie["max-age"]
    return response["Location"]


def test_a_phone_joins_with_the_code_answers_and_changes_its_answer(world: World) -> None:
    session = start(world)
    phone = Client()
    path = _phone_join(phone, session)
    response = phone.post(path, {"exercise": session.current_id, "a-": "4"})
    assert response.status_code == 302 and "gemt=1" in response["Location"]
    page = phone.get(response["Location"]).content.decode()
    assert "Dit svar er gemt" in page
    # Never filled back in: a borrowed phone would tell it (tests/privacy/test_redteam_insider_answers.py).
    assert not re.search(r"checked", page) and "Ret mit svar" in page
    phone.post(path, {"exercise": session.current_id, "a-": "6"})
    assert list(Placement.objects.values_list("value", flat=True)) == [6]
    assert set(phone.cookies) == {COOKIE}  # no session, no CSRF cookie


def test_a_post_without_the_phone_cookie_stores_nothing(world: World) -> None:
    session = start(world)
    response = Client().post(f"/d/{session.code}/", {"exercise": session.current_id, "a-": "4"})
    assert response.status_code == 302
    assert not Placement.objects.exists()


def test_a_wrong_code_says_so_and_an_ended_session_is_gone(world: World) -> None:
    assert Client().get("/d/?kode=ZZZZZZ").status_code == 404
    session = start(world)
    code = session.code
    services.session_end(
        session=session, actor=world.leader, notes=[], focus_points=[], keep_distribution=False
    )
    assert Client().get(f"/d/{code}/").status_code == 404


def test_a_focus_point_becomes_a_focus_area_from_the_teams_latest_results(world: World) -> None:
    measurement = first_wave(world)
    session = start(world)
    client = client_for(world.leader)
    form = client.get(f"{_base(world)}{session.pk}/afslut/").content.decode()
    assert measurement.name in form and "scale:ps7:total" in form
    response = client.post(
        f"{_base(world)}{session.pk}/afslut/",
        {
            "notes": "Vi prøver det af i fire uger\nLederen sender referat",
            "focus_1": "Vi siger det, når vi er i tvivl",
            "figure_1": "scale:ps7:total",
            "focus_2": "Bordet rundt på hvert teammøde",
            "figure_2": "",
            "keep_distribution": "on",
        },
    )
    assert response.status_code == 302
    focus = FocusArea.objects.get()
    assert focus.title == "Vi siger det, når vi er i tvivl"
    assert focus.unit == world.team_a and focus.measurement == measurement
    assert Note.objects.get(focus_area=focus).text == focus.title
    assert Note.objects.filter(kind="focus").count() == 2
    summary = client.get(f"{_base(world)}{session.pk}/").content.decode()
    assert f"/handleplaner/fokusomraader/{focus.pk}/" in summary
    assert "Lederen sender referat" in summary


def test_the_phone_page_speaks_english_when_asked(world: World) -> None:
    session = start(world)
    show(session, ExerciseKind.SUPPORT)
    phone = Client()
    phone.get(f"/d/{session.code}/?sprog=en")
    page = phone.get(f"/d/{session.code}/?sprog=en").content.decode()
    assert "Practical help" in page and 'lang="en"' in page
