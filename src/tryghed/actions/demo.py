"""Demo action plans: the demo leader's unit turns its two weakest results into plans.

One action is overdue, one plan is evaluated, and the AMO has signed one off. The day's
reminders are enqueued once the plans are stored, so the demo's worker sends the reminder
for the overdue action (data/worker.log), as the daily ``tryghed remind-actions`` would. The autumn 2025 wave is the starting point, so
the spring 2026 wave is the re-measurement whose change shows on the plans.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tryghed.accounts.models import User
from tryghed.actions import selectors, services
from tryghed.actions.models import (
    ActionStatus,
    Ease,
    FocusArea,
    HasSolution,
    Level,
    PlanStatus,
    Prevention,
)
from tryghed.actions.tasks import send_action_reminders
from tryghed.orgs.models import Organisation, Person, Unit
from tryghed.surveys.models import Measurement, Status

LEADER_UNIT = "SUND-HJN"
LEADER_EMAIL = "leder@demo-kommune.dk"
AMO_EMAIL = "amo@demo-kommune.dk"


@transaction.atomic
def load_demo_actions(organisation: Organisation) -> bool:
    """Two plans for the demo leader's unit, once. False when already there or when the
    measurements are missing."""
    unit = Unit.objects.filter(organisation=organisation, external_id=LEADER_UNIT).first()
    start = (
        Measurement.objects.filter(
            organisation=organisation, status=Status.CLOSED, previous__isnull=True
        )
        .order_by("opens_on")
        .first()
    )
    if unit is None or start is None:
        return False
    if FocusArea.objects.filter(unit=unit).exists():
        return False
    leader = User.objects.filter(email=LEADER_EMAIL).first()
    amo = User.objects.filter(email=AMO_EMAIL).first()
    weakest = selectors.weakest_scales(start, unit, 2, "da")
    if len(weakest) < 2:
        return False
    people = list(
        Person.objects.filter(unit__path__startswith=unit.path, is_active=True).order_by("name")[:3]
    )
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    first, second = weakest

    focus = services.focus_area_create(
        unit=unit,
        measurement=start,
        actor=leader,
        kind=first.kind,
        instrument_id=first.instrument_id,
        figure_id=first.figure_id,
        title=first.label,
        baseline=first.baseline(),
        has_solution=HasSolution.YES,
        ease=Ease.MODERATE,
        cost_of_ignoring=(
            "Flere sygemeldinger og at gode kolleger søger væk. Problemerne bliver ved med at "
            "dukke op på personalemøderne."
        ),
    )
    plan = services.plan_create(
        focus=focus,
        actor=leader,
        problem=(
            "Resultatet er det svageste i afdelingen. På personalemødet fortalte flere, at de "
            "sjældent når at tale om det, der er svært, fordi dagen er fyldt op."
        ),
        goal="Et bedre resultat ved næste måling, og at alle oplever, at der er plads til at "
        "tage det svære op på teammøderne.",
        level=Level.GROUP,
        prevention=Prevention.PRIMARY,
        evaluation_criteria="Resultatet i næste måling; en runde på personalemødet efter tre "
        "måneder om, hvordan de faste teammøder virker.",
        evaluation_date=today + 60 * day,
        status=PlanStatus.ACTIVE,
        participants_count=14,
        participants="Hele afdelingen på personalemødet, to arbejdsmiljørepræsentanter",
    )
    services.action_add(
        plan=plan,
        actor=leader,
        what="Fast punkt på teammødet hver 14. dag: hvad er gået godt, og hvad var svært?",
        owner_person=people[0] if people else None,
        owner_name="" if people else "Lene Leder",
        deadline=today - 5 * day,  # overdue: the daily reminder picks it up
        status=ActionStatus.IN_PROGRESS,
    )
    services.action_add(
        plan=plan,
        actor=leader,
        what="Lederen deler på næste personalemøde et eksempel på en fejl, hun selv har lært af.",
        owner_name="Lene Leder",
        deadline=today + 5 * day,
        status=ActionStatus.NOT_STARTED,
    )
    if amo is not None:
        services.plan_sign_off(plan=plan, actor=amo)

    focus_two = services.focus_area_create(
        unit=unit,
        measurement=start,
        actor=leader,
        kind=second.kind,
        instrument_id=second.instrument_id,
        figure_id=second.figure_id,
        title=second.label,
        baseline=second.baseline(),
        has_solution=HasSolution.PARTLY,
        ease=Ease.EASY,
        cost_of_ignoring="Nye kolleger føler sig alene i de første uger.",
    )
    plan_two = services.plan_create(
        focus=focus_two,
        actor=leader,
        problem="Især nye kolleger savner nogen at spørge, når planlægningen ændrer sig.",
        goal="Alle nye kolleger har en fast makker de første tre måneder.",
        level=Level.GROUP,
        prevention=Prevention.SECONDARY,
        evaluation_criteria="Nye kolleger svarer ja til at have haft en makker; resultatet i "
        "næste måling.",
        evaluation_date=today - 20 * day,
        status=PlanStatus.DONE,
        participants_count=6,
        participants="Planlæggerne og tre medarbejdere fra dagteamene",
    )
    services.action_add(
        plan=plan_two,
        actor=leader,
        what="Makkerordning for nye kolleger, beskrevet på én side.",
        owner_person=people[1] if len(people) > 1 else None,
        owner_name="" if len(people) > 1 else "Planlæggerne",
        deadline=today - 45 * day,
        status=ActionStatus.DONE,
    )
    services.plan_evaluate(
        plan=plan_two,
        actor=leader,
        learning_evaluation="Ordningen virkede, hvor makkeren havde samme vagter som den nye. "
        "Planlæggerne skal tænke det ind fra starten.",
        effect_evaluation="De nye kolleger siger, at de ved, hvem de kan spørge. Forårsmålingen "
        "viser udviklingen for hele afdelingen.",
        evaluated_on=today - 10 * day,
    )
    transaction.on_commit(lambda: send_action_reminders.enqueue(today.isoformat()))
    return True
