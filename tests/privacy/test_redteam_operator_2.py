"""Red team, the operator of the database (adversary 2 of privacy.md section 0), second
round: read access to every table, the SQLite file and its WAL, a PostgreSQL replica or
backup; no secret key. Goal: whether a named person answered, or what they answered.

What the first rounds did not try is a respondent's browser that is signed in. A survey
page needs no sign-in, but it passes through every middleware like any page, and those
look after sessions.

Found: a person who signed in with an employee's sign-in link (to read the feedback page)
and has since been given a staff role (made a team's leader, or a trivselsteam member) has
that session ended at their next request, which may be the survey link in their e-mail.
The request that opens the survey then deleted the session row, which names them, and sent
them to the sign-in page with the link's token in ``?next=``, instead of the survey. So the
operator read, next to the answer that followed, who had just opened a survey link; the
token went on into the sign-in page's address (history, a proxy's log), which privacy.md
section 1 rules out; and the person had to sign in with a password, an audit row with the
time, before they could answer. The same middleware stood in front of Sig det and the
dialogue's phone pages. Pages that need no sign-in are now let through; the session ends at
the next page behind sign-in (accounts/anonymous_pages.py).

Found with it (no operator needed): staff who must use two-step verification and have not
set it up were sent from their own survey link to the set-up page, so the survey did not
open at all in a browser they were signed in with.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import grant
from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.accounts.link_session import BY_LINK, SESSION_KEY
from tryghed.orgs.models import Role

pytestmark = pytest.mark.django_db

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)
_TABLE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM|REPLACE INTO)\s+"?(\w+)"?', re.I)


def _written(queries: CaptureQueriesContext) -> list[str]:
    """The tables a request wrote to, in order (the operator's view of one request)."""
    found = []
    for query in queries.captured_queries:
        sql = str(query["sql"])
        if _WRITE.match(sql):
            match = _TABLE.match(sql)
            found.append(match.group(1) if match else sql[:60])
    return found


def _sessions() -> list[tuple[Any, ...]]:
    return sorted(attack.rows("django_session"))


def _link_session_that_gained_a_role(place: attack.Workplace) -> Client:
    """An employee who signed in with a sign-in link (to read the feedback page) and has
    since been made the team's leader: the browser still holds the link's session."""
    user = place.employees["Team"]
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = BY_LINK  # what accounts.link_views sets when a link signs in
    session.save()
    grant(user, place.org, Role.LEADER, place.units["Team"])
    return client


def _answers() -> dict[str, str]:
    return {f"q-{item}": str(code) for item, code in ps7([2]).items()}


def test_opening_the_survey_in_a_link_session_that_gained_a_role_writes_nothing() -> None:
    place = attack.build_workplace({"Team": (None, 6)}, employees=["Team"])
    launched = attack.launch(place)
    token = next(iter(launched.tokens.values()))
    client = _link_session_that_gained_a_role(place)
    before = _sessions()

    with CaptureQueriesContext(connection) as opening:
        page = client.get(reverse("surveys:start", kwargs={"token": token}))
    assert page.status_code == 200, (
        f"the survey did not open but went to {page.get('Location')!r}: the token is carried "
        "on into the sign-in page's address"
    )
    assert _written(opening) == [], (
        f"opening a survey link wrote {_written(opening)}: beside the answer that follows, "
        "the operator reads whose session it was"
    )
    assert _sessions() == before
    assert not page.cookies, "a survey page sets no cookie (privacy.md section 1)"

    with CaptureQueriesContext(connection) as sending:
        thanks = client.post(
            reverse("surveys:answer"),
            {**attack.hidden_fields(page.content.decode()), **_answers(), "action": "submit"},
        )
    assert thanks.status_code == 200 and "Tak for dine svar" in thanks.content.decode()
    assert sorted(set(_written(sending))) == ["surveys_pendinganswer", "surveys_submissionmark"]
    assert _sessions() == before
    # The session still ends, at the next page behind sign-in.
    front = client.get(reverse("orgs:dashboard", kwargs={"org": place.org.slug}))
    assert front.status_code == 302 and _sessions() != before


def test_sig_det_and_the_dialogue_phone_leave_a_link_session_that_gained_a_role_alone() -> None:
    place = attack.build_workplace({"Team": (None, 6)}, employees=["Team"])
    client = _link_session_that_gained_a_role(place)
    before = _sessions()
    for url in (
        reverse("voice:raise", kwargs={"org": place.org.slug}),
        reverse("dialogue_phone:join"),
    ):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200, f"{url} went to {page.get('Location')!r}"
        assert _written(queries) == [], f"{url} wrote {_written(queries)}"
    assert _sessions() == before


def test_staff_without_two_step_verification_can_open_their_own_survey_link() -> None:
    place = attack.build_workplace({"Team": (None, 6)})
    launched = attack.launch(place)
    token = next(iter(launched.tokens.values()))
    Authenticator.objects.filter(user=place.owner).delete()  # an administrator must have it
    client = attack.client_for(place.owner)
    assert client.get(reverse("orgs:dashboard", kwargs={"org": place.org.slug})).status_code == 302
    page = client.get(reverse("surveys:start", kwargs={"token": token}))
    assert page.status_code == 200, f"the survey went to {page.get('Location')!r}"
    assert 'name="token"' in page.content.decode()
