"""The publication audit (privacy.md section 3): every closed measurement's publication as
each reader sees it, alone, with its earlier wave and across a reorganisation, handed to
the subtraction solver. No derived group may hold 1..min-1 people."""

from __future__ import annotations

import datetime as dt
import html
import random
import re
from collections.abc import Sequence
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import grant, make_org, make_unit, make_user, root_of
from tryghed.accounts.models import User
from tryghed.cli import main
from tryghed.core import statistics
from tryghed.core.disclosure import Figure, audit
from tryghed.core.figures import Group, ScaleFigure, shown
from tryghed.core.instruments import Instrument
from tryghed.orgs import services as org_services
from tryghed.orgs.demo import load_demo
from tryghed.orgs.models import Organisation, Role, Unit
from tryghed.results import readings
from tryghed.results.aggregates import compute_report_data
from tryghed.results.audit import (
    Finding,
    Publication,
    Reader,
    audit_organisation,
    audited_measurements,
    measurement_figures,
    publications,
    readers,
    view_groups,
)
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys import services as survey_services
from tryghed.surveys.demo import load_demo_measurements
from tryghed.surveys.models import Measurement, Response, Status


def _describe(findings: Sequence[Finding]) -> str:
    lines = []
    for finding in findings:
        result = finding.result
        for leak in result.leaks:
            terms = " ".join(f"{t.coefficient} × {t.label} ({t.n})" for t in leak.terms)
            lines.append(
                f"{finding.reader} / {finding.title}: {leak.population} n={leak.n}: {terms}"
            )
        for bad in result.inconsistent:
            lines.append(f"{finding.reader} / {finding.title}: inconsistent {bad.population}")
        for undecided in result.undecided:
            lines.append(f"{finding.reader} / {finding.title}: undecided {undecided.population}")
    return "\n".join(lines[:30])


# --------------------------------------------------------------------------- (a) the demo


@pytest.fixture
def demo(db: None) -> Organisation:
    organisation, _ = load_demo()
    load_demo_measurements(organisation)
    return organisation


def test_the_demo_publication_lets_no_reader_derive_a_small_group(demo: Organisation) -> None:
    closed = audited_measurements(demo)
    assert len(closed) == 3  # two waves and the maturity measurement
    labels = {reader.label for reader in readers(demo)}
    assert {"admin", "amo", "top_management"} <= labels
    assert any(label.startswith("leader:") for label in labels)
    assert any(label.startswith("employee:") for label in labels)
    findings = audit_organisation(demo)
    # Each reader: the three alone, and the second wave together with the first.
    assert len(findings) == 4 * len(labels)
    whole = next(f for f in findings if f.reader == "admin" and "+" in f.title)
    assert len(whole.result.derived) > 100  # the audit saw the publication, not nothing
    bad = [f for f in findings if not f.result.ok]
    assert not bad, _describe(bad)


@pytest.mark.parametrize("seed", [8, 11, 12])
def test_the_demo_stays_safe_with_other_answers(db: None, seed: int) -> None:
    # Other seeds give other answers and other suppression patterns. Data like these once
    # showed risk5's key figures where the sensitive scale was hidden (a derived group of
    # 1): the audit must find nothing for any of them.
    organisation, _ = load_demo()
    load_demo_measurements(organisation, seed=seed)
    bad = [f for f in audit_organisation(organisation) if not f.result.ok]
    assert not bad, _describe(bad)


def test_the_audit_command_reports_no_derived_group_for_the_demo(demo: Organisation) -> None:
    out = StringIO()
    call_command("audit_anonymity", "--org", demo.slug, stdout=out)
    text = out.getvalue()
    assert "0 afledte grupper under mindstegrænsen" in text
    assert "Lækage" not in text
    assert main(["audit-anonymity", "--org", demo.slug, "--role", "amo"]) == 0
    assert main(["audit-anonymity", "--org", "ingen-saadan"]) == 2


# --------------------------------------------------------------------------- pages


NUMBER = re.compile(r"[−-]?\d+(?:[.,]\d+)?")


