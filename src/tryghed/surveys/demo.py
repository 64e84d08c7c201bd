"""Demo measurements for Demo Kommune: two closed waves with synthetic answers, one open.

The synthetic answers come from a simple latent model (a unit effect plus a person
effect, a little noise per item) so reports have something true to find: units differ,
answers within a unit agree more than across units, the second wave is a little better
in Sundhed og Omsorg (which "made action plans"), and a few small teams stay below the
minimum group size. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from tryghed.core.instruments import Instrument, Item, load_builtin, load_templates
from tryghed.orgs.models import Organisation, Person, Unit
from tryghed.surveys import sealing, services
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
COMMENTS = (
    "Vi hjælper hinanden, når det brænder på.",
    "Der er for lidt tid til den enkelte borger.",
    "Mere information om ændringerne i planlægningen.",
    "God stemning i teamet, men travlt.",
    "Det ville hjælpe, hvis vi havde faste møder om, hvordan det går.",
    "Lederen lytter, men der sker ikke så meget bagefter.",
    "Bedre introduktion af nye kolleger.",
    "Vi skal blive bedre til at sige fra over for hinanden på en ordentlig måde.",
)


def _iso_weeks(start: dt.date, end: dt.date) -> list[str]:
    days = (end - start).days
    return sorted({services.iso_week(start + dt.timedelta(days=d)) for d in range(days + 1)})


def _scale_polarity(instrument: Instrument, item: Item) -> str:
    for scale in instrument.scales:
        if item.number in scale.items:
            return str(scale.polarity)
    return "higher_better"


def _pick(rng: random.Random, instrument: Instrument, item: Item, theta: float) -> int | None:
    """One answer code for a person whose work environment is ``theta`` (higher = better)."""
    if rng.random() < 0.03:
        return None  # skipped
    dont_know = item.dont_know
    if dont_know is not None and rng.random() < 0.05:
        return dont_know.code
    scored = list(item.scored_options)
    if not item.scored or not scored:
        return rng.choice(item.options).code
    polarity = _scale_polarity(instrument, item)
    goodness = theta + rng.gauss(0, 0.9)
    quantile = 0.5 * (1 + math.erf(goodness / (1.35 * math.sqrt(2))))
    if polarity == "bipolar":
        # The best answer is the middle one; strain pushes towards "too high".
        middle = len(scored) // 2
        offset = round((1 - quantile) * (len(scored) - 1 - middle) + rng.gauss(0, 0.5))
        return scored[max(0, min(len(scored) - 1, middle + offset))].code
    if polarity == "need":
        centre = (len(scored) - 1) * (0.55 - 0.25 * (quantile - 0.5))
        return scored[max(0, min(len(scored) - 1, round(centre + rng.gauss(0, 1.6))))].code
    by_points = sorted(scored, key=lambda o: item.points(o.code) or 0.0)
    if polarity == "lower_better":
        by_points.reverse()
    index = min(len(by_points) - 1, int(quantile * len(by_points)))
    return by_points[index].code


def synthetic_answers(
    rng: random.Random, instruments: Sequence[Instrument], theta: float
) -> tuple[dict[str, int | list[int]], dict[str, str]]:
    answers: dict[str, int | list[int]] = {}
    texts: dict[str, str] = {}
    for instrument in instruments:
        for item in instrument.items:
            condition = item.show_if
            if condition is not None and (
                answers.get(f"{instrument.id}.{condition.item}") not in condition.codes
            ):
                continue
            if item.type == "text":
                if rng.random() < 0.2:
                    texts[item.id] = rng.choice(COMMENTS)
                continue
            if item.type == "multi":
                answers[item.id] = [rng.choice(item.options).code]
                continue
            code = _pick(rng, instrument, item, theta)
            if code is not None:
                answers[item.id] = code
    return answers, texts


def _wave(
    *,
    organisation: Organisation,
    root: Unit,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    previous: Measurement | None,
    unit_effect: dict[int, float],
    improvement: dict[int, float],
    people: Sequence[Person],
    rng: random.Random,
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
    invitations, responses, answered_flags = [], [], []
    for person in people:
        # Response rate varies between units (55-90 %).
        rate = 0.55 + 0.35 * (zlib.crc32(person.unit.external_id.encode()) % 100) / 100
        answered = rng.random() < rate
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
            theta = (
                unit_effect[person.unit_id] + improvement.get(person.unit_id, 0.0) + rng.gauss(0, 1)
            )
            answers, texts = synthetic_answers(rng, instruments, theta)
            responses.append(
                Response(
                    measurement=measurement,
                    unit=person.unit,
                    week=weeks[-1],  # released at closing, as one batch
                    answers=answers,
                    texts=texts,
                )
            )
    # As the real path leaves them (docs/anonymity.md): a keyed mark per invitation that
    # answered, and responses in an order that says nothing about who answered.
    rng.shuffle(responses)
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
    return measurement


@transaction.atomic
def load_demo_measurements(organisation: Organisation, *, seed: int = 2026) -> bool:
    """Two closed waves over the whole organisation and one open measurement. Once only."""
    if Measurement.objects.filter(organisation=organisation).exists():
        return False
    rng = random.Random(seed)
    root = Unit.objects.get(organisation=organisation, parent__isnull=True)
    # In a fixed order, and nothing below depends on primary keys (they differ between
    # databases and runs): the same demo everywhere, so its figures and their suppression
    # are the same on SQLite and PostgreSQL.
    units = list(Unit.objects.filter(organisation=organisation).order_by("external_id", "name"))
    unit_effect = {u.pk: rng.gauss(0, 0.55) for u in units}
    health = Unit.objects.get(organisation=organisation, external_id="SUND")
    improvement = {u.pk: 0.35 for u in units if u.path.startswith(health.path)}
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
        unit_effect=unit_effect,
        improvement={},
        people=people,
        rng=rng,
    )
    _wave(
        organisation=organisation,
        root=root,
        name="Trivsel og tryghed, forår 2026",
        opens_on=dt.date(2026, 4, 13),
        closes_on=dt.date(2026, 5, 1),
        previous=first,
        unit_effect=unit_effect,
        improvement=improvement,
        people=people,
        rng=rng,
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
    _answer_open(open_measurement, rng)
    assert load_builtin()  # the instruments are loadable before anything is shown
    return True


def _answer_open(measurement: Measurement, rng: random.Random) -> None:
    """Half of the open measurement's invited answer through the real path (a token, the
    submission service), so that after the commit some answers are released in a batch
    and the rest wait, sealed, as they would in use. The demo employee is left to answer."""
    instruments = survey_selectors.measurement_instruments(measurement)
    invitations = (
        Invitation.objects.filter(measurement=measurement, person__isnull=False)
        .exclude(person__email="")  # those hold paper codes, not links
        .exclude(person__email="medarbejder@demo-kommune.dk")
        .order_by("person__employee_id")
    )
    for invitation in invitations:
        if rng.random() >= 0.5:
            continue
        token, token_hash = services.new_token()
        invitation.tokens.create(token_hash=token_hash)
        answers, texts = synthetic_answers(rng, instruments, rng.gauss(0, 1))
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
