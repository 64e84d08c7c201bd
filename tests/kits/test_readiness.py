"""The readiness check (seed 000, "i fredstid"): what points to problems in the unit's work
environment, read as the reports show it, and going on only knowingly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.kits.conftest import go_on, kit_url, readiness_url
from tests.results.team_report_scenario import team_report
from tests.results.test_aggregates import answer, make_measurement
from tryghed.apv.models import ApvDocument
from tryghed.audit.models import AuditEvent
from tryghed.kits.readiness import readiness
from tryghed.orgs.selectors import access_for
from tryghed.results.aggregates import report_data
from tryghed.results.presenters import unit_report_context
from tryghed.voice import services as voice_services
from tryghed.voice.selectors import visible_cases

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 6, 1)


def keys(world: World, user: object = None) -> set[str]:
    access = access_for(user=user or world.amo, slug=world.org.slug)  # type: ignore[arg-type]
    result = readiness(world.team_a, cases=visible_cases(access), today=TODAY)
    return {f.key for f in result.findings}


def test_offensive_behaviour_is_a_finding_exactly_when_the_team_report_puts_it_first(
    world: World,
) -> None:
    for harassed in (False, True):
        measurement = team_report(world, harassed=harassed)
        context = unit_report_context(
            data=report_data(measurement),
            measurement=measurement,
            unit=world.team_a,
            scope="subtree",
            lang="da",
        )
        alerted = bool(context["overview"].alerts)
        assert alerted is harassed  # the scenario does what it says
        assert ("screening:offensive" in keys(world)) is alerted
        measurement.delete()


def test_a_calm_team_has_no_screening_finding_and_the_unknown_apv_is_a_note(world: World) -> None:
    team_report(world)
    result = readiness(world.team_a, today=TODAY)
    assert not [f for f in result.findings if f.key.startswith("screening:")]
    assert result.ready
    assert any("APV" in text for text in result.unknowns)


def test_no_screening_is_said_not_taken_for_good_news(world: World) -> None:
    result = readiness(world.team_a, today=TODAY)
    assert result.measurement is None
    assert result.ready
    assert any("screening" in text for text in result.unknowns)


def test_an_apv_older_than_three_years_is_a_finding(world: World) -> None:
    team_report(world)
    document = ApvDocument.objects.create(organisation=world.org, adopted_on=dt.date(2024, 5, 1))
    assert "apv:overdue" in keys(world)
    document.adopted_on = dt.date(2025, 1, 10)
    document.save()
    assert "apv:overdue" not in keys(world)
    assert "apv:overdue" not in {f.key for f in readiness(world.team_a, today=TODAY).findings}


def test_an_open_case_about_offensive_behaviour_is_a_yes_for_its_receiver_only(
    world: World,
) -> None:
    case, _code = voice_services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="offensive",
        text="Der bliver sagt grimme ting i frokoststuen.",
        today=dt.date(2027, 5, 20),
    )
    assert "voice:offensive" in keys(world, world.amo)
    # The leader never learns of a case the channel sent to the AMO (it may be about them).
    assert "voice:offensive" not in keys(world, world.leader)
    # Without the reader's cases nothing is looked at.
    assert not readiness(world.team_a, today=TODAY).findings
    finding = next(
        f
        for f in readiness(
            world.team_a,
            cases=visible_cases(access_for(user=world.amo, slug=world.org.slug)),
            today=TODAY,
        ).findings
        if f.key == "voice:offensive"
    )
    assert not any(ch.isdigit() for ch in finding.title + finding.text)  # never a count
    case.closed_on = dt.date(2027, 5, 25)
    case.save()
    assert "voice:offensive" not in keys(world, world.amo)


def test_a_case_about_another_team_is_no_finding_here(world: World) -> None:
    voice_services.case_raise(
        organisation=world.org,
        unit=world.team_b,
        receiver="amo",
        kind="violence",
        text="Trusler fra en borger.",
        today=dt.date(2027, 5, 20),
    )
    assert "voice:violence" not in keys(world)


def test_going_on_knowingly_needs_the_tick_and_is_audit_logged(world: World) -> None:
    measurement = team_report(world, harassed=True)
    client = client_for(world.leader)
    url = kit_url(world, measurement, world.team_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(readiness_url(world, world.team_a))
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Arbejdsmiljøet kommer først" in text
    assert "fredstid" in text
    assert "Jeg har læst det og vil fortsætte" in text
    # Without the tick: the page again, nothing logged, the kit still closed.
    refused = client.post(readiness_url(world, world.team_a), {"next": url})
    assert refused.status_code == 200
    assert not AuditEvent.objects.filter(action="kits.readiness_acknowledged").exists()
    assert client.get(url).status_code == 302
    go_on(client, world, world.team_a, url)
    event = AuditEvent.objects.get(action="kits.readiness_acknowledged")
    assert event.actor == world.leader
    assert event.object_id == str(world.team_a.pk)
    assert "screening:offensive" in event.data["findings"]
    opened = client.get(url)
    assert opened.status_code == 200
    assert "du har valgt at fortsætte" in opened.content.decode()


def test_the_choice_holds_only_for_the_findings_it_was_made_for(world: World) -> None:
    measurement = team_report(world, harassed=True)
    client = client_for(world.amo)
    url = kit_url(world, measurement, world.team_a)
    go_on(client, world, world.team_a, url)
    assert client.get(url).status_code == 200
    voice_services.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="amo",
        kind="violence",
        text="En kollega er blevet truet.",
    )
    assert client.get(url).status_code == 302  # a new finding: read it first


def test_the_next_page_is_never_another_site(world: World) -> None:
    measurement = team_report(world, harassed=True)
    client = client_for(world.leader)
    response = client.post(
        readiness_url(world, world.team_a),
        {"understood": "on", "next": "https://evil.example/o/testkommune/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "kits:unit", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}
    )
    assert measurement.pk


def test_the_readiness_page_says_when_nothing_was_found(world: World) -> None:
    answer(make_measurement(world), world.team_a)
    response = client_for(world.leader).get(readiness_url(world, world.team_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Intet tyder på" in text
    assert "Jeg har læst det og vil fortsætte" not in text


def test_other_pages_can_send_a_reader_through_the_check_without_naming_a_unit(
    world: World,
) -> None:
    url = reverse("kits:readiness", kwargs={"org": world.org.slug})
    next_url = reverse("kits:unit", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    page = client_for(world.leader).get(url, {"next": next_url}).content.decode()
    assert readiness_url(world, world.team_a) in page
    assert readiness_url(world, world.team_b) not in page  # outside the leader's subtree
    assert "next=" in page
