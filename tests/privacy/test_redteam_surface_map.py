"""Red team of the surfaces around the reports (2026-12-08): the audit log and what the
daily commands print, read as privacy.md section 0's adversaries would.

A map of every place that shows or emits something derived from answers or participation
(pages, the API, files, e-mails, commands, logs, the audit log) against the adversary tests
of this folder found two surfaces that no test attacked as a whole; both are attacked here,
and found clean, so these tests stay as regression tests:

- **The audit log.** Respondents are never audit-logged (privacy.md section 7), and every
  row staff actions write over a measurement's life is read by the operator (adversary 2:
  the table, a backup) and, as "Seneste ændringer" on the dashboard and "Historik" on a
  unit's page, by administrators (adversary 1). A row written when someone answers, a
  summary or datum that follows who answered or what they answered, or a row that exists
  only for some answers would tell them. The tests run a measurement's whole life (create,
  open, paper codes, answers by link and by code, a reminder round, the closing by the
  daily command, the report and "Resultaterne er klar", the purge) in organisations that
  differ only in who answered and what, and compare the whole log, row by row.
- **The daily commands' output**, which cron mails to whoever runs the service and which
  they keep (adversary 2): ``close_measurements`` (also ``--dry-run``), ``purge_responses``
  (also ``--dry-run``) and ``audit_anonymity``. Each must print the same whoever answered
  and whatever they answered (the number of answers the purge prints is the operator's
  own count of rows, kept after the purge as ``purged_response_counts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.audit.models import AuditEvent
from tryghed.surveys import retention, services
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

# Plejen 8 with e-mail, Natholdet (under Plejen) 3, Køkkenet 8 with e-mail and 2 without
# (paper codes).
TREE = {"Plejen": (None, 8), "Natholdet": ("Plejen", 3), "Køkkenet": (None, 8)}
WITHOUT_EMAIL = {"Køkkenet": 2}


@dataclass(frozen=True)
class Answer:
    """One respondent: the unit and index of a person with e-mail (or ``code`` for the
    n-th paper code of Køkkenet), the ps7 code they give, and a comment or none."""

    unit: str
    index: int
    code: int
    comment: str = ""
    by_code: bool = False


@dataclass
class Life:
    place: attack.Workplace
    measurement: Measurement
    audit: list[tuple[str, ...]]
    outputs: dict[str, str]
    shown: dict[str, list[tuple[str, ...]]]
    rows_written_by_answers: int


def _normalise(text: str, place: attack.Workplace, _measurement: Measurement) -> str:
    """What a text says apart from the names and addresses that differ between two
    organisations built alike (ids in data are named by ``_data``, objects by ``_object``)."""
    text = text.replace(place.org.name, "ORG").replace(place.org.slug, "SLUG")
    for label, user in (("admin", place.owner), ("amo", place.amo)):
        text = text.replace(user.email, f"<{label}>")
    return text


def _data(value: Any, place: attack.Workplace, measurement: Measurement) -> str:
    """An audit row's data, with the ids of units and of the measurement as names."""
    names = {unit.pk: name for name, unit in place.units.items()}
    names[place.root.pk] = "ROOT"

    def walk(key: str, item: Any) -> Any:
        if isinstance(item, Mapping):
            return {k: walk(k, v) for k, v in sorted(item.items())}
        if isinstance(item, list):
            return [walk(key, v) for v in item]
        if key in {"unit", "units", "from", "to", "parent"} and isinstance(item, int):
            return names.get(item, "?")
        if key in {"measurement", "previous"} and item == measurement.pk:
            return "M"
        return item

    return repr(walk("", value))


def _object(event: AuditEvent, place: attack.Workplace, measurement: Measurement) -> str:
    """The row's object by what it is: the measurement, a unit by name, else its type."""
    if event.object_type == "Measurement" and event.object_id == str(measurement.pk):
        return "M"
    if event.object_type == "Unit":
        names = {str(unit.pk): name for name, unit in place.units.items()}
        return names.get(event.object_id, "ROOT" if event.object_id == str(place.root.pk) else "?")
    return f"a {event.object_type}" if event.object_id else ""


