"""Data the browser tests add to the world: a running measurement, an import, path values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import World
from tryghed.orgs.models import ImportBatch, Membership
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, OpenLink

UNITS_CSV = "unit_id;name;parent_id;kind\nNY;Nyt team;AREA;team\n"
LINK = re.compile(r"https?://[^\s]+/s/[A-Za-z0-9_\-]+/")


def open_measurement(
    world: World, *, instruments: Sequence[str] = ("ps7", "hesteskoen"), name: str = "Efterår"
) -> Measurement:
    """An open measurement of the world's area, in Danish and English; invitations are sent."""
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name=name,
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(world.area)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        languages=["da", "en"],
    )
    services.measurement_open(measurement=measurement, actor=world.owner)
    return measurement


def invitation_link(email: str) -> str:
    """The survey link in the latest invitation e-mail to that address."""
    for message in reversed(mail.outbox):
        if message.to == [email]:
            match = LINK.search(str(message.body))
            assert match, message.body
            return match.group(0)
    raise AssertionError(f"no invitation e-mail to {email}")


def path_values(world: World) -> dict[str, object]:
    """A value for every path parameter in the URL configuration, taken from the world.

    A new pattern with a parameter not named here fails the crawl: add it here. Where one
    name means different things in different URLs, the value maps URL name to value.
    """
    measurement = open_measurement(world)
    link: OpenLink = services.open_link_create(
        measurement=measurement, unit=world.team_a, actor=world.owner
    )
    return {
        "org": world.org.slug,
        "unit_id": world.team_a.pk,
        "person_id": world.person_a.pk,
        "membership_id": Membership.objects.get(user=world.employee).pk,
        "batch_id": ImportBatch.objects.create(
            organisation=world.org,
            kind="units",
            filename="enheder.csv",
            content=UNITS_CSV,
            created_by=world.owner,
        ).pk,
        "measurement_id": measurement.pk,
        # A reset link for someone who does not sign in during the crawl, so it stays valid.
        "uidb64": urlsafe_base64_encode(force_bytes(world.outsider.pk)),
        "token": {
            "accounts:password_reset_confirm": default_token_generator.make_token(world.outsider),
            "surveys:start": link.token,
        },
    }
