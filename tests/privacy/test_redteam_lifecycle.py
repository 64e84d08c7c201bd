"""Red team, the lifecycle of people, units, measurements and settings (privacy.md section
0: an insider administrator, the AMO or a leader, together with a reader who remembers
every page they saw before and after each change).

The administrator changes things while a measurement is open and after it has closed:
a named person leaves the organisation (the import's "deactivate the missing"), moves to
another unit, loses their e-mail address; a reminder round; units renamed, moved and
closed; the organisation's minimums raised and lowered; the measurement closed; its
answers deleted by retention. Before and after each change every reader reads every page
the site has (the crawler of tests/privacy/test_redteam_rule_gaps.py). The same story is
played in two organisations that differ only in *whether the named person answered*
(someone else in the same team answered in their place, so every count is the same):
whatever any change shows must be the same in both, or it tells whether that person
answered.

Found: the voice channel's figures ("Sig det: tal") were decided with the organisation's
minimum as it is today, so a settled half-year, whose figures the page promises never
change, was shown under one minimum and then another once the administrator changed the
setting: the total hidden under 5 ("10 - 6 = 4" would give team B's cases) was shown
under 7, beside the team row the reader remembered from before (10 - 6 = 4 cases of team
B, with their shares). A half-year is now decided under the minimum in force when it
settled (read from the settings' audit rows), so its figures never move.

A draft made before the organisation raised its minimums opens under the raised ones.
Left open (strict xfail, a product decision): Sig det's total, judged against the inbox of
the reader's roles of today, gives an administrator who is later made a team's leader the
number of cases sent to the AMO/HR (the total they remember, minus the rows, minus their
new inbox).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.voice.test_statistics import H1, add_cases
from tryghed.audit.models import AuditEvent
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Role
from tryghed.orgs.selectors import access_for
from tryghed.surveys import services as survey_services
from tryghed.voice import selectors as voice_selectors
from tryghed.voice import services as voice_services
from tryghed.voice import statistics

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- minimums


_ROW = re.compile(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def _voice_rows(page: str) -> dict[str, list[str]]:
    """The figures page's table for the first half-year shown: group -> its cells."""
    first = page.split('aria-labelledby="periode-1"', 1)[1].split("</section>", 1)[0]
    return {
        name.strip(): [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in _CELL.findall(cells)]
        for name, cells in _ROW.findall(first)
    }


@pytest.mark.parametrize(("first_minimum", "later_minimum"), [(5, 7), (7, 5)])
def test_voice_figures_of_a_settled_half_year_do_not_move_with_the_minimum(
    world: World, first_minimum: int, later_minimum: int
) -> None:
    """An administrator reads "Sig det: tal", changes the minimum for a figure on the
    settings page (raised or lowered), and reads it again. Team A's 6 cases and team B's 4
    in one settled half-year: under 5 team A's row is shown and the total hidden (10 - 6
    = 4); under 7 only the total is shown. Remembered together, the total minus team A's
    row gives team B's 4 cases, and the shares' counts theirs. A settled half-year's
    figures ("Derefter ændrer de sig ikke", the page says) must not move at all."""
    add_cases(world, world.team_a, 6)
    add_cases(world, world.team_b, 4, ack_days=9)
    assert statistics.settled_periods(voice_services.local_today(), 2)[0] == H1
    client = client_for(world.owner)
    attack.settings_post(client, world.org, min_group_score=first_minimum)
    url = reverse("voice:figures", kwargs={"org": world.org.slug})
    first = _voice_rows(client.get(url).content.decode())
    assert first, "nothing shown to remember"

    attack.settings_post(client, world.org, min_group_score=later_minimum)
    second = _voice_rows(client.get(url).content.decode())

    seen = {**first, **second}
    if "Hele organisationen" in seen:
        total = int(seen["Hele organisationen"][0])
        rows = sum(int(cells[0]) for name, cells in seen.items() if name != "Hele organisationen")
        assert not 0 < total - rows < 5, f"{total} - {rows}: team B's cases, derived"
    assert second == first


