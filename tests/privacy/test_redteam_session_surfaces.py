"""Red team of the surfaces this session changed, as privacy.md section 0's adversaries.

1. The front page's "Det venter på dig" (web/next_steps.py), read by every role before
   and after each event on Sig det cases and roles: a step must move only when the page
   it repeats moves for the same user (the inbox for the cases), and every link it gives
   must open for that user, showing what the step says is there.
2. The audit rows an administrator reads on the front page ("Seneste ændringer") and a
   unit's history, now as words. Found: the AMO's "going on knowingly" past the meeting
   kit's readiness check was logged again, in the unit's history, when a Sig det case
   about the unit came or went in the same session (the readiness findings' fingerprint
   counts the case), so the second row told an administrator, perhaps the unit's leader,
   that a case had been raised about the unit and when. kits.services now logs a row only
   when the findings it names change.
3. The respondent's pages (d67cd85): the language switch posts the token; after closing
   every link answers alike, also through the switch and down to the SQL it runs; the
   switch never sends answers nor brings a used link back; the catch-all under /s/ is the
   unknown link's page.
4. Minimums decided once: a settings change at the very boundary of a Sig det half-year's
   settling, and settings changed around a measurement's opening and after its closing,
   give one decision over the same cases and the same answers.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.actions.conftest import LOW, answer, make_action, make_focus, make_measurement
from tests.actions.conftest import make_plan as make_action_plan
from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.kits.conftest import go_on
from tests.privacy import attack
from tests.voice.test_statistics import H1, add_cases
from tryghed.accounts.models import User
from tryghed.actions.selectors import report_figures
from tryghed.apv.models import ApvDocument
from tryghed.audit.labels import ACTION_LABELS
from tryghed.audit.models import AuditEvent
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Organisation, Role
from tryghed.surveys import codes as paper_codes
from tryghed.surveys import services as survey_services
from tryghed.voice import services as voice_services
from tryghed.voice import statistics
from tryghed.voice.models import QUICK_ACKNOWLEDGEMENTS, Case

pytestmark = pytest.mark.django_db

HEADING = "Det venter på dig"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
ANSWER = reverse("surveys:answer")


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return CSRF.sub("", html.unescape(response.content.decode()))


def _dashboard_url(organisation: Organisation) -> str:
    return reverse("orgs:dashboard", kwargs={"org": organisation.slug})


def _steps(client: Client, organisation: Organisation) -> str:
    page = _get(client, _dashboard_url(organisation))
    if HEADING not in page:
        return ""
    return page.split(HEADING, 1)[1].split("</section>", 1)[0]


# --------------------------------------------------------------------------- 1. next steps


_ROW = re.compile(r"<tr>\s*<td><a href=\"[^\"]*/sager/([0-9a-f-]{36})/\".*?</tr>", re.S)


def _inbox(client: Client, organisation: Organisation) -> dict[str, str] | None:
    """The inbox as its reader sees it: case id -> its row's words; None without one."""
    response = client.get(reverse("voice:inbox", kwargs={"org": organisation.slug}))
    if response.status_code != 200:
        return None
    page = html.unescape(response.content.decode())
    return {
        m.group(1): re.sub(r"<[^>]+>|\s+", " ", m.group(0)).strip() for m in _ROW.finditer(page)
    }


def _waiting_in_inbox(rows: dict[str, str] | None) -> tuple[int, int]:
    """Open cases whose row still asks for an acknowledgement or an answer, and of those
    the ones marked overdue: what the inbox itself shows."""
    waiting = [
        r
        for r in (rows or {}).values()
        if "Åben" in r and ("Kvittér senest" in r or "Svar senest" in r)
    ]
    return len(waiting), sum("Overskredet" in r for r in waiting)


_VOICE_STEP = re.compile(r"(\d+) sag(?:er)? i Sig det (har overskredet en frist|venter)")


def _voice_step(steps: str) -> tuple[int, bool] | None:
    found = _VOICE_STEP.search(steps)
    return None if found is None else (int(found.group(1)), found.group(2).startswith("har"))


