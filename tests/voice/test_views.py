from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tryghed.orgs.models import Role
from tryghed.voice import services
from tryghed.voice.models import Case, Message


def _raise_url(world: World) -> str:
    return reverse("voice:raise", kwargs={"org": world.org.slug})


def _case_url(world: World) -> str:
    return reverse("voice:case", kwargs={"org": world.org.slug})


def _detail_url(world: World, case: Case) -> str:
    return reverse("voice:case_detail", kwargs={"org": world.org.slug, "case_id": case.pk})


def _new(world: World, **kwargs: object) -> tuple[Case, str]:
    values: dict[str, object] = {
        "organisation": world.org,
        "unit": world.team_a,
        "receiver": "leader",
        "kind": "idea",
        "text": "Fælles frokost om fredagen.",
    }
    values.update(kwargs)
    return services.case_raise(**values)  # type: ignore[arg-type]


def test_the_reporter_page_needs_no_sign_in_sets_no_cookie_and_says_what_it_is_not(
    world: World,
) -> None:
    response = Client().get(_raise_url(world) + f"?enhed={world.team_a.pk}")
    assert response.status_code == 200
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    text = response.content.decode()
    assert "ikke organisationens whistleblowerordning" in text
    assert "Team A" in text and "Fremmed team" not in text
    assert f'<option value="{world.team_a.pk}" selected>' in text


def test_a_reporter_raises_a_case_and_gets_the_code_once(world: World) -> None:
    response = Client().post(
        _raise_url(world),
        {"unit": world.team_a.pk, "receiver": "leader", "kind": "concern", "text": "For travlt."},
    )
    assert response.status_code == 200
    assert not response.cookies
    code = re.search(
        r"<strong>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</strong>", response.content.decode()
    )
    assert code is not None
    (case,) = Case.objects.all()
    assert case.text == "For travlt." and case.unit == world.team_a and case.kind == "concern"
    assert case.code_hash == services.receipt_code_hash(code.group(1))
    assert code.group(1).replace("-", "") not in case.code_hash


def test_a_text_with_a_name_is_shown_with_a_warning_before_it_is_sent(world: World) -> None:
    data = {
        "unit": world.team_a.pk,
        "receiver": "amo",
        "kind": "concern",
        "text": "Det er Holm, der råber.",
    }
    response = Client().post(_raise_url(world), data)
    assert response.status_code == 200
    assert "Kan teksten pege på nogen?" in response.content.decode()
    assert "„Holm“" in response.content.decode()
    assert not Case.objects.exists()
    assert 'name="confirmed" value="on"' in response.content.decode()
    Client().post(_raise_url(world), {**data, "confirmed": "on"})
    assert Case.objects.get().receiver == "amo"