def test_a_half_year_that_settled_after_a_change_is_decided_under_the_new_minimum(
    world: World,
) -> None:
    """The other side of the rule: a change made before a half-year settled is the minimum
    that half-year is decided under (its figures were never shown under the old one)."""
    add_cases(world, world.team_a, 6)
    add_cases(world, world.team_b, 4)
    attack.settings_post(client_for(world.owner), world.org, min_group_score=7)
    access = access_for(user=world.owner, slug=world.org.slug)
    assert statistics.period_figures(access, H1).minimum == 5  # changed after it settled
    AuditEvent.objects.filter(action=statistics.SETTINGS_CHANGED).update(
        at=timezone.make_aware(dt.datetime.combine(H1.settled_on, dt.time(12)))
    )
    figures = statistics.period_figures(access, H1)
    assert figures.minimum == 7 and figures.units == []
    assert figures.organisation is not None and figures.organisation.cases == 10


# --------------------------------------------------------------------------- the story

# Two organisations alike in everything but whether the named person (the victim, the
# last of Team A) answered: in the other, Team A's eleventh answered instead, the same
# answers. Nine answers in all: below twice the minimum, so nothing is released until
# the closing and every count is the same in both.
TREE = {"Afdeling": (None, 0), "Team A": ("Afdeling", 12), "Team B": ("Afdeling", 8)}
ANSWERS = [1, 2, 3, 4, 5]


@dataclass
class Story:
    place: attack.Workplace
    launched: attack.Launched
    readers: dict[str, Any]
    clients: dict[str, Client]
    addresses: dict[str, str]  # a name the same in both organisations -> address

    @property
    def victim(self) -> Any:
        return self.place.people["Team A"][11]

    @property
    def admin(self) -> Client:
        return self.clients["admin"]

    @property
    def slug(self) -> str:
        return self.place.org.slug


def _story(victim_answers: bool) -> Story:
    place = attack.build_workplace(
        TREE, leaders=["Afdeling", "Team A"], employees=["Team A", "Team B"]
    )
    launched = attack.launch(place, ("ps7",))
    team_a, team_b = place.people["Team A"], place.people["Team B"]
    respondents = [*team_a[:4], team_a[11] if victim_answers else team_a[10], *team_b[:4]]
    for person, code in zip(respondents, ANSWERS * 2, strict=False):
        attack.submit(launched.tokens[person.pk], ps7([code]))
    # The AMO reads what the administrator reads, and the department's leader and Team B's
    # employee each a part of what the administrator and Team A's pair read.
    readers = place.readers()
    clients = {
        role: attack.client_for(readers[role])
        for role in ("admin", "leader of Team A", "employee in Team A")
    }
    labels: dict[str, dict[Any, str]] = {
        "org": {place.org.slug: "ORG"},
        "organisation_id": {place.org.pk: "ORGID"},
        "measurement_id": {launched.measurement.pk: "M"},
        "unit_id": {place.root.pk: "ROOT", **{u.pk: n for n, u in place.units.items()}},
        "person_id": {team_a[11].pk: "victim", team_a[10].pk: "colleague"},
    }
    story = Story(place, launched, readers, clients, _labelled_addresses(labels))
    return story


def _labelled_addresses(labels: Mapping[str, Mapping[Any, str]]) -> dict[str, str]:
    """Every GET address of the site fillable from ``labels``, by a name that is the
    same in both organisations (the route with each value's label)."""
    from tests.privacy.test_redteam_rule_gaps import _ACTS, _PARAM, _routes

    out: dict[str, str] = {}
    for route in _routes():
        names = [name for _conv, name in _PARAM.findall(route)]
        if not set(names) <= set(labels) or _ACTS.search("/" + route):
            continue
        for combo in itertools.product(*(list(labels[n].items()) for n in names)):
            filled = dict(zip(names, combo, strict=True))

            def fill(which: int, f: dict[str, tuple[Any, str]] = filled, r: str = route) -> str:
                return "/" + _PARAM.sub(lambda m: str(f[m.group(2)][which]), r)

            if not PRINTED.search(route):
                out[fill(1)] = fill(0)
    return out


