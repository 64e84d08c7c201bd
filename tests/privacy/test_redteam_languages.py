"""Red team, the English interface beside the Danish (adversary 1 of privacy.md section 0: a
reader who switches the language and compares what the two renderings of a page show).

Every figure a reader sees is decided once, in the publication; a translation can still
add one (an English plural that prints a count the Danish sentence leaves out, a tooltip
with the exact n). The attack reads every report page and file of a closed measurement
in Danish and in English, as the administrator (who sees most) and the leader of a team
whose own group is hidden, and compares the numbers each shows, dates aside. Checked and
clean on 2026-12-07; kept so that a translation cannot add a figure unnoticed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_redteam_rule_gaps import _file_text
from tryghed.results.models import ExportKind

pytestmark = pytest.mark.django_db

# Dates and times are written differently in the two languages ("7. december 2026",
# "7 December 2026", "07.12.2026 10:15", "2. halvår 2026", "Half-year 2, 2026").
_DATES = re.compile(
    r"\d{1,2}\.? \w+\.? \d{4}|\w+ \d{1,2}, \d{4}|\d{4}-\d\d-\d\d|\d\d:\d\d"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\b20\d\d\b"
)


def _numbers(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in attack.NUMBER.finditer(_DATES.sub(" ", text)):
        value = attack.as_number(match.group().replace("\xa0", "").replace(" ", ""))
        found[f"{value:.2f}"] += 1
    return found


def _in_both(client: Client, read: Callable[[], str]) -> tuple[str, str]:
    texts = []
    for language in ("da", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        texts.append(read())
    return texts[0], texts[1]


def test_the_english_pages_and_files_show_the_same_numbers_as_the_danish() -> None:
    place = attack.build_workplace(
        {
            "Afdeling": (None, 0),
            "Team A": ("Afdeling", 12),
            "Team B": ("Afdeling", 7),
            "Lille": ("Afdeling", 3),
        },
        leaders=["Lille"],
    )
    launched = attack.launch(place)
    m = launched.measurement
    codes = iter([1, 2, 3, 4, 5, 2] * 4)
    for token in launched.tokens.values():
        code = next(codes)
        attack.submit(token, {**ps7([code]), "hesteskoen.1": code + 3})
    attack.close(place, m)
    slug = place.org.slug

    compared: dict[str, tuple[str, str]] = {}
    for role, user in (("admin", place.owner), ("leader of Lille", place.leaders["Lille"])):
        client = attack.client_for(user)
        for url in attack.report_urls(place, m):

            def page(url: str = url, client: Client = client) -> str:
                return attack.visible_text(attack.read(client, url) or "")

            compared[f"{role} {url}"] = _in_both(client, page)
        forms: list[dict[str, object]] = [
            {"kind": ExportKind.EXCEL},
            {"kind": ExportKind.ORGANISATION_PDF},
        ]
        forms += [
            {"kind": ExportKind.UNIT_PDF, "unit": u.pk, **extra}
            for u in [place.root, *place.units.values()]
            for extra in ({"details": "on"}, {"scope": "unit", "details": "on"})
        ]
        for form in forms:

            def file(form: dict[str, object] = form, client: Client = client) -> str:
                body = attack.download_file(client, slug, m.pk, form)
                return "" if body is None else _file_text(body)

            compared[f"{role} file {form}"] = _in_both(client, file)

    read = {k: v for k, v in compared.items() if v[0] and v[1]}
    assert len(read) > 20 and any("Team A" in da for da, _en in read.values())
    assert {k for k, (da, en) in compared.items() if bool(da) != bool(en)} == set()
    assert any(da != en for da, en in read.values()), "the English rendering was not read"
    differ = {
        k: attack.diff(_numbers(da), _numbers(en))
        for k, (da, en) in read.items()
        if _numbers(da) != _numbers(en)
    }
    assert differ == {}, "numbers only one language shows"
