"""Report exports ("eksport"): the unit report and the organisation report as PDF, and the
figures as a spreadsheet, made in the background and kept for a while.

Everything an export shows comes from ``aggregates.report_data``: the same suppressed
figures the pages show, so a hidden group is as hidden in a file as on the screen. Labels
(unit names, instrument and item texts) come from the unit tree and the measurement's
frozen instruments.

Who may export is who may read: the unit PDF for whoever may open that unit's report
(leaders their own subtree, the AMO and administrators all units); the organisation PDF
and the spreadsheet for those who see the whole organisation. Anything else is a 404.

A file is made once per report data: a request whose report data, unit names, language
and subject match a file already made (or being made) gets that file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tryghed.core.instruments import Instrument, Scale
from tryghed.orgs.models import Organisation, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.results import aggregates
from tryghed.results.aggregates import group
from tryghed.results.charts import heatmap_css
from tryghed.results.models import ExportKind, ExportStatus, ReportExport
from tryghed.results.selectors import get_unit_report, report_units, reported_measurements
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Progress = Callable[[int], None]

#: Bumped when the layout of a file changes, so files made before are made again.
FORMAT_VERSION = 1
#: How long a finished file is kept; older ones are deleted when a new file is asked for.
KEEP_FOR = dt.timedelta(days=14)
#: A queued or running job older than this is taken for lost (its worker stopped).
STALLED_AFTER = dt.timedelta(minutes=30)
SCOPES = ("unit", "subtree")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


# --------------------------------------------------------------------------- reads


def organisation_exports_allowed(access: OrgAccess) -> bool:
    """The organisation PDF and the spreadsheet cover every unit: AMO, HR and admins only."""
    return access.sees_whole_organisation


def get_export_measurement(access: OrgAccess, measurement_id: int) -> Measurement:
    """A measurement whose reports the user may export from; else a 404."""
    try:
        measurement = reported_measurements(access).get(pk=measurement_id)
    except Measurement.DoesNotExist:
        raise Http404 from None
    if not aggregates.is_published(measurement):
        raise Http404  # no files while it is open: no live figures (privacy.md section 3)
    if not organisation_exports_allowed(access) and not report_units(access, measurement).exists():
        raise Http404
    return measurement


def check_subject(
    access: OrgAccess, measurement: Measurement, kind: str, unit_id: int | None
) -> Unit | None:
    """The unit of a unit PDF the user may read (None for organisation-wide files); a 404
    when the user may not have this file."""
    if kind == ExportKind.UNIT_PDF:
        if unit_id is None:
            raise Http404
        _measurement, unit = get_unit_report(access, measurement.pk, unit_id)
        return unit
    if kind in (ExportKind.ORGANISATION_PDF, ExportKind.EXCEL):
        if not organisation_exports_allowed(access):
            raise Http404
        return None
    raise Http404


def get_export(access: OrgAccess, export_id: int) -> ReportExport:
    """An export of the organisation whose subject the user may read; else a 404."""
    try:
        # The file itself is read only when it is downloaded.
        export = (
            ReportExport.objects.select_related("measurement", "unit")
            .defer("content")
            .get(pk=export_id, organisation=access.organisation)
        )
    except ReportExport.DoesNotExist:
        raise Http404 from None
    measurement = get_export_measurement(access, export.measurement_id)
    check_subject(access, measurement, export.kind, export.unit_id)
    return export


def visible_exports(access: OrgAccess, measurement: Measurement) -> list[ReportExport]:
    """The measurement's recent files the user may read, newest first."""
    units = {u.pk for u in report_units(access, measurement)}
    whole = organisation_exports_allowed(access)
    found = (
        ReportExport.objects.filter(
            measurement=measurement, created_at__gte=timezone.now() - KEEP_FOR
        )
        .select_related("unit")
        .defer("content")
        .order_by("-created_at", "-pk")
    )
    return [
        e
        for e in found[:50]
        if (e.kind == ExportKind.UNIT_PDF and e.unit_id in units)
        or (e.kind != ExportKind.UNIT_PDF and whole)
    ][:10]