# The PDFs are the pages in print (and a second each to make): the pages are read.
PRINTED = re.compile(r"pdf/$|\.pdf$")
_JSON_ID = re.compile(r'"(id|unit|unit_id|parent|organisation|measurement|previous)": \d+')
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?")
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_FLOAT = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


def _tokens(story: Story, page: str) -> Counter[str]:
    """What a reader sees on a page, as words and numbers, with what names the
    organisation itself (its name, address, ids, the people's addresses and numbers) put
    the same in both organisations, and clock times masked."""
    place = story.place
    if page.lstrip()[:1] in "[{":  # the API's JSON: the ids of rows are the database's
        text = _JSON_ID.sub(r'"\1": ID', page)
        # Sums over answers read in random (id) order differ in their last bits between
        # the organisations (-3.1322314049586786 and -3.132231404958679): rounding noise,
        # not information. 12 significant digits keep every difference a figure can make.
        text = _FLOAT.sub(lambda m: format(float(m.group()), ".12g"), text)
    else:
        text = attack.visible_text(page)
    swaps = {place.org.name: "ORGNAME", place.org.slug: "ORG"}
    for people in place.people.values():
        for person in people:
            swaps[person.email] = f"<{person.name}>"
            swaps[person.employee_id] = f"#{person.name}"
    for name, unit in place.units.items():
        swaps[unit.external_id] = f"#{name}"
    for role, user in story.readers.items():
        swaps[user.email] = f"<{role}>"
        swaps[user.full_name] = role
    names = "|".join(re.escape(old) for old in sorted(swaps, key=len, reverse=True) if old)
    text = re.sub(rf"(?<!\w)(?:{names})(?!\w)", lambda m: swaps[m.group()], text)
    return Counter(_TIME.sub("HH:MM", _STAMP.sub("STAMP", text)).split())


def _read_everything(story: Story) -> dict[tuple[str, str], Counter[str]]:
    from tests.privacy.test_redteam_rule_gaps import crawl

    seen: dict[tuple[str, str], Counter[str]] = {}
    by_address = {address: label for label, address in story.addresses.items()}
    for role, client in story.clients.items():
        for address, page in crawl(client, list(story.addresses.values())).items():
            seen[(role, by_address[address])] = _tokens(story, page)
    return seen


def _moved(
    before: Mapping[tuple[str, str], Counter[str]], after: Mapping[tuple[str, str], Counter[str]]
) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """Per (reader, page): what appeared and what disappeared."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, Counter()), after.get(key, Counter())
        if old != new:
            out[key] = (sorted((new - old).elements()), sorted((old - new).elements()))
    return out


def _difference(answered: object, not_answered: object) -> str:
    """Where one step's transcripts differ, per (reader, page), for the failure message."""

    def as_dict(seen: object) -> dict[Any, Any]:
        return dict(seen) if isinstance(seen, list | dict) else {}

    one, other = as_dict(answered), as_dict(not_answered)
    lines = []
    for key in sorted(set(one) | set(other), key=str):
        if one.get(key) != other.get(key):
            lines.append(f"{key}: answered {one.get(key)!r} / not answered {other.get(key)!r}")
    return "\n".join(lines[:10])


def _post(client: Client, url: str, data: Mapping[str, object]) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        got = client.post(url, dict(data))
    assert got.status_code in (200, 302), (url, got.status_code)
    if got.status_code == 200:  # a form shown again: an error the story did not expect
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', got.content.decode())
        assert not errors, (url, errors)


def _person_form(story: Story, person: Any, **changes: object) -> None:
    person.refresh_from_db()
    url = reverse("orgs:person_edit", kwargs={"org": story.slug, "person_id": person.pk})
    form = {
        "name": person.name,
        "email": person.email,
        "unit": person.unit_id,
        "job_group": person.job_group,
        "seniority_band": person.seniority_band,
        **changes,
    }
    _post(story.admin, url, form)


