"""Who may read and write what: the APV for every member, the rest for the AMO and admins."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.apv import services
from tryghed.apv.models import ApvDocument, FactorAssessment, RiskAssessment, WorkChange
from tryghed.audit.models import AuditEvent


def url(name: str, world: World, **kwargs: object) -> str:
    return reverse(f"apv:{name}", kwargs={"org": world.org.slug, **kwargs})


@pytest.mark.parametrize("who", ["owner", "amo", "leader", "employee"])
def test_every_member_of_the_organisation_reads_the_apv(world: World, who: str) -> None:
    services.apv_document_update(
        organisation=world.org,
        actor=world.amo,
        adopted_on=None,
        sickness_summary="",
        action_plan_text="",
        follow_up_guidelines="Arbejdsmiljøudvalget følger op hvert kvartal.",
    )
    client = client_for(getattr(world, who))
    for page in (url("document", world), url("unit_document", world, unit_id=world.team_b.pk)):
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        for heading in (
            "1. Risikovurdering",
            "2. Inddragelse af sygefraværet",
            "3. Skriftlig handleplan",
            "4. Retningslinjer for opfølgning",
        ):
            assert heading in html
        assert "Arbejdsmiljøudvalget følger op hvert kvartal." in html


def test_an_outsider_gets_404_and_another_organisations_unit_is_404(world: World) -> None:
    assert client_for(world.outsider).get(url("document", world)).status_code == 404
    assert client_for(world.outsider).get(url("document_pdf", world)).status_code == 404
    other = url("unit_document", world, unit_id=world.other_unit.pk)
    assert client_for(world.owner).get(other).status_code == 404


@pytest.mark.parametrize("who", ["leader", "employee"])
def test_only_the_amo_and_admins_write(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    posts = {
        url("document_edit", world): {"follow_up_guidelines": "x"},
        url("assessment_start", world, unit_id=world.team_a.pk): {},
        url("absences", world): {},
        url("changes", world): {"kind": "it", "changed_on": "2026-11-01", "description": "x"},
        url("team", world): {"name": "X"},
        url("dashboard", world): {"rule": 1, "indicator": "x", "value": "1"},
    }
    for page, data in posts.items():
        assert client.post(page, data).status_code == 403, page
    for page in (url("document_edit", world), url("absences", world), url("team", world)):
        assert client.get(page).status_code == 403, page
    assert not ApvDocument.objects.exists()
    assert not RiskAssessment.objects.exists() and not WorkChange.objects.exists()


@pytest.mark.parametrize("who", ["owner", "amo"])
def test_the_amo_and_admins_write_the_apv_with_an_audit_row(world: World, who: str) -> None:
    user = getattr(world, who)
    response = client_for(user).post(
        url("document_edit", world),
        {"adopted_on": "2026-03-01", "follow_up_guidelines": "Kvartalsvis opfølgning."},
    )
    assert response.status_code == 302
    document = ApvDocument.objects.get(organisation=world.org)
    assert document.follow_up_guidelines == "Kvartalsvis opfølgning."
    event = AuditEvent.objects.get(action="apv.document.revised")
    assert event.actor == user and event.organisation == world.org


def test_a_leader_sees_the_risk_assessments_of_their_subtree_only(world: World) -> None:
    mine = services.risk_assessment_start(organisation=world.org, unit=world.team_a, actor=None)
    other = services.risk_assessment_start(organisation=world.org, unit=world.team_b, actor=None)
    client = client_for(world.leader)
    listing = client.get(url("assessments", world)).content.decode()
    assert "Team A" in listing and "Team B" not in listing
    assert client.get(url("assessment", world, assessment_id=mine.pk)).status_code == 200
    assert client.get(url("assessment", world, assessment_id=other.pk)).status_code == 404
    # Reading is not writing.
    edit = url("factor_edit", world, assessment_id=mine.pk, factor="workload")
    assert client.get(edit).status_code == 403


def test_employees_do_not_see_risk_assessment_pages_and_outsiders_get_404(world: World) -> None:
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=None
    )
    page = url("assessment", world, assessment_id=assessment.pk)
    assert client_for(world.employee).get(url("assessments", world)).status_code == 403
    assert client_for(world.employee).get(page).status_code == 403
    assert client_for(world.outsider).get(page).status_code == 404


def test_another_organisations_assessment_is_404_for_an_admin(world: World) -> None:
    foreign = services.risk_assessment_start(
        organisation=world.other_org, unit=world.other_unit, actor=None
    )
    page = url("assessment", world, assessment_id=foreign.pk)
    assert client_for(world.owner).get(page).status_code == 404
    edit = url("factor_edit", world, assessment_id=foreign.pk, factor="workload")
    assert client_for(world.owner).post(edit, {}).status_code == 404


def test_the_amo_assesses_a_factor_through_the_form(world: World) -> None:
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    edit = url("factor_edit", world, assessment_id=assessment.pk, factor="workload")
    assert client_for(world.amo).get(edit).status_code == 200
    response = client_for(world.amo).post(
        edit,
        {
            "extent": "Halvdelen af teamet, ofte.",
            "duration": "Siden august.",
            "character": "Springer pauser over.",
            "measures": ["planning", "support"],
            "combination": "Uklare krav.",
            "fully_sound": "no",
            "actions": "Ny prioriteringsmodel.",
        },
    )
    assert response.status_code == 302
    factor = FactorAssessment.objects.get(assessment=assessment, factor="workload")
    assert factor.fully_sound == "no"
    assert factor.measures == ["planning", "support"]
    assert factor.duration == "Siden august."
    event = AuditEvent.objects.get(action="apv.risk_factor.assessed")
    assert event.actor == world.amo and event.data["fully_sound"] == "no"
    assert "extent" in event.data["changed"]


def test_not_fully_sound_without_actions_is_refused(world: World) -> None:
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    edit = url("factor_edit", world, assessment_id=assessment.pk, factor="violence")
    response = client_for(world.amo).post(edit, {"fully_sound": "no", "actions": ""})
    assert response.status_code == 200
    assert "skal I skrive, hvad der skal ske" in response.content.decode()
    assert FactorAssessment.objects.get(assessment=assessment, factor="violence").fully_sound == ""
