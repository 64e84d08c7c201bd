"""Sickness absence is a health figure: shown only for units of at least 10 employees, and
only to roles that see the unit (privacy.md section 2)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import World, client_for
from tests.factories import make_person
from tryghed.accounts.models import User
from tryghed.apv import services
from tryghed.orgs.models import Unit

SMALL_SENTENCE = "Sygefraværet vises ikke, fordi enheden har færre end 10 medarbejdere"
NO_ACCESS_SENTENCE = "vises kun for dem, der har adgang til enheden"


def _staff(unit: Unit, total: int) -> None:
    """Bring the unit to ``total`` active employees."""
    for i in range(total - unit.people.filter(is_active=True).count()):
        make_person(unit, name=f"{unit.name} kollega {i}")


def _absence(world: World, unit: Unit, percent: str, text: str) -> None:
    services.sickness_absence_record(
        organisation=world.org,
        unit=unit,
        actor=world.amo,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        absence_percent=Decimal(percent),
        absence_days=Decimal("7.5"),
        contributes="partly",
        assessment=text,
    )


def _document(user: User, world: World) -> str:
    return (
        client_for(user)
        .get(reverse("apv:document", kwargs={"org": world.org.slug}))
        .content.decode()
    )


def test_a_unit_below_ten_employees_shows_no_sickness_absence_to_anyone(world: World) -> None:
    _staff(world.team_a, 9)
    _absence(world, world.team_a, "13.37", "Én langtidssygemeldt.")
    for user in (world.owner, world.amo, world.leader, world.employee):
        page = _document(user, world)
        assert "13,37" not in page and "13.37" not in page
        assert "7,5" not in page and "Én langtidssygemeldt." not in page
        assert "Team A" in page and SMALL_SENTENCE in page
    admin_page = (
        client_for(world.amo)
        .get(reverse("apv:absences", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert "13,37" not in admin_page and "13.37" not in admin_page
    assert SMALL_SENTENCE in admin_page


def test_the_pdf_hides_a_small_units_sickness_absence(world: World) -> None:
    _staff(world.team_a, 3)
    _absence(world, world.team_a, "13.37", "Én langtidssygemeldt.")
    response = client_for(world.amo).get(
        reverse("apv:document_pdf", kwargs={"org": world.org.slug})
    )
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "13,37" not in text and "langtidssygemeldt" not in text
    assert "Sygefraværet vises ikke" in text


def test_a_unit_of_ten_shows_its_figure_only_to_roles_that_see_the_unit(world: World) -> None:
    _staff(world.team_a, 10)
    _staff(world.team_b, 10)
    _absence(world, world.team_a, "4.25", "Tidspres i team A.")
    _absence(world, world.team_b, "6.75", "Tunge løft i team B.")
    # Admin and AMO see every unit; the leader and the employee of team A see team A only.
    for user in (world.owner, world.amo):
        page = _document(user, world)
        assert "4,25 %" in page and "6,75 %" in page
    for user in (world.leader, world.employee):
        page = _document(user, world)
        assert "4,25 %" in page and "Tidspres i team A." in page
        assert "6,75" not in page and "Tunge løft i team B." not in page
        assert NO_ACCESS_SENTENCE in page
    team_b_page = (
        client_for(world.employee)
        .get(
            reverse("apv:unit_document", kwargs={"org": world.org.slug, "unit_id": world.team_b.pk})
        )
        .content.decode()
    )
    assert "6,75" not in team_b_page and NO_ACCESS_SENTENCE in team_b_page


def test_a_department_and_its_team_never_differ_by_fewer_than_ten(world: World) -> None:
    # Area = team A (10) + team B (2): both figures shown would describe team B's two.
    _staff(world.team_a, 10)
    _staff(world.team_b, 2)
    _absence(world, world.area, "5.55", "Området samlet.")
    _absence(world, world.team_a, "4.44", "Team A alene.")
    page = _document(world.amo, world)
    shown = [figure for figure in ("5,55 %", "4,44 %") if figure in page]
    assert len(shown) == 1
    assert "skjult for at beskytte en mindre gruppe" in page


def test_a_small_unit_may_be_entered_and_the_form_warns(world: World) -> None:
    _staff(world.team_b, 4)
    page = reverse("apv:absences", kwargs={"org": world.org.slug})
    client = client_for(world.amo)
    form = client.get(page).content.decode()
    assert "Team B (under 10 medarbejdere: tallet vises ikke)" in form
    response = client.post(
        page,
        {
            "unit": world.team_b.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "absence_percent": "8.8",
            "contributes": "unknown",
            "assessment": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert world.team_b.sickness_absences.count() == 1
    assert "tallet vises ikke nogen steder" in html
    assert "8,8" not in html and "8.8" not in html
