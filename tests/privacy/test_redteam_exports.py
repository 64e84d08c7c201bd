"""Red team, report files kept in the database (adversaries 1 and 4 of privacy.md section
0: readers of results and outsiders).

A report file (``ReportExport``) is made once and kept as a row with a sequential id, and
``/filer/<id>/hent/`` serves it. Whoever may not ask for a file must not get it by its
number either: a sibling team's leader, a colleague, top management (who reads no unit's
comments), another organisation's administrator, an anonymous visitor. The AMO makes
every file there is; then every one of them walks every id, in the victim's organisation
and in their own, and asks for its status page and its download.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from tests.factories import grant, make_user
from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.orgs.models import Role
from tryghed.results.models import ReportExport

pytestmark = pytest.mark.django_db


def _ask(client: Client, slug: str, measurement_id: int, form: dict[str, object]) -> int:
    url = reverse("results:export_request", kwargs={"org": slug, "measurement_id": measurement_id})
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(url, form)
    assert asked.status_code == 302, (form, asked.status_code)
    match = re.search(r"/filer/(\d+)/", asked["Location"])
    assert match, asked["Location"]
    return int(match[1])


def test_no_one_gets_a_report_file_by_its_number_that_they_may_not_ask_for() -> None:
    place = attack.build_workplace(
        {"Område": (None, 0), "Team A": ("Område", 11), "Team B": ("Område", 11)},
        leaders=["Team B"],
        employees=["Team A"],
    )
    launched = attack.launch(place)
    for name in ("Team A", "Team B"):
        for i, person in enumerate(place.people[name]):
            attack.submit(
                launched.tokens[person.pk],
                {**ps7([1 + i % 5]), "hesteskoen.1": 1 + i % 5},
                {"hesteskoen.2": attack.secret_comment()},
            )
    m = launched.measurement
    attack.close(place, m)
    slug = place.org.slug
    amo = attack.client_for(place.amo)
    made: dict[int, str] = {}
    for unit, scope, details in itertools.product(
        [place.root, *place.units.values()], ("unit", "subtree"), ("", "on")
    ):
        form = {"kind": "unit_pdf", "unit": unit.pk, "scope": scope, "details": details}
        made[_ask(amo, slug, m.pk, form)] = unit.name
    made[_ask(amo, slug, m.pk, {"kind": "excel"})] = "spreadsheet"
    made[_ask(amo, slug, m.pk, {"kind": "organisation_pdf"})] = "organisation"
    team_a_files = [i for i, name in made.items() if name == "Team A"]
    # The AMO's Team A files do hold Team A's comments: the attack would prove nothing else.
    shown = set()
    for export_id in team_a_files:
        url = reverse("results:export_download", kwargs={"org": slug, "export_id": export_id})
        shown |= attack.secrets_on(attack.pdf_text(attack._body(amo.get(url))))
    assert shown, "the AMO's Team A files hold no comment"

    director = make_user("direktion@example.test")
    grant(director, place.org, Role.TOP_MANAGEMENT)
    elsewhere = attack.build_workplace({"Hold": (None, 1)})
    attackers: dict[str, tuple[Client, str]] = {
        "leader of Team B": (attack.client_for(place.leaders["Team B"]), slug),
        "employee in Team A": (attack.client_for(place.employees["Team A"]), slug),
        "top management": (attack.client_for(director), slug),
        "another organisation's admin": (attack.client_for(elsewhere.owner), elsewhere.org.slug),
        "anonymous": (Client(), slug),
    }
    allowed = {
        "leader of Team B": {"Team B"},
        "top management": {"organisation"},
    }
    every_id = set(ReportExport.objects.values_list("pk", flat=True))
    got: dict[str, list[tuple[int, str]]] = {}
    for who, (client, own_slug) in attackers.items():
        for export_id, org_slug in itertools.product(sorted(every_id), {slug, own_slug}):
            for name in ("results:export_status", "results:export_download"):
                url = reverse(name, kwargs={"org": org_slug, "export_id": export_id})
                response = client.get(url)
                if response.status_code != 200:
                    continue
                body = attack._body(response)
                text = (
                    attack.pdf_text(body)
                    if body.startswith(b"%PDF")
                    else body.decode(errors="replace")
                )
                if made[export_id] in allowed.get(who, set()):
                    continue
                got.setdefault(who, []).append((export_id, name))
                assert not attack.secrets_on(text), (who, url)
    assert got == {}, "files reached by their number"
