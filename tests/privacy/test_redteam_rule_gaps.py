"""Red team, rule by rule: attacks on the rules of privacy.md that had only a functional
test, or none, each made the way its adversary (privacy.md section 0) would make it.

- A reader (every role, top management included) who opens *every* page, file and API
  answer the site has, before and after one named person answers while the measurement
  is open: anything that moved tells whether that person answered (section 0's promise,
  section 3 "no live figures", section 4 "no one sees who has answered").
- The same reader after closing: no page, file or API answer carries a single response
  (section 7 "no respondent-level export"), nor the comments of a group below the
  comment minimum (section 2).
- Anyone who watches addresses (a proxy's access log, the browser's history, a Referer):
  the token travels in the POST body after the first visit, never in a later URL, and a
  paper code never in one (section 1).
- An insider who holds a link and answers twice, also with the page state of before
  their first answer: nothing is overwritten (section 1).
- The operator, who copies every table before and after a respondent's whole walk: the
  walk writes a mark and a sealed answer, nothing readable, nothing about the
  invitation, no audit row, no session (sections 1 and 7).
- A reader after a reorganisation that renames, merges and closes units: no figure of a
  closed measurement moves (section 3 "frozen at closing").
- A reader who compares two organisations with the same answers given in another order:
  the same figures are hidden, for the same stated reason (section 3, deterministic).

The crawler walks Django's URL configuration, so a page added later is attacked too.
"""

from __future__ import annotations

import html as html_lib
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import URLResolver, get_resolver, reverse

from tests.factories import grant, make_user
from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.accounts.models import User
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Person, Role
from tryghed.results.models import ExportKind
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- the crawler

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Addresses whose GET could act (open, close, delete, remind, sign out, ...): a reader
# who reads does not press them. Every other route of the site is read.
_ACTS = re.compile(
    r"/(aabn|luk|slet|paamind|fjern|tilbagekald|log-ud|arkiver|genaktiver|godkend|afslor|"
    r"afslut|bestil|generate)/"
)
_VOLATILE = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'),
    re.compile(r'(nonce=")[^"]*'),
    re.compile(r'(data-csrf=")[^"]*'),
    re.compile(r"((?:Udskrevet|Printed) \d+\. \w+ \d{4} )\d\d:\d\d"),  # when printed
]


