"""Report files: the spreadsheet and the PDFs hold the report data's figures and nothing
hidden; the job records its progress, a file is reused while its figures hold, and only
those who may read a report may have it as a file."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from tests.conftest import World, client_for
from tests.results.test_aggregates import answer_many, make_measurement
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess, access_for
from tryghed.results import exports
from tryghed.results import services as results_services
from tryghed.results.aggregates import group, report_data
from tryghed.results.models import ExportStatus, ReportCache, ReportExport
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Response, Status

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
WEEK = "2026-W45"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def ps7(codes: Sequence[int]) -> dict[str, int]:
    if len(codes) == 1:
        codes = list(codes) * 7
    return {f"ps7.{n}": code for n, code in enumerate(codes, start=1)}


def answer(measurement: Measurement, unit: Unit, codes: Sequence[int]) -> Response:
    return Response.objects.create(
        measurement=measurement, unit=unit, week=WEEK, answers=ps7(codes)
    )


@pytest.fixture
def measured(world: World) -> Measurement:
    """ps7 for the whole organisation, closed: Team A (6) and the top unit (6) shown, Team B
    (3, all scoring 70, 70 and 34: a mean of 58) hidden, the area's own 2 hidden."""
    opens = dt.date(2026, 11, 2)
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Efterår 2026",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.root)],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=14),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    measurement.refresh_from_db()
    for codes in ([1], [2], [3], [4], [5], [2]):
        answer(measurement, world.team_a, codes)
    for codes in ([5, 1, 5, 1, 5, 1, 1], [5, 1, 5, 1, 5, 1, 1], [2]):
        answer(measurement, world.team_b, codes)
    for codes in ([1], [3]):
        answer(measurement, world.area, codes)
    for codes in ([1], [1], [2], [3], [3], [4]):
        answer(measurement, world.root, codes)
    return measurement


HIDDEN_MEANS = ("58,0", "58.0", "82,9", "82.9")  # Team B's mean, 0-70 and 0-100
REASONS = {"for få svar", "skjult for at beskytte en mindre gruppe"}


def amo_access(world: World) -> OrgAccess:
    return access_for(user=world.amo, slug=world.org.slug)


def make_export(
    capture: CaptureOnCommit,
    access: OrgAccess,
    measurement: Measurement,
    kind: str,
    unit: Unit | None = None,
    scope: str = "subtree",
    language: str = "da",
) -> ReportExport:
    with capture(execute=True):
        export = results_services.export_request(
            access=access,
            measurement=measurement,
            kind=kind,
            unit=unit,
            scope=scope,
            language=language,
        )
    export.refresh_from_db()
    return export


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def sheet_rows(content: bytes, title: str | int) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[title] if isinstance(title, int) else workbook[title]
    return list(sheet.iter_rows(values_only=True))


# --------------------------------------------------------------------------- the spreadsheet