def _audit_rows(place: attack.Workplace, measurement: Measurement) -> list[tuple[str, ...]]:
    """Every row of the organisation's log and every row without one (sign-ins and the
    like, which the operator reads beside them), oldest first, without its time."""
    rows = AuditEvent.objects.filter(
        Q(organisation=place.org) | Q(organisation__isnull=True)
    ).order_by("at", "id")
    out: list[tuple[str, ...]] = []
    for event in rows:
        if event.organisation_id is None and event.actor_id not in (place.owner.pk, place.amo.pk):
            continue  # another test's organisation in the same database
        out.append(
            (
                event.action,
                _normalise(event.actor_label, place, measurement),
                event.object_type,
                _object(event, place, measurement),
                _normalise(event.summary, place, measurement),
                _normalise(_data(event.data, place, measurement), place, measurement),
            )
        )
    return out


def _shown_to_administrators(
    place: attack.Workplace, measurement: Measurement
) -> dict[str, list[tuple[str, ...]]]:
    """What an administrator reads of the log: the dashboard's "Seneste ændringer" and each
    unit's "Historik" (action, actor, summary; the times differ between any two runs)."""
    client = attack.client_for(place.owner)
    pages = {"dashboard": reverse("orgs:dashboard", kwargs={"org": place.org.slug})}
    for name, unit in place.units.items():
        pages[f"history of {name}"] = reverse(
            "orgs:unit_detail", kwargs={"org": place.org.slug, "unit_id": unit.pk}
        )
    shown: dict[str, list[tuple[str, ...]]] = {}
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, label
        events = response.context["recent" if label == "dashboard" else "history"]
        assert events, f"{label}: the administrator reads no audit row here"
        shown[label] = [
            (
                _normalise(e.actor_label, place, measurement),
                str(e.action_display),
                _normalise(e.summary, place, measurement),
            )
            for e in events
        ]
    return shown


def _command(name: str, place: attack.Workplace, measurement: Measurement, **options: Any) -> str:
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        # audit_anonymity exits 1 on a finding: that fails the test, as it should.
        call_command(name, stdout=out, **options)
    return _normalise(out.getvalue(), place, measurement)


def _life(answers: Sequence[Answer]) -> Life:
    """A measurement's whole life in a new organisation of TREE, with these answers."""
    place = attack.build_workplace(TREE, without_email=WITHOUT_EMAIL)
    launched = attack.launch(place)
    m = launched.measurement
    codes = services.paper_codes_print(
        measurement=m, unit=place.units["Køkkenet"], count=2, actor=place.amo
    )
    with_email = {name: [p for p in ps if p.email] for name, ps in place.people.items()}

    before = AuditEvent.objects.count()
    for answer in answers:
        texts = {"hesteskoen.2": answer.comment} if answer.comment else {}
        if answer.by_code:
            attack.submit(codes[answer.index], ps7([answer.code]), texts)
        else:
            person = with_email[answer.unit][answer.index]
            attack.submit(launched.tokens[person.pk], ps7([answer.code]), texts)
    written = AuditEvent.objects.count() - before

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_request(measurement=m, actor=place.owner)

    # The daily command closes it the day after its closing day, as cron does.
    today = timezone.localdate()
    Measurement.objects.filter(pk=m.pk).update(
        opens_on=today - dt.timedelta(days=10), closes_on=today - dt.timedelta(days=1)
    )
    outputs = {
        "close_measurements --dry-run": _command("close_measurements", place, m, dry_run=True),
        "close_measurements": _command("close_measurements", place, m),
    }
    m.refresh_from_db()
    assert m.status == "closed"
    outputs["audit_anonymity"] = _command("audit_anonymity", place, m, org=place.org.slug)
    day = retention.purge_due_on(m).isoformat()
    outputs["purge_responses --dry-run"] = _command(
        "purge_responses", place, m, dry_run=True, today=day
    )
    outputs["purge_responses"] = _command("purge_responses", place, m, today=day)
    m.refresh_from_db()
    assert m.responses_purged_at is not None
    return Life(
        place=place,
        measurement=m,
        audit=_audit_rows(place, m),
        outputs=outputs,
        shown=_shown_to_administrators(place, m),
        rows_written_by_answers=written,
    )