def _routes() -> list[str]:
    found: list[str] = []

    def walk(patterns: Iterable[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def _addresses(values: Mapping[str, Sequence[object]]) -> list[str]:
    """Every GET address of the site that can be filled from ``values`` (a parameter name
    to the values to try)."""
    out: list[str] = []
    for route in _routes():
        names = [name for _conv, name in _PARAM.findall(route)]
        if not set(names) <= set(values) or _ACTS.search("/" + route):
            continue
        for combo in itertools.product(*(values[n] for n in names)):
            filled: dict[str, object] = dict(zip(names, combo, strict=True))

            def fill(match: re.Match[str], filled: dict[str, object] = filled) -> str:
                return str(filled[match.group(2)])

            out.append("/" + _PARAM.sub(fill, route))
    return sorted(set(out))


def _normalised(text: str) -> str:
    for pattern in _VOLATILE:
        text = pattern.sub(r"\1", text)
    return text


def crawl(client: Client, addresses: Sequence[str]) -> dict[str, str]:
    """address -> what the reader gets there (HTML, a PDF's text, JSON), for every
    address they may open."""
    pages: dict[str, str] = {}
    for address in addresses:
        page = attack.read(client, address)
        if page is not None:
            pages[address] = _normalised(page)
    return pages


def _values(place: attack.Workplace, measurements: Sequence[Measurement]) -> dict[str, list[Any]]:
    return {
        "org": [place.org.slug],
        "organisation_id": [place.org.pk],
        "measurement_id": [m.pk for m in measurements],
        "unit_id": [u.pk for u in [place.root, *place.units.values()]],
    }


def _readers(place: attack.Workplace) -> dict[str, User]:
    readers = place.readers()
    director = make_user(f"direktion-{place.org.slug}@example.test")
    grant(director, place.org, Role.TOP_MANAGEMENT)
    readers["top management"] = director
    return readers


def _answer(launched: attack.Launched, people: Iterable[Person], codes: Iterable[int]) -> list[str]:
    secrets = []
    for person, code in zip(people, codes, strict=False):
        secret = attack.secret_comment()
        secrets.append(secret)
        attack.submit(
            launched.tokens[person.pk],
            {**ps7([code]), "hesteskoen.1": code + 3},
            {"hesteskoen.2": secret},
        )
    return secrets


# --------------------------------------------------------------------------- readers


def test_no_page_file_or_api_answer_moves_when_one_named_person_answers() -> None:
    """Readers (adversary 1), while open: every role reads every address the site has,
    the people's own pages included; one named person answers; every role reads it all
    again. What a reader may watch move is the release of a batch (documented); an answer
    that no batch releases must change nothing anywhere, or the reader knows that this
    person answered (section 0), saw a live figure (section 3) or saw who has answered
    (section 4)."""
    place = attack.build_workplace(
        {"Afdeling": (None, 0), "Team A": ("Afdeling", 12), "Team B": ("Afdeling", 8)},
        leaders=["Team A", "Afdeling"],
        employees=["Team A"],
    )
    launched = attack.launch(place)
    m = launched.measurement
    # Twelve answers: a batch of five is released at the tenth (so readable responses
    # exist while open), seven wait. The victim's makes eight: no release.
    _answer(launched, place.people["Team A"][:6] + place.people["Team B"][:6], [2, 3, 4] * 4)
    assert Response.objects.filter(measurement=m).count() == 5
    victim = place.people["Team A"][11]
    values = _values(place, [m])
    values["person_id"] = [victim.pk, place.people["Team B"][7].pk]
    addresses = _addresses(values)
    readers = _readers(place)
    clients = {role: attack.client_for(user) for role, user in readers.items()}
    clients["anonymous"] = Client()
    before = {role: crawl(client, addresses) for role, client in clients.items()}
    assert len(before["admin"]) > 40, "the crawler reached too little to prove anything"
    assert any("/medarbejdere/" in a for a in before["admin"]), "no person page was read"

    (secret,) = _answer(launched, [victim], [5])
    assert Response.objects.filter(measurement=m).count() == 5, "no batch was released"

    moved: dict[str, list[str]] = {}
    for role, client in clients.items():
        after = crawl(client, addresses)
        assert set(after) == set(before[role]), (role, set(after) ^ set(before[role]))
        changed = [
            f"{a}: {_first_difference(before[role][a], after[a])}"
            for a in after
            if after[a] != before[role][a]
        ]
        if changed:
            moved[role] = changed
        assert not any(secret in page for page in after.values()), role
    assert moved == {}, "pages that moved with one answer"


def test_no_page_file_or_api_answer_after_closing_holds_a_single_response() -> None:
    """Readers (adversary 1), after closing: every role reads every page (both scopes of
    every unit report), asks for every file it may have and reads the API. No response's
    id, a respondent-level record of which section 7 says none exists in the interface or
    an API, may appear anywhere; and no page or file about a group below the comment
    minimum alone (its unit report, its unit PDF, its feedback page) may show one of its
    comments (section 2: "for få svar" and nothing else). Their comments may appear in the
    lists of larger groups, which test_redteam_publication checks for isolation."""
    place = attack.build_workplace(
        {
            "Afdeling": (None, 0),
            "Team A": ("Afdeling", 12),
            "Team B": ("Afdeling", 7),
            "Lille": ("Afdeling", 3),
        },
        leaders=["Team A", "Afdeling", "Lille"],
        employees=["Team A", "Lille", "Team B"],
    )
    launched = attack.launch(place)
    m = launched.measurement
    shown = _answer(launched, place.people["Team A"], [1, 2, 3, 4, 5, 2] * 2)
    small = {
        "Team B": _answer(launched, place.people["Team B"], [2, 4, 5, 3, 1, 2, 4]),
        "Lille": _answer(launched, place.people["Lille"], [5, 5, 1]),
    }
    attack.close(place, m)
    ids = [str(i) for i in Response.objects.filter(measurement=m).values_list("id", flat=True)]
    assert len(ids) == 22
    ids += [i.replace("-", "") for i in ids]

    slug = place.org.slug
    units = [place.root, *place.units.values()]
    values = _values(place, [m])
    values["person_id"] = [place.people["Lille"][0].pk]
    addresses = sorted(set(_addresses(values)) | set(attack.report_urls(place, m)))
    seen: dict[tuple[str, str], str] = {}
    for role, user in _readers(place).items():
        client = attack.client_for(user)
        for unit in units:
            for extra in ({}, {"details": "on"}, {"scope": "unit", "details": "on"}):
                form = {"kind": ExportKind.UNIT_PDF, "unit": unit.pk, **extra}
                body = attack.download_file(client, slug, m.pk, form)
                if body is not None:
                    seen[(role, f"unit file {unit.pk} {sorted(extra)}")] = _file_text(body)
        for kind in (ExportKind.EXCEL, ExportKind.ORGANISATION_PDF):
            body = attack.download_file(client, slug, m.pk, {"kind": kind})
            if body is not None:
                seen[(role, f"file {kind}")] = _file_text(body)
        for address, page in crawl(client, addresses).items():
            seen[(role, address)] = page
    assert any(s in page for page in seen.values() for s in shown), (
        "no reader read the shown team's comments: the attack would prove nothing"
    )
    with_ids = {k: [i for i in ids if i in page] for k, page in seen.items()}
    assert {k: v for k, v in with_ids.items() if v} == {}, "a response's id reached a reader"

    def about_alone(where: str, name: str) -> bool:
        unit = place.units[name].pk
        own_report = f"/enhed/{unit}/" in where and "rapporter" in where
        return (
            own_report
            or where.startswith(f"unit file {unit} ")
            or ("tilbagemelding" in where and name in where)
        )

    leaks = {
        f"{role} {where}": [s for s in small[name] if s in page]
        for (role, where), page in seen.items()
        for name in small
        if about_alone(where, name) or (role == f"employee in {name}" and "tilbagemelding" in where)
    }
    assert {k: v for k, v in leaks.items() if v} == {}, "a small group's own page shows comments"


def _first_difference(before: str, after: str) -> str:
    """Where two reads of a page part ways, for the failure message."""
    at = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
        min(len(before), len(after)),
    )
    return f"{before[max(0, at - 80) : at + 80]!r} -> {after[max(0, at - 80) : at + 80]!r}"


def _file_text(body: bytes) -> str:
    if body.startswith(b"%PDF"):
        return _normalised(attack.pdf_text(body))
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


# --------------------------------------------------------------------------- addresses

_HIDDEN = re.compile(r"<input\b[^>]*>", re.I)
_URL_ATTR = re.compile(
    r"\b(?:href|src|srcset|action|formaction|poster|data-[\w-]*url|content)\s*=\s*\"([^\"]*)\"",
    re.I,
)
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def _inputs(page: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for tag in _HIDDEN.findall(page):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name[1]] = html_lib.unescape(value[1]) if value else ""
    return fields


def _addresses_shown(response: Any) -> list[str]:
    """Every address a response makes the browser go to, keep in its history, send as a
    Referer or show: redirects, refresh and link headers, every link, image, script and
    form target, and what a GET form would put in the address when sent."""
    found = [response.get(h, "") for h in ("Location", "Refresh", "Link", "Content-Location")]
    page = response.content.decode(errors="replace") if not response.streaming else ""
    found += [html_lib.unescape(v) for v in _URL_ATTR.findall(page)]
    for attrs, body in _FORM.findall(page):
        if re.search(r'method="?post', attrs, re.I):
            continue
        target = re.search(r'action="([^"]*)"', attrs)
        query = "&".join(f"{k}={v}" for k, v in _inputs(body).items())
        found.append(f"{target[1] if target else '?'}?{query}")
    return found


def _walk_pages(client: Client, first: Any) -> list[Any]:
    """From the first page of questions to the thank-you page: a detour back, then every
    page answered; every response on the way."""
    got = [first]
    fields = _inputs(first.content.decode())
    assert "token" in fields and "state" in fields, "not a page of questions"
    answers: dict[str, object] = {f"q-{k}": v for k, v in ps7([3]).items()}
    answers |= {"q-hesteskoen.1": 4, "q-hesteskoen.2": "Fint"}
    back = client.post(reverse("surveys:answer"), {**fields, "action": "back"})
    got.append(back)
    fields = _inputs(back.content.decode()) or fields
    for _ in range(10):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                reverse("surveys:answer"), {**fields, **answers, "action": "submit"}
            )
        got.append(response)
        assert response.status_code == 200, response.status_code
        fields = _inputs(response.content.decode())
        if "state" not in fields:
            return got
    raise AssertionError("the walk never reached the thank-you page")


