"""Attacks on the notices about cases no one may read (docs/voice.md, "No receiver outside
the line"): an administrator who leads the unit concerned, an anonymous visitor probing
the form, and the e-mail's content."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tryghed.accounts.models import User
from tryghed.kits.readiness import readiness
from tryghed.orgs.models import Membership, Role, Unit
from tryghed.orgs.selectors import access_for
from tryghed.orgs.services import membership_grant, membership_revoke, unit_move
from tryghed.surveys.codes import paper_code_new
from tryghed.voice import services
from tryghed.voice.models import Case
from tryghed.voice.selectors import line_leaders, visible_cases
from tryghed.voice.withheld import seal_withheld

MONDAY = dt.date(2026, 11, 9)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world: World) -> None:
    """No one outside the line reads the AMO cases about the area and its teams; the
    administrator leads Team A, so a case about Team A may be about them."""
    grant(world.owner, world.org, Role.LEADER, world.team_a)
    grant(world.leader, world.org, Role.LEADER, world.area)
    grant(world.leader, world.org, Role.AMO)
    Membership.objects.filter(user=world.amo, role=Role.AMO).delete()


def _stored(world: World, unit: Any, opened_on: dt.date | None = None) -> Case:
    case_id = uuid.uuid4()  # and who may not be told of it, frozen as case_raise does
    return Case.objects.create(
        id=case_id,
        withheld=seal_withheld(case_id, line_leaders(unit)),
        organisation=world.org,
        unit=unit,
        receiver="amo",
        kind="offensive",
        text="Om lederen.",
        code_hash=uuid.uuid4().hex,
        opened_on=opened_on or MONDAY - dt.timedelta(days=5),
    )


def _seen_by_owner(world: World) -> tuple[str, str]:
    """The owner's settings page and Monday e-mail (empty when none)."""
    url = reverse("voice:settings", kwargs={"org": world.org.slug})
    page = CSRF.sub("", client_for(world.owner).get(url).content.decode())
    before = len(mail.outbox)
    call_command("remind_voice", "--date", MONDAY.isoformat(), stdout=io.StringIO())
    sent = [m for m in mail.outbox[before:] if m.to == [world.owner.email]]
    return page, "\n".join(f"{m.subject}\n{m.body}" for m in sent)


def test_an_administrator_does_not_learn_of_cases_about_the_unit_they_lead(
    world: World,
) -> None:
    _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world)
    nothing = _seen_by_owner(world)
    _stored(world, world.team_a)
    _stored(world, world.team_a, opened_on=MONDAY - dt.timedelta(days=40))
    assert _seen_by_owner(world) == nothing  # neither the page nor an e-mail moves
    assert nothing[1] == ""
    _stored(world, world.team_b)  # not about them: they are told, by count
    other = _seen_by_owner(world)
    assert "1 åben sag har ingen, der kan læse den." in other[0]
    assert "1 åben sag i Sig det hos Testkommune er ikke nået frem til nogen." in other[1]
    assert "tælles ikke med her" in other[0] and "tælles ikke med her" in other[1]
    _stored(world, world.team_a)
    assert _seen_by_owner(world) == other  # a case about Team A still changes nothing


def test_only_administrators_get_the_notice(world: World) -> None:
    _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world)
    _stored(world, world.team_b)
    _seen_by_owner(world)
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "ikke nået frem til nogen" in bodies[world.owner.email]
    assert all(
        "ikke nået frem" not in body for to, body in bodies.items() if to != world.owner.email
    )


def test_the_form_refusal_does_not_depend_on_cases(world: World) -> None:
    """An anonymous visitor who probes the form learns the structure (which it shows
    anyway by refusing), never whether cases exist."""
    _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world)
    url = reverse("voice:raise", kwargs={"org": world.org.slug})
    data = {"unit": world.team_a.pk, "receiver": "amo", "kind": "concern", "text": "Hej"}
    before = Client().post(url, data)
    _stored(world, world.team_a)
    after = Client().post(url, data)
    assert before.status_code == after.status_code == 400
    assert before.content == after.content
    assert Case.objects.count() == 1


def _seen_by(world: World, user: User) -> tuple[str, str]:
    """A user's settings page and Monday notice about cases no one may read (not the
    reminders an AMO member gets)."""
    url = reverse("voice:settings", kwargs={"org": world.org.slug})
    page = CSRF.sub("", client_for(user).get(url).content.decode())
    before = len(mail.outbox)
    call_command("remind_voice", "--date", MONDAY.isoformat(), stdout=io.StringIO())
    sent = [m for m in mail.outbox[before:] if m.to == [user.email] and "modtager" in m.subject]
    return page, "\n".join(f"{m.subject}\n{m.body}" for m in sent)


