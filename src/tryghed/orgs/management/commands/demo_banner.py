from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.formats import date_format

from tryghed.orgs.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG, DEMO_TOTP_SECRET
from tryghed.orgs.models import Organisation, Role
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys import services as survey_services
from tryghed.surveys.demo import demo_respondent_link
from tryghed.surveys.models import Measurement, Status


def respondent_lines(organisation: Organisation, url: str) -> list[str]:
    """How to answer the open measurement, fresh on every run: a new personal link for Mads
    (like a reminder) while he has not answered, else a paper code, which belongs to no one
    (privacy.md section 5), for one of the colleagues without e-mail.

    Never in production: it asks whether a named person has answered, gives only that
    person a new link when not, and prints a code no one is recorded as printing."""
    if getattr(settings, "PRODUCTION", False):
        return []
    measurement = (
        Measurement.objects.filter(organisation=organisation, status=Status.OPEN)
        .order_by("-opens_on", "-pk")
        .first()
    )
    if measurement is None:
        return []
    if not survey_selectors.is_accepting(measurement):
        return [
            "",
            f"  Den åbne måling lukkede {date_format(measurement.closes_on)}; der kan ikke "
            "svares mere. Start forfra med en tom data/-mappe for at prøve at svare.",
        ]
    link = demo_respondent_link(organisation, url)
    if link:
        return [
            "",
            "  Besvar den åbne måling som Mads Medarbejder (personligt link, virker én gang):",
            f"    {link}",
        ]
    row = next((r for r in survey_selectors.paper_code_units(measurement) if r.room), None)
    if row is None:
        return [
            "",
            "  Mads Medarbejder har svaret, og demoens papirkoder er brugt. Start forfra med en",
            "  tom data/-mappe for at svare igen.",
        ]
    (code,) = survey_services.paper_codes_print(
        measurement=measurement, unit=row.unit, count=1, actor=None
    )
    path = reverse("surveys:start", kwargs={"token": code})
    return [
        "",
        f"  Mads Medarbejder har svaret. Svar som en kollega uden e-mail i {row.unit.name}",
        "  med en papirkode (virker én gang; en kode tilhører ingen):",
        f"    {url.rstrip('/')}{path}",
    ]


class Command(BaseCommand):
    help = "Print where the demo runs and how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.TRYGHED_SITE_URL.rstrip("/") + "/")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"]
        width = max(len(login.email) for login in DEMO_LOGINS)
        lines = [
            "",
            "=" * 72,
            f"  Tryghed kører på {url}",
            f"  Log ind på {url}konto/log-ind/ med adgangskoden: {DEMO_PASSWORD}",
            "",
        ]
        lines += [f"    {login.email:<{width}}  {login.description}" for login in DEMO_LOGINS]
        lines += [
            "",
            "  Administrator, AMO og direktion logger ind med totrinsbekræftelse: efter",
            "  adgangskoden beder Tryghed om en kode. Tilføj nøglen i en godkender-app",
            f"  (fx Microsoft eller Google Authenticator): {DEMO_TOTP_SECRET}",
            "  eller få den aktuelle kode med: .venv/bin/python -m tryghed.manage demo_code",
        ]
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if organisation is not None:
            lines += respondent_lines(organisation, url)
        employee = next(login for login in DEMO_LOGINS if login.role == Role.EMPLOYEE)
        lines += [
            "",
            f"  Log ind som medarbejder uden adgangskode ({employee.name} eller enhver",
            "  medarbejder med e-mail): bed om et login-link på",
            f"    {url}konto/log-ind-med-link/  med {employee.email}",
            "  E-mailen med linket skrives i data/worker.log; linket virker én gang i 15 minutter.",
        ]
        lines += [
            "",
            "  Prøv fx:",
            "    leder:       Rapporter → Hjemmeplejen Nord → Vælg fokusområder; Handleplaner",
            "    amo:         Målinger → forår 2026 → organisationsrapport, PDF og Excel; APV",
            "    direktion:   Rapporter → organisationsrapport: zoner, modenhed, ændringer; APV",
            "    medarbejder: Rapporter → tilbagemeldingen til dit team, I sagde – vi gjorde",
            "",
            "  E-mails (invitationer, påmindelser) skrives i data/worker.log i demoen.",
            "  Stop serveren med Ctrl+C. Data gemmes i data/ og bevares til næste gang.",
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))