def _import_people(story: Story, *, leaving: Sequence[Any]) -> None:
    """The administrator uploads the full staff list without ``leaving`` and ticks
    "deactivate those not in the file"; then confirms the preview."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = ["employee_id,name,unit_id,email"]
    gone = {p.pk for p in leaving}
    for people in story.place.people.values():
        for person in people:
            person.refresh_from_db()
            if person.pk not in gone:
                rows.append(
                    f"{person.employee_id},{person.name},{person.unit.external_id},{person.email}"
                )
    upload = SimpleUploadedFile("personale.csv", "\n".join(rows).encode(), "text/csv")
    url = reverse("orgs:import", kwargs={"org": story.slug})
    got = story.admin.post(url, {"file": upload, "deactivate_missing": "on"})
    assert got.status_code == 302, got.content.decode()[:3000]
    _post(story.admin, got["Location"], {})


def _measurement_act(story: Story, act: str) -> None:
    url = reverse(
        f"surveys_admin:{act}",
        kwargs={"org": story.slug, "measurement_id": story.launched.measurement.pk},
    )
    _post(story.admin, url, {"confirm": "1"})


def _unit_edit(story: Story, name: str, new_name: str) -> None:
    unit = story.place.units[name]
    unit.refresh_from_db()
    url = reverse("orgs:unit_edit", kwargs={"org": story.slug, "unit_id": unit.pk})
    _post(story.admin, url, {"name": new_name, "kind": unit.kind, "external_id": unit.external_id})


def _unit_move(story: Story, name: str, parent: Any) -> None:
    unit = story.place.units[name]
    url = reverse("orgs:unit_move", kwargs={"org": story.slug, "unit_id": unit.pk})
    _post(story.admin, url, {"new_parent": parent.pk})


def _purge(story: Story) -> None:
    from django.core.management import call_command

    attack.settings_post(story.admin, story.place.org, response_retention_months=1)
    later = story.launched.measurement.closes_on + dt.timedelta(days=40)
    call_command("purge_responses", today=later.isoformat(), stdout=io.StringIO())
    story.launched.measurement.refresh_from_db()
    assert story.launched.measurement.responses_purged_at is not None


def _moves_to_team_b_without_an_address(story: Story) -> None:
    _person_form(story, story.victim, unit=story.place.units["Team B"].pk, email="")


def _reminds(story: Story) -> None:
    _measurement_act(story, "remind")


def _leaves(story: Story) -> None:
    _import_people(story, leaving=[story.victim])


def _raised_while_open_and_team_b_reorganised(story: Story) -> None:
    attack.settings_post(story.admin, story.place.org, min_group_score=7, min_group_comment=12)
    _unit_edit(story, "Team B", "Team Nord")
    _unit_move(story, "Team B", story.place.root)


def _closes(story: Story) -> None:
    _measurement_act(story, "close")


def _comes_back_to_team_a(story: Story) -> None:
    _import_people(story, leaving=[])
    address = f"igen-{story.slug}@example.test"
    _person_form(story, story.victim, unit=story.place.units["Team A"].pk, email=address)


def _lowered_after_closing_and_team_a_reorganised(story: Story) -> None:
    attack.settings_post(story.admin, story.place.org, min_group_score=3, min_group_comment=5)
    _unit_edit(story, "Team A", "Team Syd")
    _unit_move(story, "Team A", story.place.root)


STEPS: list[tuple[str, Callable[[Story], None]]] = [
    # While the measurement is open.
    ("the victim moves to Team B without an address", _moves_to_team_b_without_an_address),
    ("a reminder round", _reminds),
    ("the victim leaves: the import deactivates the missing", _leaves),
    (
        "the minimums raised while open, Team B renamed and moved",
        _raised_while_open_and_team_b_reorganised,
    ),
    ("the measurement is closed", _closes),
    # After closing.
    ("the victim comes back to Team A with an address", _comes_back_to_team_a),
    (
        "the minimums lowered after closing, Team A renamed and moved",
        _lowered_after_closing_and_team_a_reorganised,
    ),
    ("retention deletes the answers", _purge),
]


def test_no_change_to_people_units_settings_or_the_measurement_tells_whether_a_named_person_answered() -> (
    None
):
    """Readers (adversary 1) with an insider administrator who changes people, units,
    settings and the measurement's state, while open and after closing, reading every
    page before and after each change. Played in two organisations that differ only in
    whether the named person answered: what each change makes appear or disappear on any
    reader's page must be the same in both."""
    transcripts: dict[bool, list[tuple[str, object]]] = {}
    for victim_answers in (True, False):
        story = _story(victim_answers)
        before = _read_everything(story)
        assert len(before) > 60, "the crawler read too little to prove anything"
        transcript: list[tuple[str, object]] = [("before", sorted(before.items()))]
        for name, step in STEPS:
            step(story)
            after = _read_everything(story)
            transcript.append((name, _moved(before, after)))
            before = after
        transcripts[victim_answers] = transcript
    answered, not_answered = transcripts[True], transcripts[False]
    assert [name for name, _ in answered] == [name for name, _ in not_answered]
    told = [
        name
        for (name, seen), (_, other) in zip(answered, not_answered, strict=True)
        if seen != other
    ]
    assert told == [], (
        f"changes whose effect on the pages tells whether the victim answered: {told}\n"
        + _difference(dict(answered)[told[0]], dict(not_answered)[told[0]])
    )
    # The story did move things (else it proved nothing): the closing published reports.
    closing = dict(answered)["the measurement is closed"]
    assert isinstance(closing, dict) and any("/rapporter/" in page for _role, page in closing)