def test_after_the_first_visit_no_address_carries_the_token_or_a_paper_code() -> None:
    """Whoever sees addresses (a proxy's access log, the browser's history, a Referer sent
    to a linked site; adversaries 2 and 4): after the e-mailed link is opened, the token
    travels only in POST bodies (section 1). No redirect, link, form target or GET form of
    the respondent's pages, language links included, carries it; and a paper code, typed
    into a form, never reaches an address at all."""
    place = attack.build_workplace({"Team": (None, 6)}, without_email={"Team": 2})
    launched = attack.launch(place)
    m = launched.measurement
    Measurement.objects.filter(pk=m.pk).update(languages=["da", "en"])
    (code,) = services.paper_codes_print(
        measurement=m, unit=place.units["Team"], count=1, actor=place.amo
    )
    token = next(iter(launched.tokens.values()))

    client = Client()
    first = client.get(reverse("surveys:start", kwargs={"token": token}))
    assert first.status_code == 200
    link_walk = _walk_pages(client, first)
    again = Client().get(reverse("surveys:start", kwargs={"token": token}))  # answered
    code_client = Client()
    form = code_client.get(reverse("surveys:code"))
    typed = code_client.post(reverse("surveys:code"), {"code": code, "lang": "en"})
    assert typed.status_code == 200
    code_walk = _walk_pages(code_client, typed)

    carried = {
        address
        for response in [*link_walk, again]
        for address in _addresses_shown(response)
        if token in address
    }
    # The first page's own address is the e-mailed link; it may stay in the history once.
    assert carried == set(), "the token is in an address after the first visit"
    plain = code.replace("-", "").replace(" ", "").upper()
    carried = {
        address
        for response in [form, *code_walk]
        for address in _addresses_shown(response)
        if plain in address.replace("-", "").replace(" ", "").upper()
    }
    assert carried == set(), "a paper code is in an address"
    assert len(_addresses_shown(first)) > 3, "the pages showed no address: nothing was checked"


