"""Red team, what a page carries besides its text (adversary 1 of privacy.md section 0: a
reader who opens the page source, hovers a chart, or uses a screen reader).

A chart's tooltip (``title``), its ``aria-label``, a ``data-*`` attribute for a script or
an ``aria-valuenow`` can hold a number that the text of the page leaves out: the exact n
behind a hidden cell, a mean rounded away in the text. The audit of the pages
(docs/anonymity.md, "Pages and exports") reads their text and their charts' geometry, not
their attributes. The attack reads every page each of three readers may open and fails on
any number in such an attribute that the page's text does not show. Checked and clean on
2026-12-07; kept so that a chart or script added later cannot carry a figure unnoticed.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_redteam_rule_gaps import _addresses, _values, crawl

pytestmark = pytest.mark.django_db

# Attributes a reader sees or hears (tooltips, screen readers) or a script reads.
_ATTRIBUTE = re.compile(
    r"\b(title|aria-label|aria-valuenow|aria-valuetext|aria-description|alt|data-[\w-]+)"
    r'="([^"]*)"'
)


def test_no_attribute_carries_a_number_the_page_does_not_show() -> None:
    place = attack.build_workplace(
        {
            "Afdeling": (None, 0),
            "Team A": ("Afdeling", 12),
            "Team B": ("Afdeling", 7),
            "Lille": ("Afdeling", 3),
        },
        leaders=["Afdeling", "Lille"],
        employees=["Lille"],
    )
    launched = attack.launch(place)
    codes = iter([1, 2, 3, 4, 5, 2] * 4)
    for token in launched.tokens.values():
        code = next(codes)
        attack.submit(token, {**ps7([code]), "hesteskoen.1": code + 3})
    attack.close(place, launched.measurement)
    addresses = sorted(
        set(_addresses(_values(place, [launched.measurement])))
        | set(attack.report_urls(place, launched.measurement))
    )

    extra: dict[str, list[str]] = {}
    attributes = 0
    for role, user in place.readers().items():
        for address, page in crawl(attack.client_for(user), addresses).items():
            if page.startswith(("{", "[")) or "<html" not in page[:500]:
                continue  # JSON and PDF text have no attributes
            text = {
                m.group().replace("\xa0", " ")
                for m in attack.NUMBER.finditer(attack.visible_text(page))
            }
            for name, value in _ATTRIBUTE.findall(page):
                numbers = [m.group() for m in attack.NUMBER.finditer(html.unescape(value))]
                attributes += bool(numbers)
                unshown = [n for n in numbers if n.replace("\xa0", " ") not in text]
                if unshown:
                    extra.setdefault(f"{role} {address}", []).append(f"{name}={value!r}")
    assert attributes > 50, "too few attributes with numbers were read to prove anything"
    assert extra == {}, "numbers in attributes that the page's text does not show"
