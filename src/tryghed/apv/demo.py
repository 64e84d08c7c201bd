"""Demo APV for Demo Kommune: risk assessments in Sundhed og Omsorg, sickness absence, a
wellbeing team, hand-entered indicators and a recent change in the work, so that the next
``remind-apv`` sends a revision reminder. Once only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tryghed.accounts.models import User
from tryghed.apv import selectors, services
from tryghed.apv.models import (
    ApvDocument,
    Contribution,
    FullySound,
    GoldenRule,
    PreventiveMeasure,
    RiskFactor,
    WorkChangeKind,
)
from tryghed.orgs.models import Organisation, Unit

AMO_EMAIL = "amo@demo-kommune.dk"

# Per unit: factor -> (omfang, varighed, karakter, tiltag, kombination, forsvarligt, handlinger)
ASSESSMENTS: dict[str, dict[str, tuple[str, str, str, list[str], str, str, str]]] = {
    "SUND-HJN": {
        RiskFactor.WORKLOAD: (
            "Hovedparten af medarbejderne i dagteamene oplever ofte, at der er flere besøg, "
            "end der er tid til. Pauserne bliver sprunget over på travle dage.",
            "Har stået på siden sommeren 2025, især mandag og fredag og i ferieperioder.",
            "Tidspresset gør, at borgerbesøg bliver kortere end planlagt, og flere går hjem "
            "med en følelse af ikke at have nået det, de skulle.",
            [PreventiveMeasure.PLANNING, PreventiveMeasure.SUPPORT],
            "Forstærkes af uklare prioriteringer mellem planlægningen og teamene.",
            FullySound.NO,
            "Ny model for prioritering af besøg på travle dage; daglig tavlemøde kl. 7.45.",
        ),
        RiskFactor.DEMANDS: (
            "En del oplever modstridende beskeder fra planlægningen og fra teamlederen.",
            "Periodevis, især ved sygdom.",
            "Skaber usikkerhed om, hvad der må vælges fra.",
            [PreventiveMeasure.PLANNING, PreventiveMeasure.INFLUENCE],
            "Hænger sammen med arbejdsmængden.",
            FullySound.NO,
            "Fælles retningslinje for, hvem der prioriterer, og hvordan det meldes ud.",
        ),
        RiskFactor.EMOTIONAL: (
            "Alle har kontakt med borgere og pårørende i svære situationer.",
            "Løbende.",
            "Belastende samtaler med pårørende og borgere i sidste del af livet.",
            [PreventiveMeasure.TRAINING, PreventiveMeasure.SUPPORT],
            "",
            FullySound.YES,
            "Fortsæt med supervision hver anden måned.",
        ),
        RiskFactor.OFFENSIVE: (
            "I Aftenteamet har omkring halvdelen været udsat for krænkende handlinger det "
            "seneste halve år, især nedværdigende behandling og mobning fra kolleger. I "
            "dagteamene er det få.",
            "Har stået på i Aftenteamet siden efterårsmålingen 2025 og er ikke blevet mindre.",
            "Nedladende tone, udelukkelse fra fællesskabet og sladder; nogle oplever det "
            "flere gange om måneden.",
            [PreventiveMeasure.SUPERVISION, PreventiveMeasure.SUPPORT],
            "Forstærkes af, at aftenvagten har få fælles møder og ingen leder til stede.",
            FullySound.NO,
            "Håndteres før alt andet i Aftenteamet: lederen og arbejdsmiljørepræsentanten "
            "holder samtaler med teamet med HR's støtte, politikken mod krænkende handlinger "
            "gennemgås på et teammøde, og der følges op efter tre måneder.",
        ),
        RiskFactor.VIOLENCE: (
            "Omkring hver femte har oplevet trusler fra borgere eller pårørende det seneste "
            "halve år; få har oplevet fysisk vold.",
            "Sporadisk.",
            "Mest verbale trusler i hjemmet hos borgeren.",
            [PreventiveMeasure.TRAINING, PreventiveMeasure.AIDS],
            "",
            FullySound.YES,
            "Alle nye medarbejdere får kursus i konflikthåndtering.",
        ),
    },
    "SUND-SOL": {
        RiskFactor.WORKLOAD: (
            "Travlt i morgenvagten, roligere om eftermiddagen.",
            "Hver morgen.",
            "Presset er kortvarigt og forudsigeligt.",
            [PreventiveMeasure.PLANNING, PreventiveMeasure.SUPPORT, PreventiveMeasure.INFLUENCE],
            "",
            FullySound.YES,
            "",
        ),
        RiskFactor.EMOTIONAL: (
            "Mange beboere med demens; udadreagerende adfærd forekommer.",
            "Løbende.",
            "Kræver, at medarbejderne rummer og håndterer beboernes adfærd.",
            [PreventiveMeasure.TRAINING, PreventiveMeasure.SUPPORT],
            "Forstærkes af tidspresset om morgenen.",
            FullySound.NO,
            "Demensfaglig sparring hver uge og en ekstra medarbejder i morgenvagten.",
        ),
    },
    "SUND-HJS": {},
}

ABSENCES = (
    (
        "SUND-HJN",
        dt.date(2025, 7, 1),
        dt.date(2025, 12, 31),
        "7.40",
        "9.1",
        Contribution.PARTLY,
        "Fraværet er steget; en del af det hænger efter medarbejdernes vurdering sammen med "
        "tidspresset i dagteamene.",
    ),
    (
        "SUND-HJN",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        "6.90",
        "8.5",
        Contribution.PARTLY,
        "Lidt lavere end sidste halvår; tidspresset er fortsat den vigtigste forklaring.",
    ),
    (
        "SUND-HJS",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        "5.20",
        "6.4",
        Contribution.NO,
        "På niveau med kommunen; ingen tegn på, at arbejdsmiljøet bidrager.",
    ),
    (
        "SUND-SOL",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        "6.10",
        None,
        Contribution.UNKNOWN,
        "Drøftes i arbejdsmiljøgruppen i september.",
    ),
)

TEAM = (
    ("Bo Arbejdsmiljø", "Arbejdsmiljørepræsentant", False),
    ("Lene Leder", "Leder, Hjemmeplejen Nord", True),
    ("Hanne Holm", "Social- og sundhedshjælper", False),
    ("Karim Nasser", "Sygeplejerske", False),
    ("Merete Dahl", "HR-konsulent", False),
    ("Jens Kjær", "Områdechef, Sundhed og Omsorg", True),
)


def _actor() -> User | None:
    return User.objects.filter(email=AMO_EMAIL).first()


@transaction.atomic
def load_demo_apv(organisation: Organisation) -> bool:
    if ApvDocument.objects.filter(organisation=organisation).exists():
        return False
    actor = _actor()
    today = timezone.localdate()
    services.apv_document_update(
        organisation=organisation,
        actor=actor,
        adopted_on=dt.date(2024, 3, 14),
        sickness_summary=(
            "Sygefraværet er samlet set på niveau med tidligere år. I Hjemmeplejen Nord "
            "vurderer arbejdsmiljøgruppen, at tidspresset bidrager til fraværet; det indgår "
            "i afdelingens handleplan."
        ),
        action_plan_text=(
            "Ud over enhedernes handleplaner: alle ledere gennemfører kurset i "
            "forebyggelse af stress inden udgangen af 2026."
        ),
        follow_up_guidelines=(
            "Arbejdsmiljøudvalget følger op på handleplanerne hvert kvartal. Hver enhed "
            "gennemgår sin handleplan på et personalemøde mindst to gange om året, og "
            "resultatet skrives ind i planen. APV'en revideres senest tre år efter "
            "vedtagelsen og altid, når arbejdet ændres på en måde, der påvirker arbejdsmiljøet."
        ),
    )
    for external_id, factors in ASSESSMENTS.items():
        unit = Unit.objects.get(organisation=organisation, external_id=external_id)
        assessment = services.risk_assessment_start(
            organisation=organisation,
            unit=unit,
            actor=actor,
            assessed_on=today - dt.timedelta(days=30),
        )
        plans = selectors.unit_plans(unit)
        for row in assessment.factors.all():
            if row.factor not in factors:
                continue
            extent, duration, character, measures, combination, sound, actions = factors[row.factor]
            services.factor_assessment_update(
                factor=row,
                actor=actor,
                extent=extent,
                duration=duration,
                character=character,
                measures=[str(m) for m in measures],
                measures_other="",
                combination=combination,
                fully_sound=sound,
                actions=actions,
                action_plan_id=plans[0].pk if plans and sound == FullySound.NO else None,
            )
    for external_id, start, end, percent, days, contributes, text in ABSENCES:
        services.sickness_absence_record(
            organisation=organisation,
            unit=Unit.objects.get(organisation=organisation, external_id=external_id),
            actor=actor,
            period_start=start,
            period_end=end,
            absence_percent=Decimal(percent),
            absence_days=Decimal(days) if days is not None else None,
            contributes=contributes,
            assessment=text,
        )
    for name, function, is_manager in TEAM:
        services.team_member_add(
            organisation=organisation,
            actor=actor,
            name=name,
            function=function,
            is_manager=is_manager,
        )
    services.indicator_entry_add(
        organisation=organisation,
        actor=actor,
        rule=GoldenRule.LEADERSHIP,
        indicator="Afdelingsmøder med trivsel på dagsordenen",
        value="9 af 12",
        period="1. halvår 2026",
    )
    services.indicator_entry_add(
        organisation=organisation,
        actor=actor,
        rule=GoldenRule.QUALIFICATIONS,
        indicator="Ledere, der har gennemført kurset i stressforebyggelse",
        value="14 af 31",
        period="2026",
    )
    # Recorded after the APV was adopted: a revision is needed, and the reminder is due.
    services.work_change_record(
        organisation=organisation,
        actor=actor,
        unit=Unit.objects.get(organisation=organisation, external_id="SUND-HJN"),
        kind=WorkChangeKind.IT,
        description=(
            "Nyt planlægningssystem til kørelister i Hjemmeplejen Nord, med ruter på "
            "medarbejdernes telefoner."
        ),
        changed_on=today - dt.timedelta(days=10),
    )
    return True