def test_the_sig_det_step_moves_only_with_the_readers_own_inbox(world: World) -> None:
    """Every role reads the front page and the inbox before and after each event: cases
    raised to the AMO/HR about a unit an AMO member leads (withheld from them, and from a
    leader), to a leader, acknowledged, answered and closed, an AMO member's leader role
    revoked, an administrator made a leader. For each reader the step's count must be the
    waiting cases of their own inbox, and the step may change only when that inbox does:
    otherwise the front page tells of a case the inbox keeps from them."""
    amo_leader, amo_other = make_user("amo-leder@example.test"), make_user("amo2@example.test")
    grant(amo_leader, world.org, Role.AMO)
    leads_b = grant(amo_leader, world.org, Role.LEADER, world.team_b)
    grant(amo_other, world.org, Role.AMO)
    leader_b = make_user("leder-b@example.test")
    grant(leader_b, world.org, Role.LEADER, world.team_b)
    readers: dict[str, User] = {
        "admin": world.owner,
        "amo": world.amo,
        "amo who leads team B": amo_leader,
        "leader of team A": world.leader,
        "leader of team B": leader_b,
        "employee": world.employee,
        "top management": _with_role(world, Role.TOP_MANAGEMENT),
        "outsider": world.outsider,
    }
    clients = {name: client_for(user) for name, user in readers.items()}

    def seen() -> dict[str, tuple[str, dict[str, str] | None]]:
        out = {}
        for name, client in clients.items():
            organisation = world.other_org if name == "outsider" else world.org
            out[name] = (_steps(client, organisation), _inbox(client, organisation))
        return out

    cases: list[Case] = []

    def raise_case(unit: Any, receiver: str, days_ago: int = 0) -> None:
        case, _code = voice_services.case_raise(
            organisation=world.org,
            unit=unit,
            receiver=receiver,
            kind="offensive" if receiver == "amo" else "concern",
            text="Noget, der bør ændres.",
            today=voice_services.local_today() - dt.timedelta(days=days_ago),
        )
        cases.append(case)

    which = next(iter(QUICK_ACKNOWLEDGEMENTS))
    events: list[tuple[str, Callable[[], object]]] = [
        ("a case to the AMO/HR about team B", lambda: raise_case(world.team_b, "amo")),
        ("an overdue one about team B", lambda: raise_case(world.team_b, "amo", days_ago=10)),
        ("a case to team A's leader", lambda: raise_case(world.team_a, "leader")),
        ("a case to the AMO/HR about team A", lambda: raise_case(world.team_a, "amo")),
        (
            "the AMO member's leader role is revoked",
            lambda: org_services.membership_revoke(membership=leads_b, actor=world.owner),
        ),
        (
            "the other AMO member acknowledges",
            lambda: voice_services.receiver_acknowledge(
                case=cases[0], actor=amo_other, which=which
            ),
        ),
        (
            "and answers",
            lambda: voice_services.receiver_reply(case=cases[0], actor=amo_other, text="Set."),
        ),
        ("the overdue one is closed", lambda: voice_services.case_close(case=cases[1])),
        (
            "the administrator is made team B's leader",
            lambda: _grant_by_service(world, world.owner, Role.LEADER, world.team_b),
        ),
        ("a case to team B's leader", lambda: raise_case(world.team_b, "leader")),
    ]
    before = seen()
    for what, event in events:
        event()
        after = seen()
        for name in clients:
            (steps_before, inbox_before), (steps_after, inbox_after) = before[name], after[name]
            count, overdue = _waiting_in_inbox(inbox_after)
            step = _voice_step(steps_after)
            # The step counts the overdue ones when there are any, else all that wait.
            expected = None if not count else (overdue, True) if overdue else (count, False)
            assert step == expected, (what, name, step, count, overdue)
            if inbox_after == inbox_before:
                assert steps_after == steps_before, f"{what}: the front page told {name}"
        before = after
    # The withheld case (to the AMO/HR about team B, raised while they led it) was never in
    # the AMO member's count, also after their leader role went.
    assert cases[0].pk.hex not in "".join(before["amo who leads team B"][1] or {})


def _with_role(world: World, role: str) -> User:
    user = make_user(f"{role}@example.test")
    grant(user, world.org, role)
    return user


def _grant_by_service(world: World, user: User, role: str, unit: Any) -> None:
    org_services.membership_grant(
        organisation=world.org, actor=world.owner, email=user.email, role=role, unit=unit
    )


_LINK = re.compile(r'<li[^>]*>(.*?)<a href="([^"]+)">')


