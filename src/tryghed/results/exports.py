"""Report exports ("eksport"): the unit report and the organisation report as PDF, and the
figures as a spreadsheet, made in the background and kept for a while.

Everything an export shows comes from ``aggregates.publication``: the same suppressed
figures the pages show, so a hidden group is as hidden in a file as on the screen. Labels
(unit names, instrument and item texts) come from the unit tree and the measurement's
frozen instruments.

Who may export is who may read: the unit PDF for whoever may open that unit's report
(leaders their own subtree, the AMO and administrators all units); the organisation PDF
and the spreadsheet for those who see the whole organisation. Anything else is a 404.

A file is made once per report data: a request whose report data, unit names, language,
subject and version (a unit PDF's summary or its details) match a file already made (or
being made) gets that file.

A file is shared: whoever may open a unit's report may download any PDF of it, asked for
by anyone. So where a unit PDF of the unit and everything under it shows the units below
put together ("Enhederne under denne samlet", ``presenters.Together``), it puts together
only the units below whose reports every reader of the unit's report may open
(``selectors.children_every_reader_opens``: those still under it today), never those the
one who asked may open: an AMO's file would otherwise give a leader, who cannot open a
unit moved out of her subtree since closing, that unit's figures by subtraction from the
others'. Without a reorganisation that is every unit below, the same figure the page
shows each reader; after one, a reader who opens more units than the others (the AMO)
sees on the page a figure of more units than in the file. Which units those are is part
of the file's fingerprint, so a file is made again, never served, once they change.
This needs nothing stored beyond the fingerprint, and no file per reader.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tryghed.core.figures import (
    Change,
    Group,
    Hidden,
    InstrumentFigures,
    InstrumentMeta,
    Publication,
    shown,
)
from tryghed.core.figures import load as load_publication
from tryghed.core.instruments import Instrument, Scale
from tryghed.orgs.models import Organisation, Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.results import aggregates
from tryghed.results.charts import heatmap_css
from tryghed.results.models import ExportKind, ExportStatus, ReportExport
from tryghed.results.presenters import Scope, unit_report_context
from tryghed.results.selectors import (
    can_read_organisation_report,
    children_every_reader_opens,
    get_unit_report,
    report_units,
    reported_measurements,
    units_below,
)
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Progress = Callable[[int], None]

#: Bumped when the layout of a file changes, so files made before are made again.
FORMAT_VERSION = 3
#: How long a finished file is kept; older ones are deleted when a new file is asked for.
KEEP_FOR = dt.timedelta(days=14)
#: A queued or running job older than this is taken for lost (its worker stopped).
STALLED_AFTER = dt.timedelta(minutes=30)
SCOPES = ("unit", "subtree")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


# --------------------------------------------------------------------------- reads


def organisation_exports_allowed(access: OrgAccess) -> bool:
    """The organisation PDF prints the organisation report as its page shows it: for
    everyone who reads that page (the AMO, administrators and top management)."""
    return can_read_organisation_report(access)


def spreadsheet_allowed(access: OrgAccess) -> bool:
    """The spreadsheet holds every unit's questions and distributions, which top management
    does not read (it reads no unit report): the AMO and administrators only."""
    return access.sees_whole_organisation


def _kind_allowed(access: OrgAccess, kind: str) -> bool:
    if kind == ExportKind.EXCEL:
        return spreadsheet_allowed(access)
    return kind == ExportKind.ORGANISATION_PDF and organisation_exports_allowed(access)


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
        if not _kind_allowed(access, kind):
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
    allowed = {kind: _kind_allowed(access, kind) for kind in ExportKind}
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
        or (e.kind != ExportKind.UNIT_PDF and allowed.get(ExportKind(e.kind), False))
    ][:10]


def export_fingerprint(measurement: Measurement, below: Sequence[Unit] = ()) -> str:
    """What a file depends on: the closed measurement's publication (its figures and the
    unit names frozen at closing, or, for report data frozen before names were kept in
    it, today's names), the measurement's name, the file layout, the answers-by-code line
    as it may be shown now (a line kept before it was checked beside the figures can be
    hidden on its first read: a file made before must then not be served), and, for a unit
    PDF, the units below whose figures it may put together (:func:`file_units_below`)."""
    data = aggregates.publication(measurement, units=())  # the header: names at closing
    names = hashlib.sha256()
    for pk, name in sorted(unit_names(measurement, data).items()):
        names.update(f"{pk}:{name};".encode())
    publication = aggregates.fingerprint(measurement)
    codes = aggregates.paper_codes(measurement)
    combined = (
        f"{FORMAT_VERSION}|{publication}|{names.hexdigest()}|{measurement.name}|codes:{codes}"
    )
    if below:
        combined += "|below:" + ",".join(str(u.pk) for u in sorted(below, key=lambda u: u.pk))
    return hashlib.sha256(combined.encode()).hexdigest()


def file_units_below(
    measurement: Measurement, kind: str, unit: Unit | None, scope: str
) -> list[Unit]:
    """The units below a unit PDF's unit (of it and everything under it) whose figures the
    file may put together: those every reader of the unit's report may open now (see the
    module's docstring); none for the other files."""
    if kind != ExportKind.UNIT_PDF or unit is None or scope != "subtree":
        return []
    data = aggregates.publication(measurement, units=())  # the tree at closing
    if not data.has_unit(unit.pk):
        return []
    return children_every_reader_opens(measurement, data, unit)


