from typing import Any

from django.core.management.base import BaseCommand

from tryghed.actions.demo import load_demo_actions
from tryghed.apv.demo import load_demo_apv
from tryghed.dialogue.demo import load_demo_dialogue
from tryghed.learning.demo import load_demo_learning
from tryghed.orgs.demo import load_demo
from tryghed.surveys.demo import load_demo_measurements
from tryghed.voice.demo import load_demo_voice


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
                "Loaded two closed measurements with answers, a closed maturity measurement "
                "and one open measurement."
            )
        if load_demo_actions(organisation):
            self.stdout.write("Loaded two action plans for Hjemmeplejen Nord.")
        if load_demo_learning(organisation):
            self.stdout.write("Loaded the learning logs of Dagteam 1 and Hjemmeplejen Nord.")
        if load_demo_dialogue(organisation):
            self.stdout.write(
                "Loaded a finished dialogue session with notes for Hjemmeplejen Nord."
            )
        if load_demo_apv(organisation):
            self.stdout.write(
                "Loaded the APV: risk assessments, sickness absence, a wellbeing team and a "
                "change in the work with a revision reminder due."
            )
        if code := load_demo_voice(organisation):
            self.stdout.write(f"Loaded Sig det cases; open the one that became an action: {code}")