# --------------------------------------------------------------------------- an insider


def test_a_second_answer_with_the_same_link_overwrites_nothing() -> None:
    """An insider who holds a link (adversary 3) answers, then sends again: once through a
    fresh walk from the link, once by replaying the page state from before their first
    answer (a page kept open in another tab) with other answers. Each time they get the
    "already answered" page, and what is stored and published is the first answer alone
    (section 1: one response per token, nothing overwritten)."""
    place = attack.build_workplace({"Team": (None, 6)})
    launched = attack.launch(place)
    m = launched.measurement
    people = place.people["Team"]
    for person in people[1:]:
        attack.submit(launched.tokens[person.pk], ps7([2]), {})
    token = launched.tokens[people[0].pk]

    client = Client()
    first = client.get(reverse("surveys:start", kwargs={"token": token}))
    kept = _inputs(first.content.decode())  # the other tab
    _walk_pages(client, first)
    other = {f"q-{k}": v for k, v in ps7([5]).items()} | {"q-hesteskoen.2": "Anden tekst"}
    refusals = [
        client.post(reverse("surveys:answer"), {**kept, **other, "action": "submit"}),
        Client().get(reverse("surveys:start", kwargs={"token": token})),
    ]
    fresh = Client()
    start = fresh.get(reverse("surveys:start", kwargs={"token": token}))
    if "state" in _inputs(start.content.decode()):
        refusals.append(
            fresh.post(
                reverse("surveys:answer"),
                {**_inputs(start.content.decode()), **other, "action": "submit"},
            )
        )
    for refused in refusals:
        assert "allerede svaret" in refused.content.decode(), refused.content.decode()[:300]
    attack.close(place, m)
    stored = list(Response.objects.filter(measurement=m).values_list("answers", "texts"))
    assert len(stored) == len(people)
    firsts = [a for a, t in stored if t]
    assert len(firsts) == 1 and firsts[0]["ps7.1"] == 3, stored
    assert not [a for a, _ in stored if a.get("ps7.1") == 5]


