from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.learning.conftest import make_focus_area, make_plan, write
from tryghed.actions.models import Action, ActionPlan
from tryghed.learning.models import Entry, Review


def _url(world: World, name: str, **kwargs: object) -> str:
    return reverse(f"learning:{name}", kwargs={"org": world.org.slug, **kwargs})


@pytest.mark.django_db
def test_the_form_asks_the_seeds_questions_and_never_whose_fault(world: World) -> None:
    html = client_for(world.employee).get(_url(world, "write", unit_id=world.team_a.pk))
    page = html.content.decode()
    assert html.status_code == 200
    for words in (
        "Hvad kunne være eksempler på de tre typer af situationer hos os?",
        "Hvornår og hvordan drøfter vi de situationer, som ikke lykkes?",
        "Basal fejl",
        "Kompleks fejl",
        "Intelligent fejl",
        "Oplæring, instruktion og tid",
        "Åbenhed og dialog så tidligt som muligt",
        "Lær af det, og fejr forsøget",
    ):
        assert words in page, words
    assert not re.search(r"skyld|hvem gjorde|hvem lavede", page, re.IGNORECASE)


@pytest.mark.django_db
def test_an_employee_writes_anonymously_and_the_url_names_no_entry(world: World) -> None:
    client = client_for(world.employee)
    response = client.post(
        _url(world, "write", unit_id=world.team_a.pk),
        {
            "what_happened": "Vi glemte at melde ændringen i ruten.",
            "kind": "basic",
            "lesson": "En fast tjekliste.",
            "show_name": "anonymous",
        },
    )
    entry = Entry.objects.get()
    assert response.status_code == 302
    # No flag in the address (the browser's history keeps it with its time): a cookie.
    assert response["Location"].endswith(f"/laering/{world.team_a.pk}/")
    assert str(entry.pk) not in response["Location"]
    assert entry.author is None and entry.author_name == "" and entry.kind == "basic"
    log = client.get(response["Location"]).content.decode()
    assert "Situationen er skrevet i loggen" in log and "Vi glemte at melde" in log
    assert "Anonym" in log


@pytest.mark.django_db
def test_a_named_entry_shows_the_writers_name(world: World) -> None:
    client = client_for(world.employee)
    client.post(
        _url(world, "write", unit_id=world.team_a.pk),
        {"what_happened": "Forsøget med ny mødeform gik ikke.", "show_name": "named"},
    )
    entry = Entry.objects.get()
    assert entry.author == world.employee and entry.author_name == world.employee.full_name
    assert entry.kind == ""
    page = client.get(_url(world, "entry", learning_id=entry.pk)).content.decode()
    assert f"Skrevet af {world.employee.full_name}" in page


@pytest.mark.django_db
def test_an_empty_form_comes_back_with_an_error(world: World) -> None:
    response = client_for(world.employee).post(
        _url(world, "write", unit_id=world.team_a.pk), {"show_name": "anonymous"}
    )
    assert response.status_code == 400 and not Entry.objects.exists()
    assert "errorlist" in response.content.decode()


@pytest.mark.django_db
def test_the_log_lists_what_is_new_and_the_leader_records_the_review(world: World) -> None:
    first = write(world, text="Første situation")
    leader = client_for(world.leader)
    page = leader.get(_url(world, "log", unit_id=world.team_a.pk)).content.decode()
    assert "Første situation" in page and "Gennemgået på mødet" in page
    assert "har ikke gennemgået loggen" in page
    response = leader.post(_url(world, "review", unit_id=world.team_a.pk), {"entry": [first.pk]})
    assert response.status_code == 302
    second = write(world, text="Anden situation")
    page = leader.get(_url(world, "log", unit_id=world.team_a.pk)).content.decode()
    new_section = page.split('id="nyt"')[1].split('id="gennemgaaet"')[0]
    assert "Anden situation" in new_section and "Første situation" not in new_section
    assert Review.objects.filter(unit=world.team_a).count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reviewed_on is not None and second.reviewed_on is None


