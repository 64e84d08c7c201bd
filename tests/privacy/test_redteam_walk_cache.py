"""Red team, the respondent's walk as kept per process (commit 89c89f6): the page a link
opens is kept per measurement, language and paper-code flag with a marker for the token
(``respond._FIRST_PAGES``), and SQLite connections stay open between requests.

Adversary 3 of privacy.md section 0 (an insider who can answer) opens their own link, or
types their own paper code, after someone else opened theirs in the same process, and
reads everything in the page they get: the hidden token and state, the notice, the
language and the paper-code note. Nothing in it may come from another respondent's
request: no token, no language or paper-code status, and not the moment someone else
opened the page (the signed state carries a timestamp). Each page must be byte for byte
the page rendered afresh for this request. Found: the kept page carried the signed state
of the request that first rendered it, and its signature's timestamp told the next
respondent when someone of that small group had opened theirs; the state is now signed for
each request (``respond._STATE_MARK``).

Adversary 2 (the operator of the database) is in test_sqlite_wal_attack.py, which also
runs the walk over HTTP with connections kept open between requests.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from tests.privacy import attack
from tests.privacy.attack import secrets_in
from tests.privacy.test_sqlite_wal_attack import (
    _columns,
    _state,
    people_in,
    readable_in,
    replayed,
    run_scenario,
)
from tests.surveys.conftest import first_page_afresh, signed_at
from tryghed.surveys import respond, services
from tryghed.surveys.codes import paper_code_normalise
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
_PAPER_NOTE = "Du svarer med en papirkode."
_PAPER_NOTE_EN = "You are answering with a paper code."


def _hidden(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}


def _signed_at(state: str) -> int:
    """When the signed state was made: what anyone can read from its middle part."""
    return signing.b62_decode(state.split(":")[-2])


def _opened(token: str, query: str = "") -> str:
    response = Client().get(f"/s/{token}/{query}")
    assert response.status_code == 200, response.status_code
    assert response.cookies == {} and response["Cache-Control"] == "no-store"
    return response.content.decode()


def _typed(code: str, lang: str = "da") -> str:
    response = Client().post(reverse("surveys:code") + f"?sprog={lang}", {"code": code})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class _Place:
    """Two open measurements of one organisation in Danish and English; the first with
    paper codes for the people without e-mail."""

    def __init__(self) -> None:
        self.place = attack.build_workplace({"Team": (None, 6)}, without_email={"Team": 3})
        self.first = attack.launch(self.place, name="Forår")
        self.second = attack.launch(self.place, ("ps7",), name="Efterår")
        for launched in (self.first, self.second):
            launched.measurement.languages = ["da", "en"]
            launched.measurement.save(update_fields=["languages"])
        self.codes = services.paper_codes_print(
            measurement=self.first.measurement,
            unit=self.place.units["Team"],
            count=3,
            actor=self.place.amo,
        )

    def everyones(self) -> set[str]:
        """Every token and code handed out, as the page would show it."""
        found = set(self.first.tokens.values()) | set(self.second.tokens.values())
        return found | set(self.codes) | {paper_code_normalise(c) or "" for c in self.codes}


def _only_own(page: str, own: str, everyone: set[str]) -> None:
    fields = _hidden(page)
    assert fields["token"] == own
    others = [t for t in everyone if t and t != own and t not in own and t in page]
    assert others == [], "another respondent's token is on the page"
    assert respond._TOKEN_MARK not in page


@pytest.mark.parametrize("how", ["english", "paper code", "paper code in english"])
def test_the_kept_first_page_does_not_tell_when_someone_else_opened_theirs(how: str) -> None:
    """The only English speaker opens their link at 09:00 (or a person without e-mail
    types their code: few do). At 15:00 an insider opens their own link the same way and
    reads the signed state's timestamp: 09:00 would tell them that someone of that small
    group opened the survey, and when."""
    setup = _Place()
    links = list(setup.first.tokens.values())
    lang = "en" if "english" in how else "da"
    morning, afternoon = 1_780_000_000, 1_780_000_000 + 6 * 3600
    if how.startswith("paper code"):
        with signed_at(morning):
            _typed(setup.codes[0], lang)
        with signed_at(afternoon):
            page = _typed(setup.codes[1], lang)
            own = setup.codes[1]
    else:
        with signed_at(morning):
            _opened(links[0], "?sprog=en")
        with signed_at(afternoon):
            page = _opened(links[1], "?sprog=en")
            own = links[1]
    assert _signed_at(_hidden(page)["state"]) == afternoon, (
        "the kept first page carries the moment another respondent opened theirs"
    )
    with signed_at(afternoon):
        assert page == first_page_afresh(own, lang)
    _only_own(page, own, setup.everyones())


def test_each_kept_first_page_is_the_own_page_across_measurements_languages_and_codes() -> None:
    """Every way into the survey, interleaved in one process, after each change of what
    the page shows: each page is the one rendered afresh for that respondent, with their
    own token only, the paper-code note only for a code, and the language asked for."""
    setup = _Place()
    first_links = list(setup.first.tokens.values())
    second_links = list(setup.second.tokens.values())
    everyone = setup.everyones()
    measurement, org = setup.first.measurement, setup.place.org

    def round_of_visits(clock: int) -> None:
        visits: list[tuple[str, str, str, bool]] = []  # (own token, lang, page, by code)
        with signed_at(clock):
            for i, (lang, query) in enumerate((("da", ""), ("en", "?sprog=en"))):
                visits.append((first_links[i], lang, _opened(first_links[i], query), False))
                visits.append((second_links[i], lang, _opened(second_links[i], query), False))
                visits.append((setup.codes[i], lang, _typed(setup.codes[i], lang), True))
                # the QR code's link: the code in the address
                normalised = paper_code_normalise(setup.codes[i]) or ""
                visits.append((normalised, lang, _opened(normalised, query), True))
                visits.append((first_links[i + 2], lang, _opened(first_links[i + 2], query), False))
            for own, lang, page, by_code in visits:
                _only_own(page, own, everyone)
                assert f'<html lang="{lang}">' in page
                assert (_PAPER_NOTE in page or _PAPER_NOTE_EN in page) is by_code
                assert page == first_page_afresh(own, lang), (own, lang, by_code)

    clock = 1_780_000_000
    round_of_visits(clock)
    changes: list[tuple[object, str, object]] = [
        (measurement, "name", "Forår omdøbt"),
        (org, "name", "Omdøbt kommune"),
        (org, "slug", "omdoebt-kommune"),
        (org, "response_retention_months", 7),
        (org, "privacy_legal_basis", "Vores eget behandlingsgrundlag, aftalt med DPO."),
        (org, "contact_email", "dpo@omdoebt-kommune.dk"),
        (measurement, "min_group_score", 6),
        (measurement, "min_group_comment", 11),
        (measurement, "closes_on", measurement.closes_on + dt.timedelta(days=3)),
        (measurement, "languages", ["da"]),
    ]
    for obj, field, value in changes:
        setattr(obj, field, value)
        obj.save(update_fields=[field])  # type: ignore[attr-defined]
        clock += 1
        if field == "languages":
            # Danish only now: the English link opens the Danish page, without the switch
            with signed_at(clock):
                page = _opened(first_links[0], "?sprog=en")
                assert page == first_page_afresh(first_links[0], "da")
                assert "Read in English" not in page
            continue
        round_of_visits(clock)
    assert "Forår omdøbt" in _opened(first_links[0])
    assert "Omdøbt kommune" in _opened(first_links[0])
    assert "Vores eget behandlingsgrundlag" in _opened(first_links[0])
    assert "mailto:dpo@omdoebt-kommune.dk" in _opened(first_links[0])


def test_refusals_and_the_code_form_show_no_kept_token() -> None:
    """After pages are kept: an unknown token, a used one, a closed measurement and the
    code form (blank and mistyped) show no token of anyone, nor the marker."""
    setup = _Place()
    links = list(setup.first.tokens.values())
    everyone = setup.everyones()
    _opened(links[0])
    _opened(links[1], "?sprog=en")
    _typed(setup.codes[0])
    attack.submit(links[2], attack.ps7([3]))
    pages = [
        Client().get(f"/s/{links[2]}/").content.decode(),  # used
        Client().get("/s/ukendt-token-123/").content.decode(),  # unknown
        Client().get(reverse("surveys:code")).content.decode(),
        Client().post(reverse("surveys:code"), {"code": "ABCD-EFGH"}).content.decode(),
        Client().post(reverse("surveys:answer"), {"token": links[2]}).content.decode(),
    ]
    attack.close(setup.place, setup.first.measurement)
    pages.append(Client().get(f"/s/{links[3]}/").content.decode())  # closed
    for page in pages:
        assert respond._TOKEN_MARK not in page
        assert [t for t in everyone if t and t in page] == []
        assert 'name="state"' not in page


def test_a_measurement_changed_elsewhere_is_not_served_from_another_ones_page() -> None:
    """Two measurements with the same name, languages, dates and minimums (a copy of last
    year's, the same organisation): the key holds the measurement itself, so each link
    opens its own measurement's questions and notice."""
    setup = _Place()
    second: Measurement = setup.second.measurement
    second.name = setup.first.measurement.name
    second.save(update_fields=["name"])
    a = _opened(next(iter(setup.first.tokens.values())))
    b = _opened(next(iter(setup.second.tokens.values())))
    assert "hesteskoen" in a and "hesteskoen" not in b
    assert len(respond._FIRST_PAGES) == 2


# --------------------------------------------------------------------------- the operator


@pytest.mark.skipif(
    "sqlite" not in str(settings.DATABASES["default"]["ENGINE"]),
    reason="the -wal file attack is SQLite's",
)
def test_copies_of_the_database_and_its_wal_taken_any_time_pair_nothing_finer_than_a_batch(
    tmp_path: Path,
) -> None:
    """Adversary 2 with connections kept open between requests: the WAL is no longer
    emptied when a request's connection closes, so it holds every submission since the
    last release, commit by commit; and while a reader holds a transaction, a release's
    checkpoint cannot empty it. The operator copies the database and its -wal file after
    every request (tests/privacy/wal_threads_scenario.py: three worker threads over the
    WSGI handler) and replays each copy commit by commit. A commit that makes answers
    readable must not also add a submission's mark or change a row naming a person, nor
    make fewer than the minimum readable or consume fewer than the minimum pending answers;
    and between any two copies the readable answers grow by 0 or at least the minimum.
    Without a reader, the WAL is empty right after each release."""
    told = run_scenario("tests.privacy.wal_threads_scenario", tmp_path, DB_CONN_MAX_AGE="60")
    secret_of = {int(k): v for k, v in told["secret_of"].items()}
    invitation_person = {int(k): v for k, v in told["invitation_person"].items()}
    minimum = int(told["minimum"])
    steps = told["steps"]
    findings: list[str] = []
    readable_before: set[str] = set()
    for step in steps:
        found, readable = _replay_copy(
            tmp_path, step["copy"], secret_of, invitation_person, minimum
        )
        findings += [f"{step['copy']}: {f}" for f in found]
        grown = len(readable - readable_before)
        if 0 < grown < minimum or not readable_before <= readable:
            findings.append(f"{step['copy']}: {grown} answer(s) became readable")
        readable_before = readable
    # The attack had something to find: answers were released while people answered,
    # once while the reader held the WAL, and all are readable after closing.
    assert readable_before == set(secret_of.values())
    pairs = list(itertools.pairwise([{"responses": 0}, *steps]))
    released = [s for a, s in pairs if s["responses"] > a["responses"]]
    held = [s for s in released if s["reader"]]
    assert held and held[0]["wal_bytes"] > 0  # the checkpoint could not empty it
    not_emptied = [s["copy"] for s in released if not s["reader"] and s["wal_bytes"] != 0]
    assert not_emptied == [], "the WAL was not emptied after a release"
    assert findings == []


def _replay_copy(
    directory: Path,
    name: str,
    secret_of: dict[int, str],
    invitation_person: dict[int, int],
    minimum: int,
) -> tuple[list[str], set[str]]:
    """What one copy pairs, commit by commit, and the answers readable at its end."""
    readable = readable_in(_state(directory / name))
    found: list[str] = []
    for number, before, after, replay in replayed(directory, name):
        revealed: set[str] = set()
        people: set[int] = set()
        marks = consumed = 0
        for table, now in after.items():
            old = before.get(table, set())
            cols = _columns(replay, table)
            for row in now - old:
                revealed |= secrets_in(row)
                people |= people_in(row, cols, secret_of, invitation_person)
            if table == "surveys_submissionmark":
                marks += len(now - old)
            if table == "surveys_pendinganswer":
                consumed += len(old - now)
        revealed -= readable
        readable |= revealed
        if revealed and (people or marks):
            found.append(
                f"commit {number}: {len(revealed)} answer(s) beside {marks} mark(s) "
                f"and {len(people)} person(s)"
            )
        if revealed and (len(revealed) < minimum or consumed < minimum):
            found.append(
                f"commit {number}: {len(revealed)} answer(s) readable from "
                f"{consumed} pending, fewer than {minimum}"
            )
    return found, readable