def test_every_step_opens_for_its_reader_and_shows_what_it_says(world: World) -> None:
    """Plans with overdue actions and an evaluation due, plans waiting for sign-off, an
    open measurement, results of a closed one (team A's shown, team B's 3 answers hidden),
    the APV not adopted, Sig det cases: every role follows every link of their steps. Each
    must open (not a 404 or 403: a step must not tell of what its page keeps from the
    reader), and a step "results are ready" only where the page offers a shown figure.
    The leader of team B, whose results are all hidden, is asked for nothing, and every
    closed measurement's choice page offers them nothing either."""
    today = timezone.localdate()
    closed = make_measurement(world, opens=dt.date(2026, 3, 2))
    answer(closed, world.team_a, LOW, 12)
    answer(closed, world.team_b, LOW, 3)
    answer(closed, world.area, LOW, 5)  # so team B's 3 are no remainder of the area's
    plan = make_action_plan(world, make_focus(world, closed))
    make_action(world, plan, deadline=today - dt.timedelta(days=2))
    survey_services.measurement_open(
        measurement=survey_services.measurement_create(
            organisation=world.org,
            actor=world.owner,
            name="Efterår",
            instrument_ids=["ps7"],
            scope=[survey_services.ScopeEntry(world.area)],
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
        ),
        actor=world.owner,
    )
    voice_services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="leader", kind="idea", text="Idé."
    )
    voice_services.case_raise(
        organisation=world.org, unit=world.team_b, receiver="amo", kind="offensive", text="Grimt."
    )
    leader_b = make_user("leder-b@example.test")
    grant(leader_b, world.org, Role.LEADER, world.team_b)
    amo_leader = make_user("amo-leder@example.test")
    grant(amo_leader, world.org, Role.AMO)
    grant(amo_leader, world.org, Role.LEADER, world.team_b)
    # Team A's leader has chosen nothing from a second unit they lead (team B is hidden).
    readers = {
        "admin": world.owner,
        "amo": world.amo,
        "amo who leads team B": amo_leader,
        "leader of team A": world.leader,
        "leader of team B": leader_b,
        "employee": world.employee,
    }
    followed = 0
    for name, user in readers.items():
        client = client_for(user)
        for text, url in _LINK.findall(_steps(client, world.org)):
            response = client.get(url)
            assert response.status_code == 200, (name, text, url, response.status_code)
            followed += 1
            if "/fokus" in url or "Vælg fokusområder" in text:
                assert 'name="figure"' in response.content.decode(), (name, url)
        if user in (leader_b, amo_leader):
            assert "Resultaterne for" not in _steps(client, world.org), name
            choose = reverse(
                "actions:focus_choose",
                kwargs={
                    "org": world.org.slug,
                    "unit_id": world.team_b.pk,
                    "measurement_id": closed.pk,
                },
            )
            assert 'name="figure"' not in client.get(choose).content.decode(), name
    assert followed >= 8
    # The case sent to the AMO/HR about team B is in neither team B leader's count: the
    # AMO member who leads it counts team A's case only, the AMO outside the line both.
    assert "Sig det" not in _steps(client_for(leader_b), world.org)
    assert _voice_step(_steps(client_for(amo_leader), world.org)) == (1, False)
    assert _voice_step(_steps(client_for(world.amo), world.org)) == (2, False)


# --------------------------------------------------------------------------- 2. audit rows


