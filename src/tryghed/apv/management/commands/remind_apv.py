from typing import Any

from django.core.management.base import BaseCommand

from tryghed.apv.services import apv_reminders_send


class Command(BaseCommand):
    help = "Queue the APV reminders that are due (revision, changes in the work). Run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = apv_reminders_send()
        self.stdout.write(f"{queued} APV reminder(s) queued.")