def test_a_draft_opened_after_the_organisation_raised_its_minimum_uses_the_raised_one() -> None:
    """An administrator makes a draft (minimum 5); the organisation then raises its
    minimum for a result to 8 (say after a works council agreement); the draft is opened.
    Its teams of 5 to 7 are then shown, although the organisation's rule says 8."""
    place = attack.build_workplace({"Team": (None, 6)})
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
    attack.settings_post(attack.client_for(place.owner), place.org, min_group_score=8)
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey_services.measurement_open(measurement=draft, actor=place.owner)
    draft.refresh_from_db()
    place.org.refresh_from_db()
    assert draft.min_group_score >= place.org.min_group_score == 8
    # The comment and sensitive minimums follow the score minimum, as when a draft is made.
    assert draft.min_group_comment >= 8 and draft.min_group_sensitive >= 8


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Not decided: the total's remainder is judged against what the reader's roles of "
        "today let them read, and a role granted later adds an inbox to a total they "
        "remember. Judging it against every inbox a reader could ever get (every hidden "
        "unit known) would hide the total wherever one unit has a few cases, which is "
        "nearly always (docs/voice.md); remembering per reader what was shown needs storage."
    ),
)
def test_a_role_granted_later_does_not_turn_a_remembered_total_into_the_amos_cases(
    world: World,
) -> None:
    """An administrator reads "Sig det: tal": team A's 6 cases and the total of 12 (team
    B's 4 to its leader and 2 to the AMO/HR about team B are the hidden 6). Later they are
    made team B's leader and read its 4 cases in their inbox. The page now hides the
    total, as the rule for a leader asks, but the reader remembers it: 12 - 6 - 4 = 2
    cases went to the AMO/HR, perhaps about them (what voice.statistics says an
    administrator who leads a unit must not learn)."""
    add_cases(world, world.team_a, 6)
    add_cases(world, world.team_b, 4)
    add_cases(world, world.team_b, 2, receiver="amo")
    client = client_for(world.owner)
    url = reverse("voice:figures", kwargs={"org": world.org.slug})
    first = _voice_rows(client.get(url).content.decode())
    assert int(first["Hele organisationen"][0]) == 12 and int(first["Team A"][0]) == 6

    org_services.membership_grant(
        organisation=world.org,
        actor=world.owner,
        email=world.owner.email,
        role=Role.LEADER,
        unit=world.team_b,
    )
    access = access_for(user=world.owner, slug=world.org.slug)
    inbox = [c for c in voice_selectors.visible_cases(access) if H1.start <= c.opened_on <= H1.end]
    assert len(inbox) == 4
    second = _voice_rows(client.get(url).content.decode())
    assert "Hele organisationen" not in second  # the rule for today's reader holds

    derived = int(first["Hele organisationen"][0]) - int(first["Team A"][0]) - len(inbox)
    assert not 0 < derived < 5, f"12 - 6 - 4 = {derived} cases to the AMO/HR, derived"
