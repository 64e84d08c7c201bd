"""Demo measurements for Demo Kommune: two closed waves, a closed maturity measurement
and one open measurement.

The answers come from the latent model in ``surveys.demo_answers`` (factors per person
and unit, a construct per scale, item thresholds with realistic skew, skipped answers),
so reports have something true to find: units differ about as much as real teams do,
a few teams struggle (one with a harassment problem) and a couple thrive, the second wave
is a little better in Sundhed og Omsorg (which "made action plans"), and a few small teams
stay below the minimum group size. Leaders and one employee representative per team
answered the Vision Zero maturity topics in March 2026. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from tryghed.core.answer_codes import choice_item_ids, encode
from tryghed.core.instruments import Instrument, load_builtin, load_templates
from tryghed.orgs.models import Organisation, Person, Unit
from tryghed.surveys import demo_answers, sealing, services
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys.models import Invitation, Measurement, Response, Status, SubmissionMark

WAVE_INSTRUMENTS = [
    "ps7",
    "opgavefokus",
    "tavshed",
    "stress",
    "guldkorn",
    "support4",
    "risk5",
    "hesteskoen",
]
OPEN_TEMPLATE = "psykologisk-tryghed"
MATURITY_TEMPLATE = "trivselsmodenhed"
IMPROVED_AREA = "SUND"  # made action plans after the autumn wave


def _iso_weeks(start: dt.date, end: dt.date) -> list[str]:
    days = (end - start).days
    return sorted({services.iso_week(start + dt.timedelta(days=d)) for d in range(days + 1)})


def synthetic_answers(
    rng: random.Random, instruments: Sequence[Instrument], theta: float
) -> tuple[dict[str, int | list[int]], dict[str, str]]:
    """Answers of one person around an overall level ``theta`` (higher = better), for
    benchmarks that need answers without the demo organisation."""
    person = demo_answers.respondent_from_theta(rng, theta)
    return demo_answers.answers_for(rng, instruments, person)


def _response_rate(unit: Unit) -> float:
    """Response rate varies between units (55-90 %)."""
    return 0.55 + 0.35 * (zlib.crc32(unit.external_id.encode()) % 100) / 100


def _closed(
    measurement: Measurement,
    invitations: list[Invitation],
    answered_flags: list[bool],
    responses: list[Response],
    closes_on: dt.date,
    rng: random.Random,
) -> None:
    """Store a closed measurement's invitations and answers as the real path leaves them
    (docs/anonymity.md): a keyed mark per invitation that answered, and responses in an
    order that says nothing about who answered; then close it and freeze its tree."""
    rng.shuffle(responses)
    item_ids = choice_item_ids(survey_selectors.measurement_instruments(measurement))
    for response in responses:
        response.codes = encode(response.answers, item_ids)
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    marks = [
        SubmissionMark(
            measurement=measurement, mark=sealing.current_mark(measurement.pk, invitation.pk)
        )
        for invitation, answered in zip(invitations, answered_flags, strict=True)
        if answered
    ]
    rng.shuffle(marks)
    SubmissionMark.objects.bulk_create(marks, batch_size=1000)
    Response.objects.bulk_create(responses, batch_size=500)
    Measurement.objects.filter(pk=measurement.pk).update(
        status=Status.CLOSED,
        closed_at=timezone.make_aware(dt.datetime.combine(closes_on, dt.time(16))),
    )
    measurement.refresh_from_db()
    services.measurement_freeze_tree(measurement=measurement)


def _wave(
    *,
    organisation: Organisation,
    root: Unit,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    previous: Measurement | None,
    wave: int,
    people: Sequence[Person],
    seed: int,
) -> Measurement:
    measurement = services.measurement_create(
        organisation=organisation,
        actor=None,
        name=name,
        instrument_ids=WAVE_INSTRUMENTS,
        scope=[services.ScopeEntry(root)],
        opens_on=opens_on,
        closes_on=closes_on,
        languages=["da", "en"],
        previous=previous,
    )
    instruments = survey_selectors.measurement_instruments(measurement)
    weeks = _iso_weeks(opens_on, closes_on)
    rng = random.Random(f"{seed}:wave:{wave}")
    effects: dict[str, demo_answers.UnitEffects] = {}
    invitations, responses, answered_flags = [], [], []
    for person in people:
        answered = rng.random() < _response_rate(person.unit)
        invitations.append(
            Invitation(
                measurement=measurement,
                person=person,
                unit=person.unit,
                sent_week=weeks[0],
                reminded_week=weeks[-1] if not answered else "",
                reminders_sent=0 if answered else 1,
            )
        )
        answered_flags.append(answered)
        if not answered:
            continue
        unit_id = person.unit.external_id
        if unit_id not in effects:
            improved = (
                wave > 0
                and unit_id.split("-")[0] == IMPROVED_AREA
                and unit_id not in demo_answers.NOT_IMPROVED
            )
            extra = (demo_answers.IMPROVEMENT,) if improved else ()
            effects[unit_id] = demo_answers.unit_effects(seed, unit_id, wave, extra)
        respondent = demo_answers.respondent(seed, person.employee_id, wave, effects[unit_id])
        person_rng = random.Random(f"{seed}:answers:{person.employee_id}:{wave}")
        answers, texts = demo_answers.answers_for(person_rng, instruments, respondent)
        responses.append(
            Response(
                measurement=measurement,
                unit=person.unit,
                week=weeks[-1],  # released at closing, as one batch
                answers=answers,
                texts=texts,
            )
        )
    _closed(measurement, invitations, answered_flags, responses, closes_on, rng)
    return measurement


def _maturity(
    *, organisation: Organisation, root: Unit, people: Sequence[Person], seed: int
) -> Measurement:
    """Vision Zero maturity, answered in March 2026 by the leaders and staff functions on
    the areas and departments and by the work-environment representatives of the teams
    (one per team, two in teams of 20 or more)."""
    opens_on, closes_on = dt.date(2026, 3, 2), dt.date(2026, 3, 20)
    measurement = services.measurement_create(
        organisation=organisation,
        actor=None,
        name="Trivselsmodenhed, ledelse og AMO, 2026",
        instrument_ids=list({t.id: t for t in load_templates()}[MATURITY_TEMPLATE].instruments),
        template=MATURITY_TEMPLATE,
        scope=[services.ScopeEntry(root)],
        opens_on=opens_on,
        closes_on=closes_on,
        languages=["da", "en"],
    )
    (instrument,) = survey_selectors.measurement_instruments(measurement)
    weeks = _iso_weeks(opens_on, closes_on)
    rng = random.Random(f"{seed}:maturity")
    parents = set(
        Unit.objects.filter(organisation=organisation).values_list("parent_id", flat=True)
    )
    team_size = Counter(person.unit_id for person in people)
    representatives: Counter[int] = Counter()
    invitations, responses, answered_flags = [], [], []
    for person in people:
        leader = person.unit_id in parents  # sits on an area or department
        if not leader:
            if representatives[person.unit_id] >= (2 if team_size[person.unit_id] >= 20 else 1):
                continue
            representatives[person.unit_id] += 1
        answered = rng.random() < (0.9 if leader else 0.8)
        invitations.append(
            Invitation(
                measurement=measurement,
                person=person,
                unit=person.unit,
                sent_week=weeks[0],
                reminded_week=weeks[-1] if not answered else "",
                reminders_sent=0 if answered else 1,
            )
        )
        answered_flags.append(answered)
        if answered:
            area = person.unit.external_id.split("-")[0]
            responses.append(
                Response(
                    measurement=measurement,
                    unit=person.unit,
                    week=weeks[-1],
                    answers=demo_answers.maturity_answers(
                        rng, instrument, area=area, leader=leader
                    ),
                    texts={},
                )
            )
    _closed(measurement, invitations, answered_flags, responses, closes_on, rng)
    return measurement


@transaction.atomic
def load_demo_measurements(organisation: Organisation, *, seed: int = 2026) -> bool:
    """Two closed waves over the whole organisation, a closed maturity measurement and one
    open measurement. Once only."""
    if Measurement.objects.filter(organisation=organisation).exists():
        return False
    root = Unit.objects.get(organisation=organisation, parent__isnull=True)
    # In a fixed order, and nothing below depends on primary keys (they differ between
    # databases and runs): the same demo everywhere, so its figures and their suppression
    # are the same on SQLite and PostgreSQL.
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True)
        .exclude(email="medarbejder@demo-kommune.dk")
        .select_related("unit")
        .order_by("employee_id")
    )
    today = timezone.localdate()
    first = _wave(
        organisation=organisation,
        root=root,
        name="Trivsel og tryghed, efterår 2025",
        opens_on=dt.date(2025, 10, 6),
        closes_on=dt.date(2025, 10, 24),
        previous=None,
        wave=0,
        people=people,
        seed=seed,
    )
    _maturity(organisation=organisation, root=root, people=people, seed=seed)
    _wave(
        organisation=organisation,
        root=root,
        name="Trivsel og tryghed, forår 2026",
        opens_on=dt.date(2026, 4, 13),
        closes_on=dt.date(2026, 5, 1),
        previous=first,
        wave=1,
        people=people,
        seed=seed,
    )
    builtin_templates = {t.id: t for t in load_templates()}
    open_measurement = services.measurement_create(
        organisation=organisation,
        actor=None,
        name="Psykologisk tryghed – opfølgning i Hjemmeplejen Nord",
        instrument_ids=list(builtin_templates[OPEN_TEMPLATE].instruments),
        template=OPEN_TEMPLATE,
        scope=[
            services.ScopeEntry(Unit.objects.get(organisation=organisation, external_id="SUND-HJN"))
        ],
        opens_on=today,
        closes_on=today + dt.timedelta(days=21),
        languages=["da", "en"],
    )
    services.measurement_open(measurement=open_measurement, actor=None)
    _answer_open(open_measurement, seed)
    assert load_builtin()  # the instruments are loadable before anything is shown
    return True


def _answer_open(measurement: Measurement, seed: int) -> None:
    """Half of the open measurement's invited answer through the real path (a token, the
    submission service), so that after the commit some answers are released in a batch
    and the rest wait, sealed, as they would in use. The demo employee is left to answer."""
    instruments = survey_selectors.measurement_instruments(measurement)
    invitations = (
        Invitation.objects.filter(measurement=measurement, person__isnull=False)
        .exclude(person__email="")  # those hold paper codes, not links
        .exclude(person__email="medarbejder@demo-kommune.dk")
        .select_related("person", "unit")
        .order_by("person__employee_id")
    )
    rng = random.Random(f"{seed}:open")
    effects: dict[str, demo_answers.UnitEffects] = {}
    for invitation in invitations:
        if rng.random() >= 0.5:
            continue
        person = invitation.person
        assert person is not None
        unit_id = invitation.unit.external_id
        if unit_id not in effects:  # Hjemmeplejen Nord, after the spring wave
            improved = unit_id not in demo_answers.NOT_IMPROVED
            extra = (demo_answers.IMPROVEMENT,) if improved else ()
            effects[unit_id] = demo_answers.unit_effects(seed, unit_id, 2, extra)
        respondent = demo_answers.respondent(seed, person.employee_id, 2, effects[unit_id])
        person_rng = random.Random(f"{seed}:answers:{person.employee_id}:open")
        answers, texts = demo_answers.answers_for(person_rng, instruments, respondent)
        token, token_hash = services.new_token()
        invitation.tokens.create(token_hash=token_hash)
        services.response_submit(token=token, answers=answers, texts=texts)


def demo_respondent_link(organisation: Organisation, base_url: str) -> str | None:
    """A fresh personal link for the demo employee's open invitation (like a reminder)."""
    invitation = Invitation.objects.filter(
        measurement__organisation=organisation,
        measurement__status=Status.OPEN,
        person__email="medarbejder@demo-kommune.dk",
    ).first()
    if invitation is None or survey_selectors.invitation_answered(invitation):
        return None
    token, token_hash = services.new_token()
    invitation.tokens.create(token_hash=token_hash)
    return f"{base_url.rstrip('/')}/s/{token}/"