def _counted(seen: tuple[str, str]) -> int:
    """The count an administrator is told on the page (0 when none), checked against the
    e-mail, which must say the same."""
    found = re.search(r"(\d+) (?:åben sag|åbne sager) har ingen, der kan læse", seen[0])
    count = int(found.group(1)) if found else 0
    if count:
        assert f"{count} åben sag i Sig det" in seen[1] or f"{count} åbne sager i" in seen[1]
    else:
        assert seen[1] == ""
    return count


def _never_a_leader(world: World) -> User:
    """A second administrator who leads nothing: the control, told of every unread case."""
    hr = make_user("hr@example.test")
    grant(hr, world.org, Role.ADMIN)
    return hr


def _raised(world: World, unit: Unit) -> None:
    """A case to the AMO/HR through the form's service, while world.amo, outside every
    line, reads it."""
    services.case_raise(
        organisation=world.org,
        unit=unit,
        receiver="amo",
        kind="concern",
        text="Om lederen.",
        today=MONDAY - dt.timedelta(days=5),
    )


def _revoke(world: World, user: User, role: str, unit: Unit | None = None) -> None:
    membership = Membership.objects.get(organisation=world.org, user=user, role=role, unit=unit)
    membership_revoke(membership=membership, actor=world.owner)


def _lead(world: World, user: User, unit: Unit) -> None:
    membership_grant(
        organisation=world.org, actor=world.owner, email=user.email, role=Role.LEADER, unit=unit
    )


def test_an_administrator_who_drops_their_leader_role_learns_nothing(world: World) -> None:
    _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world)
    hr = _never_a_leader(world)
    _stored(world, world.team_a)
    assert _counted(_seen_by_owner(world)) == 0
    assert _counted(_seen_by(world, hr)) == 1  # the case is unread, and others are told
    _revoke(world, world.owner, Role.LEADER, world.team_a)  # audit-logged, and allowed
    assert _counted(_seen_by_owner(world)) == 0
    assert _counted(_seen_by(world, hr)) == 1


def test_dropping_and_taking_back_the_role_moves_nothing(world: World) -> None:
    """A case raised through the form while the AMO could read it, then a reorganisation
    leaves it unread; the administrator who led its unit drops the role, looks, takes it
    back, looks, and drops it again."""
    _lead(world, world.owner, world.team_a)
    hr = _never_a_leader(world)
    _raised(world, world.team_a)
    _lead(world, world.amo, world.area)  # the only AMO member is now in the line
    assert _counted(_seen_by(world, hr)) == 1
    assert _counted(_seen_by_owner(world)) == 0
    _revoke(world, world.owner, Role.LEADER, world.team_a)
    assert _counted(_seen_by_owner(world)) == 0
    _lead(world, world.owner, world.team_a)
    assert _counted(_seen_by_owner(world)) == 0
    _revoke(world, world.owner, Role.LEADER, world.team_a)
    assert _counted(_seen_by_owner(world)) == 0
    assert _counted(_seen_by(world, hr)) == 1


def test_the_leader_of_a_unit_above_learns_nothing_after_dropping_it(world: World) -> None:
    _lead(world, world.owner, world.area)
    hr = _never_a_leader(world)
    _raised(world, world.team_a)  # about a team below the owner's area
    _lead(world, world.amo, world.team_a)
    assert _counted(_seen_by(world, hr)) == 1
    assert _counted(_seen_by_owner(world)) == 0
    _revoke(world, world.owner, Role.LEADER, world.area)
    assert _counted(_seen_by_owner(world)) == 0
    assert _counted(_seen_by(world, hr)) == 1


def test_moving_the_unit_out_of_the_administrators_line_tells_nothing(world: World) -> None:
    """The owner leads the area; a case about Team A is read by the AMO member, who leads
    Team B. Moving Team A under Team B leaves the case unread; moving Team B (with Team A)
    out of the area takes it out of the owner's subtree (unit.moved is audit-logged)."""
    _lead(world, world.owner, world.area)
    _lead(world, world.amo, world.team_b)
    hr = _never_a_leader(world)
    _raised(world, world.team_a)
    assert _counted(_seen_by(world, hr)) == 0  # the AMO member reads it
    unit_move(unit=world.team_a, actor=world.owner, new_parent=world.team_b)
    assert _counted(_seen_by(world, hr)) == 1  # now no one outside the line reads it
    assert _counted(_seen_by_owner(world)) == 0
    unit_move(unit=Unit.objects.get(pk=world.team_b.pk), actor=world.owner, new_parent=world.root)
    area = Unit.objects.get(pk=world.area.pk)
    assert not Unit.objects.get(pk=world.team_a.pk).is_descendant_of(area)
    assert _counted(_seen_by(world, hr)) == 1
    assert _counted(_seen_by_owner(world)) == 0


