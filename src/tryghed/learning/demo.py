"""Demo learning logs: Dagteam 1 of Hjemmeplejen Nord has situations of all three kinds over
the last year, some reviewed at a meeting, one sent on to the AMO and one not sorted yet;
Hjemmeplejen Nord itself has one whose lesson became an action in its current plan.

The demo employee (Dagteam 1) and the demo leader (Hjemmeplejen Nord) see them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tryghed.accounts.models import User
from tryghed.learning import selectors, services
from tryghed.learning.models import Entry, Kind
from tryghed.orgs.models import Organisation, Unit
from tryghed.orgs.selectors import access_for

TEAM = "SUND-HJN-D1"
DEPARTMENT = "SUND-HJN"
LEADER_EMAIL = "leder@demo-kommune.dk"
EMPLOYEE_EMAIL = "medarbejder@demo-kommune.dk"

# (days ago, kind, named, what happened, lesson, reviewed, sent on to the AMO)
TEAM_ENTRIES: tuple[tuple[int, str, bool, str, str, bool, bool], ...] = (
    (
        250,
        Kind.BASIC,
        False,
        "Nøgleboksen hos en borger blev ikke låst efter aftenbesøget. Vi har en fast rutine "
        "for det, men den var ikke gennemgået med afløserne.",
        "Rutinen for nøgler skal med i introduktionen af nye afløsere.",
        True,
        False,
    ),
    (
        120,
        Kind.BASIC,
        True,
        "Ved vagtskiftet blev det ikke givet videre, at en borgers medicin var ændret. Det står "
        "i vores procedure, men vi sprang det over, fordi der var travlt.",
        "Medicinændringer gives videre både mundtligt og i journalen, også når det er travlt. "
        "Vi tager proceduren op igen på næste teammøde.",
        True,
        False,
    ),
    (
        95,
        Kind.INTELLIGENT,
        True,
        "Vi prøvede at lade borgerne selv vælge tidspunkt for bad. Det gav for mange besøg "
        "oven i hinanden om morgenen, så vi stoppede forsøget efter tre uger.",
        "Vi ved nu meget mere om, hvad borgerne ønsker. Næste gang prøver vi med to faste "
        "tidsrum at vælge imellem. Og vi fejrer, at vi turde prøve.",
        True,
        False,
    ),
    (
        40,
        Kind.COMPLEX,
        False,
        "Efter skiftet til den nye planlægningsapp kom to besøg dobbelt på ruten, og et "
        "tredje forsvandt. Vi opdagede det først sidst på dagen.",
        "Sig det højt på morgenmødet, så snart noget i appen ser mærkeligt ud, og gennemgå "
        "ruterne sammen den første måned.",
        False,
        False,
    ),
    (
        12,
        Kind.COMPLEX,
        False,
        "Ruterne har i flere uger været så tætte, at der ikke er tid til pauser, og i sidste "
        "uge nåede vi ikke at give en borger den tid, hun skulle have.",
        "Det kan vi ikke løse i teamet alene. Lederen tager det med videre.",
        False,
        True,
    ),
    (
        3,
        "",
        False,
        "En pårørende blev vred i telefonen, og jeg vidste ikke, hvem jeg skulle give "
        "samtalen videre til.",
        "",
        False,
        False,
    ),
)


@transaction.atomic
def load_demo_learning(organisation: Organisation) -> bool:
    """The demo's learning logs, once. False when already there or the demo is missing."""
    team = Unit.objects.filter(organisation=organisation, external_id=TEAM).first()
    department = Unit.objects.filter(organisation=organisation, external_id=DEPARTMENT).first()
    leader = User.objects.filter(email=LEADER_EMAIL).first()
    employee = User.objects.filter(email=EMPLOYEE_EMAIL).first()
    if team is None or department is None or leader is None or employee is None:
        return False
    if Entry.objects.filter(organisation=organisation).exists():
        return False
    today = timezone.localdate()
    reviewed = []
    for days, kind, named, what, lesson, was_reviewed, sent_on in TEAM_ENTRIES:
        entry = services.entry_write(
            unit=team,
            writer=employee,
            what_happened=what,
            lesson=lesson,
            kind=kind,
            author_name=(employee.full_name or "Mads Medarbejder") if named else "",
            today=today - dt.timedelta(days=days),
        )
        if was_reviewed:
            reviewed.append(entry.pk)
        if sent_on:
            services.entry_forward(entry=entry, actor=leader, today=today - dt.timedelta(days=5))
    services.log_review(
        unit=team, actor=leader, entry_ids=reviewed, today=today - dt.timedelta(days=60)
    )

    entry = services.entry_write(
        unit=department,
        writer=leader,
        what_happened="Ferieplanen for sommeren hang ikke sammen, da to kolleger blev syge i "
        "juli. Vi så det for sent og måtte bede mange om at tage ekstra vagter.",
        lesson="Ferieplanen lægges sammen med teamene allerede i april, med en plan B.",
        kind=Kind.COMPLEX,
        author_name=leader.full_name or "Lene Leder",
        today=today - dt.timedelta(days=30),
    )
    access = access_for(user=leader, slug=organisation.slug)
    plans = selectors.unit_plans(access, department)
    if plans:
        services.entry_to_action(
            entry=entry,
            actor=leader,
            plan=plans[0],
            what="Læg ferieplanen sammen med teamene i april, med en plan B for sygdom",
            deadline=today + dt.timedelta(days=60),
            owner_name=leader.full_name or "Lene Leder",
        )
    return True