def _renderings(value: float) -> set[str]:
    """How a page may print a number: as is, rounded to 0-2 decimals, or as a percentage,
    with a decimal comma or point and a real minus sign, or without its sign where the
    words say the direction ("Faldet 11,4")."""
    out: set[str] = set()
    if isinstance(value, int):
        out.add(str(value))
    for x in (value, value * 100, abs(value), abs(value) * 100):
        for decimals in (0, 1, 2):
            text = f"{x:.{decimals}f}"
            out |= {text, text.replace(".", ",")}
    return out | {t.replace("-", "−") for t in out}


def _published_numbers(part: object) -> set[str]:
    """Every rendering of every number in a publication slice, and the shares a page
    derives from a distribution (a count over its group's n, shown as a percentage)."""
    out: set[str] = set()
    if isinstance(part, dict):
        n = part.get("n")
        for key in ("counts", "bins"):
            values = part.get(key)
            if isinstance(values, list) and isinstance(n, int) and n > 0:
                for count in values:
                    out |= _renderings(count / n)
        for value in part.values():
            out |= _published_numbers(value)
    elif isinstance(part, list):
        for value in part:
            out |= _published_numbers(value)
    elif isinstance(part, int | float) and not isinstance(part, bool):
        out |= _renderings(part)
    return out