def _typed(data: Publication | Mapping[str, Any]) -> Publication:
    # Stored JSON from a caller not yet on the typed publication is loaded (issue 14).
    return data if isinstance(data, Publication) else load_publication(data)


def unit_names(measurement: Measurement, data: Publication | Mapping[str, Any]) -> dict[str, str]:
    """Unit id -> name as it stood at closing (the frozen tree in the report data); today's
    name only for report data stored before names were kept in it."""
    data = _typed(data)
    missing = [int(u) for u in data.units if not data.unit_name(u)]
    today = (
        dict(
            Unit.objects.filter(
                organisation_id=measurement.organisation_id, pk__in=missing
            ).values_list("pk", "name")
        )
        if missing
        else {}
    )
    return {u: data.unit_name(u, today.get(int(u), u)) for u in data.units}


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
            # The units below read once: the file shows those its fingerprint names.
            below = file_units_below(measurement, export.kind, export.unit, export.scope)
            fingerprint = export_fingerprint(measurement, below)
            # A unit's file shows that unit's slice; the others the whole publication.
            subject = [export.unit_id] if export.unit_id is not None else None
            data = aggregates.publication(measurement, units=subject)
            _set_progress(export.pk, 40)

            def progress(value: int) -> None:
                _set_progress(export.pk, 40 + value * 55 // 100)

            if export.kind == ExportKind.EXCEL:
                content = build_workbook(measurement, data, progress=progress)
                content_type = XLSX
            else:
                content = build_pdf(export, data, progress=progress, below=below)
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
    """The file still shows today's report data, and puts together the units below that
    every reader of it may open today (else it is stale and made again)."""
    measurement = export.measurement
    below = file_units_below(measurement, export.kind, export.unit, export.scope)
    return export.fingerprint == export_fingerprint(measurement, below)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(export: ReportExport) -> str:
    """A Danish (or English) file name: "Enhedsrapport - Team A - Efterår 2026
    2026-11-02.pdf", and "... 2026-11-02 - detaljer.pdf" for the version with details."""
    measurement = export.measurement
    if export.kind == ExportKind.UNIT_PDF:
        assert export.unit is not None
        data = aggregates.publication(measurement, units=())
        parts = [
            _("Enhedsrapport"),
            data.unit_name(export.unit.pk, export.unit.name),
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
    stem = f"{stem[:150]} {measurement.opens_on:%Y-%m-%d}"
    if export.kind == ExportKind.UNIT_PDF and export.details:
        stem += " - " + _("detaljer")
    return f"{stem}.{extension}"


# --------------------------------------------------------------------------- report rows


@dataclass(frozen=True)
class GroupRow:
    """One group of the report as a row: the whole measurement or a unit in one scope."""

    label: str
    path: str
    depth: int
    scope: str  # "organisation", "unit" or "subtree"
    scope_label: str
    group: Group | Hidden


def reason_text(block: object) -> str:
    """Why a figure is hidden, in words (spec/privacy.md sections 2 and 3)."""
    if isinstance(block, Hidden) and block.reason == "complementary":
        return _("skjult for at beskytte en mindre gruppe")
    return _("for få svar")


def unit_order(data: Publication | Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """The report's units depth first, siblings by name: the order of an org chart."""
    units = _typed(data).units
    roots = [u for u, entry in units.items() if entry.parent is None]

    def walk(unit: str) -> Iterator[str]:
        yield unit
        for child in sorted(units[unit].children, key=lambda c: (names.get(c, ""), c)):
            yield from walk(str(child))

    order: list[str] = []
    for root in sorted(roots, key=lambda r: (names.get(r, ""), r)):
        order.extend(walk(root))
    return order


def group_rows(measurement: Measurement, data: Publication | Mapping[str, Any]) -> list[GroupRow]:
    """The whole measurement, then every unit: its own respondents, and with its subunits
    where that is another group."""
    data = _typed(data)
    units = data.units
    names = unit_names(measurement, data)
    rows = [
        GroupRow(
            label=_("Hele målingen"),
            path="",
            depth=0,
            scope="organisation",
            scope_label=_("Alle svar"),
            group=data.group(None),
        )
    ]
    for unit in unit_order(data, names):
        entry = units[unit]
        ancestors = [a for a in str(entry.path).strip("/").split("/") if a]
        path = " / ".join(names[a] for a in ancestors[:-1] if a in names)
        own = entry.unit
        subtree = entry.subtree
        if own == subtree:
            rows.append(
                GroupRow(
                    names.get(unit, unit),
                    path,
                    entry.depth,
                    "unit",
                    _("Enheden"),
                    data.group(unit),
                )
            )
            continue
        rows.append(
            GroupRow(
                names.get(unit, unit),
                path,
                entry.depth,
                "unit",
                _("Kun enheden selv"),
                data.group(unit),
            )
        )
        rows.append(
            GroupRow(
                names.get(unit, unit),
                path,
                entry.depth,
                "subtree",
                _("Med underenheder"),
                data.group(unit, "subtree"),
            )
        )
    return rows


def reported_instruments(
    measurement: Measurement, data: Publication | Mapping[str, Any]
) -> list[Instrument]:
    """The measurement's instruments in their order, those the report data covers."""
    covered = _typed(data).instruments
    return [i for i in measurement_instruments(measurement) if i.id in covered]


# --------------------------------------------------------------------------- spreadsheet

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31  # Excel's limit on a sheet name
# Words a name cut short should not end on ("De fem risikofaktorer i").
_TRAILING_FILLERS = frozenset(
    {"i", "og", "om", "på", "for", "af", "til", "med", "ved", "at", "en", "et", "de"}
    | {"the", "of", "and", "in", "on", "to", "with", "a", "an"}
)


def _short_name(name: str, limit: int) -> str:
    """A sheet name of at most ``limit`` characters that still reads: Excel's forbidden
    characters and a closing parenthesis ("(7 udsagn, Edmondson)") dropped, cut between
    words, never on a little word."""
    text = " ".join(_SHEET_UNSAFE.sub(" ", name).split()).strip("'")
    bare = re.sub(r"\s*\([^()]*\)$", "", text).strip()
    text = bare or text
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    words = cut.rstrip(" ,;-–").split(" ")
    while len(words) > 1 and words[-1].lower() in _TRAILING_FILLERS:
        words.pop()
    return " ".join(words).rstrip(" ,;-–'")


def _sheet_title(name: str, taken: set[str], *, qualifier: str = "", suffix: str = "") -> str:
    """A unique sheet name: the short name, then " (qualifier)" (the instrument id, when
    two instruments read alike) and the suffix, numbered only if still taken."""
    tail = (f" ({qualifier})" if qualifier else "") + suffix
    title = (_short_name(name, _SHEET_MAX - len(tail)) or _("Ark")) + tail
    n = 2
    while title.lower() in taken:
        number = f" ({n})"
        base = _short_name(name, _SHEET_MAX - len(tail) - len(number)) or _("Ark")
        title, n = base + tail + number, n + 1
    taken.add(title.lower())
    return title


@dataclass(frozen=True)
class Column:
    """A column of a sheet. ``kind`` decides its cells: "text" (and "long" text, wrapped)
    hold words only; "int", "number", "share" and "change" hold numbers only, and an empty
    cell where there is no figure (the sheet's status column says why)."""

    title: str
    kind: str = "text"


_FORMATS = {"int": "0", "number": "0.00", "share": "0.0%", "change": "+0.00;-0.00;0.00"}


def _write_table(sheet: Any, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    """The rows under a bold, wrapped header with a filter on it, numbers formatted by
    their column, widths fitted to the content and the first column frozen."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append([c.title for c in columns])
    top = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = top
    for values in rows:
        sheet.append(list(values))
    for i, column in enumerate(columns, start=1):
        number_format = _FORMATS.get(column.kind)
        cells = next(sheet.iter_cols(min_col=i, max_col=i, min_row=2), ())
        longest = 0
        for cell in cells:
            if number_format is not None and isinstance(cell.value, (int, float)):
                cell.number_format = number_format
            elif column.kind == "long":
                cell.alignment = top
            if isinstance(cell.value, str):
                longest = max(longest, len(cell.value))
        if number_format is not None:
            longest = max(longest, 8)
        word = max((len(w) for w in column.title.split()), default=0)
        cap = 60 if column.kind == "long" else 40
        width = min(cap, max(8, word + 2, longest + 2))
        sheet.column_dimensions[get_column_letter(i)].width = width
    lines = max(
        -(-len(c.title) // max(int(sheet.column_dimensions[get_column_letter(i)].width) - 1, 1))
        for i, c in enumerate(columns, start=1)
    )
    sheet.row_dimensions[1].height = 15 * max(lines, 1)
    sheet.freeze_panes = "B2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 2)}"


def _group_columns() -> list[Column]:
    return [
        Column(_("Enhed")),
        Column(_("Placering")),
        Column(_("Niveau"), "int"),
        Column(_("Gruppe")),
    ]


def _group_cells(row: GroupRow) -> list[Any]:
    return [row.label, row.path, row.depth, row.scope_label]


def _status(figure: object, block: Group | Hidden) -> str | None:
    """Empty for a shown figure; else why it is hidden."""
    if figure is not None and not isinstance(figure, Hidden):
        return None
    return reason_text(figure if figure is not None else block)


def _instrument_block(row: GroupRow, instrument_id: str) -> InstrumentFigures | None:
    if isinstance(row.group, Hidden):
        return None
    return row.group.instrument(instrument_id)


def _direction_text(polarity: str) -> str:
    if polarity == "lower_better":
        return _("lavere er bedre")
    if polarity == "higher_better":
        return _("højere er bedre")
    if polarity == "bipolar":
        return _("midten er bedst")
    return _("viser et behov")


def _range_text(scale: Scale) -> str:
    return f"{_number_text(scale.score.min)}–{_number_text(scale.score.max)}"


def _number_text(value: float) -> str:
    return f"{value:g}"


def _change_text(change: Change) -> str:
    return _("sikker") if change.reading == "real" else _("vejledende")


def _scale_sheet(
    sheet: Any,
    instrument: Instrument,
    meta: InstrumentMeta,
    rows: Sequence[GroupRow],
    language: str,
) -> None:
    """One row per group and scale: the scale's figures, the change since the earlier
    wave where this instrument is compared with it, and a status saying why a figure is
    missing."""
    scales = [s for s in instrument.scales if s.id in meta.scales]
    bipolar = any(s.polarity == "bipolar" for s in scales)
    compared = meta.compared_with is not None
    columns = [
        *_group_columns(),
        Column(_("Skala")),
        Column(_("Retning")),
        Column(_("Skalaens spænd")),
        Column(_("Antal svar"), "int"),
        Column(_("Gennemsnit"), "number"),
        Column(_("Spredning (SD)"), "number"),
        # xgettext:no-python-format
        Column(_("95 %-interval, nedre"), "number"),
        # xgettext:no-python-format
        Column(_("95 %-interval, øvre"), "number"),
    ]
    if bipolar:
        columns.append(Column(_("Største gruppe")))
    if compared:
        columns += [
            Column(_("Gennemsnit i forrige måling"), "number"),
            Column(_("Ændring siden forrige måling"), "change"),
            Column(_("Ændringen er")),
        ]
    columns.append(Column(_("Status")))
    out: list[list[Any]] = []
    for row in rows:
        inst = _instrument_block(row, instrument.id)
        for scale in scales:
            figure = inst.scale(scale.id) if inst is not None else None
            f = shown(figure)
            numeric = f is not None and scale.polarity != "bipolar"
            low, high = (f.ci95 or (None, None)) if f is not None and numeric else (None, None)
            cells: list[Any] = [
                *_group_cells(row),
                scale.name.get(language),
                _direction_text(scale.polarity),
                "" if scale.polarity == "bipolar" else _range_text(scale),
                f.n if f is not None else None,
                f.mean if f is not None and numeric else None,
                f.sd if f is not None and numeric else None,
                low,
                high,
            ]
            if bipolar:
                band = f.dominant_band if f is not None else None
                cells.append(_band_label(scale, band, language) or None)
            if compared:
                change = f.change if f is not None and numeric else None
                if change is not None:
                    cells += [change.mean_before, change.difference, _change_text(change)]
                else:
                    cells += [None, None, None]
            cells.append(_status(figure, row.group))
            out.append(cells)
    _write_table(sheet, columns, out)


def _option_columns(instrument: Instrument, item_ids: Iterable[str], language: str) -> list[str]:
    """One column per answer option, by its label, in the order the items list them."""
    wanted = set(item_ids)
    labels: list[str] = []
    for item in instrument.items:
        if item.id not in wanted:
            continue
        for option in item.options:
            label = _option_label(option, language)
            if label not in labels:
                labels.append(label)
    return labels


def _option_label(option: Any, language: str) -> str:
    return option.label.get(language) if option.label is not None else str(option.code)


def _item_sheet(
    sheet: Any,
    instrument: Instrument,
    meta: InstrumentMeta,
    rows: Sequence[GroupRow],
    language: str,
) -> None:
    """One row per item and group: its figures and how many chose each answer option."""
    items = [i for i in instrument.items if i.id in meta.items]
    options = _option_columns(instrument, (i.id for i in items), language)
    columns = [
        *_group_columns(),
        Column(_("Nr."), "int"),
        Column(_("Spørgsmål"), "long"),
        Column(_("Antal svar"), "int"),
        Column(_("Gennemsnit (point)"), "number"),
        Column(_("Andel «ved ikke»"), "share"),
        *(Column(label, "int") for label in options),
        Column(_("Status")),
    ]
    out: list[list[Any]] = []
    for item in items:
        shares_only = meta.shares_only(item.id)
        for row in rows:
            inst = _instrument_block(row, instrument.id)
            figure = inst.item(item.id) if inst is not None else None
            f = shown(figure)
            counts: list[Any] = [None] * len(options)
            if f is not None:
                for option, count in zip(item.options, f.counts, strict=False):
                    counts[options.index(_option_label(option, language))] = count
            out.append(
                [
                    *_group_cells(row),
                    item.number,
                    item.text.get(language),
                    f.n if f is not None else None,
                    f.mean_points if f is not None and not shares_only else None,
                    f.dont_know if f is not None else None,
                    *counts,
                    _status(figure, row.group),
                ]
            )
    _write_table(sheet, columns, out)


def _key_figure_sheet(
    sheet: Any,
    instruments: Sequence[Instrument],
    data: Publication,
    rows: Sequence[GroupRow],
    language: str,
) -> None:
    columns = [
        *_group_columns(),
        Column(_("Spørgeskema")),
        Column(_("Nøgletal")),
        Column(_("Antal svar"), "int"),
        Column(_("Andel"), "share"),
        Column(_("Status")),
    ]
    out: list[list[Any]] = []
    for instrument in instruments:
        wanted = data.instruments[instrument.id].key_figures
        for key in instrument.key_figures:
            if key.id not in wanted:
                continue
            for row in rows:
                inst = _instrument_block(row, instrument.id)
                figure = inst.key_figure(key.id) if inst is not None else None
                f = shown(figure)
                out.append(
                    [
                        *_group_cells(row),
                        instrument.name.get(language),
                        key.label.get(language),
                        f.n if f is not None else None,
                        f.share if f is not None else None,
                        _status(figure, row.group),
                    ]
                )
    _write_table(sheet, columns, out)


def build_workbook(
    measurement: Measurement,
    data: Publication | Mapping[str, Any],
    *,
    progress: Progress | None = None,
) -> bytes:
    """The report data as an .xlsx: a read-me sheet; per instrument a sheet of its scales
    and one of its items (a column per answer option); the key figures. Every table has
    a filter; a number column holds numbers only, and a hidden figure's cell is empty with
    the reason in the row's status column."""
    from openpyxl import Workbook

    language = _current_language()
    data = _typed(data)
    rows = group_rows(measurement, data)
    instruments = reported_instruments(measurement, data)
    workbook = Workbook()
    readme = workbook.active
    taken: set[str] = set()
    readme.title = _sheet_title(_("Læs mig"), taken)
    steps = len(instruments) + 2
    # Two instruments whose names read alike once cut (ps7 and ps7-hem) add their id.
    shorts = [_short_name(i.name.get(language), _SHEET_MAX).lower() for i in instruments]
    contents: list[tuple[str, str]] = []
    for step, instrument in enumerate(instruments, start=1):
        meta = data.instruments[instrument.id]
        name = instrument.name.get(language)
        qualifier = instrument.id if shorts.count(shorts[step - 1]) > 1 else ""
        title = _sheet_title(name, taken, qualifier=qualifier)
        _scale_sheet(workbook.create_sheet(title), instrument, meta, rows, language)
        contents.append((title, _("%(name)s: skalaerne for hver gruppe.") % {"name": name}))
        if meta.items:
            title = _sheet_title(name, taken, qualifier=qualifier, suffix=f", {_('spm.')}")
            _item_sheet(workbook.create_sheet(title), instrument, meta, rows, language)
            contents.append((title, _("%(name)s: spørgsmålene for hver gruppe.") % {"name": name}))
        if progress is not None:
            progress(step * 100 // steps)
    if any(data.instruments[i.id].key_figures for i in instruments):
        title = _sheet_title(_("Nøgletal"), taken)
        _key_figure_sheet(workbook.create_sheet(title), instruments, data, rows, language)
        contents.append((title, _("Nøgletallene for hver gruppe.")))
    if progress is not None:
        progress((steps - 1) * 100 // steps)

    _write_readme(readme, measurement, data, instruments, language, contents)
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


def _write_readme(
    sheet: Any,
    measurement: Measurement,
    data: Publication,
    instruments: Sequence[Instrument],
    language: str,
    contents: Sequence[tuple[str, str]],
) -> None:
    from openpyxl.styles import Alignment, Font

    minimums = data.minimums
    previous = measurement.previous
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
                "krænkende handlinger og vold). Ellers er talcellerne tomme, og kolonnen "
                "«Status» siger «for få svar»."
            )
            % {"score": minimums.score, "sensitive": minimums.sensitive},
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
        (_("Ark"), ""),
        *contents,
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
        (
            _("Retning"),
            _(
                "Om en høj score er godt («højere er bedre») eller skidt («lavere er bedre»). "
                "Skalaerne har forskellige spænd (fx 0–70 og 1–5); sammenlign kun gennemsnit "
                "på samme skala."
            ),
        ),
        (_("Antal svar"), _("Antal personer, tallet bygger på.")),
        (_("Gennemsnit"), _("Gruppens gennemsnitlige score på skalaen.")),
        (_("Spredning (SD)"), _("Standardafvigelse: hvor forskellige svarene er i gruppen.")),
        (
            _("95 %-interval"),
            _(
                # xgettext:no-python-format
                "Det område, gennemsnittet med 95 % sikkerhed ligger i. Jo færre svar, jo "
                "bredere interval."
            ),
        ),
        (_("Største gruppe"), _("For skalaer, hvor midten er bedst: det svar, flest har givet.")),
        (
            _("Ændring siden forrige måling"),
            _(
                "Gruppens gennemsnit nu minus i den måling, den sammenlignes med, når gruppen "
                "blev vist i begge. «Sikker» betyder mindst 10 svar i begge målinger og en "
                "statistisk signifikant forskel (p < 0,05); ellers er ændringen vejledende."
            ),
        ),
        (_("Status"), _("Tom, når tallene vises; ellers hvorfor de ikke vises.")),
        (
            _("Svarmuligheder"),
            _("På spørgsmålsarkene: hvor mange i gruppen der valgte hver svarmulighed."),
        ),
        (_("Andel"), _("Andelen af svarpersonerne, som nøgletallet tæller.")),
    ]
    if previous is not None:
        compared = [i for i in instruments if data.instruments[i.id].compared_with is not None]
        others = [i for i in instruments if i not in compared]
        text = _("Målingen sammenlignes med «%(name)s».") % {"name": previous.name}
        if others:
            text += " " + _(
                "Der vises ingen ændring for %(names)s: den forrige måling brugte ikke det "
                "samme spørgeskema (eller en anden version eller variant af det)."
            ) % {"names": ", ".join(i.name.get(language) for i in others)}
        lines.insert(5, (_("Forrige måling"), text))
    sheet.append([_("Resultater fra Tryghed"), ""])
    bold = Font(bold=True)
    sheet["A1"].font = bold
    for label, text in lines:
        sheet.append([label, text])
        if label:
            sheet.cell(row=sheet.max_row, column=1).font = bold
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 90


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class _PrintAccess:
    """What the report includes read of ``access`` when there is no request: the
    organisation (for its name and the links' slug)."""

    organisation: Organisation


def print_context(
    export: ReportExport,
    data: Publication | Mapping[str, Any],
    *,
    below: Sequence[Unit] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The print template and its context: the pages' own context functions, so the PDF
    shows exactly what the page shows (the organisation report with every unit, unpaged).
    ``below``: the units below a unit PDF's unit it may put together, read by the caller
    with the fingerprint (:func:`file_units_below` when not given)."""
    measurement = export.measurement
    lang = _current_language()
    data = _typed(data)
    base: dict[str, Any] = {
        "access": _PrintAccess(export.organisation),
        "measurement": measurement,
        "made_at": timezone.localtime(),
        "print_css": render_to_string("results/print/print.css") + heatmap_css(),
    }
    if export.kind == ExportKind.UNIT_PDF:
        assert export.unit is not None
        scope: Scope = "unit" if export.scope == "unit" else "subtree"
        if below is None:
            below = file_units_below(measurement, export.kind, export.unit, scope)
        context = unit_report_context(
            data=data,
            measurement=measurement,
            unit=export.unit,
            scope=scope,
            lang=lang,
            details=export.details,
            below=units_below(measurement, data, export.unit, below, scope),
        )
        return "results/print/unit_report.html", {**base, **context}
    from tryghed.results.org_presenters import org_report_context

    names = {int(u): name for u, name in unit_names(measurement, data).items()}
    _rates, total = aggregates.participation(measurement)  # stored at closing
    report = org_report_context(
        data=data,
        instruments=measurement_instruments(measurement),
        unit_names=names,
        total=total,
        lang=lang,
        params={"niveau": "alle"},
        page_size=None,
    )
    codes = aggregates.paper_codes(measurement)
    return "results/print/org_report.html", {**base, "report": report, "paper_codes": codes}


def build_pdf(
    export: ReportExport,
    data: Publication | Mapping[str, Any],
    *,
    progress: Progress | None = None,
    below: Sequence[Unit] | None = None,
) -> bytes:
    """The unit or organisation report as an A4 PDF (WeasyPrint), charts as inline SVG;
    ``below`` as for :func:`print_context`."""
    from weasyprint import HTML

    template, context = print_context(export, data, below=below)
    html = render_to_string(template, context)
    if progress is not None:
        progress(30)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    if progress is not None:
        progress(100)
    return pdf
