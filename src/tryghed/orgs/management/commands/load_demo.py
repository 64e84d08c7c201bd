from typing import Any

from django.core.management.base import BaseCommand

from tryghed.orgs.demo import load_demo
from tryghed.surveys.demo import load_demo_measurements


class Command(BaseCommand):
    help = "Load the demo organisation (Demo Kommune) and its measurements unless already there."

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, created = load_demo()
        units = organisation.units.count()
        people = organisation.people.count()
        if created:
            self.stdout.write(f"Loaded {organisation.name}: {units} units, {people} people.")
        else:
            self.stdout.write(
                f"{organisation.name} is already loaded ({units} units, {people} people)."
            )
        if load_demo_measurements(organisation):
            self.stdout.write(
                "Loaded two closed measurements with answers and one open measurement."
            )
