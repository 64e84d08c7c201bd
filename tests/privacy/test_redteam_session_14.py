"""Red team, session 14: what changed on 2026-12-07, attacked as privacy.md section 0's
adversaries would, and the respondent's privacy notice read sentence by sentence against
the code.

- **Retention per measurement** (``Measurement.response_retention_months``,
  ``retention.retention_months``). Found: a cut applied "at once" only as the minimum of
  the stored and the current period, so a later raise undid it. Respondents who answered
  while the period was cut were told the shorter period (the notice quotes the minimum),
  yet their answers were kept for the longer one the measurement had opened with. A cut
  is now written to the measurements it shortens (``organisation_update_settings``).
- **The notice's new comment sentence** («De kommentarer, rapporten viser, gemmes med
  resultaterne»): a comment the report never shows is kept nowhere after the purge.
- **The notice, sentence by sentence**: «Intet gemmes, før du trykker «Send svar»» and
  «springe spørgsmål over og gå tilbage» (a two-page walk writes no row before sending),
  «med dato kun på ugeniveau» (no date column where an answer goes). Found, then decided:
  «slettes N måneder efter» did not hold while a follow-up
  measurement was a draft or open, since the purge waited for it; it no longer waits (the
  follow-up compares with the frozen publication).
- **The lent phone** (``dialogue/phone.py``): an answer changed afterwards is not shown
  either, and a form a borrower sends with an error shows only what the borrower sent.
- **The learning log's thank-you cookie**: only the log's own address receives it, it
  names no entry, lives at most two minutes, and the first look at the log deletes it.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_redteam_insider_answers import _join, _ticked
from tryghed.dialogue import services as dialogue
from tryghed.dialogue.models import ExerciseKind, Placement
from tryghed.learning.views import WRITTEN_COOKIE, WRITTEN_SECONDS
from tryghed.orgs.services import organisation_update_settings
from tryghed.surveys import retention
from tryghed.surveys import services as survey_services
from tryghed.surveys.models import Measurement, Response

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- retention


def _notice_months(token: str) -> int:
    """The months the first page's notice quotes (the kept first page, as served)."""
    page = Client().get(reverse("surveys:start", kwargs={"token": token}))
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())))
    match = re.search(r"besvarelser slettes (\d+) ", text)
    assert match, "the notice quotes no retention period"
    return int(match.group(1))


def _open(place: attack.Workplace) -> attack.Launched:
    today = timezone.localdate()
    measurement = survey_services.measurement_create(
        organisation=place.org,
        actor=place.owner,
        name="Måling",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(place.root)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        languages=["da"],
    )
    start = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey_services.measurement_open(measurement=measurement, actor=place.owner)
    tokens = {}
    for i, message in enumerate(mail.outbox[start:]):
        found = attack.LINK.search(str(message.body))
        if found:
            tokens[i] = found.group(1)
    measurement.refresh_from_db()
    return attack.Launched(measurement, tokens)


def test_a_cut_then_a_raise_keeps_no_answer_longer_than_its_notice_said() -> None:
    """Opened under 36 months. The administrator cuts the period to 12 while it is open:
    the notice says 12 to everyone who answers from then on, and they answer. Then the
    period is raised to 48. Their answers must still go 12 months after closing, not the
    36 the measurement opened with (the notice told them 12)."""
    place = attack.build_workplace({"Team": (None, 6)})
    launched = _open(place)
    tokens = list(launched.tokens.values())
    assert _notice_months(tokens[0]) == 36  # and the first page is now kept
    organisation_update_settings(
        organisation=place.org, actor=place.owner, response_retention_months=12
    )
    assert _notice_months(tokens[0]) == 12
    for token in tokens:
        attack.submit(token, ps7([4]))
    organisation_update_settings(
        organisation=place.org, actor=place.owner, response_retention_months=48
    )
    attack.close(place, launched.measurement)
    closed_on = timezone.localdate(launched.measurement.closed_at)
    assert retention.purge_due_on(launched.measurement) == retention.add_months(closed_on, 12), (
        "answers given under a notice that said 12 months are kept for 36"
    )
    due = retention.due_for_purge(today=retention.add_months(closed_on, 12))
    assert [o.measurement.pk for o in due] == [launched.measurement.pk]
    # A measurement opened after the raise quotes, and keeps, the raised period.
    later = _open(place)
    assert _notice_months(next(iter(later.tokens.values()))) == 48