def export_fingerprint(measurement: Measurement) -> str:
    """What a file depends on: the closed measurement's publication (its figures and the
    unit names frozen at closing, or, for report data frozen before names were kept in
    it, today's names), the measurement's name and the file layout."""
    data = aggregates.report_data(measurement)
    names = hashlib.sha256()
    for pk, name in sorted(unit_names(measurement, data).items()):
        names.update(f"{pk}:{name};".encode())
    publication = aggregates.fingerprint(measurement)
    combined = f"{FORMAT_VERSION}|{publication}|{names.hexdigest()}|{measurement.name}"
    return hashlib.sha256(combined.encode()).hexdigest()


def unit_names(measurement: Measurement, data: Mapping[str, Any]) -> dict[str, str]:
    """Unit id -> name as it stood at closing (the frozen tree in the report data); today's
    name only for report data stored before names were kept in it."""
    missing = [int(u) for u in data["units"] if not aggregates.unit_name(data, u)]
    today = (
        dict(
            Unit.objects.filter(
                organisation_id=measurement.organisation_id, pk__in=missing
            ).values_list("pk", "name")
        )
        if missing
        else {}
    )
    return {u: aggregates.unit_name(data, u, today.get(int(u), u)) for u in data["units"]}


def _set_progress(export_id: int, progress: int, **fields: Any) -> None:
    # Outside any transaction: the status page reads it while the job is still running.
    ReportExport.objects.filter(pk=export_id).update(progress=progress, **fields)


