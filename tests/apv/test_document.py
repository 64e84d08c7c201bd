"""The APV document: its four elements on the page and in a real PDF, revision dates."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import World, client_for
from tests.factories import make_person
from tryghed.apv import selectors, services
from tryghed.apv.models import FactorAssessment

HEADINGS = (
    "1. Risikovurdering",
    "2. Inddragelse af sygefraværet",
    "3. Skriftlig handleplan",
    "4. Retningslinjer for opfølgning",
)


def _fill(world: World) -> None:
    services.apv_document_update(
        organisation=world.org,
        actor=world.amo,
        adopted_on=dt.date(2026, 2, 1),
        sickness_summary="Fraværet er lavt.",
        action_plan_text="",
        follow_up_guidelines="Opfølgning hvert kvartal i arbejdsmiljøudvalget.",
    )
    assessment = services.risk_assessment_start(
        organisation=world.org, unit=world.team_a, actor=world.amo
    )
    services.factor_assessment_update(
        factor=FactorAssessment.objects.get(assessment=assessment, factor="workload"),
        actor=world.amo,
        extent="Mange er presset",
        duration="Hele efteråret",
        character="Lange vagter",
        measures=["planning"],
        measures_other="",
        combination="",
        fully_sound="no",
        actions="Færre besøg pr. rute",
        action_plan_id=None,
    )
    # Health figures are shown only for units of at least 10 employees (privacy.md §2).
    for i in range(9):
        make_person(world.team_b, name=f"Kollega {i}")
    services.sickness_absence_record(
        organisation=world.org,
        unit=world.team_b,
        actor=world.amo,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        absence_percent=Decimal("4.25"),
        absence_days=None,
        contributes="partly",
        assessment="Delvist arbejdsbetinget.",
    )


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Table cells wrap in the PDF: compare with the whitespace collapsed.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_is_a_real_pdf_with_the_four_elements(world: World) -> None:
    _fill(world)
    response = client_for(world.amo).get(
        reverse("apv:document_pdf", kwargs={"org": world.org.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    for heading in HEADINGS:
        assert heading in text
    assert "Færre besøg pr. rute" in text
    assert "Nej, ikke fuldt forsvarligt" in text
    # The PDF may break the line after the dash.
    assert "Team B 01.01.2026–30.06.2026 4,25 % Delvist" in text.replace("– ", "–")
    assert "Opfølgning hvert kvartal" in text


def test_a_units_apv_shows_only_its_subtree(world: World) -> None:
    _fill(world)
    client = client_for(world.amo)
    team_b = client.get(
        reverse("apv:unit_document", kwargs={"org": world.org.slug, "unit_id": world.team_b.pk})
    ).content.decode()
    assert "Delvist arbejdsbetinget." in team_b  # team B's sickness absence
    assert "Færre besøg pr. rute" not in team_b  # team A's risk assessment
    pdf = client.get(
        reverse("apv:unit_document_pdf", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    )
    text = _pdf_text(pdf.content)
    assert "Færre besøg pr. rute" in text and "Delvist arbejdsbetinget." not in text


def test_the_revision_is_due_three_years_after_adoption(world: World) -> None:
    _fill(world)
    state = selectors.revision_state(world.org, today=dt.date(2026, 6, 1))
    assert state.due == dt.date(2029, 2, 1)
    assert not state.overdue and not state.needed
    assert selectors.revision_state(world.org, today=dt.date(2029, 2, 1)).overdue
    assert selectors.add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)


def test_a_recorded_change_in_the_work_sets_a_revision_need(world: World) -> None:
    _fill(world)
    before = services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=None,
        kind="premises",
        description="Flytning i 2025",
        changed_on=dt.date(2025, 6, 1),
    )
    assert not selectors.revision_state(world.org, today=dt.date(2026, 6, 1)).needed
    change = services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_a,
        kind="it",
        description="Nyt journalsystem",
        changed_on=dt.date(2026, 5, 1),
    )
    state = selectors.revision_state(world.org, today=dt.date(2026, 6, 1))
    assert state.needed and state.changes == [change] and before not in state.changes
    html = (
        client_for(world.employee)
        .get(reverse("apv:document", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert "APV'en skal revideres:" in html and "Nyt journalsystem" in html
    # A revision (a new adoption date) takes the change into account.
    services.apv_document_update(
        organisation=world.org,
        actor=world.amo,
        adopted_on=dt.date(2026, 5, 20),
        sickness_summary="",
        action_plan_text="",
        follow_up_guidelines="",
    )
    assert not selectors.revision_state(world.org, today=dt.date(2026, 6, 1)).changes


def test_a_change_is_risk_assessed_from_the_changes_page(world: World) -> None:
    change = services.work_change_record(
        organisation=world.org,
        actor=world.amo,
        unit=world.team_b,
        kind="methods",
        description="Ny vagtplan",
        changed_on=dt.date(2026, 5, 1),
    )
    response = client_for(world.amo).post(
        reverse("apv:change_assess", kwargs={"org": world.org.slug, "change_id": change.pk}),
        {"confirm": "1"},
    )
    assert response.status_code == 302
    assessment = change.risk_assessments.get()
    assert assessment.unit == world.team_b
    assert response["Location"].endswith(f"/risikovurderinger/{assessment.pk}/")


def test_the_page_folds_all_but_the_first_assessment_and_the_pdf_shows_everything(
    world: World,
) -> None:
    """On a phone the APV of three units was 10,800 px: each unit's assessment, the absence
    table and each plan fold on the page (all still in it), never in the PDF."""
    _fill(world)
    second = services.risk_assessment_start(
        organisation=world.org, unit=world.team_b, actor=world.amo
    )
    services.factor_assessment_update(
        factor=FactorAssessment.objects.get(assessment=second, factor="workload"),
        actor=world.amo,
        extent="Travlt om morgenen",
        duration="",
        character="",
        measures=[],
        measures_other="",
        combination="",
        fully_sound="no",
        actions="Faste pauser kl. 10",
        action_plan_id=None,
    )
    client = client_for(world.amo)
    page = client.get(reverse("apv:document", kwargs={"org": world.org.slug})).content.decode()
    fold = r'<details class="report-more apv-fold"[^>]*>\s*<summary>(.*?)</summary>'
    folds = re.findall(fold, page, re.S)
    opened = re.findall(r'<details class="report-more apv-fold" open>', page)
    assert len(folds) == 3, folds  # two assessments and the absence table
    assert len(opened) == 1
    assert "Team A" in folds[0] or "Team B" in folds[0]
    assert "Sygefravær pr. enhed og periode" in folds[2]
    for text in ("Færre besøg pr. rute", "Faste pauser kl. 10", "Delvist arbejdsbetinget."):
        assert text in page
    pdf = client.get(reverse("apv:document_pdf", kwargs={"org": world.org.slug}))
    text = _pdf_text(pdf.content)
    for shown in ("Færre besøg pr. rute", "Faste pauser kl. 10", "Delvist arbejdsbetinget."):
        assert shown in text
    assert "Team A (vurderet" in text and "Team B (vurderet" in text