def _answers(
    people: Mapping[str, Iterable[int]], code: int, *, codes: Iterable[int] = (), comment: str = ""
) -> list[Answer]:
    found = [
        Answer(unit, index, code, comment=comment)
        for unit, indexes in people.items()
        for index in indexes
    ]
    found += [Answer("Køkkenet", i, code, comment=comment, by_code=True) for i in codes]
    return found


# Two organisations alike in everything but who answered and what: six of Plejen, two of
# Natholdet, five of Køkkenet by link and one by paper code each, all low in the one and
# all high (with a comment each) in the other.
FIRST = _answers(
    {"Plejen": range(0, 6), "Natholdet": (0, 1), "Køkkenet": range(0, 5)}, 1, codes=(0,)
)
SECOND_PEOPLE = {"Plejen": range(2, 8), "Natholdet": (1, 2), "Køkkenet": range(3, 8)}
SECOND = _answers(
    SECOND_PEOPLE, 5, codes=(1,), comment="Vi taler for lidt sammen om det, der går galt."
)
# The same without the comments: the organisation's group (14 answers) shows comments, and
# their number is a figure of the publication like any other, which the anonymity audit
# counts among what it checks ("N afledte grupper kontrolleret"); so its output is
# compared between publications that show the same groups and counts.
SECOND_PLAIN = _answers(SECOND_PEOPLE, 5, codes=(1,))


def test_no_answer_writes_an_audit_row() -> None:
    """Operator and administrators (0.1, 0.2): answering by link or by paper code, and the
    release of the answers into readable rows that follows, write nothing to the audit
    log (privacy.md section 7: respondents are never audit-logged). A row per answer, or
    per release, would date each answer for whoever reads the log or its dashboard."""
    life = _life(FIRST)
    assert life.rows_written_by_answers == 0


def test_the_audit_log_of_a_measurements_life_is_the_same_whoever_answered_and_whatever() -> None:
    """Operator (0.2): every row of the log, oldest first (action, actor, object, summary
    and data), over a measurement's whole life, is the same in two organisations where
    different people answered, and answered differently, with as many answers per unit."""
    first, second = _life(FIRST), _life(SECOND)
    assert first.audit == second.audit
    actions = {row[0] for row in first.audit}
    # The life ran its course: the rows compared include every step's.
    assert {
        "measurement.created",
        "measurement.opened",
        "measurement.paper_codes_printed",
        "measurement.reminded",
        "measurement.closed",
        "measurement.results_mailed",
        "measurement.responses_purged",
    } <= actions


def test_what_administrators_read_of_the_log_says_nothing_of_who_or_how_many_answered() -> None:
    """Administrators (0.1): the dashboard's "Seneste ændringer" and each unit's "Historik",
    read after the purge, are the same whoever answered and however many did: here also
    an organisation where no one answered and one where only Natholdet's three did."""
    first, second = _life(FIRST), _life(SECOND)
    nobody = _life([])
    natholdet = _life(_answers({"Natholdet": range(3)}, 3))
    assert first.shown == second.shown == nobody.shown == natholdet.shown


def test_the_daily_commands_print_the_same_whoever_answered_and_whatever() -> None:
    """Operator (0.2), who keeps what cron mails: the closing (and its dry run), the
    anonymity audit and the purge (and its dry run) print the same in two organisations
    where different people answered, and answered differently; the closing prints the same
    also where no one answered."""
    first, second = _life(FIRST), _life(SECOND_PLAIN)
    assert first.outputs == second.outputs
    assert "Closed ORG: Måling" in first.outputs["close_measurements"]
    assert "Deleted 14 answers" in first.outputs["purge_responses"]
    nobody = _life([])
    for command in ("close_measurements --dry-run", "close_measurements"):
        assert nobody.outputs[command] == first.outputs[command], command