def run_export(export_id: int) -> ReportExport:
    """Make the file of a queued export, recording progress as it goes. A failure is kept
    on the job (status ``failed`` with a message) rather than raised into the worker."""
    export = ReportExport.objects.select_related("measurement", "unit", "organisation").get(
        pk=export_id
    )
    if export.status == ExportStatus.DONE:
        return export
    _set_progress(export.pk, 5, status=ExportStatus.RUNNING, started_at=timezone.now())
    try:
        with translation.override(export.language):
            measurement = export.measurement
            fingerprint = export_fingerprint(measurement)
            data = aggregates.report_data(measurement)
            _set_progress(export.pk, 40)

            def progress(value: int) -> None:
                _set_progress(export.pk, 40 + value * 55 // 100)

            if export.kind == ExportKind.EXCEL:
                content = build_workbook(measurement, data, progress=progress)
                content_type = XLSX
            else:
                content = build_pdf(export, data, progress=progress)
                content_type = PDF
            filename = file_name(export)
    except Exception:
        logger.exception("report export %s failed", export.pk)
        with translation.override(export.language):  # the language the file was asked in
            message = _("Filen kunne ikke laves. Prøv igen, eller kontakt jeres administrator.")
        _set_progress(
            export.pk,
            export.progress,
            status=ExportStatus.FAILED,
            message=message,
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        return export
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        progress=100,
        message="",
        fingerprint=fingerprint,
        filename=filename,
        content_type=content_type,
        content=content,
        size=len(content),
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def is_current(export: ReportExport) -> bool:
    """The file still shows today's report data (else it is stale and made again)."""
    return export.fingerprint == export_fingerprint(export.measurement)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(export: ReportExport) -> str:
    """A Danish (or English) file name: "Enhedsrapport - Team A - Efterår 2026.pdf"."""
    measurement = export.measurement
    if export.kind == ExportKind.UNIT_PDF:
        assert export.unit is not None
        data = aggregates.report_data(measurement)
        parts = [
            _("Enhedsrapport"),
            aggregates.unit_name(data, export.unit.pk, export.unit.name),
            measurement.name,
        ]
        extension = "pdf"
    elif export.kind == ExportKind.ORGANISATION_PDF:
        parts = [_("Organisationsrapport"), measurement.name]
        extension = "pdf"
    else:
        parts = [_("Resultater"), measurement.name]
        extension = "xlsx"
    stem = " - ".join(_UNSAFE.sub(" ", part).strip() for part in parts if part.strip())
    return f"{stem[:150]} {measurement.opens_on:%Y-%m-%d}.{extension}"


# --------------------------------------------------------------------------- report rows


@dataclass(frozen=True)
class GroupRow:
    """One group of the report as a row: the whole measurement or a unit in one scope."""

    label: str
    path: str
    depth: int
    scope: str  # "organisation", "unit" or "subtree"
    scope_label: str
    group: JsonDict


def reason_text(block: Mapping[str, Any]) -> str:
    """Why a figure is hidden, in words (spec/privacy.md sections 2 and 3)."""
    if block.get("reason") == "complementary":
        return _("skjult for at beskytte en mindre gruppe")
    return _("for få svar")


def unit_order(data: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """The report's units depth first, siblings by name: the order of an org chart."""
    units: Mapping[str, Any] = data["units"]
    roots = [u for u, entry in units.items() if entry["parent"] is None]

    def walk(unit: str) -> Iterator[str]:
        yield unit
        for child in sorted(units[unit]["children"], key=lambda c: (names.get(c, ""), c)):
            yield from walk(str(child))

    order: list[str] = []
    for root in sorted(roots, key=lambda r: (names.get(r, ""), r)):
        order.extend(walk(root))
    return order


def group_rows(measurement: Measurement, data: Mapping[str, Any]) -> list[GroupRow]:
    """The whole measurement, then every unit: its own respondents, and with its subunits
    where that is another group."""
    units: Mapping[str, Any] = data["units"]
    names = unit_names(measurement, data)
    rows = [
        GroupRow(
            label=_("Hele målingen"),
            path="",
            depth=0,
            scope="organisation",
            scope_label=_("Alle svar"),
            group=group(data, None),
        )
    ]
    for unit in unit_order(data, names):
        entry = units[unit]
        ancestors = [a for a in str(entry["path"]).strip("/").split("/") if a]
        path = " / ".join(names[a] for a in ancestors[:-1] if a in names)
        own = entry["unit"]
        subtree = entry["subtree"]
        if own == subtree:
            rows.append(
                GroupRow(
                    names.get(unit, unit),
                    path,
                    entry["depth"],
                    "unit",
                    _("Enheden"),
                    group(data, unit),
                )
            )
            continue
        rows.append(
            GroupRow(
                names.get(unit, unit),
                path,
                entry["depth"],
                "unit",
                _("Kun enheden selv"),
                group(data, unit),
            )
        )
        rows.append(
            GroupRow(
                names.get(unit, unit),
                path,
                entry["depth"],
                "subtree",
                _("Med underenheder"),
                group(data, unit, "subtree"),
            )
        )
    return rows


def reported_instruments(measurement: Measurement, data: Mapping[str, Any]) -> list[Instrument]:
    """The measurement's instruments in their order, those the report data covers."""
    return [i for i in measurement_instruments(measurement) if i.id in data["instruments"]]


def numeric_scales(instrument: Instrument) -> list[Scale]:
    """Scales with a mean (a bipolar scale has bands only)."""
    return [s for s in instrument.scales if s.polarity != "bipolar"]


# --------------------------------------------------------------------------- spreadsheet

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _SHEET_UNSAFE.sub(" ", name).strip()[:31].strip() or "Ark"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.lower())
    return title


def build_workbook(
    measurement: Measurement, data: Mapping[str, Any], *, progress: Progress | None = None
) -> bytes:
    """The report data as an .xlsx: a read-me sheet, one sheet per instrument (groups x
    scales and key figures) and one of the items. A hidden figure's cells hold the reason
    in words and no number."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    language = _current_language()
    rows = group_rows(measurement, data)
    instruments = reported_instruments(measurement, data)
    workbook = Workbook()
    readme = workbook.active
    taken: set[str] = set()
    readme.title = _sheet_title(_("Læs mig"), taken)
    bold = Font(bold=True)
    steps = len(instruments) + 2

    def header(sheet: Any, values: Sequence[str]) -> None:
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "E2"

    group_headers = [_("Enhed"), _("Placering"), _("Niveau"), _("Gruppe")]

    def group_cells(row: GroupRow) -> list[Any]:
        return [row.label, row.path, row.depth, row.scope_label]

    for step, instrument in enumerate(instruments, start=1):
        sheet = workbook.create_sheet(_sheet_title(instrument.name.get(language), taken))
        meta = data["instruments"][instrument.id]
        scales = [s for s in numeric_scales(instrument) if s.id in meta["scales"]]
        bipolar = [
            s for s in instrument.scales if s.polarity == "bipolar" and s.id in meta["scales"]
        ]
        key_figures = [f for f in instrument.key_figures if f.id in meta["key_figures"]]
        columns = list(group_headers)
        # Outside the f-strings, where makemessages would not find them.
        scale_columns = [
            _("antal svar"),
            _("gennemsnit"),
            _("spredning (SD)"),
            # xgettext:no-python-format
            _("95 %-interval, nedre"),
            # xgettext:no-python-format
            _("95 %-interval, øvre"),
        ]
        for scale in scales:
            name = scale.name.get(language)
            columns += [f"{name}: {column}" for column in scale_columns]
        for scale in bipolar:
            columns.append(f"{scale.name.get(language)}: {_('største gruppe')}")
        for key in key_figures:
            label = key.label.get(language)
            columns += [f"{label}: {_('antal svar')}", f"{label}: {_('andel')}"]
        header(sheet, columns)
        for row in rows:
            cells = group_cells(row)
            block = row.group
            hidden_group = block.get("suppressed", True)
            inst = {} if hidden_group else block["instruments"].get(instrument.id, {})
            for scale in scales:
                figure: JsonDict | None = (
                    inst.get("scales", {}).get(scale.id) if not hidden_group else None
                )
                if hidden_group or figure is None or figure.get("suppressed", True):
                    cells += [reason_text(figure if figure else block)] * 5
                else:
                    low, high = figure["ci95"] or (None, None)
                    cells += [figure["n"], figure["mean"], figure["sd"], low, high]
            for scale in bipolar:
                figure = inst.get("scales", {}).get(scale.id) if not hidden_group else None
                if hidden_group or figure is None or figure.get("suppressed", True):
                    cells.append(reason_text(figure if figure else block))
                else:
                    cells.append(_band_label(scale, figure.get("dominant_band"), language))
            for key in key_figures:
                figure = inst.get("key_figures", {}).get(key.id) if not hidden_group else None
                if hidden_group or figure is None or figure.get("suppressed", True):
                    cells += [reason_text(figure if figure else block)] * 2
                else:
                    cells += [figure["n"], figure["share"]]
            sheet.append(cells)
        _number_formats(sheet, columns)
        _widths(sheet, columns)
        if progress is not None:
            progress(step * 100 // steps)

    items = workbook.create_sheet(_sheet_title(_("Spørgsmål"), taken))
    item_columns = [
        *group_headers,
        _("Spørgeskema"),
        _("Spørgsmål"),
        _("Spørgsmålstekst"),
        _("Antal svar"),
        _("Gennemsnit (point)"),
        _("Andel «ved ikke»"),
        _("Fordeling (antal pr. svarmulighed)"),
    ]
    header(items, item_columns)
    for instrument in instruments:
        meta_items = data["instruments"][instrument.id]["items"]
        for item in instrument.items:
            if item.id not in meta_items:
                continue
            for row in rows:
                block = row.group
                item_figure: JsonDict | None = (
                    None
                    if block.get("suppressed", True)
                    else block["instruments"].get(instrument.id, {}).get("items", {}).get(item.id)
                )
                cells = [
                    *group_cells(row),
                    instrument.name.get(language),
                    item.number,
                    item.text.get(language),
                ]
                if item_figure is None or item_figure.get("suppressed", True):
                    cells += [reason_text(item_figure if item_figure else block)] * 4
                else:
                    cells += [
                        item_figure["n"],
                        item_figure.get("mean_points"),
                        item_figure.get("dont_know"),
                        _distribution(item, item_figure.get("counts") or [], language),
                    ]
                items.append(cells)
    _number_formats(items, item_columns)
    _widths(items, item_columns)
    if progress is not None:
        progress((steps - 1) * 100 // steps)

    _write_readme(readme, measurement, data, instruments, language, bold)
    _text_stays_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if progress is not None:
        progress(100)
    return buffer.getvalue()


# What a spreadsheet would run instead of show (privacy.md section 7): a unit named
# "=HYPERLINK(...)" must stay a name.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_stays_text(workbook: Any) -> None:
    """Store every text cell as a literal string. openpyxl turns a string starting with
    "=" into a formula; no figure of ours is one, so any such cell came from a name or an
    answer, and is written back as text. Cells starting with the other characters a
    spreadsheet may evaluate are marked as text as well."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(_FORMULA_START):
                    cell.value = value
                    cell.data_type = "s"


def _current_language() -> str:
    return "en" if (translation.get_language() or "da").startswith("en") else "da"


def _band_label(scale: Scale, band_id: str | None, language: str) -> str:
    for band in scale.bands:
        if band.id == band_id:
            return band.label.get(language)
    return ""


def _distribution(item: Any, counts: Sequence[int], language: str) -> str:
    parts = []
    for option, count in zip(item.options, counts, strict=False):
        label = option.label.get(language) if option.label is not None else str(option.code)
        parts.append(f"{label}: {count}")
    return "; ".join(parts)


def _number_formats(sheet: Any, columns: Sequence[str]) -> None:
    shares = {
        i for i, c in enumerate(columns) if c.endswith(_("andel")) or c == _("Andel «ved ikke»")
    }
    for row in sheet.iter_rows(min_row=2):
        for i, cell in enumerate(row):
            if isinstance(cell.value, float):
                cell.number_format = "0.0%" if i in shares else "0.00"


def _widths(sheet: Any, columns: Sequence[str]) -> None:
    from openpyxl.utils import get_column_letter

    for i, title in enumerate(columns, start=1):
        width = 36 if i == 2 or title == _("Spørgsmålstekst") else min(max(len(title), 10), 28)
        sheet.column_dimensions[get_column_letter(i)].width = width


def _write_readme(
    sheet: Any,
    measurement: Measurement,
    data: Mapping[str, Any],
    instruments: Sequence[Instrument],
    language: str,
    bold: Any,
) -> None:
    minimums = data["minimums"]
    lines: list[tuple[str, str]] = [
        (_("Måling"), measurement.name),
        (_("Organisation"), measurement.organisation.name),
        (_("Periode"), f"{measurement.opens_on:%d.%m.%Y} – {measurement.closes_on:%d.%m.%Y}"),
        (_("Spørgeskemaer"), ", ".join(i.name.get(language) for i in instruments)),
        (_("Lavet"), timezone.localtime().strftime("%d.%m.%Y %H:%M")),
        ("", ""),
        (
            _("Anonymitet"),
            _(
                "Arket indeholder de samme tal som rapporterne i Tryghed – og ikke andre. "
                "Et tal for en gruppe vises kun, når mindst %(score)s personer har svaret på "
                "netop den skala eller det spørgsmål (%(sensitive)s for følsomme spørgsmål om "
                "krænkende handlinger og vold). Ellers står der «for få svar» i stedet for tallet."
            )
            % {"score": minimums["score"], "sensitive": minimums["sensitive"]},
        ),
        (
            "",
            _(
                "Nogle tal er skjult, selv om gruppen er stor nok: ellers kunne man trække to "
                "viste tal fra hinanden og regne sig frem til en mindre gruppes svar. Der står "
                "«skjult for at beskytte en mindre gruppe». Det er bevidst og ikke en fejl."
            ),
        ),
        ("", _("Fritekstsvar og svar fra enkeltpersoner er aldrig med i arket.")),
        ("", ""),
        (_("Kolonner"), ""),
        (_("Enhed"), _("Enhedens navn. «Hele målingen» er alle svar i målingen.")),
        (_("Placering"), _("Enhedens overordnede enheder, fra toppen og ned.")),
        (_("Niveau"), _("Hvor dybt enheden ligger i organisationen (0 er toppen).")),
        (
            _("Gruppe"),
            _(
                "«Kun enheden selv» er svar fra personer, der hører direkte til enheden. "
                "«Med underenheder» tæller også alle enheder under den med."
            ),
        ),
        (_("antal svar"), _("Antal personer, tallet bygger på.")),
        (_("gennemsnit"), _("Gruppens gennemsnitlige score på skalaen.")),
        (_("spredning (SD)"), _("Standardafvigelse: hvor forskellige svarene er i gruppen.")),
        (
            _("95 %-interval"),
            _(
                # xgettext:no-python-format
                "Det område, gennemsnittet med 95 % sikkerhed ligger i. Jo færre svar, jo "
                "bredere interval."
            ),
        ),
        (_("største gruppe"), _("For skalaer, hvor midten er bedst: det svar, flest har givet.")),
        (_("andel"), _("Andelen af svarpersonerne, som nøgletallet tæller.")),
        (
            _("Spørgsmål"),
            _(
                "Arket «Spørgsmål» viser hvert spørgsmål for hver gruppe: antal svar, "
                "gennemsnitlige point, andelen «ved ikke» og hvor mange der valgte hver svarmulighed."
            ),
        ),
    ]
    sheet.append([_("Resultater fra Tryghed"), ""])
    sheet["A1"].font = bold
    for label, text in lines:
        sheet.append([label, text])
        if label:
            sheet.cell(row=sheet.max_row, column=1).font = bold
    from openpyxl.styles import Alignment

    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class _PrintAccess:
    """What the report includes read of ``access`` when there is no request: the
    organisation (for its name and the links' slug)."""

    organisation: Organisation


def print_context(export: ReportExport, data: JsonDict) -> tuple[str, dict[str, Any]]:
    """The print template and its context: the pages' own context functions, so the PDF
    shows exactly what the page shows (the organisation report with every unit, unpaged)."""
    measurement = export.measurement
    lang = _current_language()
    base: dict[str, Any] = {
        "access": _PrintAccess(export.organisation),
        "measurement": measurement,
        "made_at": timezone.localtime(),
        "print_css": render_to_string("results/print/print.css") + heatmap_css(),
    }
    if export.kind == ExportKind.UNIT_PDF:
        from tryghed.results.presenters import unit_report_context

        assert export.unit is not None
        context = unit_report_context(
            data=data,
            measurement=measurement,
            unit=export.unit,
            scope="unit" if export.scope == "unit" else "subtree",
            lang=lang,
        )
        return "results/print/unit_report.html", {**base, **context}
    from tryghed.results.org_presenters import org_report_context
    from tryghed.surveys.participation import response_rates

    names = {int(u): name for u, name in unit_names(measurement, data).items()}
    _rates, total = response_rates(measurement)
    report = org_report_context(
        data=data,
        instruments=measurement_instruments(measurement),
        unit_names=names,
        total=total,
        lang=lang,
        params={"niveau": "alle"},
        page_size=None,
    )
    return "results/print/org_report.html", {**base, "report": report}


def build_pdf(export: ReportExport, data: JsonDict, *, progress: Progress | None = None) -> bytes:
    """The unit or organisation report as an A4 PDF (WeasyPrint), charts as inline SVG."""
    from weasyprint import HTML

    template, context = print_context(export, data)
    html = render_to_string(template, context)
    if progress is not None:
        progress(30)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    if progress is not None:
        progress(100)
    return pdf