def test_a_leader_made_administrator_later_learns_nothing(world: World) -> None:
    """The set is the line's leaders, not its administrators: world.leader leads Team A
    when the case is raised, is made an administrator afterwards, and drops the role."""
    hr = _never_a_leader(world)
    _raised(world, world.team_a)
    _lead(world, world.amo, world.area)
    grant(world.leader, world.org, Role.ADMIN)
    _revoke(world, world.leader, Role.LEADER, world.team_a)
    assert _counted(_seen_by(world, hr)) == 1
    assert _counted(_seen_by(world, world.leader)) == 0


def test_taking_a_leader_role_does_not_tell_where_the_cases_are(world: World) -> None:
    """The other way round: an administrator who leads nothing and makes themself the
    leader of one unit after another would, with a count by today's roles, see it drop at
    the unit the case is about."""
    _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world)
    _revoke(world, world.owner, Role.LEADER, world.team_a)
    _stored(world, world.team_b)
    assert _counted(_seen_by_owner(world)) == 1
    for unit in (world.team_a, world.team_b, world.area, world.root):
        _lead(world, world.owner, unit)
        assert _counted(_seen_by_owner(world)) == 1


def _reads(world: World, user: User, case: Case) -> bool:
    """Whether the user reads the case: its page (404 otherwise) and their inbox agree."""
    url = reverse("voice:case_detail", kwargs={"org": world.org.slug, "case_id": case.pk})
    client = client_for(user)
    status = client.get(url).status_code
    assert status in (200, 404)
    inbox = client.get(reverse("voice:inbox", kwargs={"org": world.org.slug}))
    assert inbox.status_code == 200
    assert (url in inbox.content.decode()) == (status == 200)
    return status == 200


def _reminded(world: World, user: User, day: dt.date) -> bool:
    """Whether the daily run on that day e-mails the user a reminder."""
    before = len(mail.outbox)
    call_command("remind_voice", "--date", day.isoformat(), stdout=io.StringIO())
    return any(m.to == [user.email] and "Sig det:" in m.subject for m in mail.outbox[before:])


def _stored_with_code(world: World, unit: Unit) -> tuple[Case, str]:
    """A case to the AMO/HR stored as case_raise stores it (which would refuse it when no
    one outside the line holds the AMO role), with its receipt code."""
    case = _stored(world, unit)
    code = paper_code_new()
    Case.objects.filter(pk=case.pk).update(code_hash=services.receipt_code_hash(code))
    return case, code


def _reporter_told_no_reader(world: World, code: str) -> bool:
    url = reverse("voice:case", kwargs={"org": world.org.slug})
    page = Client().post(url, {"code": code}).content.decode()
    assert "Sig det" in page
    return "Din sag er ikke nået frem til nogen endnu" in page


def _amo_member(world: World, email: str) -> User:
    user = make_user(email)
    grant(user, world.org, Role.AMO)
    return user


def test_an_amo_member_whose_leader_role_is_dropped_does_not_read_the_case(world: World) -> None:
    """The only AMO member leads the area when a case about Team A is raised; their leader
    roles are dropped (by an administrator, or themself if they are one). By today's roles
    they would then read it in full; it was raised while they led the line, so they do not,
    are not reminded of it, and the case still has no reader: the reporter and the other
    administrators are told so, as before the drop."""
    _the_owner_leads_team_a_and_the_only_amo_member_leads_the_area(world)
    hr = _never_a_leader(world)
    case, code = _stored_with_code(world, world.team_a)
    assert not _reads(world, world.leader, case)
    assert _reporter_told_no_reader(world, code)
    assert _counted(_seen_by(world, hr)) == 1
    _revoke(world, world.leader, Role.LEADER, world.area)
    _revoke(world, world.leader, Role.LEADER, world.team_a)
    assert not Membership.objects.filter(user=world.leader, role=Role.LEADER).exists()
    assert not _reads(world, world.leader, case)
    assert not _reminded(world, world.leader, MONDAY)
    assert _reporter_told_no_reader(world, code)
    assert _counted(_seen_by(world, hr)) == 1
    inbox = reverse("voice:inbox", kwargs={"org": world.org.slug})
    with_case = CSRF.sub("", client_for(world.leader).get(inbox).content.decode())
    assert "heller ikke når du ikke længere er leder" in with_case
    Case.objects.filter(pk=case.pk).delete()
    assert CSRF.sub("", client_for(world.leader).get(inbox).content.decode()) == with_case
    # A case about Team A raised after the drop is theirs to read: the set is the line's
    # leaders when the case is raised, nothing more.
    later = services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="concern", text="Ny"
    )[0]
    assert _reads(world, world.leader, later)