def _what_an_administrator_reads(world: World, client: Client) -> list[str]:
    """The rows of the front page's latest changes and of team A's and the area's histories."""
    pages = [
        _get(client, _dashboard_url(world.org)),
        _get(
            client,
            reverse("orgs:unit_detail", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
        ),
        _get(
            client,
            reverse("orgs:unit_detail", kwargs={"org": world.org.slug, "unit_id": world.area.pk}),
        ),
    ]
    rows: list[str] = []
    for page in pages:
        rows += re.findall(r"<tr><td data-label.*?</tr>", page, re.S)
        if "Historik" in page:
            rows += re.findall(r"<li>.*?</li>", page.split("Historik", 1)[1], re.S)
    return rows


def test_a_case_coming_or_going_writes_no_second_readiness_row(world: World) -> None:
    """The administrator leads team A. The AMO has gone on past the meeting kit's readiness
    check for team A (the APV is overdue: a row, "Mødekit: klar til mødet: APV'en er
    forældet"). A colleague then goes to the AMO/HR about the leader (offensive behaviour);
    the readiness check shows it to the AMO as a finding, so the AMO is asked again and
    goes on, past the same APV finding and the case. A second row, the same words at a
    new time, told the administrator that a case about their team came (and, when it is
    closed and the AMO is asked again, that it went): what docs/voice.md says a leader
    never learns. The rows an administrator reads must not move with the case."""
    grant(world.owner, world.org, Role.LEADER, world.team_a)
    ApvDocument.objects.create(organisation=world.org, adopted_on=dt.date(2020, 1, 1))
    amo = client_for(world.amo)
    kits = reverse("kits:unit", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    go_on(amo, world, world.team_a, kits)
    owner = client_for(world.owner)
    before = _what_an_administrator_reads(world, owner)
    assert any("Mødekit: klar til mødet" in row for row in before), "nothing logged to start"

    case, _code = voice_services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="offensive", text="Grimt."
    )
    readiness = reverse(
        "kits:readiness", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}
    )
    assert "Åbne sager om krænkende handlinger" in _get(amo, readiness)  # the AMO is told
    go_on(amo, world, world.team_a, kits)
    assert _what_an_administrator_reads(world, owner) == before, "the case came"

    voice_services.case_close(case=case)
    go_on(amo, world, world.team_a, kits)
    assert _what_an_administrator_reads(world, owner) == before, "the case went"
    # Going on in another session is logged again, case or no case.
    go_on(client_for(world.amo), world, world.team_a, kits)
    assert len(_what_an_administrator_reads(world, owner)) > len(before)


def test_no_row_an_administrator_reads_tells_of_a_case_or_an_answer(world: World) -> None:
    """Through a measurement answered and closed, Sig det cases raised, acknowledged,
    answered, noted and hidden, a named and an anonymous learning log entry, every row the
    administrator reads (latest changes, the histories of team A and the area) is checked
    for the labels of the receivers' steps on a case and for anything of the answers."""
    grant(world.owner, world.org, Role.LEADER, world.team_a)
    case, _code = voice_services.case_raise(
        organisation=world.org, unit=world.team_a, receiver="amo", kind="concern", text="Hm."
    )
    which = next(iter(QUICK_ACKNOWLEDGEMENTS))
    voice_services.receiver_acknowledge(case=case, actor=world.amo, which=which)
    voice_services.receiver_reply(case=case, actor=world.amo, text="Vi tager kontakt.")
    voice_services.receiver_note(case=case, actor=world.amo, text="Tal med HR.")
    voice_services.reporter_text_hide(case=case, message=None, actor=world.amo, reason="identifies")
    from tryghed.learning import services as learning_services

    for named in ("", "Alma A"):
        learning_services.entry_write(
            unit=world.team_a,
            writer=world.employee,
            kind="",
            what_happened="Vi glemte overleveringen.",
            lesson="Tjekliste.",
            author_name=named,
        )
    rows = _what_an_administrator_reads(world, client_for(world.owner))
    steps = [
        str(ACTION_LABELS[a])
        for a in ("voice.acknowledge", "voice.reply", "voice.note", "voice.hide", "voice.outcome")
    ]
    for row in rows:
        assert not any(label in row for label in steps), row
        assert "Vi glemte" not in row and "Hm." not in row and "Vi tager kontakt" not in row, row
    assert AuditEvent.objects.filter(action="learning.entry_written").count() == 1


# --------------------------------------------------------------------------- 3. respondents


class _Team:
    """Six people with e-mail and two paper codes, in Danish and English."""

    def __init__(self) -> None:
        self.place = attack.build_workplace({"Team": (None, 6)}, without_email={"Team": 2})
        self.launched = attack.launch(self.place)
        self.measurement = self.launched.measurement
        self.measurement.languages = ["da", "en"]
        self.measurement.save(update_fields=["languages"])
        self.links = list(self.launched.tokens.values())
        self.codes = survey_services.paper_codes_print(
            measurement=self.measurement,
            unit=self.place.units["Team"],
            count=2,
            actor=self.place.amo,
        )


def _switch(token: str, to: str = "en", step: str = "0", **extra: str) -> dict[str, str]:
    return {"token": token, "lang": "da", "step": step, "sprog": to, **extra}


def _statements(queries: list[dict[str, Any]]) -> list[str]:
    """The SQL run, with its literal values left out."""
    return [re.sub(r"'[^']*'|\b\d+\b|X'[0-9a-fA-F]*'", "?", q["sql"]) for q in queries]