def _page_numbers(html_text: str) -> list[str]:
    """The numbers in a page's main content as a reader sees them (text, not markup)."""
    main = html_text[html_text.find("<main") : html_text.find("</main>")]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return NUMBER.findall(html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _allowed_besides(measurement: Measurement) -> set[str]:
    """Numbers a page prints that are not figures: the measurement's and the earlier wave's
    names and dates ("siden Trivsel 2024") and the instruments' own texts (question
    wording, references such as "BEK 1406/2020")."""
    allowed: set[str] = set()
    waves = [measurement] if measurement.previous is None else [measurement, measurement.previous]
    for wave in waves:
        allowed |= set(NUMBER.findall(wave.name))
        for day in (wave.opens_on, wave.closes_on):
            allowed |= {str(day.year), str(day.month), str(day.day), f"{day.day:02d}"}
    for source in measurement.instruments.values_list("source", flat=True):
        allowed |= set(NUMBER.findall(source))
    for citation in PAGE_CITATIONS:
        allowed |= set(NUMBER.findall(citation))
    return allowed


# Sources the report pages cite in their own text (the team report's "deal with this first").
PAGE_CITATIONS = ("BFA, Psykologisk tryghed – en introduktion, 2024",)


TOGETHER = re.compile(r'<p class="report-together">.*?</p>', flags=re.S)


def _text_numbers(fragment: str) -> list[str]:
    return NUMBER.findall(html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def _combined_numbers(publication: Publication, reader: Reader) -> set[str]:
    """Every rendering of what a leader's subtree report may print where it hides a scale
    ("Enhederne under denne samlet", presenters.Together): for every unit of the reader's
    view with units below, every scale's shown figures of those units put together (n,
    mean, CI, reading and the mean on its own scale), and how many units that is of how
    many. Each is a function of figures of the same view."""
    data = publication.typed
    keys = set(view_groups(reader, publication.measurement, data))
    out: set[str] = set()
    for entry in data.units.values():
        below = [c for c in entry.children if ("subtree", str(c)) in keys]
        if len(below) < 2:
            continue
        out |= {str(len(below)), str(len(entry.children))}
        for iid, meta in data.instruments.items():
            for sid, scale in meta.scales.items():
                parts = []
                for child in below:
                    group = data.group(child, "subtree")
                    block = shown(group.scale(iid, sid)) if isinstance(group, Group) else None
                    if block is not None and block.mean is not None and block.sd is not None:
                        parts.append((int(block.n), float(block.mean), float(block.sd)))
                if len(parts) < 2:
                    continue
                summary = statistics.combined_summary(parts)
                for value in (summary.n, summary.mean, *(summary.ci95 or ())):
                    if value is not None:
                        out |= _renderings(value)
                figure = ScaleFigure(summary.n, summary.mean, summary.sd, summary.ci95, None, ())
                found = readings.scale_reading(scale, figure)
                if found is not None:
                    for value in (found.value, found.native, found.low, found.high):
                        if value is not None:
                            out |= _renderings(value)
    return out


def _unpublished(
    page: str, publication: Publication, reader_label: str, demo: Organisation
) -> list[str]:
    reader = next(r for r in readers(demo) if r.label == reader_label)
    accepted = _published_numbers(publication.slice_for(reader))
    accepted |= _allowed_besides(publication.measurement)
    # The units below put together are checked against what the reader's view gives them
    # alone (the whole slice's renderings would take most numbers), and "95 %" of the CI.
    together = _combined_numbers(publication, reader) | {"95"}
    strays = {n for n in _page_numbers(TOGETHER.sub(" ", page)) if n not in accepted}
    for paragraph in TOGETHER.findall(page):
        strays |= {n for n in _text_numbers(paragraph) if n not in together}
    return sorted(strays)


def test_every_number_on_the_report_pages_is_in_the_readers_publication(
    demo: Organisation, client: Client
) -> None:
    measurement = audited_measurements(demo)[-1]
    publication = Publication(measurement)
    leader_unit = Unit.objects.get(organisation=demo, external_id="SUND-HJN")
    pages = {
        "leader:leder@demo-kommune.dk": [
            reverse(
                "results:unit_report",
                kwargs={"org": demo.slug, "measurement_id": measurement.pk, "unit_id": unit},
            )
            + suffix
            for unit in (
                leader_unit.pk,
                *Unit.objects.filter(parent=leader_unit).values_list("pk", flat=True),
            )
            for suffix in ("", "?omfang=enhed")
        ],
        "admin": [
            reverse(
                "results:org_report", kwargs={"org": demo.slug, "measurement_id": measurement.pk}
            ),
            # Every report of a unit with units below, where a hidden scale may show them
            # put together.
            *(
                reverse(
                    "results:unit_report",
                    kwargs={"org": demo.slug, "measurement_id": measurement.pk, "unit_id": unit},
                )
                for unit in Unit.objects.filter(organisation=demo, children__isnull=False)
                .distinct()
                .values_list("pk", flat=True)
            ),
        ],
        # Top management reads the organisation report too, with its own slice.
        "top_management": [
            reverse(
                "results:org_report", kwargs={"org": demo.slug, "measurement_id": measurement.pk}
            )
        ],
    }
    staff = {"admin": "admin@demo-kommune.dk", "top_management": "direktion@demo-kommune.dk"}
    checked = together = 0
    for label, urls in pages.items():
        client.force_login(User.objects.get(email=label.partition(":")[2] or staff[label]))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            checked += len(_page_numbers(page))
            together += len(TOGETHER.findall(page))
            assert _unpublished(page, publication, label, demo) == [], url
    assert checked > 1000
    assert together > 0  # the units below put together were among what was checked


def test_every_number_in_the_spreadsheet_is_in_the_readers_publication(
    demo: Organisation,
) -> None:
    """The Excel export (administrators and the AMO) holds no number the admin's slice of
    the publication does not: each numeric cell, and each number written in a text cell,
    is one of its renderings, a date of the measurement or the instruments' own text."""
    import io

    from openpyxl import load_workbook

    from tryghed.results.exports import build_workbook

    measurement = audited_measurements(demo)[-1]
    publication = Publication(measurement)
    accepted = _published_numbers(publication.slice_for(next(iter(readers(demo, "admin")))))
    accepted |= _allowed_besides(measurement)
    # Dates as the read-me sheet writes them: the measurement's and the day of the export.
    for day in (measurement.opens_on, measurement.closes_on, timezone.localdate()):
        accepted |= {f"{day:%d.%m}", f"{day:%d}", f"{day:%m}", str(day.year)}
    book = load_workbook(io.BytesIO(build_workbook(measurement, publication.data)))
    strays: set[str] = set()
    checked = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int | float):
                    checked += 1
                    if not _renderings(value) & accepted:
                        strays.add(repr(value))
                elif isinstance(value, str):
                    # "06.12.2026 07:03": when the file was made, not a figure.
                    value = re.sub(r"\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b", " ", value)
                    for number in NUMBER.findall(value):
                        checked += 1
                        if number not in accepted:
                            strays.add(number)
    assert checked > 1000
    assert not strays, sorted(strays)[:20]


# --------------------------------------------------------------------------- deliberate leaks


def test_a_publication_left_with_a_group_of_three_shown_is_reported(demo: Organisation) -> None:
    second = audited_measurements(demo)[-1]
    publication = Publication(second)
    data = publication.data
    units = data["units"]
    # Take a unit with a shown subtree and at least one child, and "show" its remainder
    # by adding a figure for a made-up sibling of 3 people: a group of 3 can be derived.
    parent = next(
        u
        for u, entry in units.items()
        if entry["children"] and not data["groups"][entry["subtree"]]["suppressed"]
    )
    figures = measurement_figures(second, [("subtree", parent)], data=data)
    scale = next(f for f in figures if "/scale/" in f.population)
    children = [c for c in units[parent]["children"]]
    leaky = Figure(
        scale.population,
        "lækket gruppe",
        scale.atoms - {children[0]},
        scale.n - 3,
        scale.minimum,
    )
    result = audit([*figures, leaky])
    assert any(leak.n == 3 for leak in result.leaks)


def test_the_command_prints_the_exact_leak_and_exits_1(
    demo: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tryghed.results import audit as audit_module

    real = audit_module.Publication.seen_by

    def leaky(self: Publication, reader: object) -> list[Figure]:
        figures = real(self, reader)  # type: ignore[arg-type]
        if not figures:
            return figures
        top = max(figures, key=lambda f: len(f.atoms))
        return [
            *figures,
            Figure(
                top.population, "Testgruppe", top.atoms - {min(top.atoms)}, top.n - 2, top.minimum
            ),
        ]

    monkeypatch.setattr(audit_module.Publication, "seen_by", leaky)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_anonymity", "--org", demo.slug, "--role", "admin", stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "Lækage" in text
    assert "2 personer" in text
    assert "Testgruppe" in text


# --------------------------------------------------------------------------- (b) 2,000 units


def _generated_organisation(n_units: int, *, seed: int = 15) -> tuple[Organisation, list[Unit]]:
    """An organisation of n_units units (fan-out 5 under the top), with an administrator
    and a leader of the first area."""
    organisation = make_org("Storkommune", slug="storkommune")
    grant(make_user("admin@storkommune.dk"), organisation, Role.ADMIN)
    root = root_of(organisation)
    units = [root]
    parents = [root]
    while len(units) < n_units:
        created: list[Unit] = []
        for parent in parents:
            for k in range(5):
                if len(units) + len(created) >= n_units:
                    break
                created.append(
                    Unit(
                        organisation=organisation,
                        parent=parent,
                        name=f"{parent.name}.{k}",
                        kind="team",
                        external_id=f"g{len(units) + len(created)}",
                    )
                )
        created = _bulk_units(created)
        units += created
        parents = created
    grant(make_user("leder@storkommune.dk"), organisation, Role.LEADER, units[1])
    return organisation, units


def _generated_wave(
    organisation: Organisation,
    units: Sequence[Unit],
    *,
    name: str,
    previous: Measurement | None,
    rng: random.Random,
) -> Measurement:
    """A closed ps7 measurement over the whole organisation, 0-12 answers per unit."""
    measurement = survey_services.measurement_create(
        organisation=organisation,
        actor=None,
        name=name,
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(units[0])],
        opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 20),
        languages=["da"],
        previous=previous,
    )
    (instrument,) = survey_selectors.measurement_instruments(measurement)
    responses = [
        Response(
            measurement=measurement,
            unit=unit,
            week="2026-W11",
            answers=_answers(instrument, rng),
            texts={},
        )
        for unit in units
        for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12]))
    ]
    Response.objects.bulk_create(responses, batch_size=2000)
    return _close(measurement)


