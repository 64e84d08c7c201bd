"""Print the demo's current two-step code, for a reviewer without an authenticator app."""

from typing import Any

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management.base import BaseCommand

from tryghed.orgs.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the code the demo's authenticator key gives now (valid about 30 seconds)."

    def handle(self, *args: Any, **options: Any) -> None:
        counter = next(yield_hotp_counters_from_time())
        self.stdout.write(str(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))))
