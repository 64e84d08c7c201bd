"""Red team, readers of the organisation-level views (adversary 1 of privacy.md section 0:
top management, the AMO and administrators, who read the organisation report, its files
and the measurement page, remember every number and subtract).

1. The answers-by-code line ("Papirkoder: 5 af 10 koder er brugt", the organisation report
   and the measurement page) was checked against the participation rows only, never
   against the publication's figures beside it. The rows show a unit with everything below
   it; the publication also shows a unit's own respondents ("kun egne svar", the AMO's
   unit report, the spreadsheet, the API). With every code printed for Værkstedet, its
   own group's n minus the code answers is the number of its e-mail invitees who answered:
   7 - 5 = 2 here, a group below the minimum that no row and no audit saw.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import grant, make_user
from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.orgs.models import Role
from tryghed.results.aggregates import paper_codes
from tryghed.results.models import ReportCache
from tryghed.surveys import services
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

MINIMUM = 5
CODE_LINE = re.compile(r"Papirkoder: (\d+) af (\d+) koder er brugt")


def _workshop() -> tuple[attack.Workplace, Measurement, int]:
    """Værkstedet: ten with e-mail (two answer) and ten without (codes, five answer); below
    it Hallen, ten with e-mail of whom six answer (its row is hidden: four did not). With
    the number of Værkstedet's e-mail invitees who answered."""
    place = attack.build_workplace(
        {"Værkstedet": (None, 10), "Hallen": ("Værkstedet", 10), "Kontoret": (None, 20)},
        without_email={"Værkstedet": 10},
    )
    launched = attack.launch(place, ("ps7",))
    m = launched.measurement
    codes = services.paper_codes_print(
        measurement=m, unit=place.units["Værkstedet"], count=10, actor=place.amo
    )
    for code in codes[:5]:
        attack.submit(code, ps7([3]))
    e_mail_answers = 2
    for person in place.people["Værkstedet"][:e_mail_answers]:
        attack.submit(launched.tokens[person.pk], ps7([1]))
    for person in place.people["Hallen"][:6]:
        attack.submit(launched.tokens[person.pk], ps7([2]))
    for person in place.people["Kontoret"][:15]:
        attack.submit(launched.tokens[person.pk], ps7([4]))
    attack.close(place, m)
    return place, m, e_mail_answers


def test_the_code_line_beside_a_units_own_group_isolates_no_one() -> None:
    place, m, e_mail_answers = _workshop()
    director = make_user("direktion@example.test")
    grant(director, place.org, Role.TOP_MANAGEMENT)
    slug = place.org.slug
    org_report = reverse("results:org_report", kwargs={"org": slug, "measurement_id": m.pk})
    measurement_page = attack.rate_urls(place, m)[0]
    lines = [
        CODE_LINE.search(attack.visible_text(attack.read(attack.client_for(user), url) or ""))
        for user, url in (
            (director, org_report),
            (place.amo, org_report),
            (place.amo, measurement_page),
        )
    ]
    own = reverse(
        "results:unit_report",
        kwargs={"org": slug, "measurement_id": m.pk, "unit_id": place.units["Værkstedet"].pk},
    )
    own_page = attack.read(attack.client_for(place.amo), own + "?omfang=enhed") or ""
    own_n = set(attack.n_values(own_page))
    derived = [
        f"Værkstedet's own n {n} - {line[1]} code answers = {n - int(line[1])} e-mail answers"
        for line in lines
        if line is not None
        for n in own_n
        if 0 < n - int(line[1]) < MINIMUM
    ]
    # True by the answers: the derived count is Værkstedet's e-mail invitees who answered.
    assert all(d.endswith(f"= {e_mail_answers} e-mail answers") for d in derived), derived
    assert not derived, derived


def test_a_code_line_kept_before_the_check_is_checked_again_on_its_first_read() -> None:
    _place, m, _answers = _workshop()
    stored = ReportCache.objects.filter(measurement=m)
    kept = stored.values_list("participation", flat=True).get()
    assert kept is not None
    # As a publication closed before kept it: the line checked beside the rows alone.
    earlier = {k: v for k, v in kept.items() if k != "paper_codes_beside_figures"}
    stored.update(participation={**earlier, "paper_codes": [10, 5]})
    assert paper_codes(m) is None
    again = stored.values_list("participation", flat=True).get()
    assert again is not None and again["paper_codes"] is None
