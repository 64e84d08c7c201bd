"""Red team, the HTTP cache of a shared computer (adversary 4 of privacy.md section 0, the
outsider, at a ward PC or a meeting-room laptop where staff sign in one after another in
the same browser; and adversary 1, a colleague who signs in there next).

The respondent's pages (``surveys.respond.private``), Sig det's reporter pages and the
report files send ``Cache-Control: no-store``. Found: every other page sent no
Cache-Control at all, the signed-in staff's pages included: a receiver's Sig det case with
its words, the reports, the person register, the API's publication. A browser keeps such a
response in its disk cache and shows it again from there on Back or from the history
without asking the server, also after the staff member signed out, so whoever sat down
next read what only a receiver may read (the case's text, which may tell who wrote it).
Every response that sets no caching of its own is now ``private, no-store``
(``web.middleware.PrivateByDefaultMiddleware``), and signing out sends ``Clear-Site-Data:
"cache"``, which empties what browsers kept of the site before the fix.

The crawler walks Django's URL configuration (tests/privacy/test_redteam_rule_gaps.py), so
a page added later is checked too.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils.cache import get_max_age

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_redteam_rule_gaps import _addresses, _readers, _values
from tryghed.voice import services as voice
from tryghed.voice.models import Kind, Receiver

pytestmark = pytest.mark.django_db

CASE_TEXT = "Min leder råber ad mig hver fredag på lageret"


def _kept_by_a_cache(response: HttpResponseBase) -> bool:
    """Whether a browser (or a proxy) may keep the response and show it again unasked."""
    control = {
        part.strip().split("=")[0].lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }
    return "no-store" not in control and get_max_age(response) != 0


def test_no_signed_in_page_may_be_kept_by_the_browser_after_signing_out() -> None:
    place = attack.build_workplace(
        {"Lageret": (None, 6), "Kontoret": (None, 6)},
        leaders=["Lageret"],
        employees=["Lageret"],
    )
    launched = attack.launch(place)
    for token in list(launched.tokens.values()):
        attack.submit(token, ps7([3]))
    attack.close(place, launched.measurement)
    case, _code = voice.case_raise(
        organisation=place.org,
        unit=place.units["Lageret"],
        receiver=Receiver.AMO,
        kind=Kind.OFFENSIVE,
        text=CASE_TEXT,
    )
    addresses = _addresses(_values(place, [launched.measurement]))
    case_page = reverse("voice:case_detail", kwargs={"org": place.org.slug, "case_id": case.pk})
    addresses.append(case_page)

    kept: dict[str, list[str]] = {}
    read = 0
    for role, user in _readers(place).items():
        client = attack.client_for(user)
        for address in addresses:
            response = client.get(address)
            if response.status_code != 200:
                continue
            read += 1
            if _kept_by_a_cache(response):
                kept.setdefault(role, []).append(address)
    assert read > 100, "the crawler reached too little to prove anything"
    # The AMO read the case itself: the attack needs its words on a cacheable page.
    amo_case = attack.client_for(place.amo).get(case_page)
    assert CASE_TEXT in amo_case.content.decode()
    assert kept == {}, "signed-in pages a shared computer's browser keeps after sign-out"


def test_signing_out_empties_the_sites_cache_in_the_browser() -> None:
    """Pages a browser kept before they said ``no-store`` stay in its cache until evicted;
    the sign-out is the moment the next person may sit down."""
    place = attack.build_workplace({"Lageret": (None, 1)})
    client = attack.client_for(place.amo)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.get("Clear-Site-Data") == '"cache"'
    assert "_auth_user_id" not in client.session