def test_answers_go_the_notices_months_after_closing_even_with_a_follow_up_drafted() -> None:
    """«De enkelte besvarelser slettes N måneder efter, at målingen er lukket». The AMO
    drafts next year's follow-up of it and forgets it (or keeps it open past the day): the
    answers must still go on the day the notice promised."""
    place = attack.build_workplace({"Team": (None, 6)})
    launched = _open(place)
    months = _notice_months(next(iter(launched.tokens.values())))
    for token in launched.tokens.values():
        attack.submit(token, ps7([4]))
    attack.close(place, launched.measurement)
    today = timezone.localdate()
    survey_services.measurement_create(
        organisation=place.org,
        actor=place.owner,
        name="Opfølgning",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(place.root)],
        opens_on=today + dt.timedelta(days=300),
        closes_on=today + dt.timedelta(days=314),
        languages=["da"],
        previous=launched.measurement,
    )
    closed_on = timezone.localdate(launched.measurement.closed_at)
    promised = retention.add_months(closed_on, months)
    call_command("purge_responses", today=promised.isoformat(), stdout=io.StringIO())
    left = Response.objects.filter(measurement=launched.measurement).count()
    assert left == 0, f"{left} answers outlive the {months} months the notice quoted"


def test_a_comment_the_report_never_shows_is_kept_nowhere_after_the_purge() -> None:
    """The notice: «De kommentarer, rapporten viser, gemmes med resultaterne». A team of
    six (below the comment minimum of ten, the whole organisation too): its comments are
    shown nowhere, so after the purge no table may hold one."""
    place = attack.build_workplace({"Team": (None, 6)})
    launched = attack.launch(place, ("ps7", "hesteskoen"))
    secret = attack.secret_comment()
    for i, token in enumerate(launched.tokens.values()):
        attack.submit(token, ps7([3]), {"hesteskoen.2": secret if i == 0 else f"andet {i}"})
    attack.close(place, launched.measurement)
    for outcome in retention.due_for_purge(today=retention.purge_due_on(launched.measurement)):
        retention.measurement_purge_responses(measurement=outcome.measurement)
    assert Measurement.objects.get(pk=launched.measurement.pk).responses_purged_at
    kept = [
        t for t in attack.tables() if any(secret in attack.secrets_in(r) for r in attack.rows(t))
    ]
    assert kept == [], f"a comment no report shows is kept in {kept} after the purge"


# --------------------------------------------------------------------------- the notice's other sentences

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [str(q["sql"])[:80] for q in queries.captured_queries if _WRITE.match(str(q["sql"]))]


def test_nothing_is_stored_before_send_and_questions_can_be_skipped_and_revisited() -> None:
    """«Du kan springe spørgsmål over og gå tilbage undervejs. Intet gemmes, før du trykker
    «Send svar»». A survey of two pages: the respondent answers one question and skips
    the rest, goes on, back, switches language, on again, and only then sends. No step
    before the last writes a row; the answer with skipped questions is taken."""
    place = attack.build_workplace({"Team": (None, 6)})
    launched = attack.launch(place, ("ps7", "hesteskoen", "risk5"))
    token = next(iter(launched.tokens.values()))
    client = Client()
    answer = reverse("surveys:answer")
    with CaptureQueriesContext(connection) as walking:
        page = client.get(reverse("surveys:start", kwargs={"token": token})).content.decode()
        assert 'value="next"' in page, "a survey of one page: nothing to walk"
        steps = [
            {"action": "next", "q-ps7.1": "3"},  # one question answered, the rest skipped
            {"action": "back"},
            {"sprog": "da"},
            # The browser sends the radio button the page shows ticked.
            {"action": "next", "q-ps7.1": "3"},
        ]
        for extra in steps:
            response = client.post(answer, {**attack.hidden_fields(page), **extra})
            assert response.status_code == 200, extra
            page = response.content.decode()
            if extra.get("action") == "back":
                assert re.search(r'name="q-ps7\.1" value="3"[^>]*checked', page), (
                    "going back lost the answer given"
                )
    assert _writes(walking) == [], f"a step before «Send svar» wrote {_writes(walking)}"
    assert 'value="submit"' in page, "the last page has no «Send svar»"
    with CaptureQueriesContext(connection) as sending:
        sent = client.post(answer, {**attack.hidden_fields(page), "action": "submit"})
    assert sent.status_code == 200 and "Tak for dine svar" in sent.content.decode(), (
        "an answer with skipped questions is refused"
    )
    assert _writes(sending), "sending stored nothing"