def _bulk_units(units: list[Unit]) -> list[Unit]:
    """Create units with their materialised paths (the tree's invariant) in bulk."""
    created = Unit.objects.bulk_create(units)
    for unit in created:
        parent = unit.parent
        assert parent is not None
        unit.path = f"{parent.path}{unit.pk}/"
        unit.depth = parent.depth + 1
    Unit.objects.bulk_update(created, ["path", "depth"])
    return created


def test_a_generated_organisation_of_2000_units_publishes_no_derivable_small_group(
    db: None,
) -> None:
    organisation, units = _generated_organisation(2000)
    rng = random.Random(15)
    first = _generated_wave(organisation, units, name="Trivsel 2025", previous=None, rng=rng)
    second = _generated_wave(organisation, units, name="Trivsel 2026", previous=first, rng=rng)
    assert Response.objects.filter(measurement=second).count() > 8000
    before_move = publications([second])[0]
    # A reorganisation after closing: a team moves to another area.
    org_services.unit_move(unit=units[7], actor=None, new_parent=units[2])
    findings = audit_organisation(organisation)
    # admin and the leader; each wave alone and both together.
    assert [(f.reader, f.title) for f in findings] == [
        ("admin", "Trivsel 2025"),
        ("admin", "Trivsel 2026"),
        ("admin", "Trivsel 2025 + Trivsel 2026"),
        ("leader:leder@storkommune.dk", "Trivsel 2025"),
        ("leader:leder@storkommune.dk", "Trivsel 2026"),
        ("leader:leder@storkommune.dk", "Trivsel 2025 + Trivsel 2026"),
    ]
    assert len(findings[2].result.derived) > 2000
    bad = [f for f in findings if not f.result.ok]
    assert not bad, _describe(bad)
    after_move = publications([second])[0]
    across = audit(
        [*before_move.figures(before_move.data_keys()), *after_move.figures(after_move.data_keys())]
    )
    assert across.ok