def table(rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """A table sheet's rows as dicts keyed by the header."""
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def rows_for(rows: Sequence[dict[str, Any]], unit: str, scope_label: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["Enhed"] == unit and row["Gruppe"] == scope_label]


SCALE_NUMBERS = ("Antal svar", "Gennemsnit", "Spredning (SD)")
CI = ("95 %-interval, nedre", "95 %-interval, øvre")


@pytest.mark.django_db
def test_the_spreadsheet_holds_the_report_datas_numbers_and_reasons_for_hidden_cells(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(django_capture_on_commit_callbacks, amo_access(world), measured, "excel")
    assert export.status == ExportStatus.DONE and export.content_type == exports.XLSX
    content = bytes(export.content or b"")
    data = report_data(measured)
    assert load_workbook(io.BytesIO(content)).sheetnames == [
        "Læs mig",
        "Psykologisk tryghed",
        "Psykologisk tryghed, spm.",
    ]
    rows = sheet_rows(content, 1)
    assert rows[0] == (
        "Enhed",
        "Placering",
        "Niveau",
        "Gruppe",
        "Skala",
        "Retning",
        "Skalaens spænd",
        *SCALE_NUMBERS,
        *CI,
        "Status",
    )
    scales = table(rows)

    (team_a,) = rows_for(scales, "Team A", "Enheden")
    shown = group(data, world.team_a.pk)["instruments"]["ps7"]["scales"]["total"]
    assert (team_a["Placering"], team_a["Niveau"]) == ("Testkommune / Område", 2)
    assert (team_a["Skala"], team_a["Retning"], team_a["Skalaens spænd"]) == (
        "Psykologisk tryghed",
        "højere er bedre",
        "0–70",
    )
    # Unrounded, as in the report data (an xlsx keeps 15 significant digits).
    assert [team_a[c] for c in (*SCALE_NUMBERS, *CI)] == pytest.approx(
        [shown["n"], shown["mean"], shown["sd"], *shown["ci95"]], rel=1e-12
    )
    assert team_a["Antal svar"] == 6 and team_a["Gennemsnit"] == pytest.approx(32.5)
    assert team_a["Status"] is None
    (area,) = rows_for(scales, "Område", "Med underenheder")
    assert area["Antal svar"] == 11 and area["Gennemsnit"] == pytest.approx(39.72727, abs=1e-4)
    (whole,) = rows_for(scales, "Hele målingen", "Alle svar")
    assert whole["Antal svar"] == 17

    # Team B (3 answers) and the area's own 2 answers: empty number cells, the reason in
    # the status column.
    (team_b,) = rows_for(scales, "Team B", "Enheden")
    (area_own,) = rows_for(scales, "Område", "Kun enheden selv")
    for row in (team_b, area_own):
        assert [row[c] for c in (*SCALE_NUMBERS, *CI)] == [None] * 5
        assert row["Status"] == "for få svar"

    items = table(sheet_rows(content, "Psykologisk tryghed, spm."))
    options = ("Meget enig", "Enig", "Neutral", "Uenig", "Meget uenig")
    assert list(items[0])[4:] == [
        "Nr.",
        "Spørgsmål",
        "Antal svar",
        "Gennemsnit (point)",
        "Andel «ved ikke»",
        *options,
        "Status",
    ]
    hidden_items = [r for r in items if r["Enhed"] == "Team B"]
    assert len(hidden_items) == 7
    for row in hidden_items:
        assert row["Status"] == "for få svar"
        assert {row[c] for c in ("Antal svar", "Gennemsnit (point)", *options)} == {None}
    shown_item = next(r for r in items if r["Enhed"] == "Team A" and r["Nr."] == 1)
    figure = group(data, world.team_a.pk)["instruments"]["ps7"]["items"]["ps7.1"]
    assert shown_item["Antal svar"] == figure["n"]
    assert shown_item["Gennemsnit (point)"] == pytest.approx(figure["mean_points"])
    # One column per answer option, each the count of people who chose it.
    assert [shown_item[o] for o in options] == figure["counts"] == [1, 2, 1, 1, 1]
    assert shown_item["Status"] is None

    readme = sheet_rows(content, "Læs mig")
    text = " ".join(str(cell) for row in readme for cell in row if cell)
    assert "mindst 5 personer" in text and "skjult for at beskytte en mindre gruppe" in text
    assert "Psykologisk tryghed (7 udsagn, Edmondson): skalaerne for hver gruppe." in text


@pytest.mark.django_db
def test_no_cell_of_the_spreadsheet_is_a_hidden_groups_number(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(django_capture_on_commit_callbacks, amo_access(world), measured, "excel")
    workbook = load_workbook(io.BytesIO(bytes(export.content or b"")))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, float):
                    assert round(cell, 1) not in (58.0, 82.9), (sheet.title, row)
            if row and row[0] == "Team B":
                # After the group's own columns (and on the item sheet the item's number).
                figures = row[5:] if sheet.title.endswith("spm.") else row[4:]
                assert figures and not any(isinstance(c, (int, float)) for c in figures), row


@pytest.mark.django_db
def test_every_table_has_a_filter_readable_widths_and_numbers_only_in_number_columns(
    world: World,
) -> None:
    measurement = make_measurement(world, ("ps7", "stress", "guldkorn", "hesteskoen"))
    answer_many(measurement, world.team_a, 6)
    answer_many(measurement, world.team_b, 2)
    workbook = load_workbook(
        io.BytesIO(exports.build_workbook(measurement, report_data(measurement)))
    )
    tables = workbook.worksheets[1:]
    assert "Nøgletal" in workbook.sheetnames
    for sheet in tables:
        header = [c.value for c in sheet[1]]
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{sheet.max_row}"
        assert sheet.freeze_panes == "B2"
        for letter, title in zip("ABCD", ("Enhed", "Placering", "Niveau", "Gruppe"), strict=True):
            assert header["ABCD".index(letter)] == title
            assert sheet.column_dimensions[letter].width >= len(title)
        assert header[-1] == "Status"
        columns = list(sheet.iter_cols(min_row=2, values_only=True))
        for title, values in zip(header, columns, strict=True):
            kinds = {type(v) for v in values if v is not None}
            # A column holds words or numbers, never both ("for få svar" in a mean column).
            assert kinds <= {str} or kinds <= {int, float}, (sheet.title, title, kinds)
            widest = max((len(v) for v in values if isinstance(v, str)), default=0)
            width = sheet.column_dimensions[get_column_letter(header.index(title) + 1)].width
            assert width >= min(widest, 38), (sheet.title, title)
        status = columns[-1]
        assert set(status) <= {None, *REASONS}
        assert "for få svar" in status  # Team B's two answers
    stressed = table(sheet_rows_of(workbook, "Nøgletal"))
    (team_a,) = [r for r in stressed if r["Enhed"] == "Team A" and r["Gruppe"] == "Enheden"]
    assert team_a["Nøgletal"] == "Stresset ofte eller hele tiden"
    assert team_a["Status"] == "for få svar"  # stress was not answered
    assert team_a["Andel"] is None


def sheet_rows_of(workbook: Any, title: str) -> list[tuple[Any, ...]]:
    return list(workbook[title].iter_rows(values_only=True))


@pytest.mark.django_db
def test_sheet_names_read_well_cut_to_31_characters_and_are_unique(world: World) -> None:
    measurement = make_measurement(world, ("ps7", "ps7-hem", "risk5", "tavshed"))
    answer_many(measurement, world.team_a, 6)
    names = load_workbook(
        io.BytesIO(exports.build_workbook(measurement, report_data(measurement)))
    ).sheetnames
    assert names == [
        "Læs mig",
        "Psykologisk tryghed (ps7)",
        "Psykologisk tryghed (ps7), spm.",
        "Psykologisk tryghed (ps7-hem)",
        "Psykologisk (ps7-hem), spm.",
        "De fem risikofaktorer",
        "De fem risikofaktorer, spm.",
        "Tavshed",
        "Tavshed, spm.",
        "Nøgletal",
    ]
    taken: set[str] = set()
    assert exports._sheet_title("Team [A]: løn/bonus? *", taken) == "Team A løn bonus"
    assert exports._sheet_title("team a løn bonus", taken) == "team a løn bonus (2)"
    assert len(exports._sheet_title("x" * 40, taken)) == 31


@pytest.mark.django_db
def test_the_spreadsheet_shows_the_change_since_the_earlier_wave_as_the_report_does(
    world: World,
) -> None:
    before = make_measurement(world)
    after = make_measurement(world, ("ps7", "ps7-hem"), previous=before)
    for i in range(12):
        answer(before, world.team_a, [(3,), (4,)][i % 2])
        answer(after, world.team_a, [(2,), (1,)][i % 2])
    answer_many(before, world.team_b, 3)  # hidden in the earlier wave
    answer_many(before, world.area, 5)  # so that team A stays shown there
    answer_many(after, world.team_b, 6)
    hem = {f"ps7-hem.{n}": 2 for n in range(1, 8)}
    answer_many(after, world.team_a, 6, hem)
    data = report_data(after)
    book = load_workbook(io.BytesIO(exports.build_workbook(after, data)))
    rows = table(list(book["Psykologisk tryghed (ps7)"].iter_rows(values_only=True)))
    (team_a,) = rows_for(rows, "Team A", "Enheden")
    change = group(data, world.team_a.pk)["instruments"]["ps7"]["scales"]["total"]["change"]
    assert team_a["Ændring siden forrige måling"] == pytest.approx(change["difference"])
    assert team_a["Gennemsnit i forrige måling"] == pytest.approx(change["mean_before"])
    assert team_a["Ændringen er"] == "sikker" and change["reading"] == "real"
    # Shown now, hidden in the earlier wave: no change, and nothing says "too few" now.
    (team_b,) = rows_for(rows, "Team B", "Enheden")
    assert team_b["Antal svar"] == 6 and team_b["Status"] is None
    assert team_b["Ændring siden forrige måling"] is None
    # ps7-hem is another variant: never compared, so no change columns at all.
    hem_header = next(book["Psykologisk tryghed (ps7-hem)"].iter_rows(values_only=True))
    assert "Ændring siden forrige måling" not in hem_header
    readme = " ".join(str(c) for row in book["Læs mig"].iter_rows(values_only=True) for c in row)
    assert (
        "Der vises ingen ændring for Psykologisk tryghed (7 udsagn, Hospitalsenhed Midt)" in readme
    )


# --------------------------------------------------------------------------- the PDFs


@pytest.mark.django_db
def test_the_unit_pdf_shows_the_units_figures_and_not_a_hidden_teams_mean(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(
        django_capture_on_commit_callbacks, amo_access(world), measured, "unit_pdf", world.area
    )
    content = bytes(export.content or b"")
    assert export.status == ExportStatus.DONE and content.startswith(b"%PDF")
    assert export.filename == "Enhedsrapport - Område - Efterår 2026 2026-11-02.pdf"
    text = pdf_text(content)
    assert "Område" in text and "Psykologisk tryghed" in text
    assert "39,7" in text and "n = 11 svar" in text  # the area with its subunits
    assert "1 / " in text  # page numbers
    for hidden in HIDDEN_MEANS:
        assert hidden not in text


@pytest.mark.django_db
def test_a_unit_pdf_of_a_hidden_group_says_why_and_shows_no_figure(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(
        django_capture_on_commit_callbacks, amo_access(world), measured, "unit_pdf", world.team_b
    )
    text = pdf_text(bytes(export.content or b""))
    assert "Team B" in text and "for få svar" in text
    assert "n = " not in text
    for hidden in HIDDEN_MEANS:
        assert hidden not in text


@pytest.mark.django_db
def test_the_organisation_pdf_has_every_unit_and_marks_the_hidden_one(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(
        django_capture_on_commit_callbacks, amo_access(world), measured, "organisation_pdf"
    )
    content = bytes(export.content or b"")
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for name in ("Område", "Team A", "Team B"):
        assert name in text
    assert "32,5" in text and "39,7" in text  # Team A, the area
    assert "for få svar" in text
    for hidden in HIDDEN_MEANS:
        assert hidden not in text


# --------------------------------------------------------------------------- the job


@pytest.mark.django_db
def test_a_job_is_queued_until_the_commit_then_runs_with_rising_progress_to_done(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    seen: list[tuple[str, int]] = []
    real = exports._set_progress

    def record(export_id: int, progress: int, **fields: Any) -> None:
        real(export_id, progress, **fields)
        row = ReportExport.objects.get(pk=export_id)
        seen.append((row.status, row.progress))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = results_services.export_request(
            access=amo_access(world),
            measurement=measured,
            kind="excel",
            unit=None,
            scope="",
            language="da",
        )
    export.refresh_from_db()
    assert (export.status, export.progress, export.started_at) == ("queued", 0, None)
    assert len(callbacks) == 1
    with mock.patch.object(exports, "_set_progress", record):
        callbacks[0]()
    export.refresh_from_db()

    assert seen[0] == ("running", 5)
    assert [status for status, _ in seen] == ["running"] * len(seen)
    progress = [p for _, p in seen]
    assert progress == sorted(progress) and len(set(progress)) >= 4
    assert (export.status, export.progress, export.message) == ("done", 100, "")
    assert export.started_at is not None and export.finished_at is not None
    assert export.size == len(bytes(export.content or b"")) > 1000


@pytest.mark.django_db
def test_a_failed_job_is_kept_as_failed_with_a_message_and_can_be_asked_for_again(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with mock.patch.object(exports, "build_workbook", side_effect=RuntimeError("disk full")):
        export = make_export(
            django_capture_on_commit_callbacks, amo_access(world), measured, "excel"
        )
    assert export.status == ExportStatus.FAILED
    assert export.content is None and export.finished_at is not None
    assert "kunne ikke laves" in export.message and "disk" not in export.message

    client = client_for(world.amo)
    page = client.get(status_url(world, export))
    assert "Prøv igen" in page.content.decode()
    assert client.get(download_url(world, export)).status_code == 302
    again = make_export(django_capture_on_commit_callbacks, amo_access(world), measured, "excel")
    assert again.pk != export.pk and again.status == ExportStatus.DONE


@pytest.mark.django_db
def test_a_file_is_made_once_and_reused_for_the_final_publication(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    access = amo_access(world)
    first = make_export(django_capture_on_commit_callbacks, access, measured, "excel")
    with mock.patch.object(exports, "build_workbook") as build:
        second = make_export(django_capture_on_commit_callbacks, access, measured, "excel")
        build.assert_not_called()
    assert second.pk == first.pk
    events = AuditEvent.objects.filter(action="report.export").order_by("pk")
    assert [e.data["reused"] for e in events] == [False, True]
    assert events[0].actor == world.amo and events[0].object_id == str(first.pk)

    # Another language or another subject is another file.
    english = make_export(
        django_capture_on_commit_callbacks, access, measured, "excel", language="en"
    )
    assert english.pk != first.pk and english.language == "en"

    # The publication of a closed measurement is final: even an answer stored behind its
    # back changes nothing, and the file is still the current one.
    answer(measured, world.team_a, [1])
    client = client_for(world.amo)
    assert client.get(download_url(world, first)).status_code == 200
    again = make_export(django_capture_on_commit_callbacks, access, measured, "excel")
    assert again.pk == first.pk


@pytest.mark.django_db
def test_a_file_is_made_again_once_its_code_line_may_no_longer_be_shown(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """The organisation PDF prints the answers-by-code line. A line kept before it was
    checked beside the publication's figures is checked again on its first read and may be
    hidden then (red team, organisation-level views): a file made while it showed must
    not be served after."""
    access = amo_access(world)
    report_data(measured)
    stored = ReportCache.objects.filter(measurement=measured)
    kept = stored.values_list("participation", flat=True).get()
    assert kept is not None
    stored.update(participation={**kept, "paper_codes": [10, 5]})  # the line as shown then
    first = make_export(django_capture_on_commit_callbacks, access, measured, "organisation_pdf")
    assert first.status == "done" and exports.is_current(first)
    stored.update(participation={**kept, "paper_codes": None})  # hidden on a later read
    assert not exports.is_current(first)
    again = make_export(django_capture_on_commit_callbacks, access, measured, "organisation_pdf")
    assert again.pk != first.pk and exports.is_current(again)


@pytest.mark.django_db
def test_a_renamed_unit_keeps_its_name_at_closing_in_the_unit_pdf(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    access = amo_access(world)
    first = make_export(
        django_capture_on_commit_callbacks, access, measured, "unit_pdf", world.team_a
    )
    Unit.objects.filter(pk=world.team_a.pk).update(name="Team Alfa")
    world.team_a.refresh_from_db()
    second = make_export(
        django_capture_on_commit_callbacks, access, measured, "unit_pdf", world.team_a
    )
    # The name as it stood at closing: the same file, reused.
    assert second.pk == first.pk
    text = pdf_text(bytes(second.content or b""))
    assert "Team A" in text and "Team Alfa" not in text


QUESTION = "Vi er gode til at tale om svære emner"  # ps7.2, shown per question in the details


@pytest.mark.django_db
def test_the_unit_pdf_with_details_is_another_longer_file_with_every_question(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    access = amo_access(world)

    def unit_pdf(*, details: bool) -> ReportExport:
        with django_capture_on_commit_callbacks(execute=True):
            export = results_services.export_request(
                access=access,
                measurement=measured,
                kind="unit_pdf",
                unit=world.area,
                scope="subtree",
                language="da",
                details=details,
            )
        export.refresh_from_db()
        return export

    summary = unit_pdf(details=False)
    detailed = unit_pdf(details=True)
    assert detailed.pk != summary.pk and (summary.details, detailed.details) == (False, True)
    assert summary.filename == "Enhedsrapport - Område - Efterår 2026 2026-11-02.pdf"
    assert detailed.filename == "Enhedsrapport - Område - Efterår 2026 2026-11-02 - detaljer.pdf"

    short, long = bytes(summary.content or b""), bytes(detailed.content or b"")
    assert len(PdfReader(io.BytesIO(long)).pages) > len(PdfReader(io.BytesIO(short)).pages)
    summary_text, details_text = (" ".join(pdf_text(c).split()) for c in (short, long))
    assert QUESTION in details_text and QUESTION not in summary_text
    assert "39,7" in details_text and "39,7" in summary_text  # the same group's figures
    for hidden in HIDDEN_MEANS:
        assert hidden not in details_text

    # Asking again for either kind gets the file already made.
    with mock.patch.object(exports, "build_pdf") as build:
        assert unit_pdf(details=True).pk == detailed.pk
        assert unit_pdf(details=False).pk == summary.pk
        build.assert_not_called()
    reused = AuditEvent.objects.filter(action="report.export").order_by("pk")
    assert [(e.data["details"], e.data["reused"]) for e in reused] == [
        (False, False),
        (True, False),
        (True, True),
        (False, True),
    ]


@pytest.mark.django_db
def test_details_are_asked_for_with_a_checkbox_and_only_a_unit_pdf_has_them(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = client_for(world.leader)
    report = client.get(
        reverse("results:unit_report", args=[world.org.slug, measured.pk, world.team_a.pk])
    ).content.decode()
    assert 'type="checkbox"' in report and 'name="details"' in report
    assert "Med detaljer (hvert spørgsmål, fordelinger, enighed)" in report
    panel = client.get(panel_url(world, measured)).content.decode()
    assert 'name="details"' in panel

    fields = {"kind": "unit_pdf", "unit": world.team_a.pk, "scope": "unit"}
    ask(client, world, measured, django_capture_on_commit_callbacks, **fields, details="on")
    ask(client, world, measured, django_capture_on_commit_callbacks, **fields)
    made = ReportExport.objects.filter(kind="unit_pdf").order_by("pk")
    assert [e.details for e in made] == [True, False]
    assert made[0].filename.endswith(" - detaljer.pdf")
    assert "med detaljer" in client.get(status_url(world, made[0])).content.decode()

    # The spreadsheet has no details version: the flag is dropped, the file is the same.
    amo = client_for(world.amo)
    ask(amo, world, measured, django_capture_on_commit_callbacks, kind="excel", details="on")
    ask(amo, world, measured, django_capture_on_commit_callbacks, kind="excel")
    (sheet,) = ReportExport.objects.filter(kind="excel")
    assert sheet.details is False


# --------------------------------------------------------------------------- pages and access


def panel_url(world: World, measurement: Measurement) -> str:
    return reverse("results:export_panel", args=[world.org.slug, measurement.pk])


def request_url(world: World, measurement: Measurement) -> str:
    return reverse("results:export_request", args=[world.org.slug, measurement.pk])


def status_url(world: World, export: ReportExport) -> str:
    return reverse("results:export_status", args=[world.org.slug, export.pk])


def download_url(world: World, export: ReportExport) -> str:
    return reverse("results:export_download", args=[world.org.slug, export.pk])


def ask(
    client: Client,
    world: World,
    measurement: Measurement,
    capture: CaptureOnCommit,
    **fields: Any,
) -> Any:
    with capture(execute=True):
        return client.post(request_url(world, measurement), fields)


@pytest.mark.django_db
def test_the_amo_asks_for_the_spreadsheet_follows_it_and_downloads_it(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = client_for(world.amo)
    panel = client.get(panel_url(world, measured))
    assert panel.status_code == 200
    body = panel.content.decode()
    assert "Lav regneark (Excel)" in body and "Lav organisationsrapport (PDF)" in body
    assert f'value="{world.team_b.pk}"' in body  # every unit for the unit PDF

    answer_ = ask(client, world, measured, django_capture_on_commit_callbacks, kind="excel")
    export = ReportExport.objects.get()
    assert answer_.status_code == 302 and answer_["Location"] == status_url(world, export)
    status = client.get(status_url(world, export)).content.decode()
    assert "Filen er klar." in status and download_url(world, export) in status
    assert 'http-equiv="refresh"' not in status

    download = client.get(download_url(world, export))
    assert download.status_code == 200
    assert download["Content-Type"] == exports.XLSX
    assert download["Cache-Control"] == "private, no-store"
    assert "attachment" in download["Content-Disposition"]
    assert (
        "Resultater%20-%20Efter%C3%A5r%202026%202026-11-02.xlsx" in download["Content-Disposition"]
    )
    assert download.content == bytes(export.content or b"")
    listed = client.get(panel_url(world, measured)).content.decode()
    assert f'<a href="{status_url(world, export)}">Tal til regneark (Excel)</a>' in listed


@pytest.mark.django_db
def test_the_status_page_shows_progress_with_a_reload_link_and_a_script_while_it_runs(
    world: World, measured: Measurement
) -> None:
    export = ReportExport.objects.create(
        organisation=world.org,
        measurement=measured,
        kind="excel",
        fingerprint="x",
        status=ExportStatus.RUNNING,
        progress=45,
    )
    page = client_for(world.owner).get(status_url(world, export)).content.decode()
    assert 'value="45"' in page and "45 % færdig" in page
    assert 'src="/static/results/export-status.js"' in page and 'data-poll="' in page
    assert f'href="{status_url(world, export)}"' in page
    assert 'http-equiv="refresh"' not in page and "<script>" not in page


@pytest.mark.django_db
def test_a_leader_may_have_her_own_units_pdf_and_nothing_else(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = client_for(world.leader)
    panel = client.get(panel_url(world, measured)).content.decode()
    assert "Lav regneark" not in panel and f'value="{world.team_b.pk}"' not in panel
    mine = ask(
        client,
        world,
        measured,
        django_capture_on_commit_callbacks,
        kind="unit_pdf",
        unit=world.team_a.pk,
    )
    assert mine.status_code == 302
    own = ReportExport.objects.get(kind="unit_pdf")
    assert own.unit == world.team_a and own.requested_by == world.leader
    assert client.get(download_url(world, own)).content.startswith(b"%PDF")

    for fields in (
        {"kind": "unit_pdf", "unit": world.team_b.pk},
        {"kind": "unit_pdf", "unit": world.area.pk},
        {"kind": "unit_pdf"},
        {"kind": "organisation_pdf"},
        {"kind": "excel"},
    ):
        assert (
            ask(client, world, measured, django_capture_on_commit_callbacks, **fields).status_code
            == 404
        )
    # The AMO's files are not the leader's to follow or download.
    theirs = make_export(django_capture_on_commit_callbacks, amo_access(world), measured, "excel")
    other_unit = make_export(
        django_capture_on_commit_callbacks, amo_access(world), measured, "unit_pdf", world.team_b
    )
    for export in (theirs, other_unit):
        assert client.get(status_url(world, export)).status_code == 404
        assert client.get(download_url(world, export)).status_code == 404
    assert ReportExport.objects.filter(requested_by=world.leader).count() == 1
    assert AuditEvent.objects.filter(action="report.export", actor=world.leader).count() == 1


@pytest.mark.django_db
def test_an_employee_and_an_outsider_get_404_everywhere(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(django_capture_on_commit_callbacks, amo_access(world), measured, "excel")
    for user in (world.employee, world.outsider):
        client = client_for(user)
        assert client.get(panel_url(world, measured)).status_code == 404
        assert (
            ask(
                client, world, measured, django_capture_on_commit_callbacks, kind="excel"
            ).status_code
            == 404
        )
        assert (
            ask(
                client,
                world,
                measured,
                django_capture_on_commit_callbacks,
                kind="unit_pdf",
                unit=world.team_a.pk,
            ).status_code
            == 404
        )
        assert client.get(status_url(world, export)).status_code == 404
        assert client.get(download_url(world, export)).status_code == 404
    # The outsider's own organisation does not open another's file either.
    other = reverse("results:export_status", args=[world.other_org.slug, export.pk])
    assert client_for(world.outsider).get(other).status_code == 404
    assert ReportExport.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_measurement_has_no_files(world: World) -> None:
    draft = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Kladde",
        instrument_ids=["ps7"],
        scope=[services.ScopeEntry(world.root)],
        opens_on=dt.date(2026, 11, 2),
        closes_on=dt.date(2026, 11, 16),
    )
    client = client_for(world.owner)
    assert client.get(panel_url(world, draft)).status_code == 404
    assert client.post(request_url(world, draft), {"kind": "excel"}).status_code == 404


@pytest.mark.django_db
def test_an_english_request_gets_the_instruments_and_items_in_english(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(
        django_capture_on_commit_callbacks, amo_access(world), measured, "excel", language="en"
    )
    content = bytes(export.content or b"")
    # The sheet named after the instrument, its parenthesis dropped rather than cut.
    assert load_workbook(io.BytesIO(content)).sheetnames[1] == "Psychological safety"
    header, first = sheet_rows(content, 2)[:2]
    assert first[5] == "If you make a mistake on this team, it is often held against you"
    assert header[9:14] == ("Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree")


@pytest.mark.django_db
def test_the_measurement_page_links_to_its_files(world: World, measured: Measurement) -> None:
    page = client_for(world.amo).get(
        reverse("surveys_admin:detail", args=[world.org.slug, measured.pk])
    )
    assert panel_url(world, measured) in page.content.decode()


@pytest.mark.django_db
def test_a_file_stays_current_when_the_answers_are_deleted_and_the_figures_frozen(
    world: World, measured: Measurement, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    export = make_export(django_capture_on_commit_callbacks, amo_access(world), measured, "excel")
    # What the retention command does: the report data is stored and frozen, answers go.
    Measurement.objects.filter(pk=measured.pk).update(report_frozen_at=timezone.now())
    Response.objects.filter(measurement=measured).delete()
    measured.refresh_from_db()
    export.refresh_from_db()
    assert exports.is_current(export)
    assert client_for(world.amo).get(download_url(world, export)).status_code == 200


@pytest.mark.django_db
def test_a_unit_name_a_spreadsheet_would_run_is_written_as_text(world: World) -> None:
    """privacy.md section 7: a unit named like a formula stays text in every cell."""
    import io

    from openpyxl import load_workbook

    name = '=HYPERLINK("http://example.test","klik")'
    Unit.objects.filter(pk=world.team_a.pk).update(name=name)
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 6)
    answer_many(measurement, world.team_b, 6)
    book = load_workbook(io.BytesIO(exports.build_workbook(measurement, report_data(measurement))))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    named = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert named, "the unit's name is in the workbook"
    assert all(cell.data_type == "s" for cell in named)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