def test_what_an_answer_leaves_is_dated_no_finer_than_its_week() -> None:
    """«... og med dato kun på ugeniveau». The tables an answer writes to (the mark, the
    sealed pending answer, the released response) have no date or time column at all; the
    response's week is a text of the ISO week."""
    place = attack.build_workplace({"Team": (None, 6)})
    launched = attack.launch(place, ("ps7",))
    before = {t: len(attack.rows(t)) for t in attack.tables()}
    for token in launched.tokens.values():
        attack.submit(token, ps7([3]))
    attack.close(place, launched.measurement)
    written = [t for t in attack.tables() if len(attack.rows(t)) != before.get(t, 0)]
    answered = [t for t in written if t in {"surveys_submissionmark", "surveys_pendinganswer"}]
    assert "surveys_response" in written and answered == ["surveys_submissionmark"]
    with connection.cursor() as cursor:
        for table in ("surveys_submissionmark", "surveys_pendinganswer", "surveys_response"):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(column.type_code, column)
                assert kind not in {"DateField", "DateTimeField", "TimeField"}, (
                    f"{table}.{column.name} dates an answer finer than its week"
                )
    weeks = {row.week for row in Response.objects.filter(measurement=launched.measurement)}
    assert all(re.fullmatch(r"\d{4}-W\d{2}", week) for week in weeks), weeks


# --------------------------------------------------------------------------- the lent phone


def test_a_changed_answer_is_not_shown_on_the_lent_phone_either(world: World) -> None:
    """Grete places herself at 2, thinks again and moves to 9, then lends Bo the phone.
    Neither placement is on the page he opens; a form he sends with an error (a value off
    the scale) shows what he sent, nothing of hers, and stores nothing."""
    session = dialogue.session_start(unit=world.team_a, actor=world.leader)
    horseshoe = session.exercises.get(kind=ExerciseKind.HORSESHOE)
    phone = Client()
    path = _join(phone, session)
    for value in ("2", "9"):
        sent = phone.post(path, {"exercise": str(horseshoe.pk), "a-": value})
        assert sent.status_code == 302
        for address in (sent["Location"], path):
            page = phone.get(address).content.decode()
            assert "Hesteskoen" in page, "not the exercise's page"
            assert _ticked(page) == set(), f"the lent phone shows the placement {value}"
    assert list(Placement.objects.values_list("value", flat=True)) == [9]
    wrong = phone.post(path, {"exercise": str(horseshoe.pk), "a-": "99"})
    assert wrong.status_code == 400
    assert _ticked(wrong.content.decode()) == set()
    assert list(Placement.objects.values_list("value", flat=True)) == [9]


# --------------------------------------------------------------------------- the thank-you cookie


def test_the_thank_you_cookie_names_no_entry_and_lives_only_until_the_log_is_seen(
    world: World,
) -> None:
    """A shared ward PC: what the writing leaves in the browser's cookie store must be
    gone when the writer has seen the log, and say nothing about the entry meanwhile."""
    log = reverse("learning:log", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    form = reverse("learning:write", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    writer = client_for(world.employee)
    done = writer.post(form, {"what_happened": "Ruten blev ikke meldt.", "show_name": "anonymous"})
    assert done.status_code == 302 and done["Location"] == log
    cookie = done.cookies[WRITTEN_COOKIE]
    assert cookie.value == "1", "the cookie's value says more than that an entry was written"
    assert cookie["path"] == log, "another page (or another unit's log) receives the cookie"
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert 0 < int(cookie["max-age"]) <= WRITTEN_SECONDS <= 120
    seen = writer.get(log)
    assert "Situationen er skrevet i loggen" in seen.content.decode()
    gone = seen.cookies[WRITTEN_COOKIE]
    assert gone.value == "" and gone["path"] == log and int(gone["max-age"]) == 0
    assert WRITTEN_COOKIE not in writer.cookies or writer.cookies[WRITTEN_COOKIE].value == ""