# --------------------------------------------------------------------------- the operator

# What a respondent's walk may write: the mark that refuses a second answer and the
# sealed, padded answer (docs/anonymity.md, "The path of an answer").
_WALK_WRITES = {"surveys_submissionmark", "surveys_pendinganswer"}


def _snapshot() -> dict[str, Counter[str]]:
    return {table: Counter(repr(row) for row in attack.rows(table)) for table in attack.tables()}


def test_a_respondents_whole_walk_writes_a_mark_and_a_sealed_answer_and_nothing_else() -> None:
    """The operator (adversary 2) copies every table before and after one person's whole
    walk, by link and by paper code: the privacy notice, a detour back, a language switch,
    every page, the thank-you page, a second visit of the link. The walk may add one mark
    and one sealed answer; it must not write a readable answer, touch the invitation, the
    token or the code (section 1), store a session (no tracking cookie, section 1) or an
    audit row (section 7: respondents are never audit-logged)."""
    place = attack.build_workplace({"Team": (None, 6)}, without_email={"Team": 2})
    launched = attack.launch(place)
    m = launched.measurement
    Measurement.objects.filter(pk=m.pk).update(languages=["da", "en"])
    (code,) = services.paper_codes_print(
        measurement=m, unit=place.units["Team"], count=1, actor=place.amo
    )
    token = next(iter(launched.tokens.values()))

    def first_page(client: Client, way: str) -> Any:
        if way == "link":
            return client.get(reverse("surveys:start", kwargs={"token": token}))
        return client.post(reverse("surveys:code"), {"code": code, "lang": "da"})

    for way in ("link", "code"):
        before = _snapshot()
        client = Client()
        if way == "link":
            client.get(reverse("surveys:start", kwargs={"token": token}), {"sprog": "en"})
        else:
            client.get(reverse("surveys:code"))
        _walk_pages(client, first_page(client, way))
        if way == "link":
            client.get(reverse("surveys:start", kwargs={"token": token}))
        after = _snapshot()
        changed = {
            table: {
                "added": len(after.get(table, Counter()) - before.get(table, Counter())),
                "gone": len(before.get(table, Counter()) - after.get(table, Counter())),
            }
            for table in set(before) | set(after)
            if before.get(table) != after.get(table)
        }
        assert changed == {t: {"added": 1, "gone": 0} for t in _WALK_WRITES}, (way, changed)
        assert client.cookies == {}, (way, client.cookies)


# --------------------------------------------------------------------------- reorganising

