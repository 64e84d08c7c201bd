"""Data the browser tests add to the world: a running measurement, an import, path values."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Mapping, Sequence

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.actions.scenario import action_plan
from tests.apv.scenario import apv_values
from tests.conftest import World, draft_of
from tests.learning.scenario import learning_entry
from tests.results.export_scenario import report_export
from tests.surveys.test_own_instruments import OWN
from tryghed.accounts import api_tokens, sso
from tryghed.dialogue import services as dialogue_services
from tryghed.orgs.models import ImportBatch, Membership
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response, Status
from tryghed.voice import services as voice_services

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


def draft_measurement(world: World) -> Measurement:
    """A draft of the world's area, not opened: only a draft can be deleted."""
    today = timezone.localdate()
    return draft_of(
        world, opens_on=today + dt.timedelta(days=7), closes_on=today + dt.timedelta(days=21)
    )


def closed_measurement(world: World, *, per_team: int = 12, seed: int = 7) -> Measurement:
    """A closed measurement of the whole organisation, answered by ``per_team`` people in each
    team, so every report page has figures to show (the teams, the area and the whole)."""
    measurement = services.measurement_create(
        organisation=world.org,
        actor=world.owner,
        name="Forår",
        instrument_ids=["ps7", "opgavefokus", "tavshed", "stress", "hesteskoen"],
        scope=[services.ScopeEntry(world.root)],
        opens_on=dt.date(2026, 4, 13),
        closes_on=dt.date(2026, 5, 1),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    rng = random.Random(seed)
    items = [f"ps7.{n}" for n in range(1, 8)] + [f"opgavefokus.{n}" for n in range(1, 4)]
    for unit in (world.team_a, world.team_b):
        for _ in range(per_team):
            answers = {item: rng.randint(1, 4) for item in items}
            answers |= {f"tavshed.{n}": rng.randint(1, 4) for n in range(1, 5)}
            answers |= {"stress.1": rng.randint(1, 5), "hesteskoen.1": rng.randint(3, 9)}
            Response.objects.create(
                measurement=measurement, unit=unit, week="2026-W17", answers=answers
            )
    measurement.refresh_from_db()
    return measurement


class ForReports(Mapping[str, object]):
    """A path value that differs for the report pages (namespace "results"), and for the
    URL names in ``only`` (a page that needs a value of its own)."""

    def __init__(
        self, reports: object, default: object, only: Mapping[str, object] | None = None
    ) -> None:
        self.reports, self.default, self.only = reports, default, dict(only or {})

    def __getitem__(self, url_name: str) -> object:
        if url_name in self.only:
            return self.only[url_name]
        return self.reports if url_name.startswith("results:") else self.default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def invitation_link(email: str) -> str:
    """The survey link in the latest invitation e-mail to that address."""
    for message in reversed(mail.outbox):
        if message.to == [email]:
            match = LINK.search(str(message.body))
            assert match, message.body
            return match.group(0)
    raise AssertionError(f"no invitation e-mail to {email}")


def sso_provider_id(world: World) -> str:
    return sso.single_sign_on_configure(
        organisation=world.org,
        actor=world.owner,
        name="Microsoft",
        server_url="https://login.microsoftonline.com/tenant-id/v2.0",
        client_id="crawl-client",
        client_secret="crawl-secret",
        allowed_domains="testkommune.dk",
        enabled=True,
    ).provider_id


def voice_case(world: World) -> str:
    case, _ = voice_services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="idea",
        text="Kan vi aftale faste pauser?",
    )
    return str(case.pk)


def dialogue_values(world: World) -> dict[str, object]:
    session = dialogue_services.session_start(unit=world.team_a, actor=world.leader)
    return {"session_id": session.pk, "code": session.code}


def own_instrument(world: World) -> int:
    """An instrument file the organisation uploaded, as an administrator would."""
    return services.organisation_instrument_upload(
        organisation=world.org, actor=world.owner, filename="egen.yaml", raw=OWN.encode()
    ).pk


def path_values(world: World) -> dict[str, object]:
    """A value for every path parameter in the URL configuration, taken from the world.

    A new pattern with a parameter not named here fails the crawl: add it here. Where one
    name means different things in different URLs, the value maps URL name to value.
    """
    measurement = open_measurement(world)
    # A personal link of its own (like a reminder's), so the crawl sees the notice page.
    token, token_hash = services.new_token()
    measurement.invitations.get(person=world.person_a).tokens.create(token_hash=token_hash)
    action = action_plan(world, measurement)
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
        # Reports read a closed measurement with answers; the survey pages an open one;
        # «Slet kladden» a draft (an opened measurement's page sends it back).
        "measurement_id": ForReports(
            closed_measurement(world).pk,
            measurement.pk,
            only={"surveys_admin:delete": draft_measurement(world).pk},
        ),
        "export_id": report_export(world),  # after the closed measurement it exports
        "focus_id": action.plan.focus_area_id,
        "plan_id": action.plan_id,
        "action_id": action.pk,
        **apv_values(world),
        # Single sign-on set up for the organisation: its GET page and its callback's error.
        "provider_id": sso_provider_id(world),
        # A Sig det case of the leader's team, so the leader and the AMO see its page.
        "case_id": voice_case(world),
        # A situation in the leader's team's learning log.
        "learning_id": learning_entry(world),
        # A live dialogue session of the leader's team: its big screen, and its phone page.
        **dialogue_values(world),
        # An instrument file of the organisation's own (Egne spørgeskemaer).
        "instrument_pk": own_instrument(world),
        # A personal API key of the administrator's (revoking it is a POST).
        "token_id": api_tokens.token_create(user=world.owner, name="Crawl")[0].pk,
        # A reset link for someone who does not sign in during the crawl, so it stays valid.
        "uidb64": urlsafe_base64_encode(force_bytes(world.outsider.pk)),
        "token": {
            "accounts:password_reset_confirm": default_token_generator.make_token(world.outsider),
            "surveys:start": token,
            # The page a sign-in link opens asks before it uses the link: any token shows it.
            "accounts:link_open": "crawl-token-not-a-real-link",
            # A confirmation link opened outside the session that asked for it says so.
            "accounts:link_reauth_open": "crawl-token-not-a-real-link",
        },
    }