@pytest.mark.django_db
def test_the_employee_reads_the_log_without_the_leaders_buttons(world: World) -> None:
    entry = write(world)
    client = client_for(world.employee)
    log = client.get(_url(world, "log", unit_id=world.team_a.pk)).content.decode()
    assert "Skriv en situation" in log and "Gennemgået på mødet" not in log
    page = client.get(_url(world, "entry", learning_id=entry.pk)).content.decode()
    assert "Gem typen" not in page and "Gør læringen til en handling" not in page
    assert "Lederen kan gøre læringen til en handling" in page


@pytest.mark.django_db
def test_the_leader_sorts_and_turns_the_lesson_into_an_action_in_one_post(world: World) -> None:
    plan = make_plan(world, make_focus_area(world))
    entry = write(world)
    leader = client_for(world.leader)
    leader.post(_url(world, "sort", learning_id=entry.pk), {"kind": "intelligent"})
    entry.refresh_from_db()
    assert entry.kind == "intelligent"
    page = leader.get(_url(world, "entry", learning_id=entry.pk)).content.decode()
    assert "Lær af det, og fejr forsøget" in page and f'value="plan-{plan.pk}"' in page
    response = leader.post(
        _url(world, "action", learning_id=entry.pk),
        {
            "handling-target": f"plan-{plan.pk}",
            "handling-what": "Fortæl om forsøget på personalemødet",
            "handling-owner_name": "Lise Leder",
            "handling-deadline": "2026-09-01",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    entry.refresh_from_db()
    assert entry.action == action and action.plan == plan
    assert action.deadline == dt.date(2026, 9, 1)
    page = leader.get(_url(world, "entry", learning_id=entry.pk)).content.decode()
    assert "Fortæl om forsøget på personalemødet" in page


@pytest.mark.django_db
def test_the_action_can_open_a_new_plan_under_a_focus_area(world: World) -> None:
    focus = make_focus_area(world)
    entry = write(world, kind="basic")
    response = client_for(world.leader).post(
        _url(world, "action", learning_id=entry.pk),
        {
            "handling-target": f"ny-{focus.pk}",
            "handling-what": "Oplæring i tjeklisten",
            "handling-owner_name": "Lise Leder",
            "handling-deadline": "2026-09-01",
        },
    )
    assert response.status_code == 302
    assert ActionPlan.objects.get().focus_area == focus


@pytest.mark.django_db
def test_a_bad_action_target_comes_back_with_an_error(world: World) -> None:
    other = make_plan(world, make_focus_area(world, world.team_b))
    make_plan(world, make_focus_area(world))
    entry = write(world)
    response = client_for(world.leader).post(
        _url(world, "action", learning_id=entry.pk),
        {
            "handling-target": f"plan-{other.pk}",
            "handling-what": "x",
            "handling-owner_name": "L",
            "handling-deadline": "2026-09-01",
        },
    )
    assert response.status_code == 400 and not Action.objects.exists()


@pytest.mark.django_db
def test_sent_on_entries_appear_in_the_amos_list(world: World) -> None:
    entry = write(world, text="Ingen pause i ti timer")
    client_for(world.leader).post(_url(world, "forward", learning_id=entry.pk))
    page = client_for(world.amo).get(_url(world, "forwarded")).content.decode()
    assert "Ingen pause i ti timer" in page and "Team A" in page


@pytest.mark.django_db
def test_the_leaders_mix_page_shows_counts_and_the_reading(world: World) -> None:
    for kind in ("basic", "basic", "complex"):
        write(world, kind=kind)
    page = client_for(world.leader).get(_url(world, "mix", unit_id=world.team_a.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Over halvdelen er basale fejl." in html and "Ingen intelligente fejl." in html
    rows = re.findall(r"<tr><th scope=\"row\">\d\. kvartal \d{4}</th>(.*?)</tr>", html)
    assert rows[-1] == "<td>2</td><td>1</td><td>0</td><td>0</td>"
