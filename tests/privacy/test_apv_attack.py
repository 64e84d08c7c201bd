"""Finding 10 of issue 15: sickness absence is health data (privacy.md section 2: a unit's
figure needs at least 10 employees). A reader of results (section 0, adversary 1), here
an employee, reads every APV page and export her role opens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.privacy import attack
from tryghed.apv import services as apv_services

pytestmark = pytest.mark.django_db

# Absence percentages nobody would print for anything else on these pages.
SMALL_UNIT = Decimal("7.83")  # Lille team: 4 employees
OTHER_UNIT = Decimal("4.27")  # Andet team: 12 employees, not the reader's
OWN_UNIT = Decimal("5.61")  # Stort team: 12 employees, the reader's own


def _shown(page: str, value: Decimal) -> bool:
    text = attack.visible_text(page)
    return any(f"{value}".replace(".", sep) in text for sep in (",", "."))


def test_an_employee_reads_no_sickness_absence_of_a_small_unit_or_of_another_unit() -> None:
    """Finding 10 (reader of results: an employee). The absence of a unit of 4 is the
    health of 4 named colleagues; another unit's absence is outside her view."""
    place = attack.build_workplace(
        {"Lille team": (None, 4), "Stort team": (None, 12), "Andet team": (None, 12)},
        employees=["Stort team", "Lille team"],
    )
    recorded = []
    for name, value in (
        ("Lille team", SMALL_UNIT),
        ("Andet team", OTHER_UNIT),
        ("Stort team", OWN_UNIT),
    ):
        try:
            apv_services.sickness_absence_record(
                organisation=place.org,
                unit=place.units[name],
                actor=place.owner,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 6, 30),
                absence_percent=value,
                absence_days=None,
                contributes="unknown",
                assessment="",
            )
            recorded.append(name)
        except ValidationError:
            pass  # refusing to store a small unit's figure is one way to keep it private
    assert "Andet team" in recorded, "a unit of 12 must be recordable, or the test proves nothing"
    # The AMO sees the figures, so the pages do print them (the attack can find them).
    amo_pages = attack.read_all(place, attack.apv_urls(place))
    assert any(_shown(p, OTHER_UNIT) for (role, _), p in amo_pages.items() if role == "amo")

    leaks = []
    for role in ("employee in Stort team", "employee in Lille team"):
        client = attack.client_for(place.employees[role.removeprefix("employee in ")])
        for url in attack.apv_urls(place):
            page = attack.read(client, url)
            if page is None:
                continue
            for label, value in (("Lille team (4)", SMALL_UNIT), ("Andet team", OTHER_UNIT)):
                if _shown(page, value):
                    leaks.append(f"{role} reads {label}'s absence on {url}")
    assert leaks == []
