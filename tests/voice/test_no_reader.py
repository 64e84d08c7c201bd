"""A case no one may read (issue 11): the form refuses it and says where to go instead; a
case stored before a reorganisation left it without a reader is told to its reporter, and
the administrators are told how many such cases wait (docs/voice.md)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant
from tryghed.orgs.models import Membership, Role
from tryghed.orgs.selectors import access_for
from tryghed.voice import selectors, services
from tryghed.voice.models import Case, ChannelSettings
from tryghed.voice.selectors import line_leaders
from tryghed.voice.withheld import seal_withheld

MONDAY = dt.date(2026, 11, 9)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _raise_url(world: World) -> str:
    return reverse("voice:raise", kwargs={"org": world.org.slug})


def _only_the_leader_in_amo(world: World) -> None:
    """The only AMO member leads Team A: no one outside its line reads its AMO cases."""
    grant(world.leader, world.org, Role.AMO)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()


def _stored(world: World, unit: Any, receiver: str = "amo", **kwargs: Any) -> Case:
    """A case as stored before a reorganisation (the service would refuse it now)."""
    case_id = uuid.uuid4()  # and who may not be told of it, frozen as case_raise does
    return Case.objects.create(
        id=case_id,
        withheld=seal_withheld(case_id, line_leaders(unit)),
        organisation=world.org,
        unit=unit,
        receiver=receiver,
        kind=kwargs.get("kind", "concern"),
        text="Noget om lederen.",
        code_hash=uuid.uuid4().hex,
        opened_on=kwargs.get("opened_on", MONDAY - dt.timedelta(days=3)),
        closed_on=kwargs.get("closed_on"),
    )


def _post(world: World, **data: Any) -> tuple[int, str]:
    values = {"unit": world.team_a.pk, "receiver": "amo", "kind": "concern", "text": "For travlt."}
    response = Client().post(_raise_url(world), {**values, **data})
    return response.status_code, response.content.decode()


def test_the_form_refuses_a_case_no_one_outside_the_line_may_read(world: World) -> None:
    _only_the_leader_in_amo(world)
    status, page = _post(world, text="Lederen råber ad os.")
    assert status == 400
    assert Case.objects.count() == 0
    assert "Ingen kan modtage sagen lige nu" in page
    assert "ledere i enhedens ledelseslinje" in page
    assert "intet af det, du skrev, er gemt" in page
    assert "Lederen råber ad os." in page  # kept in the field, to send another way
    assert "vælge lederen af enheden som modtager" in page  # the leader reads a concern
    assert "arbejdsmiljørepræsentant" in page
    # Team B is outside the AMO member's line: it goes through.
    status, page = _post(world, unit=world.team_b.pk)
    assert status == 200 and Case.objects.count() == 1


def test_an_offensive_case_is_refused_with_the_procedure_and_no_leader_route(
    world: World,
) -> None:
    _only_the_leader_in_amo(world)
    ChannelSettings.objects.create(
        organisation=world.org,
        procedure_text="Ring til HR-chefen på vores eget nummer.",
        whistleblower_url="https://whistle.example.test/",
    )
    status, page = _post(world, receiver="leader", kind="offensive")
    assert status == 400 and Case.objects.count() == 0
    assert "Ingen kan modtage sagen lige nu" in page
    assert "vælge lederen af enheden som modtager" not in page
    assert "Ring til HR-chefen på vores eget nummer." in page
    assert 'href="https://whistle.example.test/"' in page


def test_without_any_amo_member_the_amo_route_is_refused_and_the_leader_route_is_not(
    world: World,
) -> None:
    Membership.objects.filter(role=Role.AMO).delete()
    status, page = _post(world, unit="")
    assert status == 400
    assert "Der er ingen i AMO/HR, der kan modtage sager i Sig det lige nu." in page
    assert _post(world, receiver="leader")[0] == 200  # Team A has a leader
    assert _post(world, receiver="leader", unit=world.team_b.pk)[0] == 400  # Team B has none
    assert Case.objects.count() == 1


def test_the_whistleblower_scheme_points_to_the_external_scheme(world: World) -> None:
    _only_the_leader_in_amo(world)
    ChannelSettings.objects.create(organisation=world.org, is_whistleblower_scheme=True)
    status, page = _post(world, receiver="")
    assert status == 400
    assert "Datatilsynets eksterne whistleblowerordning" in page
    assert "vælge lederen af enheden som modtager" not in page


def test_the_service_fails_closed(world: World) -> None:
    _only_the_leader_in_amo(world)
    with pytest.raises(ValidationError) as refused:
        services.case_raise(
            organisation=world.org, unit=world.team_a, receiver="amo", kind="idea", text="x"
        )
    assert refused.value.error_list[0].code == "no_reader"
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("amo_leads", "leader_unit"),
    list(itertools.product(["none", "team_a", "area", "root", "no_amo"], ["team_a", "none"])),
)
@pytest.mark.parametrize("scheme", [False, True])
@pytest.mark.parametrize("frozen", ["line_of_today", "amo_member_led_it", "does_not_open"])
def test_has_a_reader_exactly_when_someone_sees_the_case(
    world: World, amo_leads: str, leader_unit: str, scheme: bool, frozen: str
) -> None:
    """Also when the case's set of who may not be told (frozen when raised) is not the
    line's leaders of today: the AMO member led the line then, or the set does not open."""
    Membership.objects.filter(role__in=[Role.AMO, Role.LEADER]).delete()
    if amo_leads != "no_amo":
        grant(world.amo, world.org, Role.AMO)
    if amo_leads not in ("none", "no_amo"):
        grant(world.amo, world.org, Role.LEADER, getattr(world, amo_leads))
    if leader_unit != "none":
        grant(world.leader, world.org, Role.LEADER, getattr(world, leader_unit))
    ChannelSettings.objects.create(organisation=world.org, is_whistleblower_scheme=scheme)
    people = [world.owner, world.amo, world.leader, world.employee]
    for unit, receiver in itertools.product(
        [None, world.root, world.area, world.team_a, world.team_b], ["amo", "leader"]
    ):
        case = _stored(world, unit, receiver)
        if frozen != "line_of_today":
            other = frozen == "does_not_open"
            case.withheld = seal_withheld(uuid.uuid4() if other else case.pk, [world.amo.pk])
            case.save(update_fields=["withheld"])
        seen = any(
            case in selectors.visible_cases(access_for(user=user, slug=world.org.slug))
            for user in people
            if Membership.objects.filter(user=user, organisation=world.org).exists()
        )
        assert selectors.case_has_reader(case) == seen, (unit, receiver)
        case.delete()