_RESULT_PAGES = ("/rapporter/", "/moedekit/", "/handleplaner/", "/api/v1/")


def _figures_of(place: attack.Workplace, readers: Mapping[str, User], m: Measurement) -> Any:
    values = _values(place, [m])
    addresses = [
        a
        for a in sorted(set(_addresses(values)) | set(attack.report_urls(place, m)))
        if any(part in a for part in _RESULT_PAGES) and not a.endswith("/filer/")
    ]  # the files page lists the reader's own requests, which the attack adds to
    read: dict[tuple[str, str], Counter[str]] = {}
    for role, user in readers.items():
        client = attack.client_for(user)
        for address, page in crawl(client, addresses).items():
            if address.startswith("/api/"):
                body = json.loads(page)
                groups = body.pop("groups", []) if isinstance(body, dict) else []
                for group in groups:
                    key = f"group {group['scope']} {group['unit']}"
                    read[(role, f"{address} {key}")] = attack.figures(
                        json.dumps(group, sort_keys=True)
                    )
                page = json.dumps(body, sort_keys=True)
            read[(role, address)] = attack.figures(page)
        for unit in [place.root, *place.units.values()]:
            form = {"kind": ExportKind.UNIT_PDF, "unit": unit.pk, "details": "on"}
            body = attack.download_file(client, place.org.slug, m.pk, form)
            if body is not None:
                read[(role, f"unit file {unit.pk}")] = attack.figures(_file_text(body))
        body = attack.download_file(client, place.org.slug, m.pk, {"kind": ExportKind.EXCEL})
        if body is not None:
            read[(role, "spreadsheet")] = attack.figures(_file_text(body))
    return read


def test_renaming_merging_and_closing_units_after_closing_moves_no_figure() -> None:
    """Readers (adversary 1) across a reorganisation after closing: a small team is
    renamed, its people moved into a sibling and the team closed; another department is
    merged into the first (its team moved over, its people with it, the department
    closed). Every figure of every result page, kit, plan page, API answer and file, for
    every role, must stay what it was at closing (section 3, "frozen at closing": moves,
    renames, merges and deletions change nothing). The move alone is attacked in
    test_reader_attacks."""
    place = attack.build_workplace(
        {
            "Afdeling": (None, 0),
            "Team A": ("Afdeling", 7),
            "Team B": ("Afdeling", 6),
            "Lille": ("Afdeling", 3),
            "Anden": (None, 1),
            "Team C": ("Anden", 6),
        },
        leaders=["Afdeling", "Team B", "Anden"],
        employees=["Team B", "Lille", "Team C"],
    )
    launched = attack.launch(place)
    m = launched.measurement
    codes = {"Team A": [1, 2] * 4, "Team B": [2, 3] * 3, "Lille": [5] * 3}
    codes |= {"Anden": [4], "Team C": [3, 4] * 3}
    for name, unit_codes in codes.items():
        _answer(launched, place.people[name], unit_codes)
    attack.close(place, m)
    readers = _readers(place)
    before = _figures_of(place, readers, m)
    assert len([k for k in before if k[0] == "admin"]) > 10, "too little was read"

    def move_people(source: str, target: str) -> None:
        for person in Person.objects.filter(unit=place.units[source]):
            org_services.person_update(
                person=person,
                actor=place.owner,
                name=person.name,
                email=person.email or "",
                unit=place.units[target],
                job_group=person.job_group,
                seniority_band=person.seniority_band,
            )

    lille = place.units["Lille"]
    org_services.unit_update(
        unit=lille,
        actor=place.owner,
        name="Omdøbt hold",
        kind=lille.kind,
        external_id=lille.external_id,
    )
    move_people("Lille", "Team B")
    org_services.unit_set_active(unit=lille, actor=place.owner, active=False)
    org_services.unit_move(
        unit=place.units["Team C"], actor=place.owner, new_parent=place.units["Afdeling"]
    )
    move_people("Anden", "Team A")
    org_services.unit_set_active(unit=place.units["Anden"], actor=place.owner, active=False)
    for unit in place.units.values():
        unit.refresh_from_db()

    after = _figures_of(place, readers, m)
    moved = {
        f"{role} {where}": attack.diff(before[(role, where)], figures)
        for (role, where), figures in after.items()
        if (role, where) in before and figures != before[(role, where)]
    }
    # A page (or an API group) a reader gains by the reorganisation must show no figure
    # beyond what somebody read there at closing: a part of the publication, which the
    # audit checks whole. (A group a leader now only compares with comes without counts.)
    published: dict[str, list[Counter[str]]] = {}
    for (_, where), figures in before.items():
        published.setdefault(where, []).append(figures)
    gained = [
        f"{role} {where}"
        for (role, where), figures in after.items()
        if (role, where) not in before
        and not any(figures <= seen for seen in published.get(where, []))
    ]
    assert moved == {}, f"a figure moved with the reorganisation: {moved}"
    assert gained == [], f"a reader gained a page with figures nobody read at closing: {gained}"