def test_a_leader_case_without_a_unit_is_refused(world: World) -> None:
    response = Client().post(
        _raise_url(world), {"receiver": "leader", "kind": "idea", "text": "Noget"}
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def _checked_receiver(html: str) -> str:
    checked = re.findall(r'<input type="radio" name="receiver" value="(\w+)"[^>]*\bchecked\b', html)
    assert len(checked) == 1, checked
    return str(checked[0])


def test_the_form_sent_unchanged_without_a_unit_goes_to_the_amo(world: World) -> None:
    page = Client().get(_raise_url(world)).content.decode()
    assert _checked_receiver(page) == "amo"
    assert "Lederen kan kun modtage sagen, når du har valgt en enhed." in page
    response = Client().post(
        _raise_url(world),
        {"unit": "", "receiver": _checked_receiver(page), "kind": "idea", "text": "Noget"},
    )
    assert response.status_code == 200
    assert Case.objects.get().receiver == "amo"


def test_a_preselected_unit_chooses_its_leader(world: World) -> None:
    page = Client().get(_raise_url(world) + f"?enhed={world.team_a.pk}").content.decode()
    assert _checked_receiver(page) == "leader"


def test_the_reporter_reads_replies_and_closes_with_the_code(world: World) -> None:
    case, code = _new(world)
    services.receiver_reply(case=case, actor=world.leader, text="Godt forslag, vi prøver det.")
    services.receiver_note(case=case, actor=world.leader, text="HEMMELIG NOTE")
    client = Client()
    assert (
        client.get(_case_url(world) + f"?code={code}").content.decode().count("Godt forslag") == 0
    )  # a code in the URL opens nothing
    page = client.post(_case_url(world), {"code": code}).content.decode()
    assert "Godt forslag, vi prøver det." in page
    assert "HEMMELIG NOTE" not in page
    client.post(_case_url(world), {"code": code, "action": "reply", "text": "Tak for svaret."})
    assert Message.objects.filter(case=case, author="reporter").get().text == "Tak for svaret."
    page = client.post(_case_url(world), {"code": code, "action": "close"}).content.decode()
    case.refresh_from_db()
    assert case.is_closed
    assert "Skriv igen" not in page


def test_wrong_codes_are_throttled_per_client(world: World) -> None:
    client = Client()
    for _ in range(10):
        assert client.post(_case_url(world), {"code": "0000-0000-0000-0000"}).status_code == 404
    _, code = _new(world)
    assert client.post(_case_url(world), {"code": code}).status_code == 429


def test_raising_cases_is_throttled_per_client(world: World) -> None:
    client = Client()
    data = {"unit": world.team_a.pk, "receiver": "leader", "kind": "idea", "text": "Idé"}
    for _ in range(5):
        assert client.post(_raise_url(world), data).status_code == 200
    assert client.post(_raise_url(world), data).status_code == 429
    assert Case.objects.count() == 5


def test_the_leader_sees_the_cases_of_the_own_subtree_only(world: World) -> None:
    own, _ = _new(world, text="Eget team")
    other, _ = _new(world, unit=world.team_b, text="Andet team")
    about_leader, _ = _new(world, receiver="amo", text="Om lederen")
    leader = client_for(world.leader)
    inbox = leader.get(reverse("voice:inbox", kwargs={"org": world.org.slug}))
    assert inbox.status_code == 200
    assert _detail_url(world, own) in inbox.content.decode()
    assert _detail_url(world, other) not in inbox.content.decode()
    assert _detail_url(world, about_leader) not in inbox.content.decode()
    assert "Eget team" in leader.get(_detail_url(world, own)).content.decode()
    assert leader.get(_detail_url(world, other)).status_code == 404
    assert leader.get(_detail_url(world, about_leader)).status_code == 404


def test_the_amo_sees_every_case_and_others_see_none(world: World) -> None:
    own, _ = _new(world)
    about_leader, _ = _new(world, receiver="amo", unit=None)
    amo = client_for(world.amo)
    assert amo.get(_detail_url(world, own)).status_code == 200
    assert amo.get(_detail_url(world, about_leader)).status_code == 200
    inbox_url = reverse("voice:inbox", kwargs={"org": world.org.slug})
    assert client_for(world.employee).get(inbox_url).status_code == 403
    assert client_for(world.employee).get(_detail_url(world, own)).status_code == 403
    assert client_for(world.owner).get(_detail_url(world, own)).status_code == 403
    assert client_for(world.outsider).get(_detail_url(world, own)).status_code == 404
    other_leader = make_user("leder-b@example.test")
    grant(other_leader, world.org, Role.LEADER, world.team_b)
    assert client_for(other_leader).get(_detail_url(world, own)).status_code == 404


def test_the_receiver_acknowledges_answers_and_notes(world: World) -> None:
    case, code = _new(world)
    leader = client_for(world.leader)
    url = _detail_url(world, case)
    assert leader.post(url, {"action": "ack", "which": "meeting"}).status_code == 302
    assert leader.post(url, {"action": "note", "note-text": "Til mødet 4/12"}).status_code == 302
    assert (
        leader.post(url, {"action": "reply", "svar-text": "Vi har talt om det."}).status_code == 302
    )
    case.refresh_from_db()
    assert case.acknowledged_on is not None and case.answered_on is not None
    page = leader.get(url).content.decode()
    assert "Vi tager det op på næste møde." in page and "Til mødet 4/12" in page
    reporter = Client().post(_case_url(world), {"code": code}).content.decode()
    assert "Vi tager det op på næste møde." in reporter
    assert "Vi har talt om det." in reporter
    assert "Til mødet 4/12" not in reporter


def test_the_employees_feedback_page_links_to_sig_det(world: World) -> None:
    page = client_for(world.employee).get(
        reverse("results:feedback_latest", kwargs={"org": world.org.slug})
    )
    assert page.status_code == 200
    assert f'href="{_raise_url(world)}" rel="noreferrer"' in page.content.decode()


def test_a_closed_case_tells_the_receiver_instead_of_taking_an_answer(world: World) -> None:
    case, _ = _new(world)
    services.case_close(case=case)
    page = client_for(world.leader).post(
        _detail_url(world, case), {"action": "reply", "svar-text": "For sent"}
    )
    assert page.status_code == 200
    assert "Sagen er lukket." in page.content.decode()
    assert not Message.objects.filter(case=case).exists()


def test_the_reporter_can_choose_english_without_a_cookie(world: World) -> None:
    page = Client().get(_raise_url(world) + "?sprog=en")
    assert '<html lang="en">' in page.content.decode()
    assert '<input type="hidden" name="lang" value="en">' in page.content.decode()
    assert not page.cookies
    data = {"lang": "en", "unit": world.team_a.pk, "receiver": "leader", "kind": "idea"}
    receipt = Client().post(_raise_url(world), {**data, "text": "Idé"})
    assert '<html lang="en">' in receipt.content.decode()
    assert '<html lang="da">' in Client().get(_raise_url(world)).content.decode()
