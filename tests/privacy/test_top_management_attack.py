"""Red team: top management ("topledelse") reads the organisation report as the
publication shows it and the APV, and nothing of a unit's own pages.

The director crawls every page and file a reader can ask for (every unit report in both
scopes, the feedback pages, the measurement pages, the APV, the spreadsheet, the unit PDFs)
after a measurement with a small team and comments closes. No comment, no participation
row of a unit, no unit report and no file but the organisation report's PDF may reach
them; what they do read holds no number beyond the AMO's organisation report.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse

from tests.factories import grant, make_user
from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_top_management_reaches_no_comment_unit_page_participation_or_file() -> None:
    place = attack.build_workplace(
        {
            "Område": (None, 0),
            "Team A": ("Område", 11),
            "Team B": ("Område", 6),
            "Lille": ("Område", 3),
        }
    )
    launched = attack.launch(place)
    secrets = []
    for name, codes in (
        ("Team A", [1, 2, 3, 4, 5] * 3),
        ("Team B", [2, 3] * 3),
        ("Lille", [5, 5, 5]),
    ):
        for person, code in zip(place.people[name], codes, strict=False):
            secret = attack.secret_comment()
            secrets.append(secret)
            attack.submit(
                launched.tokens[person.pk],
                {**ps7([code]), "hesteskoen.1": code + 3},
                {"hesteskoen.2": secret},
            )
    m = launched.measurement
    attack.close(place, m)
    director = make_user("direktion@example.test")
    grant(director, place.org, Role.TOP_MANAGEMENT)
    slug = place.org.slug
    client = attack.client_for(director)

    # The AMO does read comments here: the attack would prove nothing otherwise.
    amo_pages = [
        attack.read(attack.client_for(place.amo), u) or "" for u in attack.report_urls(place, m)
    ]
    assert any(attack.secrets_on(p) for p in amo_pages)

    urls = [*attack.report_urls(place, m), *attack.rate_urls(place, m), *attack.apv_urls(place)]
    urls += [
        reverse("orgs:people", kwargs={"org": slug}),
        reverse("orgs:unit_tree", kwargs={"org": slug}),
        *(
            reverse("orgs:unit_detail", kwargs={"org": slug, "unit_id": u.pk})
            for u in place.units.values()
        ),
    ]
    read = {url: attack.read(client, url) for url in urls}
    opened = {url for url, page in read.items() if page is not None}
    org_report = reverse("results:org_report", kwargs={"org": slug, "measurement_id": m.pk})
    assert org_report in opened
    for url in opened:
        assert "/enheder/" not in url or "/apv/" in url, f"top management opened {url}"
        assert "/maalinger/" not in url, f"top management opened {url}"
        assert not attack.secrets_on(read[url] or ""), url
    unit_reports = [u for u in urls if f"/{m.pk}/enhed/" in u or "omfang=" in u]
    assert unit_reports and not (set(unit_reports) & opened)
    # No participation of a unit on what they read: the organisation report shows the total.
    page = read[org_report] or ""
    for name in ("Team A", "Team B", "Lille"):
        assert not re.search(
            rf"{name}</td><td class=\"num\">\d+</td><td class=\"num\">\d+</td>", page
        )
    # No file but the organisation report's: neither the spreadsheet nor a unit's PDF.
    assert attack.excel_figures(director, place, m) is None
    printed = _organisation_pdf(client, slug, m.pk)
    assert "Team A" in printed  # the file is the organisation report, every unit in it
    assert not attack.secrets_on(printed)
    # The page in print: every number in it (but the time of printing and the page numbers)
    # is on the organisation report they read.
    figures = re.sub(r"Udskrevet .*?\d\d:\d\d|\d+ / \d+$", "", printed, flags=re.M)
    on_page = set(attack.NUMBER.findall(attack.visible_text(page)))
    assert set(attack.NUMBER.findall(figures)) - on_page == set(), printed
    for unit in place.units.values():
        asked = client.post(
            reverse("results:export_request", kwargs={"org": slug, "measurement_id": m.pk}),
            {"kind": "unit_pdf", "unit": unit.pk},
        )
        assert asked.status_code in (403, 404), unit.name


def _organisation_pdf(client: Any, slug: str, measurement_id: int) -> str:
    """The organisation PDF's text as the client downloads it."""
    url = reverse("results:export_request", kwargs={"org": slug, "measurement_id": measurement_id})
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(url, {"kind": "organisation_pdf"})
    assert asked.status_code == 302, asked.status_code
    match = re.search(r"/filer/(\d+)/", asked["Location"])
    assert match, asked["Location"]
    download = reverse("results:export_download", kwargs={"org": slug, "export_id": int(match[1])})
    got = client.get(download)
    assert got.status_code == 200
    return attack.pdf_text(attack._body(got))
