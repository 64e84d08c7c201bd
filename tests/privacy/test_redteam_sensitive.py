"""Red team, sensitive questions (krænkende handlinger, vold) in every page and file
(adversary 1 of privacy.md section 0; section 2: sensitive items need 10 responses).

A team of seven is large enough for its scores (minimum 5) and too small for its answers
about harassment and violence (minimum 10), in the whole organisation too. Two
organisations are identical but for those answers: in one nobody was exposed, in the other
everyone was, often, and said by whom (the follow-up questions appear only then). Every
reader reads every report page, the APV pages, and every file (the spreadsheet, the
organisation PDF, the unit PDFs with details); anything that differs between the two
tells the team's sensitive answers, or who among them answered the follow-ups.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest
from django.test import Client

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

SENSITIVE_CHOICES = ("risk5.8", "risk5.10", "risk5.12", "risk5.14", "risk5.16")
FOLLOW_UPS = ("risk5.9", "risk5.11", "risk5.13", "risk5.15", "risk5.17")
# When a file was made (a PDF's "Udskrevet ..." and page numbers, the spreadsheet's
# "Læs mig" sheet), which says nothing of the answers.
_PRINTED_AT = re.compile(r"Udskrevet .*?\d\d[:.]\d\d|\d+ / \d+$|\d\d\.\d\d\.\d{4} \d\d:\d\d", re.M)


def _answers(i: int, *, exposed: bool) -> dict[str, object]:
    answers: dict[str, object] = {**ps7([1 + i % 5]), "hesteskoen.1": 1 + i % 5}
    answers.update({f"risk5.{n}": 1 + (i + n) % 5 for n in range(1, 8)})
    for item in SENSITIVE_CHOICES:
        answers[item] = 4 if exposed else 1
    if exposed:
        for item in FOLLOW_UPS:
            answers[item] = [1 + i % 3]
    return answers


def _file(client: Client, slug: str, m: Measurement, form: dict[str, object]) -> str | None:
    body = attack.download_file(client, slug, m.pk, form)
    if body is None:
        return None
    if body.startswith(b"%PDF"):
        return _PRINTED_AT.sub(" ", attack.pdf_text(body))
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    # A float's last digits follow the order the answers were added in (random, about
    # 1e-14 apart), not what they are: eight significant digits are more than any page
    # shows, and two equal figures round alike but once in about a million.
    return _PRINTED_AT.sub(
        " ",
        "\n".join(
            f"{sheet.title}:{float(f'{value:.8g}') if isinstance(value, float) else value!r}"
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ),
    )


def _everything_read(*, exposed: bool) -> dict[str, Counter[str]]:
    """What each reader reads, keyed by reader and page or file (the same keys in both
    organisations), as the numbers on it."""
    place = attack.build_workplace({"Team": (None, 7)}, leaders=["Team"], employees=["Team"])
    launched = attack.launch(place, ("ps7", "hesteskoen", "risk5"))
    for i, person in enumerate(place.people["Team"]):
        attack.submit(launched.tokens[person.pk], _answers(i, exposed=exposed))  # type: ignore[arg-type]
    m = launched.measurement
    attack.close(place, m)
    # The AMO and top management read what the administrator reads, or less.
    readers = {k: u for k, u in place.readers().items() if k != "amo"}
    # The APV document's PDF prints the APV document page, read here.
    urls = [*attack.report_urls(place, m), *(u for u in attack.apv_urls(place) if "pdf" not in u)]
    forms: list[dict[str, object]] = [{"kind": "excel"}, {"kind": "organisation_pdf"}]
    for unit, scope in itertools.product([place.root, place.units["Team"]], ("unit", "subtree")):
        forms.append({"kind": "unit_pdf", "unit": unit.pk, "scope": scope, "details": "on"})
    # What differs between the two organisations whatever the answers: their names (a PDF
    # may break a name over two lines) and the readers' addresses.
    head, number = place.org.name.rsplit(" ", 1)
    names = [re.compile(rf"{re.escape(head)}\s*{number}\b"), re.compile(re.escape(place.org.slug))]
    names += [re.compile(re.escape(u.email)) for u in readers.values()]
    read: dict[str, Counter[str]] = {}
    for role, user in readers.items():
        client = attack.client_for(user)
        texts: dict[str, str | None] = {
            f"page {i}": attack.read(client, u) for i, u in enumerate(urls)
        }
        texts.update(
            {f"file {i}": _file(client, place.org.slug, m, f) for i, f in enumerate(forms)}
        )
        for key, text in texts.items():
            if text is None:
                continue
            for name in names:
                text = name.sub("", text)
            read[f"{role} {key}"] = attack.figures(text)
    return read


def test_a_small_teams_answers_on_harassment_and_violence_change_nothing_anyone_reads() -> None:
    quiet = _everything_read(exposed=False)
    exposed = _everything_read(exposed=True)
    assert set(quiet) == set(exposed), "a reader opens other pages depending on the answers"
    assert any(key.startswith("admin file") for key in quiet), "no file was read"
    moved = {
        key: attack.diff(quiet[key], exposed[key])
        for key in sorted(quiet)
        if quiet[key] != exposed[key]
    }
    assert moved == {}, "sensitive answers of a team of seven show in what readers read"
