"""Demo cases in "Sig det": a few open cases in different states, and a settled half-year.

The demo leader's unit (Hjemmeplejen Nord) has a new case, an acknowledged one, an
answered one with the reporter's reply, a closed one and one that became an action in
its plan; the AMO/HR has one case. Older cases fill the newest settled half-year so the
figures page and the APV dashboard have figures above the minimums. Dates are relative
to today. The receipt code of the case that became an action is returned (the load_demo
command prints it), so a reviewer can open that case as its reporter.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tryghed.accounts.models import User
from tryghed.actions.models import ActionPlan
from tryghed.orgs.models import Organisation, Unit
from tryghed.surveys.codes import paper_code_display
from tryghed.voice import outcomes, services
from tryghed.voice.models import Case, Kind, Receiver, add_months
from tryghed.voice.statistics import settled_periods

LEADER_UNIT = "SUND-HJN"
OTHER_UNIT = "SUND-HJS"
LEADER_EMAIL = "leder@demo-kommune.dk"
AMO_EMAIL = "amo@demo-kommune.dk"

# The settled half-year: (unit, receiver, kind, days to acknowledge, days to answer,
# whether it became an action). None: never, within the half-year's figures.
_SETTLED = (
    *[(LEADER_UNIT, Receiver.LEADER, Kind.CONCERN, 2, 20, n < 3) for n in range(4)],
    *[(LEADER_UNIT, Receiver.LEADER, Kind.IDEA, 5, 45, n == 0) for n in range(2)],
    (LEADER_UNIT, Receiver.LEADER, Kind.NEAR_MISS, 10, None, False),
    *[(OTHER_UNIT, Receiver.LEADER, Kind.NEAR_MISS, 1, 14, n < 2) for n in range(3)],
    *[(OTHER_UNIT, Receiver.LEADER, Kind.MISTAKE, 9, 120, False) for n in range(2)],
    (OTHER_UNIT, Receiver.LEADER, Kind.IDEA, None, None, False),
    *[(LEADER_UNIT, Receiver.AMO, Kind.CONCERN, 3, 30, n == 0) for n in range(5)],
)


def _settled_half_year(organisation: Organisation, units: dict[str, Unit], today: dt.date) -> None:
    period = settled_periods(today, 1)[0]
    span = (period.end - period.start).days
    for n, (unit_id, receiver, kind, ack, answer, acted) in enumerate(_SETTLED):
        opened = period.start + dt.timedelta(days=(n * 11) % span)
        case, _code = services.case_raise(
            organisation=organisation,
            unit=units[unit_id],
            receiver=receiver,
            kind=kind,
            text="En ældre sag til demoens tal.",
            today=opened,
        )
        # Written as the stored days only; what the receivers wrote is not part of the figures.
        Case.objects.filter(pk=case.pk).update(
            acknowledged_on=opened + dt.timedelta(days=ack) if ack is not None else None,
            answered_on=opened + dt.timedelta(days=answer) if answer is not None else None,
            outcome_on=opened + dt.timedelta(days=40) if acted else None,
            closed_on=add_months(opened, 4),
        )


@transaction.atomic
def load_demo_voice(organisation: Organisation) -> str | None:
    """The demo's cases, once; the receipt code of the case that became an action, or None
    when the cases are there already or the demo's unit, users or plans are missing."""
    units = {
        u.external_id: u
        for u in Unit.objects.filter(
            organisation=organisation, external_id__in=[LEADER_UNIT, OTHER_UNIT]
        )
    }
    leader = User.objects.filter(email=LEADER_EMAIL).first()
    amo = User.objects.filter(email=AMO_EMAIL).first()
    plan = (
        ActionPlan.objects.filter(focus_area__unit__external_id=LEADER_UNIT)
        .filter(organisation=organisation)
        .order_by("pk")
        .first()
    )
    if len(units) < 2 or leader is None or amo is None or plan is None:
        return None
    if Case.objects.filter(organisation=organisation).exists():
        return None
    today = timezone.localdate()
    unit = units[LEADER_UNIT]

    def days_ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def raise_case(kind: str, text: str, opened: int, receiver: str = Receiver.LEADER) -> Case:
        case, _code = services.case_raise(
            organisation=organisation,
            unit=unit,
            receiver=receiver,
            kind=kind,
            text=text,
            today=days_ago(opened),
        )
        return case

    raise_case(
        Kind.CONCERN,
        "Vi har for lidt tid til overlevering mellem dag- og aftenvagt, så beskeder bliver væk.",
        2,
    )
    acknowledged = raise_case(
        Kind.IDEA, "Kunne vi få en fast makker, når vi kører ud til nye borgere?", 12
    )
    services.receiver_acknowledge(
        case=acknowledged, actor=leader, which="meeting", today=days_ago(10)
    )
    answered = raise_case(
        Kind.NEAR_MISS,
        "Medicinlisten i en borgers mappe var ikke opdateret efter udskrivelsen.",
        40,
    )
    services.receiver_acknowledge(case=answered, actor=leader, which="read", today=days_ago(38))
    services.receiver_reply(
        case=answered,
        actor=leader,
        text="Tak. Vi har aftalt med sygeplejen, at medicinlister tjekkes ved første besøg.",
        today=days_ago(20),
    )
    services.reporter_reply(
        case=answered, text="Godt. Gælder det også i weekenden?", today=days_ago(18)
    )
    closed = raise_case(Kind.MISTAKE, "Jeg glemte at låse nøgleboksen efter et besøg.", 70)
    services.receiver_reply(
        case=closed,
        actor=leader,
        text="Tak, fordi du sagde det. Vi sætter en påmindelse ind i ruteplanen.",
        today=days_ago(60),
    )
    services.case_close(case=closed, today=days_ago(55))
    acted, code = services.case_raise(
        organisation=organisation,
        unit=unit,
        receiver=Receiver.LEADER,
        kind=Kind.CONCERN,
        text="Vi når sjældent at holde pause, når der er sygdom på holdet.",
        today=days_ago(30),
    )
    services.receiver_reply(
        case=acted,
        actor=leader,
        text="Det tager vi alvorligt. Vi lægger pauserne ind i vagtplanen og følger op.",
        today=days_ago(26),
    )
    outcomes.case_to_action(
        case=acted,
        actor=leader,
        plan=plan,
        what="Pauser lægges fast ind i vagtplanen, også ved sygdom",
        deadline=today + dt.timedelta(days=45),
        owner_name=leader.get_full_name(),
        today=days_ago(25),
    )
    to_amo = raise_case(
        Kind.CONCERN,
        "Tonen på personalemøderne er blevet hård, og ingen siger noget.",
        5,
        receiver=Receiver.AMO,
    )
    services.receiver_acknowledge(case=to_amo, actor=amo, which="investigating", today=days_ago(3))
    _settled_half_year(organisation, units, today)
    return paper_code_display(code)
