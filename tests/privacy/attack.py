"""The attacker's toolbox: build a workplace, let people answer through the product,
and read what each adversary of privacy.md section 0 can read.

Everything here drives the product only through its public services and pages
(``measurement_create``/``_open``/``_close``, ``response_submit``, ``unit_move``, the
HTML pages through ``django.test.Client``), and reads the database only as its operator
would (raw SQL over every table). Nothing depends on how the storage or the report data
is built inside, so the attacks stay valid whatever the fixes look like.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import inspect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from tests.factories import grant, make_org, make_person, make_unit, make_user, root_of
from tryghed.accounts.models import User
from tryghed.orgs.models import Organisation, Person, Role, Unit
from tryghed.surveys import services
from tryghed.surveys.models import Measurement

LINK = re.compile(r"https?://[^\s]+/s/([A-Za-z0-9_\-]+)/")
MARK = "hemmeligkommentar"  # every secret comment starts with this, then a unique tag
_tags = itertools.count(1)


# --------------------------------------------------------------------------- a workplace


@dataclass
class Workplace:
    """An organisation with named units, its people and a user per role.

    ``owner`` is admin, ``amo`` the AMO member; ``leaders[unit name]`` leads that unit;
    ``employees[unit name]`` is an employee in it.
    """

    org: Organisation
    root: Unit
    units: dict[str, Unit]
    people: dict[str, list[Person]]
    owner: User
    amo: User
    leaders: dict[str, User] = field(default_factory=dict)
    employees: dict[str, User] = field(default_factory=dict)

    def readers(self) -> dict[str, User]:
        """Every reader of results (adversary 1) by a label."""
        found = {"admin": self.owner, "amo": self.amo}
        found.update({f"leader of {n}": u for n, u in self.leaders.items()})
        found.update({f"employee in {n}": u for n, u in self.employees.items()})
        return found


def build_workplace(
    tree: Mapping[str, tuple[str | None, int]],
    *,
    without_email: Mapping[str, int] | None = None,
    leaders: Iterable[str] = (),
    employees: Iterable[str] = (),
) -> Workplace:
    """``tree``: unit name -> (parent name or None for the root, people with e-mail).
    Units are created in the given order, so a parent must come before its children."""
    n = next(_tags)
    org = make_org(f"Angrebskommune {n}", slug=f"angreb-{n}")
    root = root_of(org)
    units: dict[str, Unit] = {}
    people: dict[str, list[Person]] = {}
    for name, (parent, headcount) in tree.items():
        unit = make_unit(org, parent=units[parent] if parent else root, name=name)
        units[name] = unit
        people[name] = [
            make_person(unit, name=f"{name} {i}", email=f"a{n}-{unit.pk}-{i}@example.test")
            for i in range(headcount)
        ]
        for i in range((without_email or {}).get(name, 0)):
            people[name].append(make_person(unit, name=f"{name} uden e-mail {i}"))
    owner, amo = make_user(), make_user()
    grant(owner, org, Role.ADMIN)
    grant(amo, org, Role.AMO)
    place = Workplace(org, root, units, people, owner, amo)
    for name in leaders:
        place.leaders[name] = make_user()
        grant(place.leaders[name], org, Role.LEADER, units[name])
    for name in employees:
        place.employees[name] = make_user()
        grant(place.employees[name], org, Role.EMPLOYEE, units[name])
    return place


# --------------------------------------------------------------------------- a measurement


@dataclass
class Launched:
    measurement: Measurement
    tokens: dict[int, str]  # person pk -> the token of the e-mail they received


def launch(
    place: Workplace,
    instruments: Sequence[str] = ("ps7", "hesteskoen"),
    *,
    previous: Measurement | None = None,
    name: str = "Måling",
    scope: Sequence[Unit] | None = None,
) -> Launched:
    """Create and open a measurement (of the whole organisation unless ``scope`` names
    units), and collect the links e-mailed to the people."""
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=place.org,
        actor=place.owner,
        name=name,
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(u) for u in (scope or [place.root])],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        languages=["da"],
        previous=previous,
    )
    start = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=place.owner)
    by_email: dict[str, str] = {}
    for message in mail.outbox[start:]:
        match = LINK.search(str(message.body))
        if match:
            by_email[message.to[0]] = match.group(1)
    tokens = {
        p.pk: by_email[p.email]
        for people in place.people.values()
        for p in people
        if p.email and p.email in by_email
    }
    measurement.refresh_from_db()
    return Launched(measurement, tokens)


def submit(token: str, answers: Mapping[str, int], texts: Mapping[str, str] | None = None) -> None:
    """One respondent presses "send" (the service the respondent's last page calls)."""
    extra: dict[str, Any] = {}
    if "language" in inspect.signature(services.response_submit).parameters:
        extra["language"] = "da"  # stored on the response before finding 2 was fixed
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.response_submit(token=token, answers=answers, texts=texts or {}, **extra)


def close(place: Workplace, measurement: Measurement) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.measurement_close(measurement=measurement, actor=place.owner)
    measurement.refresh_from_db()


def ps7(codes: Sequence[int]) -> dict[str, int]:
    """ps7 answers: one code for all seven items, or seven codes.

    Scores (0-70): all 1 -> 40, all 2 -> 34, all 3 -> 28, all 4 -> 29, all 5 -> 30."""
    if len(codes) == 1:
        codes = list(codes) * 7
    return {f"ps7.{i}": c for i, c in enumerate(codes, start=1)}


def secret_comment() -> str:
    """A comment nobody else writes, so it can be found wherever it surfaces."""
    return f"{MARK}{next(_tags):04d}x"


# --------------------------------------------------------------------------- reading pages


_HIDDEN_FIELD = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    """A form's hidden fields, as the browser would send them back."""
    return {name: html_lib.unescape(value) for name, value in _HIDDEN_FIELD.findall(page)}


def settings_post(client: Client, organisation: Organisation, **changes: object) -> None:
    """The administrator saves the organisation's settings page with some values changed."""
    organisation.refresh_from_db()
    form: dict[str, object] = {
        "min_group_score": organisation.min_group_score,
        "min_group_comment": organisation.min_group_comment,
        "min_group_sensitive": organisation.min_group_sensitive,
        "response_retention_months": organisation.response_retention_months,
        "contact_email": organisation.contact_email,
        "privacy_legal_basis": organisation.privacy_legal_basis,
        **changes,
    }
    if organisation.require_mfa:
        form["require_mfa"] = "on"
    got = client.post(reverse("orgs:settings", kwargs={"org": organisation.slug}), form)
    assert got.status_code == 302, got.content.decode()[:2000]
    organisation.refresh_from_db()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read(client: Client, url: str) -> str | None:
    """The page's HTML, or None when the role may not open it (403/404/redirect)."""
    response = client.get(url)
    if response.status_code != 200:
        return None
    kind = response.get("Content-Type", "")
    body = _body(response)
    if kind.startswith("application/pdf"):
        return pdf_text(body)
    return body.decode(errors="replace")


def _body(response: Any) -> bytes:
    """The bytes of a response, streamed (file downloads) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def download_file(
    client: Client, slug: str, measurement_id: int, form: Mapping[str, object]
) -> bytes | None:
    """A report file as ``client`` asks for it and downloads it: its bytes, or None when
    the request or the download is refused."""
    url = reverse("results:export_request", kwargs={"org": slug, "measurement_id": measurement_id})
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(url, dict(form))
    if asked.status_code != 302:
        return None
    match = re.search(r"/filer/(\d+)/", asked["Location"])
    if match is None:
        return None
    got = client.get(
        reverse("results:export_download", kwargs={"org": slug, "export_id": int(match[1])})
    )
    if got.status_code != 200:
        return None
    return _body(got)


def pdf_text(body: bytes) -> str:
    """The text of a PDF export, as anyone opening the file reads it."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.S | re.I)
_CSRF = re.compile(r"<input[^>]*csrfmiddlewaretoken[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
# Danish and English numbers: 1.234,5 / 1,234.5 / 38,0 / −2,5 / 12 %
NUMBER = re.compile(r"(?<![\w])[−\-]?\d+(?:[.,]\d+)*(?:\s?%)?")
_SVG = re.compile(r"<svg\b.*?</svg>", re.S | re.I)
_SVG_GEOMETRY = re.compile(r'\b(?:x|y|x1|x2|y1|y2|width|height|cx|cy|r|d|points)="([^"]*)"')


def visible_text(page: str) -> str:
    text = _TAG.sub(" ", _CSRF.sub(" ", _HIDDEN.sub(" ", page)))
    return re.sub(r"\s+", " ", html_lib.unescape(text))


def figures(page: str) -> Counter[str]:
    """Every number a reader can see on the page, and the geometry of its charts (a bar's
    length shows a share as well as a printed percentage does)."""
    found: Counter[str] = Counter(
        m.group().replace("\xa0", " ") for m in NUMBER.finditer(visible_text(page))
    )
    for svg in _SVG.findall(page):
        for value in _SVG_GEOMETRY.findall(svg):
            found[f"svg:{value}"] += 1
    return found


def diff(before: Counter[str], after: Counter[str]) -> dict[str, list[str]]:
    """What appeared and what disappeared between two reads of a page."""
    return {
        "appeared": sorted((after - before).elements()),
        "gone": sorted((before - after).elements()),
    }


def secrets_on(page: str) -> set[str]:
    return set(re.findall(rf"{MARK}\d{{4}}x", html_lib.unescape(page)))


def as_number(text: str) -> float:
    """A number as printed in Danish ("38,0", "1.234", "−2,5") or English."""
    cleaned = text.replace("%", "").replace("−", "-").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return float(cleaned)


def n_values(page: str) -> list[int]:
    """Every "n = 12" a page prints (the group size behind a figure)."""
    return [int(m) for m in re.findall(r"\bn\s*=\s*(\d+)", visible_text(page))]


# --------------------------------------------------------------------------- what each role reads


def report_urls(place: Workplace, measurement: Measurement) -> list[str]:
    """Every result page of a measurement for every unit, both scopes, and the lists."""
    slug = place.org.slug
    urls = [
        reverse("results:list", kwargs={"org": slug}),
        reverse("results:org_report", kwargs={"org": slug, "measurement_id": measurement.pk}),
        reverse("results:feedback", kwargs={"org": slug, "measurement_id": measurement.pk}),
        reverse("results:feedback_latest", kwargs={"org": slug}),
    ]
    for unit in [place.root, *place.units.values()]:
        base = reverse(
            "results:unit_report",
            kwargs={"org": slug, "measurement_id": measurement.pk, "unit_id": unit.pk},
        )
        urls += [base, base + "?omfang=alt", base + "?omfang=enhed"]
    return urls


def rate_urls(place: Workplace, measurement: Measurement) -> list[str]:
    slug = place.org.slug
    return [
        reverse("surveys_admin:detail", kwargs={"org": slug, "measurement_id": measurement.pk}),
        reverse("surveys_admin:list", kwargs={"org": slug}),
    ]


def apv_urls(place: Workplace) -> list[str]:
    slug = place.org.slug
    urls = [
        reverse("apv:document", kwargs={"org": slug}),
        reverse("apv:absences", kwargs={"org": slug}),
        reverse("apv:dashboard", kwargs={"org": slug}),
        reverse("apv:document_pdf", kwargs={"org": slug}),
    ]
    for unit in [place.root, *place.units.values()]:
        urls.append(reverse("apv:unit_document", kwargs={"org": slug, "unit_id": unit.pk}))
    return urls


def read_all(place: Workplace, urls: Sequence[str]) -> dict[tuple[str, str], str]:
    """(role, url) -> page, for every reader who may open it."""
    pages: dict[tuple[str, str], str] = {}
    for role, user in place.readers().items():
        client = client_for(user)
        for url in urls:
            page = read(client, url)
            if page is not None:
                pages[(role, url)] = page
    return pages


def excel_figures(user: User, place: Workplace, measurement: Measurement) -> Counter[str] | None:
    """Every cell value of the measurement's spreadsheet export as ``user`` downloads it
    (None when the role may not export it)."""
    import io

    from openpyxl import load_workbook

    client = client_for(user)
    url = reverse(
        "results:export_request", kwargs={"org": place.org.slug, "measurement_id": measurement.pk}
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(url, {"kind": "excel"})
    if asked.status_code != 302:
        return None
    match = re.search(r"/filer/(\d+)/", asked["Location"])
    assert match, asked["Location"]
    download = reverse(
        "results:export_download", kwargs={"org": place.org.slug, "export_id": int(match[1])}
    )
    got = client.get(download)
    if got.status_code != 200:
        return None
    body = _body(got)
    book = load_workbook(io.BytesIO(body), read_only=True)
    found: Counter[str] = Counter()
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found[f"{sheet.title}:{value!r}"] += 1
                elif isinstance(value, str):
                    for number in NUMBER.findall(value):
                        found[f"{sheet.title}:{number}"] += 1
    return found


# --------------------------------------------------------------------------- the database


def tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def rows(table: str, extra: str = "") -> list[tuple[Any, ...]]:
    """Every row of a table, as the operator reads it; ``extra`` adds system columns in
    front (``xmin::text, ctid::text`` on PostgreSQL, ``rowid`` on SQLite)."""
    quoted = connection.ops.quote_name(table)
    select = f"{extra}, *" if extra else "*"
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"SELECT {select} FROM {quoted}")  # noqa: S608 - table names from the catalogue
        except Exception:  # a WITHOUT ROWID table has no rowid: no order to read
            if not extra:
                raise
            return []
        return list(cursor.fetchall())


def secrets_in(values: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, memoryview | bytes):
            value = bytes(value).decode("latin-1")
        if isinstance(value, str) and MARK in value:
            found |= set(re.findall(rf"{MARK}\d{{4}}x", value))
    return found


def tables_holding_secrets() -> list[str]:
    """Tables where an answer can be read in plain text (found by the secret comments)."""
    return [t for t in tables() if any(secrets_in(row) for row in rows(t))]


def person_linked_tables() -> dict[str, str]:
    """Tables whose rows name a person or an invitation: table -> that column."""
    found: dict[str, str] = {}
    for table in tables():
        cols = columns(table)
        for name in ("person_id", "invitation_id"):
            if name in cols:
                found[table] = name
                break
    return found