def test_an_amo_member_who_led_a_unit_above_does_not_read_it_after_dropping_it(
    world: World,
) -> None:
    """world.amo leads the area when a case about Team A (below it) is raised through the
    form, which a second AMO member outside every line reads; world.amo's role is dropped.
    Neither the case page, the inbox, the reminders nor the unit's readiness check tell
    world.amo of it; the second member reads it throughout."""
    _lead(world, world.amo, world.area)
    hr = _amo_member(world, "hr-amo@example.test")
    case, _code = services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="offensive",
        text="Om lederen.",
        today=MONDAY - dt.timedelta(days=5),
    )
    assert not _reads(world, world.amo, case) and _reads(world, hr, case)
    _revoke(world, world.amo, Role.LEADER, world.area)
    assert not _reads(world, world.amo, case)
    assert _reads(world, hr, case)
    assert _reminded(world, hr, MONDAY) and not _reminded(world, world.amo, MONDAY)
    assert not _reminded(world, hr, MONDAY)  # once, as before

    def voice_findings(user: User) -> list[str]:
        access = access_for(user=user, slug=world.org.slug)
        found = readiness(world.team_a, cases=visible_cases(access)).findings
        return [f.key for f in found if f.key.startswith("voice:")]

    assert voice_findings(world.amo) == []
    assert voice_findings(hr) != []


def test_dropping_and_taking_back_the_leader_role_never_opens_the_case(world: World) -> None:
    """Drop, take back, drop again; and move the unit out of the member's subtree."""
    _lead(world, world.amo, world.area)
    hr = _amo_member(world, "hr-amo@example.test")
    case = services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="concern", text="Om os"
    )[0]
    for step in (
        lambda: _revoke(world, world.amo, Role.LEADER, world.area),
        lambda: _lead(world, world.amo, world.area),
        lambda: _revoke(world, world.amo, Role.LEADER, world.area),
        lambda: _lead(world, world.amo, world.team_b),
        lambda: unit_move(unit=world.team_a, actor=world.owner, new_parent=world.root),
    ):
        step()
        assert not _reads(world, world.amo, case)
        assert _reads(world, hr, case)


def test_a_set_that_does_not_open_is_read_by_no_amo_member(world: World) -> None:
    """Fails closed: a case whose set does not open (its key gone from the ring, or a set
    copied from another case) is read by no AMO member, not even one who never led; the
    reporter is told no one has read it; an administrator's count leaves it out."""
    case, code = _stored_with_code(world, world.team_b)
    hr = _never_a_leader(world)
    assert _reads(world, world.amo, case)
    assert not _reporter_told_no_reader(world, code)
    Case.objects.filter(pk=case.pk).update(withheld=seal_withheld(uuid.uuid4(), []))
    assert not _reads(world, world.amo, case)
    assert _reporter_told_no_reader(world, code)
    assert not _reminded(world, world.amo, MONDAY)
    assert _counted(_seen_by(world, hr)) == 0


def _statements(client: Client, url: str) -> list[tuple[str, str]]:
    """The SQL a request sends, with the parameters of the statements about cases."""
    sent: list[tuple[str, str]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, repr(params) if "voice_case" in sql else ""))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(url).status_code == 200
    return sent


def test_the_database_is_not_told_whom_a_case_is_withheld_from(world: World) -> None:
    """The set is filtered in Python, so the inbox sends the same statements whether or
    not the case's sealed set names the reader: a statement log does not show it."""
    case, _code = _stored_with_code(world, world.team_b)
    client = client_for(world.amo)
    url = reverse("voice:inbox", kwargs={"org": world.org.slug})
    _statements(client, url)  # warm: the session and caches as on every later view
    readable = _statements(client, url)
    assert _reads(world, world.amo, case)
    Case.objects.filter(pk=case.pk).update(withheld=seal_withheld(case.pk, [world.amo.pk]))
    withheld = _statements(client, url)
    assert not _reads(world, world.amo, case)
    assert any("voice_case" in sql for sql, _ in readable)
    assert withheld == readable
