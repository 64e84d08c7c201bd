"""The demo organisation "Demo Kommune": a tree of ~40 units, ~600 people, a login per role.

Built through the same import code as a real organisation (CSV in, services out), so the
demo exercises what customers use. Deterministic: the same seed gives the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from tryghed.accounts.mfa import has_mfa, mfa_required
from tryghed.accounts.models import User
from tryghed.accounts.services import totp_activate
from tryghed.orgs import importing, services
from tryghed.orgs.models import Membership, Organisation, Role, Unit

DEMO_SLUG = "demo-kommune"
DEMO_PASSWORD = "tryghed-demo"  # noqa: S105 - printed by `make demo`, only for the local demo
# The authenticator-app key of the demo's administrator, AMO and top management, printed
# by `make demo` (base32, as an app takes it); `tryghed manage demo_code` shows the code.
DEMO_TOTP_SECRET = "TRYGHEDDEMOTRYGHEDDEMOTRYGHEDDEM"  # noqa: S105 - only for the local demo


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: str
    unit_external_id: str | None
    description: str


DEMO_LOGINS = (
    DemoLogin(
        "admin@demo-kommune.dk",
        "Anne Admin",
        Role.ADMIN,
        None,
        "administrator: enheder, medarbejdere, roller og import",
    ),
    DemoLogin(
        "amo@demo-kommune.dk",
        "Bo Arbejdsmiljø",
        Role.AMO,
        None,
        "arbejdsmiljøorganisationen: ser hele organisationen",
    ),
    DemoLogin(
        "direktion@demo-kommune.dk",
        "Dorthe Direktør",
        Role.TOP_MANAGEMENT,
        None,
        "topledelse: organisationsrapport, zoner, modenhed og APV (ingen enkelte teams)",
    ),
    DemoLogin(
        "leder@demo-kommune.dk",
        "Lene Leder",
        Role.LEADER,
        "SUND-HJN",
        "leder af Hjemmeplejen Nord (ser sin afdeling med teams)",
    ),
    DemoLogin(
        "medarbejder@demo-kommune.dk",
        "Mads Medarbejder",
        Role.EMPLOYEE,
        "SUND-HJN-D1",
        "medarbejder i Hjemmeplejen Nord, Dagteam 1",
    ),
)

# (external id, name, parent external id, kind, job groups of the people there)
UNITS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("DK", "Demo Kommune", "", "organisation", ()),
    ("SUND", "Sundhed og Omsorg", "DK", "omraade", ("Leder",)),
    ("SUND-HJN", "Hjemmeplejen Nord", "SUND", "afdeling", ("Leder", "Planlægger")),
    (
        "SUND-HJN-D1",
        "Dagteam 1",
        "SUND-HJN",
        "team",
        ("Social- og sundhedshjælper", "Social- og sundhedsassistent"),
    ),
    (
        "SUND-HJN-D2",
        "Dagteam 2",
        "SUND-HJN",
        "team",
        ("Social- og sundhedshjælper", "Social- og sundhedsassistent"),
    ),
    ("SUND-HJN-AF", "Aftenteam", "SUND-HJN", "team", ("Social- og sundhedshjælper",)),
    ("SUND-HJS", "Hjemmeplejen Syd", "SUND", "afdeling", ("Leder", "Planlægger")),
    (
        "SUND-HJS-DA",
        "Dagteam",
        "SUND-HJS",
        "team",
        ("Social- og sundhedshjælper", "Social- og sundhedsassistent"),
    ),
    ("SUND-HJS-AF", "Aftenteam", "SUND-HJS", "team", ("Social- og sundhedshjælper",)),
    ("SUND-HJS-NA", "Natteam", "SUND-HJS", "team", ("Social- og sundhedsassistent",)),
    ("SUND-SOL", "Plejecenter Solgården", "SUND", "afdeling", ("Leder",)),
    (
        "SUND-SOL-A",
        "Afsnit A",
        "SUND-SOL",
        "team",
        ("Social- og sundhedsassistent", "Sygeplejerske"),
    ),
    (
        "SUND-SOL-B",
        "Afsnit B",
        "SUND-SOL",
        "team",
        ("Social- og sundhedsassistent", "Sygeplejerske"),
    ),
    ("SUND-SOL-K", "Køkkenet", "SUND-SOL", "team", ("Ernæringsassistent",)),
    ("SUND-SYG", "Sygeplejen", "SUND", "afdeling", ("Sygeplejerske",)),
    ("BU", "Børn og Unge", "DK", "omraade", ("Leder",)),
    ("BU-SKO", "Skovbrynet Skole", "BU", "afdeling", ("Leder", "Administrativ medarbejder")),
    ("BU-SKO-IN", "Indskolingen", "BU-SKO", "team", ("Lærer", "Pædagog")),
    ("BU-SKO-MT", "Mellemtrinnet", "BU-SKO", "team", ("Lærer",)),
    ("BU-SKO-US", "Udskolingen", "BU-SKO", "team", ("Lærer",)),
    ("BU-SKO-SFO", "SFO Skovbrynet", "BU-SKO", "team", ("Pædagog", "Pædagogmedhjælper")),
    ("BU-AAB", "Åbyskolen", "BU", "afdeling", ("Leder",)),
    ("BU-AAB-IN", "Indskolingen", "BU-AAB", "team", ("Lærer", "Pædagog")),
    ("BU-AAB-US", "Udskolingen", "BU-AAB", "team", ("Lærer",)),
    ("BU-DAG", "Dagtilbud Øst", "BU", "afdeling", ("Leder",)),
    ("BU-DAG-MB", "Børnehuset Mælkebøtten", "BU-DAG", "team", ("Pædagog", "Pædagogmedhjælper")),
    ("BU-DAG-MT", "Vuggestuen Myretuen", "BU-DAG", "team", ("Pædagog", "Pædagogmedhjælper")),
    ("TM", "Teknik og Miljø", "DK", "omraade", ("Leder",)),
    ("TM-VP", "Vej og Park", "TM", "afdeling", ("Leder",)),
    ("TM-VP-DR", "Driftsholdet", "TM-VP", "team", ("Håndværker", "Chauffør")),
    ("TM-VP-GR", "Grønne områder", "TM-VP", "team", ("Anlægsgartner",)),
    ("TM-BYG", "Byggesag", "TM", "afdeling", ("Ingeniør", "Administrativ medarbejder")),
    ("ADM", "Administration", "DK", "omraade", ("Leder",)),
    ("ADM-HR", "HR og Løn", "ADM", "afdeling", ("HR-konsulent", "Lønkonsulent")),
    ("ADM-IT", "IT", "ADM", "afdeling", ("IT-medarbejder",)),
    ("ADM-OEK", "Økonomi", "ADM", "afdeling", ("Økonom",)),
    ("ADM-BS", "Borgerservice", "ADM", "afdeling", ("Administrativ medarbejder",)),
    ("BES", "Beskæftigelse", "DK", "omraade", ("Leder",)),
    ("BES-JC", "Jobcenteret", "BES", "afdeling", ("Leder",)),
    ("BES-JC-YD", "Ydelse", "BES-JC", "team", ("Sagsbehandler",)),
    ("BES-JC-VS", "Virksomhedsservice", "BES-JC", "team", ("Virksomhedskonsulent",)),
)

FIRST_NAMES = (
    "Anne",
    "Mette",
    "Hanne",
    "Susanne",
    "Lene",
    "Maria",
    "Camilla",
    "Louise",
    "Sofie",
    "Ida",
    "Emma",
    "Julie",
    "Karen",
    "Pia",
    "Birgitte",
    "Tina",
    "Charlotte",
    "Rikke",
    "Helle",
    "Line",
    "Peter",
    "Jens",
    "Lars",
    "Henrik",
    "Søren",
    "Niels",
    "Michael",
    "Thomas",
    "Morten",
    "Jesper",
    "Rasmus",
    "Mads",
    "Anders",
    "Martin",
    "Christian",
    "Jakob",
    "Frederik",
    "Mikkel",
    "Ahmed",
    "Fatima",
    "Ali",
    "Aisha",
    "Jonas",
    "Kasper",
    "Nanna",
    "Signe",
    "Bo",
    "Kim",
    "Ole",
    "Per",
)
LAST_NAMES = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Holm",
    "Schmidt",
    "Lund",
    "Eriksen",
    "Kaya",
)
SENIORITY = ("0-2 år", "2-5 år", "5-10 år", "over 10 år")
NO_EMAIL_NAMES = (
    "Birthe Holm",
    "Jamal Hassan",
    "Lise Kjær",
    "Per Nørgaard",
    "Zainab Ali",
    "Tove Lauridsen",
)


def _units_csv() -> str:
    lines = ["unit_id;name;parent_id;kind"]
    lines += [f"{uid};{name};{parent};{kind}" for uid, name, parent, kind, _jobs in UNITS]
    return "\n".join(lines) + "\n"


def _people_csv(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["employee_id;name;unit_id;email;job_group;seniority_band"]
    number = 1000
    children = {parent for _u, _n, parent, _k, _j in UNITS}
    for uid, _name, _parent, _kind, jobs in UNITS:
        if not jobs:
            continue
        is_leaf = uid not in children
        if not is_leaf:
            size = rng.randint(1, 3)  # leaders and staff functions sit on the department itself
        elif uid in {"BU-AAB-US", "SUND-SOL-K", "TM-VP-GR"}:
            size = rng.randint(3, 4)  # small teams: below the minimum group size in reports
        else:
            size = rng.randint(11, 36)
        for _ in range(size):
            number += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last}.{number}@demo-kommune.dk".lower()
            email = email.replace("ø", "oe").replace("æ", "ae").replace("å", "aa")
            lines.append(
                ";".join(
                    [
                        str(number),
                        f"{first} {last}",
                        uid,
                        email,
                        rng.choice(jobs),
                        rng.choice(SENIORITY),
                    ]
                )
            )
    # The demo's employee login is also an employee who can be invited and answer.
    lines.append(
        "999;Mads Medarbejder;SUND-HJN-D1;medarbejder@demo-kommune.dk;"
        "Social- og sundhedshjælper;2-5 år"
    )
    # The evening team's helpers without a work e-mail answer with paper codes; once Mads
    # has answered, `make demo` hands out one of their codes instead (demo_banner).
    for n, name in enumerate(NO_EMAIL_NAMES, start=991):
        lines.append(f"{n};{name};SUND-HJN-AF;;Social- og sundhedshjælper;{SENIORITY[n % 4]}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def load_demo(*, seed: int = 2026) -> tuple[Organisation, bool]:
    """Create Demo Kommune unless it exists. Returns (organisation, created)."""
    existing = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False
    organisation = services.organisation_create(
        name="Demo Kommune", slug=DEMO_SLUG, actor=None, root_external_id="DK"
    )
    organisation.contact_email = "tilgaengelighed@demo-kommune.dk"
    organisation.save(update_fields=["contact_email"])
    importing.apply_import(organisation=organisation, content=_units_csv(), actor=None)
    importing.apply_import(organisation=organisation, content=_people_csv(seed), actor=None)
    for login in DEMO_LOGINS:
        user = User.objects.filter(email=login.email).first()
        if user is None:
            user = User.objects.create_user(
                email=login.email, password=DEMO_PASSWORD, full_name=login.name
            )
        unit = (
            Unit.objects.get(organisation=organisation, external_id=login.unit_external_id)
            if login.unit_external_id
            else None
        )
        Membership.objects.get_or_create(
            organisation=organisation, user=user, role=login.role, unit=unit
        )
        if mfa_required(user) and not has_mfa(user):
            # Two-step verification, as every such role has; the banner prints the key.
            totp_activate(user=user, secret=DEMO_TOTP_SECRET)
    return organisation, True
