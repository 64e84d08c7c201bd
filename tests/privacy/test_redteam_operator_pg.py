"""Red team, the operator of a PostgreSQL database (adversary 2 of privacy.md section 0),
who reads the tables' pages as they are (``pageinspect``, or the data files of a backup)
and may copy them before and after each respondent's request.

PostgreSQL marks a row version as committed in its own page (the *hint bits* of
``t_infomask``: ``HEAP_XMIN_COMMITTED``, ``HEAP_XMAX_COMMITTED``) the first time any
reader meets it after its transaction committed; nothing else needs to happen. The link
token rows are written by the invitation task, a reminder round rewrites the invitation
rows and adds a token to each, and paper codes are written when printed. If nothing
read those rows afterwards, the first reader of a person's token, invitation or code
would be the respondent's own lookup, and the bits would name everyone who has opened
their link, which is nearly everyone who has answered, and each code used. The attack
reads the bits and nothing else: no key, no answer, no timing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from django.core import mail
from django.db import DatabaseError, connection
from django.test import Client, TestCase
from django.urls import reverse

from tests.privacy import attack
from tryghed.surveys import services

pytestmark = pytest.mark.django_db(transaction=True)

# The hint bits of t_infomask (PostgreSQL's htup_details.h).
HINTS = {
    0x0100: "xmin committed",
    0x0200: "xmin invalid",
    0x0400: "xmax committed",
    0x0800: "xmax invalid",
}
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
TABLES = {  # a table naming who can answer, and its column that says who (or which code)
    "surveys_invitation": "id",
    "surveys_invitationtoken": "invitation_id",
    "surveys_papercode": "id",
}


@pytest.fixture(autouse=True)
def _pageinspect() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pages: run with DATABASE_URL=postgres://... (hint bits)")
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except DatabaseError:
        pytest.skip("pageinspect needs a superuser on the test database")


def _tuples(table: str) -> dict[str, tuple[int, str]]:
    """ctid -> (hint bits, t_ctid) of every row version in the table's pages, dead ones
    too, read from the pages only: a SELECT would set the bits it reads."""
    found: dict[str, tuple[int, str]] = {}
    mask = sum(HINTS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s::regclass) / 8192", [table])
        (pages,) = cursor.fetchone()
        for page in range(int(pages)):
            cursor.execute(
                "SELECT lp, t_infomask, t_ctid::text FROM heap_page_items(get_raw_page(%s, %s)) "
                "WHERE lp_flags = 1",
                [table, page],
            )
            for lp, infomask, next_ctid in cursor.fetchall():
                found[f"({page},{lp})"] = (infomask & mask, next_ctid)
    return found


def _signatures(table: str) -> dict[Any, tuple[str, ...]]:
    """Who (the table's column in ``TABLES``) -> the hint bits of each of their row versions."""
    pages = _tuples(table)  # before any SELECT on the table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ctid::text, {TABLES[table]} FROM {table}")  # noqa: S608
        live = dict(cursor.fetchall())
    found: dict[Any, list[str]] = {}
    for ctid, (bits, _next) in pages.items():
        here, seen = ctid, set()
        while here not in live and here in pages and here not in seen:  # an old version
            seen.add(here)
            here = pages[here][1]
        if here in live:
            words = [word for bit, word in HINTS.items() if bits & bit]
            found.setdefault(live[here], []).append("+".join(words) or "no hints")
    return {who: tuple(sorted(states)) for who, states in found.items()}


def _told_apart(
    signatures: Mapping[Any, tuple[str, ...]], answered: Iterable[Any], others: Iterable[Any]
) -> dict[str, list[tuple[str, ...]]]:
    """The hint patterns of those who answered and of those who did not, where they differ."""
    of_answered = sorted({signatures[who] for who in answered})
    of_others = sorted({signatures[who] for who in others})
    if of_answered == of_others:
        return {}
    return {"answered": of_answered, "did not": of_others}


def _walk(client: Client, first: Any) -> None:
    """From the first page of questions to the thank-you page (one page: ps7)."""
    assert first.status_code == 200, first.status_code
    fields = {n: html.unescape(v) for n, v in _HIDDEN.findall(first.content.decode())}
    answers = {f"q-ps7.{i}": 2 for i in range(1, 8)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        got = client.post(reverse("surveys:answer"), {**fields, **answers, "action": "submit"})
    assert got.status_code == 200, got.status_code
    assert 'name="state"' not in got.content.decode(), "not the thank-you page"


def _by_link(token: str) -> None:
    client = Client()
    _walk(client, client.get(reverse("surveys:start", kwargs={"token": token})))


def _by_code(code: str) -> None:
    client = Client()
    _walk(client, client.post(reverse("surveys:code"), {"code": code, "lang": "da"}))


class Scene:
    def __init__(self) -> None:
        self.place = attack.build_workplace({"Team": (None, 10)}, without_email={"Team": 4})
        self.launched = attack.launch(self.place, instruments=("ps7",))
        self.measurement = self.launched.measurement
        self.codes = services.paper_codes_print(
            measurement=self.measurement,
            unit=self.place.units["Team"],
            count=4,
            actor=self.place.amo,
        )
        self.linked = [p for p in self.place.people["Team"] if p.pk in self.launched.tokens]
        assert len(self.linked) == 10

    def invitations(self) -> dict[int, int]:
        """person -> invitation (read by the test only after the pages)."""
        from tryghed.surveys.models import Invitation

        rows = Invitation.objects.filter(measurement=self.measurement)
        return {person: pk for pk, person in rows.values_list("pk", "person_id")}


def test_the_pages_do_not_show_whose_link_or_which_code_was_used() -> None:
    scene = Scene()
    answered = scene.linked[:3]
    for person in answered:
        _by_link(scene.launched.tokens[person.pk])
    _by_code(scene.codes[0])

    tokens = _signatures("surveys_invitationtoken")
    codes = _signatures("surveys_papercode")
    invitation_of = scene.invitations()
    from tryghed.surveys.codes import paper_code_normalise
    from tryghed.surveys.models import PaperCode
    from tryghed.surveys.stamps import hash_token

    typed = paper_code_normalise(scene.codes[0])
    assert typed is not None
    used = PaperCode.objects.get(code_hash=hash_token(typed)).pk
    assert len(tokens) == 10 and len(codes) == 4
    assert (
        _told_apart(
            tokens,
            [invitation_of[p.pk] for p in answered],
            [invitation_of[p.pk] for p in scene.linked[3:]],
        )
        == {}
    ), "the token rows' hint bits name who opened their link"
    assert _told_apart(codes, [used], set(codes) - {used}) == {}, (
        "the paper codes' hint bits tell which codes were used"
    )


def test_after_a_reminder_the_pages_do_not_show_who_answered() -> None:
    scene = Scene()
    before = scene.linked[:2]
    for person in before:
        _by_link(scene.launched.tokens[person.pk])
    start = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_request(measurement=scene.measurement, actor=scene.place.owner)
    reminded = {
        message.to[0]: match.group(1)
        for message in mail.outbox[start:]
        if (match := attack.LINK.search(str(message.body)))
    }
    assert len(reminded) == 8, "the reminder goes to the eight who had not answered"
    after = scene.linked[2:4]
    for person in after:
        _by_link(reminded[person.email])

    invitations = _signatures("surveys_invitation")
    tokens = _signatures("surveys_invitationtoken")
    invitation_of = scene.invitations()
    answered = [invitation_of[p.pk] for p in before + after]
    others = [invitation_of[p.pk] for p in scene.linked[4:]]
    assert _told_apart(invitations, answered, others) == {}, (
        "the invitation rows' hint bits name who answered after the reminder"
    )
    assert _told_apart(tokens, answered, others) == {}, (
        "the token rows' hint bits name who answered"
    )


def test_opening_a_link_and_answering_change_no_page_that_names_a_person() -> None:
    """The operator copies the pages before and after one respondent's requests."""
    # Found before anyone is invited: reading a table's columns scans its first page.
    tables = sorted(set(attack.person_linked_tables()) | set(TABLES))
    scene = Scene()
    for person in scene.linked[1:3]:
        before = {table: _tuples(table) for table in tables}
        _by_link(scene.launched.tokens[person.pk])
        after = {table: _tuples(table) for table in tables}
        changed = {t: sorted(set(after[t].items()) ^ set(before[t].items())) for t in tables}
        assert {t: c for t, c in changed.items() if c} == {}, (
            "a respondent's requests changed a page naming people"
        )
