"""Red team: the readiness check's audit row attacked by a reader of the audit log.

Adversary 1 of privacy.md section 0: an administrator who is not a receiver of Sig det
(perhaps the leader of the unit too) reads the organisation's dashboard ("Seneste
hændelser") and the unit's page ("Historik"), which list the audit rows with their
summaries. An offensive-behaviour or violence case always goes to the AMO, because it may
be about the leader; the readiness check tells only the AMO of it ("a leader never learns
of a case the reporter sent to the AMO/HR"). When the AMO ticks "Jeg har læst det og vil
fortsætte", the audit row must not carry that finding to the administrator: neither by
naming it, nor by existing only because of it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.kits.conftest import go_on
from tryghed.apv.models import ApvDocument
from tryghed.audit.models import AuditEvent
from tryghed.orgs.selectors import access_for
from tryghed.voice import services as voice_services
from tryghed.voice.selectors import visible_cases

pytestmark = pytest.mark.django_db

# What would tell the administrator of a case sent to the AMO.
TELLS = ("Sig det", "krænkende handlinger", "vold eller trusler", "voice:")


def _raise_offensive_case(world: World) -> None:
    voice_services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="offensive",
        text="Der bliver sagt grimme ting i frokoststuen.",
    )


def _amo_goes_on(world: World) -> None:
    kits_page = reverse("kits:unit", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    go_on(client_for(world.amo), world, world.team_a, kits_page)


def _what_the_administrator_reads(world: World) -> str:
    client = client_for(world.owner)
    pages = [
        reverse("orgs:dashboard", kwargs={"org": world.org.slug}),
        reverse("orgs:unit_detail", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}),
    ]
    texts = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    return "\n".join(texts)


def test_the_administrator_cannot_read_the_amos_voice_finding_in_the_audit_log(
    world: World,
) -> None:
    # The administrator's own readiness check of the unit shows nothing.
    assert not visible_cases(access_for(user=world.owner, slug=world.org.slug))
    before = _what_the_administrator_reads(world)
    _raise_offensive_case(world)
    _amo_goes_on(world)
    after = _what_the_administrator_reads(world)
    for tell in TELLS:
        assert after.count(tell) == before.count(tell), tell
    # Nor does a row exist only because of the case: the AMO's choice about a finding only
    # the AMO can see leaves nothing an administrator could count.
    assert not AuditEvent.objects.filter(action="kits.readiness_acknowledged").exists()


def test_findings_everyone_may_see_are_still_audit_logged_without_the_voice_one(
    world: World,
) -> None:
    ApvDocument.objects.create(organisation=world.org, adopted_on=dt.date(2020, 1, 1))
    _raise_offensive_case(world)
    _amo_goes_on(world)
    event = AuditEvent.objects.get(action="kits.readiness_acknowledged")
    assert event.actor == world.amo
    assert event.data["findings"] == ["apv:overdue"]
    assert "APV" in event.summary
    for tell in TELLS:
        assert tell not in event.summary, tell
        assert tell not in str(event.data), tell