# --------------------------------------------------------------------------- determinism


def _publication_by_name(place: attack.Workplace, m: Measurement) -> dict[str, Any]:
    """The administrator's whole publication from the API, keyed by unit name, not id."""
    url = reverse("api:publication", kwargs={"measurement_id": m.pk})
    body = json.loads(attack.read(attack.client_for(place.owner), url) or "{}")
    names = {u.pk: u.name for u in place.units.values()} | {place.root.pk: "root"}
    return {
        f"{g['scope']} {names.get(g['unit'], g['unit'])}": {
            k: v for k, v in g.items() if k not in ("unit", "name")
        }
        for g in body["groups"]
    }


def _leaf_differences(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            found
            for key in sorted(set(a) | set(b), key=str)
            for found in _leaf_differences(a.get(key), b.get(key), f"{path}/{key}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            found
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for found in _leaf_differences(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float):
        # The last bits of an unrounded mean follow the order it was summed in, which is
        # the random order of storage; no page shows them, and they say nothing of anyone.
        return [] if abs(a - b) <= 1e-9 * max(1.0, abs(a)) else [(path, a, b)]
    return [] if a == b else [(path, a, b)]


def test_the_same_answers_in_another_order_hide_the_same_figures_for_the_same_reasons() -> None:
    """A reader who compares (adversary 1): the suppression decision is deterministic
    for the same data and says why (section 3). Three organisations alike get the same
    answers, submitted in different orders (and so released in different batches and
    stored in different random orders); a small team forces a choice between two equal
    sibling teams. Every figure, and every hidden figure's reason, must be the same."""
    tree = {
        "Afdeling": (None, 0),
        "Team A": ("Afdeling", 6),
        "Team B": ("Afdeling", 6),
        "Lille": ("Afdeling", 3),
    }
    answers = [("Team A", c) for c in [1, 2, 3, 4, 5, 1]]
    answers += [("Team B", c) for c in [2, 2, 3, 3, 4, 5]] + [("Lille", c) for c in [5, 4, 5]]
    published = []
    for order in (answers, answers[::-1], answers[1::2] + answers[::2]):
        place = attack.build_workplace(tree)
        launched = attack.launch(place)
        left = {name: list(people) for name, people in place.people.items()}
        for name, code in order:
            _answer(launched, [left[name].pop()], [code])
        attack.close(place, launched.measurement)
        published.append(_publication_by_name(place, launched.measurement))
    differences = [
        (i, path, a, b)
        for i in (1, 2)
        for path, a, b in _leaf_differences(published[0], published[i])
    ]
    assert differences == [], differences[:20]
    reasons = re.findall(r'"reason_text": "([^"]*)"', json.dumps(published[0], ensure_ascii=False))
    assert reasons, "nothing was hidden: the attack would prove nothing"
    assert all(r.strip() for r in reasons)