def test_after_closing_the_switch_answers_every_link_alike_down_to_its_sql() -> None:
    """After closing, an outsider with a named person's link (or a used paper code) posts
    the language switch. Status, headers, body and the statements the server runs (what
    its time depends on) must be the same for an answered and an unanswered one."""
    team = _Team()
    answered, unanswered = team.links[0], team.links[1]
    attack.submit(answered, attack.ps7([3]))
    used_code = team.codes[0]
    attack.submit(paper_codes.paper_code_normalise(used_code) or "", attack.ps7([2]))
    attack.close(team.place, team.measurement)
    outsider = Client()

    def seen(token: str) -> tuple[int, bytes, tuple[tuple[str, str], ...], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = outsider.post(ANSWER, _switch(token))
        headers = tuple(sorted((k, v) for k, v in response.items() if k != "Content-Length"))
        assert response.cookies == {} and response["Cache-Control"] == "no-store"
        return (
            response.status_code,
            response.content,
            headers,
            _statements(queries.captured_queries),
        )

    link_answered, link_unanswered = seen(answered), seen(unanswered)
    assert link_answered[0] == 410
    assert link_answered == link_unanswered, "an answered link tells itself apart"
    assert seen(team.codes[0]) == seen(team.codes[1]), "a used paper code tells itself apart"


def test_the_switch_brings_no_used_link_back_and_sends_no_answer() -> None:
    """While the measurement is open: the switch on a used link is the "already answered"
    page (no questions, no token); the switch posted with answers and "submit", on any
    step, shows the page again and stores nothing, so the link still answers once; the
    switched page carries the token in hidden fields only and gives no address with it."""
    team = _Team()
    used, fresh = team.links[0], team.links[1]
    attack.submit(used, attack.ps7([3]))
    client = Client()
    again = client.post(ANSWER, _switch(used))
    page = again.content.decode()
    assert again.status_code == 200 and "Du har allerede svaret" in page
    assert used not in page and 'name="q-' not in page

    answers = {f"q-{k}": str(v) for k, v in attack.ps7([4]).items()}
    for step in ("0", "1", "-1", "99"):
        switched = client.post(ANSWER, {**_switch(fresh, step=step), **answers, "action": "submit"})
        page = switched.content.decode()
        assert "Tak for dine svar" not in page and "Thank you" not in page, step
        assert switched.get("Location") is None, step
        assert page.count(fresh) == len(re.findall(rf'name="token" value="{fresh}"', page)), step
        for address in re.findall(r'\b(?:href|src|action|formaction)="([^"]*)"', page):
            assert fresh not in address, address
    first = client.get(f"/s/{fresh}/")
    assert (
        first.status_code == 200 and attack.hidden_fields(first.content.decode())["token"] == fresh
    )


def test_any_other_address_under_s_is_the_unknown_links_page() -> None:
    """The catch-all under /s/ answers a mangled link, a real token with more after it and
    a posted token alike, as an unknown token does: the same page and status, no cookie,
    nothing of what was asked echoed."""
    team = _Team()
    token = team.links[0]
    client = Client()
    unknown = client.get(f"/s/{secrets.token_urlsafe(22)}/")
    assert unknown.status_code == 404
    for response in (
        client.get(f"/s/{token}/mere/"),
        client.get("/s/a/b/c/"),
        client.post(f"/s/{token}/x/", {"token": token, "sprog": "en"}),
        client.get(f"/s/{token}/x/?sprog=en&token={token}"),
    ):
        assert response.status_code == 404
        assert response.cookies == {} and response["Cache-Control"] == "no-store"
        assert token not in response.content.decode()
    assert client.get(f"/s/{token}/mere/").content == unknown.content


# --------------------------------------------------------------------------- 4. minimums


_VROW = re.compile(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', re.S)


def _voice_rows(client: Client, organisation: Organisation) -> dict[str, str]:
    page = _get(client, reverse("voice:figures", kwargs={"org": organisation.slug}))
    first = page.split('aria-labelledby="periode-1"', 1)[1].split("</section>", 1)[0]
    return {
        n.strip(): re.sub(r"<[^>]+>|\s+", " ", cells).strip() for n, cells in _VROW.findall(first)
    }


def test_settings_changed_at_the_instant_a_half_year_settles_give_one_decision(
    world: World,
) -> None:
    """Team A 6 cases, team B 4, in the first half-year (settled; shown from 1 October).
    The administrator changes the minimum for a figure on the last moment of 30 September
    (5 to 7), then at the first instant of 1 October (7 to 5), then again later (5 to 3
    and back): a reader present at each moment, remembering all, must have read one
    decision of the half-year, never team A's row beside a total (10 - 6 = team B's 4)."""
    add_cases(world, world.team_a, 6)
    add_cases(world, world.team_b, 4)
    assert statistics.settled_periods(voice_services.local_today(), 1)[0] == H1
    shown_from = timezone.make_aware(
        dt.datetime.combine(H1.settled_on + dt.timedelta(days=1), dt.time.min)
    )
    owner = client_for(world.owner)
    readings = []
    for value, at in (
        (7, shown_from - dt.timedelta(microseconds=1)),
        (5, shown_from),
        (3, shown_from + dt.timedelta(minutes=1)),
        (7, shown_from + dt.timedelta(days=30)),
    ):
        attack.settings_post(owner, world.org, min_group_score=value)
        newest = AuditEvent.objects.filter(action=statistics.SETTINGS_CHANGED).latest("id")
        AuditEvent.objects.filter(pk=newest.pk).update(at=at)
        readings.append(_voice_rows(owner, world.org))
    assert all(r == readings[0] for r in readings), readings
    assert readings[0] and "Team A" not in readings[0]  # decided under 7, set before it settled


def test_a_measurements_answers_are_decided_once_whatever_the_settings_do_around_it() -> None:
    """A draft made under 5; the organisation raises to 8 and it opens; lowered back to 5
    while it is open, raised to 9 and lowered to 5 after it closed. Team "Lille" (6
    answers) is hidden under 8 (with team "Mini"'s 3, so 9 are hidden together); every reader's every result page must read the same after
    each change, and the measurement keep 8. A draft made under a minimum above the
    organisation's, which then lowers its own, opens with the higher one."""
    place = attack.build_workplace(
        {
            "Afdeling": (None, 0),
            "Lille": ("Afdeling", 6),
            "Mini": ("Afdeling", 3),
            "Stor": ("Afdeling", 10),
        },
        leaders=["Lille", "Stor"],
    )
    owner = attack.client_for(place.owner)
    today = timezone.localdate()
    draft = survey_services.measurement_create(
        organisation=place.org,
        actor=place.owner,
        name="Kladde",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(place.root)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    assert draft.min_group_score == 5
    attack.settings_post(
        owner, place.org, min_group_score=8, min_group_comment=10, min_group_sensitive=10
    )
    launched = _open(place, draft)
    attack.settings_post(owner, place.org, min_group_score=5)
    for person in [p for people in place.people.values() for p in people]:
        attack.submit(launched.tokens[person.pk], attack.ps7([1 + person.pk % 4]))
    attack.close(place, draft)
    draft.refresh_from_db()
    assert draft.min_group_score == 8
    urls = attack.report_urls(place, draft)
    first = {k: attack.figures(v) for k, v in attack.read_all(place, urls).items()}

    # Under 8, Lille's 6 are hidden (the choice of focus areas reads the same publication).
    assert not report_figures(draft, place.units["Lille"], "da")
    assert report_figures(draft, place.units["Stor"], "da")
    for value in (9, 5):
        attack.settings_post(owner, place.org, min_group_score=value)
        again = {k: attack.figures(v) for k, v in attack.read_all(place, urls).items()}
        assert again == first, value

    above = survey_services.measurement_create(
        organisation=place.org,
        actor=place.owner,
        name="Over",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(place.units["Stor"])],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        minimums={"score": 9, "comment": 10, "sensitive": 10},
    )
    attack.settings_post(owner, place.org, min_group_score=3)
    _open(place, above)
    above.refresh_from_db()
    assert above.min_group_score == 9


def _open(place: attack.Workplace, measurement: Any) -> attack.Launched:
    from django.core import mail
    from django.test import TestCase

    start = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey_services.measurement_open(measurement=measurement, actor=place.owner)
    by_email = {}
    for message in mail.outbox[start:]:
        match = attack.LINK.search(str(message.body))
        if match:
            by_email[message.to[0]] = match.group(1)
    tokens = {
        p.pk: by_email[p.email] for ps in place.people.values() for p in ps if p.email in by_email
    }
    measurement.refresh_from_db()
    return attack.Launched(measurement, tokens)
