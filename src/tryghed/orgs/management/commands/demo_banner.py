from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tryghed.orgs.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from tryghed.orgs.models import Organisation
from tryghed.surveys.demo import demo_respondent_link


class Command(BaseCommand):
    help = "Print where the demo runs and how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

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
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        link = demo_respondent_link(organisation, url) if organisation else None
        if link:
            lines += [
                "",
                "  Besvar den åbne måling som Mads Medarbejder (personligt link, virker én gang):",
                f"    {link}",
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
