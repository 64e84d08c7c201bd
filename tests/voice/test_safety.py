"""Sig det's safety valves (issue 11): offensive behaviour and violence go to the AMO with
the organisation's procedure; the channel says whether it is the whistleblower scheme;
receivers hide a reporter's message; a flood from rotating addresses is stopped."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Role
from tryghed.voice import services
from tryghed.voice.models import HIDDEN_KEEP_DAYS, Case, ChannelSettings, Message

CODE = re.compile(r"<strong>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</strong>")


def _raise_url(world: World) -> str:
    return reverse("voice:raise", kwargs={"org": world.org.slug})


def _case_url(world: World) -> str:
    return reverse("voice:case", kwargs={"org": world.org.slug})


def _detail_url(world: World, case: Case) -> str:
    return reverse("voice:case_detail", kwargs={"org": world.org.slug, "case_id": case.pk})


def _settings_url(world: World) -> str:
    return reverse("voice:settings", kwargs={"org": world.org.slug})


def _new(world: World, **kwargs: object) -> tuple[Case, str]:
    values: dict[str, object] = {
        "organisation": world.org,
        "unit": world.team_a,
        "receiver": "leader",
        "kind": "concern",
        "text": "For travlt i aftenvagten.",
    }
    values.update(kwargs)
    return services.case_raise(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- offensive and violence


@pytest.mark.parametrize("kind", ["offensive", "violence"])
def test_offensive_and_violence_cases_go_to_the_amo_whatever_was_chosen(
    world: World, kind: str
) -> None:
    page = Client().get(_raise_url(world)).content.decode()
    assert "går altid til AMO/HR, uanset hvem du vælger som modtager" in page
    response = Client().post(
        _raise_url(world),
        {"unit": world.team_a.pk, "receiver": "leader", "kind": kind, "text": "Det skete igen."},
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.receiver == "amo" and case.unit == world.team_a
    receipt = response.content.decode()
    assert "Sagen går til AMO/HR." in receipt
    assert "Arbejdstilsynet har vejledninger" in receipt  # the default procedure
    assert client_for(world.leader).get(_detail_url(world, case)).status_code == 404
    amo_page = client_for(world.amo).get(_detail_url(world, case)).content.decode()
    assert "Arbejdstilsynet har vejledninger" in amo_page


def test_a_leader_receiver_without_a_unit_is_fine_for_violence(world: World) -> None:
    response = Client().post(
        _raise_url(world), {"receiver": "leader", "kind": "violence", "text": "Trusler."}
    )
    assert response.status_code == 200
    assert Case.objects.get().receiver == "amo"


def test_the_service_forces_the_amo_too(world: World) -> None:
    case, _ = _new(world, kind="offensive", receiver="leader", unit=None)
    assert case.receiver == "amo"


def test_the_organisations_own_procedure_replaces_the_default(world: World) -> None:
    ChannelSettings.objects.create(
        organisation=world.org,
        procedure_text="Ring til HR-partneren på 1234.",
        procedure_url="https://intra.example.dk/kraenkelser",
    )
    case, code = _new(world, kind="offensive")
    reporter = Client().post(_case_url(world), {"code": code}).content.decode()
    assert "Ring til HR-partneren på 1234." in reporter
    assert "https://intra.example.dk/kraenkelser" in reporter
    assert "Arbejdstilsynet har vejledninger" not in reporter
    receiver = client_for(world.amo).get(_detail_url(world, case)).content.decode()
    assert "Ring til HR-partneren på 1234." in receiver
    # An ordinary case does not show the procedure box.
    _plain, plain_code = _new(world, kind="idea", text="En idé.")
    page = Client().post(_case_url(world), {"code": plain_code}).content.decode()
    assert "Ring til HR-partneren" not in page


# ---------------------------------------------------------------- channel settings


def test_only_the_administrator_edits_the_channel_settings(world: World) -> None:
    for user in (world.amo, world.leader, world.employee):
        assert client_for(user).get(_settings_url(world)).status_code == 403
    assert client_for(world.outsider).get(_settings_url(world)).status_code == 404
    owner = client_for(world.owner)
    assert owner.get(_settings_url(world)).status_code == 200
    response = owner.post(
        _settings_url(world),
        {
            "procedure_text": "Kontakt AMO på 5555.",
            "procedure_url": "",
            "whistleblower_url": "https://whistleblower.example.dk/",
        },
    )
    assert response.status_code == 302
    saved = ChannelSettings.objects.get(organisation=world.org)
    assert saved.procedure == "Kontakt AMO på 5555."
    assert not saved.is_whistleblower_scheme
    assert AuditEvent.objects.filter(action="voice.settings", organisation=world.org).exists()


def test_by_default_the_channel_says_it_is_not_the_whistleblower_scheme(world: World) -> None:
    page = Client().get(_raise_url(world)).content.decode()
    assert "Sig det er ikke organisationens whistleblowerordning" in page
    assert "Gå til organisationens whistleblowerordning" not in page
    ChannelSettings.objects.create(
        organisation=world.org, whistleblower_url="https://wb.example.dk/"
    )
    page = Client().get(_raise_url(world)).content.decode()
    assert 'href="https://wb.example.dk/"' in page
    _, code = _new(world)
    case_page = Client().post(_case_url(world), {"code": code}).content.decode()
    assert "Sig det er ikke organisationens whistleblowerordning" in case_page
    assert 'href="https://wb.example.dk/"' in case_page


def test_as_the_whistleblower_scheme_every_case_goes_to_the_amo_only(world: World) -> None:
    earlier, _ = _new(world, text="Fra før ordningen")
    client_for(world.owner).post(
        _settings_url(world),
        {"procedure_text": "", "procedure_url": "", "is_whistleblower_scheme": "on"},
    )
    assert ChannelSettings.objects.get(organisation=world.org).is_whistleblower_scheme
    page = Client().get(_raise_url(world)).content.decode()
    assert "Sig det er organisationens whistleblowerordning" in page
    assert "ikke organisationens whistleblowerordning" not in page
    assert 'name="receiver"' not in page
    response = Client().post(
        _raise_url(world), {"unit": world.team_a.pk, "kind": "concern", "text": "Snyd med tid."}
    )
    assert "Efter whistleblowerloven skal du have en kvittering senest" in response.content.decode()
    case = Case.objects.get(text="Snyd med tid.")
    assert case.receiver == "amo"
    leader = client_for(world.leader)
    inbox = leader.get(reverse("voice:inbox", kwargs={"org": world.org.slug})).content.decode()
    assert _detail_url(world, case) not in inbox and _detail_url(world, earlier) not in inbox
    assert leader.get(_detail_url(world, earlier)).status_code == 404
    amo_page = client_for(world.amo).get(_detail_url(world, case)).content.decode()
    assert "fristerne er lovens frister" in amo_page


# ---------------------------------------------------------------- moderation


def test_a_receiver_hides_a_reporters_message_and_the_reporter_is_told_why(world: World) -> None:
    case, code = _new(world)
    reporter = Client()
    reporter.post(
        _case_url(world), {"code": code, "action": "reply", "text": "Det er Ole, der råber."}
    )
    message = Message.objects.get(case=case, author="reporter")
    leader = client_for(world.leader)
    form_page = leader.get(_detail_url(world, case) + f"?skjul={message.pk}").content.decode()
    assert "Det er Ole, der råber." in form_page and 'name="skjul-reason"' in form_page
    response = leader.post(
        _detail_url(world, case),
        {"action": "hide", "skjul-target": str(message.pk), "skjul-reason": "identifies"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.is_hidden and message.hidden_reason == "identifies"
    page = reporter.post(_case_url(world), {"code": code}).content.decode()
    assert "Beskeden er skjult af modtageren: Kan pege på en bestemt person" in page
    assert "Ole" not in page
    assert "Ole" not in leader.get(_detail_url(world, case)).content.decode()
    # The AMO reads the hidden text while it is kept.
    assert (
        "Det er Ole, der råber."
        in client_for(world.amo).get(_detail_url(world, case)).content.decode()
    )
    event = AuditEvent.objects.get(action="voice.hide")
    assert event.actor == world.leader and event.data["reason"] == "identifies"
    assert "Ole" not in str(event.data) + event.summary


def test_the_first_text_can_be_hidden_and_is_erased_after_the_retention(world: World) -> None:
    day = dt.date(2026, 11, 2)
    case, code = _new(world, text="Krænkende tekst om en kollega.", today=day)
    services.reporter_text_hide(case=case, actor=world.amo, reason="offensive", today=day)
    page = Client().post(_case_url(world), {"code": code}).content.decode()
    assert "Beskeden er skjult af modtageren: Krænkende eller nedsættende indhold" in page
    assert "om en kollega" not in page
    assert services.hidden_texts_erase(day + dt.timedelta(days=HIDDEN_KEEP_DAYS)) == 0
    case.refresh_from_db()
    assert case.text == "Krænkende tekst om en kollega."
    assert services.hidden_texts_erase(day + dt.timedelta(days=HIDDEN_KEEP_DAYS + 1)) == 1
    case.refresh_from_db()
    assert case.text == "" and case.hidden_reason == "offensive"


def test_only_the_reporters_messages_can_be_hidden(world: World) -> None:
    case, _ = _new(world)
    answer = services.receiver_reply(case=case, actor=world.leader, text="Vi kigger på det.")
    response = client_for(world.leader).post(
        _detail_url(world, case),
        {"action": "hide", "skjul-target": str(answer.pk), "skjul-reason": "offensive"},
    )
    assert response.status_code == 404
    answer.refresh_from_db()
    assert not answer.is_hidden
    other, _ = _new(world, unit=world.team_b, text="Andet team")
    assert (
        client_for(world.leader)
        .post(
            _detail_url(world, other),
            {"action": "hide", "skjul-target": "case", "skjul-reason": "offensive"},
        )
        .status_code
        == 404
    )
    other.refresh_from_db()
    assert not other.is_hidden


# ---------------------------------------------------------------- abuse


def test_a_flood_from_rotating_addresses_is_stopped_per_organisation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "ORGANISATION_CASES_PER_DAY", 3)
    data = {"unit": world.team_a.pk, "receiver": "leader", "kind": "idea", "text": "Spam"}
    for n in range(3):
        response = Client().post(_raise_url(world), data, REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert response.status_code == 200
    response = Client().post(_raise_url(world), data, REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 429
    assert "usædvanligt mange sager" in response.content.decode()
    assert Case.objects.count() == 3
    # Another organisation is not affected (given someone there who may read its cases).
    grant(world.outsider, world.other_org, Role.LEADER, world.other_unit)
    other = reverse("voice:raise", kwargs={"org": world.other_org.slug})
    assert Client().post(other, {**data, "unit": world.other_unit.pk}).status_code == 200


def test_a_reporter_cannot_flood_a_case_with_messages(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "REPORTER_MESSAGES_PER_DAY", 2)
    case, code = _new(world)
    client = Client()
    for n in range(3):
        page = client.post(
            _case_url(world), {"code": code, "action": "reply", "text": f"Besked {n}"}
        ).content.decode()
    assert "Du har skrevet mange beskeder i dag." in page
    assert Message.objects.filter(case=case).count() == 2
    day = services.local_today() + dt.timedelta(days=1)
    services.reporter_reply(case=case, text="Næste dag", today=day)
    assert Message.objects.filter(case=case).count() == 3


def test_the_form_takes_no_attachments(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = Client().get(_raise_url(world)).content.decode()
    assert 'type="file"' not in page and "multipart" not in page
    assert "Du kan ikke vedhæfte billeder eller filer" in page
    photo = SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe1Exif GPS 55.67N", "image/jpeg")
    response = Client().post(
        _raise_url(world),
        {"receiver": "amo", "kind": "concern", "text": "Se billedet", "file": photo},
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert "GPS" not in case.text and "foto" not in case.text