def _reporter_page(world: World, code_case: tuple[Case, str]) -> str:
    url = reverse("voice:case", kwargs={"org": world.org.slug})
    return Client().post(url, {"code": code_case[1]}).content.decode()


def test_the_reporter_is_told_when_a_reorganisation_left_the_case_without_a_reader(
    world: World,
) -> None:
    grant(world.leader, world.org, Role.AMO)
    raised = services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="concern", text="Om os"
    )
    assert "ikke nået frem til nogen" not in _reporter_page(world, raised)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()  # the reorganisation
    page = _reporter_page(world, raised)
    assert "Din sag er ikke nået frem til nogen endnu" in page
    assert "ledere i enhedens ledelseslinje" in page
    assert "arbejdsmiljørepræsentant" in page
    grant(world.owner, world.org, Role.AMO)  # a receiver outside the line is appointed
    assert "ikke nået frem til nogen" not in _reporter_page(world, raised)


def test_a_closed_case_is_not_said_to_wait(world: World) -> None:
    raised = services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="idea", text="Om os"
    )
    services.case_close(case=raised[0])
    Membership.objects.filter(role=Role.AMO).delete()
    assert "ikke nået frem til nogen" not in _reporter_page(world, raised)


def _remind(day: dt.date) -> dict[str, str]:
    before = len(mail.outbox)
    call_command("remind_voice", "--date", day.isoformat(), stdout=io.StringIO())
    return {m.to[0]: f"{m.subject}\n{m.body}" for m in mail.outbox[before:]}


def test_the_administrators_get_a_count_on_mondays_only(world: World) -> None:
    _only_the_leader_in_amo(world)
    _stored(world, world.team_a, kind="offensive")
    _stored(world, world.team_a, opened_on=MONDAY)  # raised today: counts from tomorrow
    _stored(world, world.team_a, closed_on=MONDAY - dt.timedelta(days=1))  # closed
    _stored(world, world.team_b)  # the AMO member reads it
    sent = _remind(MONDAY)
    assert "ikke nået frem" not in sent[world.leader.email]  # the reminder of Team B's case
    body = sent[world.owner.email]
    assert "Sig det: sager venter på en modtager" in body
    assert "1 åben sag i Sig det hos Testkommune er ikke nået frem til nogen." in body
    assert reverse("voice:settings", kwargs={"org": world.org.slug}) in body
    for secret in ("Team", "Område", "Noget om", "Krænkende", "2026", "11"):
        assert secret not in body
    assert world.owner.email not in _remind(MONDAY + dt.timedelta(days=1))
    sent = _remind(MONDAY + dt.timedelta(days=7))
    assert "2 åbne sager i Sig det hos Testkommune" in sent[world.owner.email]
    grant(world.amo, world.org, Role.AMO)  # a receiver is appointed
    assert world.owner.email not in _remind(MONDAY + dt.timedelta(days=14))


def test_the_settings_page_counts_what_the_email_counts(world: World) -> None:
    _only_the_leader_in_amo(world)
    _stored(world, world.team_a, opened_on=services.local_today() - dt.timedelta(days=1))
    _stored(world, world.team_a, opened_on=services.local_today())
    url = reverse("voice:settings", kwargs={"org": world.org.slug})
    page = client_for(world.owner).get(url).content.decode()
    assert "1 åben sag har ingen, der kan læse den." in page
    assert "mens du var leder af den eller af en enhed over den, tælles ikke med her" in page