# --------------------------------------------------------------------------- (c) a move


def _answers(instrument: Instrument, rng: random.Random) -> dict[str, int]:
    return {
        item.id: rng.choice(item.codes)
        for item in instrument.items
        if item.type == "choice" and item.codes
    }


def _close(measurement: Measurement) -> Measurement:
    Measurement.objects.filter(pk=measurement.pk).update(
        status=Status.CLOSED, closed_at=timezone.now()
    )
    measurement.refresh_from_db()
    survey_services.measurement_freeze_tree(measurement=measurement)
    return measurement


def _small_team_world() -> tuple[Organisation, Measurement, dict[str, Unit]]:
    """Top → P (6 people) → A (6), B (2); Top → Q (6). Closed, tree frozen."""
    organisation = make_org("Flyttekommune", slug="flyttekommune")
    grant(make_user("admin@flyt.dk"), organisation, Role.ADMIN)
    top = root_of(organisation)
    p = make_unit(organisation, parent=top, name="P", kind="omraade")
    units = {
        "P": p,
        "A": make_unit(organisation, parent=p, name="A"),
        "B": make_unit(organisation, parent=p, name="B"),
        "Q": make_unit(organisation, parent=top, name="Q", kind="omraade"),
    }
    measurement = survey_services.measurement_create(
        organisation=organisation,
        actor=None,
        name="Trivsel 2026",
        instrument_ids=["ps7"],
        scope=[survey_services.ScopeEntry(top)],
        opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 20),
        languages=["da"],
    )
    (instrument,) = survey_selectors.measurement_instruments(measurement)
    rng = random.Random(7)
    sizes = {"P": 6, "A": 6, "B": 2, "Q": 6}
    Response.objects.bulk_create(
        Response(
            measurement=measurement,
            unit=units[name],
            week="2026-W11",
            answers=_answers(instrument, rng),
            texts={},
        )
        for name, size in sizes.items()
        for _ in range(size)
    )
    return organisation, _close(measurement), units


def _move_b_under_q(units: dict[str, Unit]) -> None:
    org_services.unit_move(unit=units["B"], actor=None, new_parent=units["Q"])


def test_moving_a_small_team_after_closing_reveals_nothing_across_the_move(db: None) -> None:
    _organisation, measurement, units = _small_team_world()
    before = Publication(measurement)
    assert before.figures([("subtree", str(units["P"].pk))]), "P's subtree is shown"
    _move_b_under_q(units)
    after = Publication(measurement)
    result = audit([*before.figures(before.data_keys()), *after.figures(after.data_keys())])
    assert result.ok, [(leak.population, leak.n) for leak in result.leaks]


def test_the_harness_finds_the_move_attack_when_figures_follow_the_new_tree(db: None) -> None:
    _organisation, measurement, units = _small_team_world()
    before = Publication(measurement)
    _move_b_under_q(units)
    # What a report recomputed on today's tree would publish (the behaviour before trees
    # were frozen at closing): P's subtree loses B's two people.
    Measurement.objects.filter(pk=measurement.pk).update(frozen_tree=None)
    measurement.refresh_from_db()
    recomputed = compute_report_data(measurement)
    after = measurement_figures(measurement, data=recomputed)
    result = audit([*before.figures(before.data_keys()), *after])
    assert any(leak.atoms == frozenset({str(units["B"].pk)}) for leak in result.leaks)
    assert {leak.n for leak in result.leaks} == {2}
