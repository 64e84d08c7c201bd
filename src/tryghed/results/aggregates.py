"""Report data ("rapportdata"): a closed measurement's publication, built once, stored, read
in slices.

The publication itself (its shape, how every figure is computed and suppressed) is
``tryghed.core.publication``, free of Django. This module is its database side: with the
answers ``results.answers`` loads over the unit tree frozen at closing, it builds the
publication once the measurement is closed, stores it final as a header (``ReportCache``),
one row per group (``PublishedGroup``) and one per shown comment (``PublishedText``), and
hands every page, export, focus area, plan and APV page the slice it may show
(:func:`publication`). The measurement's participation rows, final once it is closed, are
stored with the header and read by :func:`participation`. :func:`report_data` is the whole
JSON, for the audit and the next wave; ``group``, ``unit_name`` and ``comment_texts`` read
that JSON.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tryghed.audit.services import audit_record
from tryghed.core import disclosure, figures
from tryghed.core.publication import (
    ORGANISATION,
    SCHEMA,
    GroupKey,
    JsonDict,
    Measured,
    Minimums,
    Report,
    build_tree,
    comment_texts,
    group,
    no_cycle_collection,
    report_units,
    unit_name,
)
from tryghed.core.tighten import Tightened, tighten
from tryghed.results.answers import load_answers
from tryghed.results.jsontext import JsonText, json_bytes
from tryghed.results.models import PublishedGroup, PublishedText, ReportCache, ReportExport
from tryghed.results.shown_counts import publication_figures
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.participation import RateRow, dump_rates, load_rates, response_rates
from tryghed.surveys.selectors import (
    measurement_instruments,
    paper_code_counts_shown,
    unit_tree_now,
)

__all__ = [
    "SCHEMA",
    "NotPublished",
    "comment_texts",
    "compute_report_data",
    "fingerprint",
    "group",
    "is_published",
    "participation",
    "publication",
    "publication_builder",
    "report_data",
    "tighten_publication",
    "unit_name",
]


class NotPublished(Exception):
    """The measurement is not closed, so it has no figures (privacy.md section 3, "no live
    figures"): while it is open, a reader reloading a report between two answers would
    read the newest person's answers. Pages show "Resultaterne vises, når målingen er
    lukket." instead."""

    def __init__(self, measurement: Measurement) -> None:
        super().__init__(f"measurement {measurement.pk} is {measurement.status}, not closed")
        self.measurement = measurement


def is_published(measurement: Measurement) -> bool:
    """Whether the measurement's figures may be shown at all: only once it is closed."""
    return measurement.status == Status.CLOSED


def compute_report_data(measurement: Measurement) -> JsonDict:
    """Every figure the closed measurement's reports may show, suppression applied (see
    core.publication), over its frozen unit tree. A measurement opened before trees were
    frozen has none: then the tree of this moment is used, and ``report_data`` stores the
    result as the final publication, so later changes to the tree change nothing either.

    The cycle collector is paused for the loading too: the answers arrive as 200,000 row
    tuples and 90,000 strings at 200,000 responses, none in a cycle, and each full pass
    of the collector walked them and everything the process holds."""
    with no_cycle_collection():
        return publication_builder(measurement).build()


def publication_builder(measurement: Measurement) -> Report:
    """The closed measurement's answers, tree, instruments, minimums and earlier wave,
    loaded and ready to build (benchmarks read its unsuppressed counts beside the result)."""
    if not is_published(measurement):
        raise NotPublished(measurement)
    frozen = measurement.frozen_tree
    if frozen is None:
        frozen = unit_tree_now(measurement)
    tree = build_tree(report_units(frozen))
    instruments = measurement_instruments(measurement)
    previous = measurement.previous
    measured = Measured(
        id=measurement.pk,
        status=measurement.status,
        previous_id=measurement.previous_id,
        previous=report_data(previous) if previous is not None and is_published(previous) else None,
    )
    return Report(
        measured,
        instruments,
        tree,
        {str(u["id"]): str(u.get("name", "")) for u in frozen},
        load_answers(measurement, instruments, tree, with_texts=True),
        Minimums.chosen(
            measurement.min_group_score,
            measurement.min_group_comment,
            measurement.min_group_sensitive,
        ),
        seen=_answered_counts_seen(measurement),
    )


def _answered_counts_seen(measurement: Measurement) -> dict[GroupKey, int]:
    """The answered counts the participation rows show (per unit with its subtree, and
    the total), which the publication's figures must not give small groups with: a reader
    takes them and an n of a questionnaire everyone got for the same people (red team,
    tests/privacy/test_redteam_participation_joint.py). The rows are decided on their own
    and shown live too, so the publication respects them, not the other way round."""
    rows, total = response_rates(measurement)
    seen: dict[GroupKey, int] = {
        ("subtree", str(row.unit_id)): row.responses
        for row in rows
        if row.shown and row.responses is not None
    }
    if total is not None and total.shown and total.responses is not None:
        seen[ORGANISATION] = total.responses
    return seen


def _content_fingerprint(data: Mapping[str, Any]) -> str:
    """The publication's name: the hash of its canonical JSON (keys sorted, compact,
    UTF-8), so the same content always gets the same name."""
    return hashlib.sha256(json_bytes(data, sort_keys=True)).hexdigest()


def report_data(measurement: Measurement) -> JsonDict:
    """The closed measurement's whole publication as stored JSON (the shape in
    core.publication): the header with every group. ``NotPublished`` while it is not
    closed. Pages read :func:`publication`, the typed slice they show; this is for the
    anonymity audit, the next wave's changes and the JSON's own tests.

    Computed once, over the unit tree frozen at closing, and stored final (privacy.md
    section 3, "frozen at closing"): the answers of a closed measurement never change
    (retention deletes them only after freezing this), and later moves, renames, merges,
    deletions, scope changes or minimums change nothing in it. A raised minimum could only
    ever hide more, which would need a new version of the publication; none is made.

    A measurement closed before trees were frozen gets the tree of its first computation.
    A publication stored under an earlier schema is tightened to the current hiding rules
    before anything of it is read (:func:`tighten_publication`): hidden more, never
    recomputed. Only one older than ``TIGHTENED_FROM`` whose answers still exist is built
    anew, over that frozen tree.
    """
    measurement = _closed(measurement)
    name = _stored_name(measurement)
    if name is not None and (parsed := _parsed.get((measurement.pk, name))) is not None:
        return parsed
    name, header, whole = _stored_or_built(measurement)
    if whole is None:
        groups = PublishedGroup.objects.filter(measurement=measurement).order_by("slot")
        texts = PublishedText.objects.filter(measurement=measurement).order_by("index")
        whole = _with_rows(
            header,
            [data for _, data in _group_rows(groups)],
            list(texts.values_list("text", flat=True)),
        )
    _parsed.put((measurement.pk, name), whole)
    return whole


def publication(
    measurement: Measurement, *, units: Iterable[int | str] | None, own_only: bool = False
) -> figures.Publication:
    """The slice of the closed measurement's publication a page shows, typed
    (``core.figures``): the header and the groups of ``units`` (each unit's own
    respondents and subtree, its parent's subtree; with ``own_only`` its own respondents
    only, as an employee's feedback page) and of the whole measurement, and the comments
    of the units' own groups (a page never shows the comparisons' comments); with
    ``units=None`` every group and comment (the organisation report, its files, the
    audit). Asking the slice for any other group or comment raises
    ``figures.OutsideSlice``. ``NotPublished`` while the
    measurement is not closed.

    Read from what was stored at closing, the header and the groups' rows each loaded once
    per process and kept (``_typed``), keyed by the publication's hash."""
    return publication_with_pages(measurement, units=units, own_only=own_only)[0]


def publication_with_pages(
    measurement: Measurement, *, units: Iterable[int | str] | None, own_only: bool = False
) -> tuple[figures.Publication, PageCache]:
    """``publication``, and the rendered pages kept with it in this process
    (:class:`PageCache`): they go with the publication they were made from."""
    measurement, loaded = _loaded(measurement)
    return _slice(measurement, loaded, units, own_only), loaded.pages


def _slice(
    measurement: Measurement,
    loaded: _Loaded,
    units: Iterable[int | str] | None,
    own_only: bool,
) -> figures.Publication:
    slots, own = loaded.slots(units, own_only=own_only)
    missing = [slot for slot in slots if slot not in loaded.groups]
    if missing:
        loaded.fetch(measurement, missing)
    if units is None:
        # Every group and text: the same slice on every request (88,000 texts at 200,000
        # answers), made once.
        if loaded.whole is None:
            loaded.fetch_all_texts(measurement)
            loaded.whole = loaded.slice(slots, set(loaded.texts), complete=True)
        return loaded.whole
    # A page shows the comments of its own units' groups, never of the comparisons.
    shown = figures.text_indices(loaded.groups[slot] for slot in own)
    absent = [index for index in shown if index not in loaded.texts]
    if absent:
        loaded.fetch_texts(measurement, absent)
    return loaded.slice(slots, shown, complete=False)


def participation(measurement: Measurement) -> tuple[list[RateRow], RateRow | None]:
    """The closed measurement's participation rows and total as stored with its
    publication (``surveys.participation.response_rates`` at closing, suppressed there):
    what the organisation report, its files and the anonymity audit show. Invited and
    answered counts are final once the measurement is closed (answers are released at
    closing, invitations are neither made nor deleted, retention keeps the counts), so
    they are decided once rather than on every request. A publication stored before they
    were kept gets them from those counts on its first read, stored then.
    ``NotPublished`` while the measurement is not closed."""
    measurement = _closed(measurement)
    key = _stored_key(measurement)
    if key is None:  # not built yet: built and stored as on any first read
        _stored_or_built(measurement)
        key = _stored_key(measurement)
        if key is None:
            raise ReportDataMissing(f"measurement {measurement.pk} has no stored publication")
    found = _participation.get((measurement.pk, key))
    if found is None:
        stored = ReportCache.objects.filter(measurement=measurement)
        kept = stored.values_list("participation", flat=True).first()
        if kept is None:
            kept = _participation_record(measurement, publication(measurement, units=None))
            stored.filter(participation__isnull=True).update(participation=kept)
        found = load_rates(kept)
        _participation.put((measurement.pk, key), found)
    rows, total = found
    return list(rows), total


def _participation_record(
    measurement: Measurement, data: figures.Publication | JsonDict
) -> dict[str, object]:
    """What is kept beside the publication ``data`` about who answered: the participation
    rows and total, and the answers-by-code line ("Papirkoder: x af y") where it may be
    shown beside them and the publication's figures
    (``surveys.selectors.paper_code_counts_shown``; privacy.md section 5 asks the report
    to say it). Both from final counts, at closing."""
    codes = paper_code_counts_shown(measurement, lambda: _publication_counts(measurement, data))
    return {
        **dump_rates(*response_rates(measurement)),
        "paper_codes": list(codes) if codes is not None else None,
        _CODES_BESIDE_FIGURES: True,
    }


#: Set on a kept code line checked beside the publication's figures too; one kept before
#: is checked again on its first read and kept only where it still may be shown.
_CODES_BESIDE_FIGURES = "paper_codes_beside_figures"


def paper_codes(measurement: Measurement) -> tuple[int, int] | None:
    """(printed, used) paper codes of the closed measurement as kept with its
    publication, or None where the line may not be shown (or no codes were printed). A
    publication kept before the line was gets it on its first read, while the codes and
    their marks still exist (after retention there is nothing to count: None). A line kept
    before it was checked beside the publication's figures is checked again then, and
    only ever hidden by it."""
    participation(measurement)  # the publication and its participation are stored
    stored = ReportCache.objects.filter(measurement=measurement)
    kept = stored.values_list("participation", flat=True).first() or {}
    if "paper_codes" not in kept or not kept.get(_CODES_BESIDE_FIGURES):
        codes = paper_code_counts_shown(
            measurement,
            lambda: _publication_counts(measurement, publication(measurement, units=None)),
        )
        if "paper_codes" in kept and not kept["paper_codes"]:
            codes = None  # hidden before: never shown later
        kept = {
            **kept,
            "paper_codes": list(codes) if codes is not None else None,
            _CODES_BESIDE_FIGURES: True,
        }
        stored.update(participation=kept)
    found = kept["paper_codes"]
    return (int(found[0]), int(found[1])) if found else None


def _publication_counts(
    measurement: Measurement, data: figures.Publication | JsonDict
) -> list[disclosure.Figure]:
    """Every count the publication ``data`` shows, over units (what the answers-by-code
    line is checked beside: its readers read every group)."""
    return publication_figures(data, measurement_instruments(measurement))


def _loaded(measurement: Measurement) -> tuple[Measurement, _Loaded]:
    """The measurement as stored (closed) and its publication as this process has read it."""
    measurement = _closed(measurement)
    name = _stored_name(measurement)
    loaded = _typed.get((measurement.pk, name)) if name is not None else None
    if loaded is None:
        name, header, whole = _stored_or_built(measurement)
        loaded = _Loaded(header, whole)
        _typed.put((measurement.pk, name), loaded)
    return measurement, loaded


def _stored_key(measurement: Measurement) -> str | None:
    """The stored publication's hash and the moment it was stored: the participation rows
    kept beside its figures are not part of the hash, so they are kept under both."""
    stored = ReportCache.objects.filter(measurement=measurement)
    found = stored.values_list("fingerprint", "computed_at").first()
    return None if found is None else f"{found[0]}@{found[1].isoformat()}"


def fingerprint(measurement: Measurement) -> str:
    """A name for the closed measurement's publication (a hash of its whole content,
    stored with it): files made from it are reused while it is the same. Builds and stores
    the publication first when there is none (or it is stale, as ``report_data`` says)."""
    measurement = _closed(measurement)
    stored = ReportCache.objects.filter(measurement=measurement)
    found = stored.values_list("fingerprint", "data__schema").first()
    if found is not None and found[1] == SCHEMA:
        return str(found[0])
    return _stored_or_built(measurement)[0]


def _closed(measurement: Measurement) -> Measurement:
    measurement = Measurement.objects.get(pk=measurement.pk)  # status as stored
    if not is_published(measurement):
        raise NotPublished(measurement)
    return measurement


def _stored_name(measurement: Measurement) -> str | None:
    found: str | None = (
        ReportCache.objects.filter(measurement=measurement)
        .values_list("fingerprint", flat=True)
        .first()
    )
    return found


def _with_rows(header: Mapping[str, Any], groups: list[Any], texts: list[str]) -> JsonDict:
    """The whole publication JSON: the header with its groups and texts, in the builder's
    key order."""
    whole: JsonDict = {}
    for key, value in header.items():
        whole[key] = value
        if key == "organisation":
            whole["groups"] = groups
            whole["texts"] = texts
    whole.setdefault("groups", groups)
    whole.setdefault("texts", texts)
    return whole


def _group_rows(rows: QuerySet[PublishedGroup]) -> Iterator[tuple[int, JsonDict]]:
    """The stored groups' slots and JSON, read a chunk at a time (``JsonText``: the
    database sends each as the text it was given, parsed by orjson)."""
    yield from rows.values_list("slot", "data").iterator(chunk_size=500)


def _header(data: Mapping[str, Any]) -> JsonDict:
    return {key: value for key, value in data.items() if key not in _ROWS}


# What the publication keeps in rows of its own rather than in its header.
_ROWS = ("groups", "texts")


def _store_rows(measurement: Measurement, data: Mapping[str, Any], *, replace: bool) -> None:
    """The publication's groups and texts as rows of their own (in the caller's
    transaction, beside its header); ``replace`` deletes the rows stored before."""
    if replace:
        PublishedGroup.objects.filter(measurement=measurement).delete()
        PublishedText.objects.filter(measurement=measurement).delete()
    insert_rows(
        PublishedGroup,
        ("measurement", "slot", "data"),
        ((measurement.pk, slot, group) for slot, group in enumerate(data["groups"])),
    )
    insert_rows(
        PublishedText,
        ("measurement", "index", "text"),
        ((measurement.pk, index, text) for index, text in enumerate(data["texts"])),
    )


def _stored_or_built(measurement: Measurement) -> tuple[str, JsonDict, JsonDict | None]:
    """The stored publication's name and header, and the whole publication when it was
    built or tightened here; built and stored first when there is none, tightened first
    when it is of an earlier schema (:func:`tighten_publication`; built anew only when it
    is older than ``TIGHTENED_FROM`` and its answers still exist). Stored as the header
    and one row per group, in one transaction: a page never sees a header without its
    groups and texts."""
    stored = ReportCache.objects.filter(measurement=measurement).values_list("fingerprint", "data")
    row = stored.first()
    kept: JsonDict | None = row[1] if row is not None else None
    if row is not None and kept is not None:
        if kept.get("schema") == SCHEMA:
            return str(row[0]), kept, None
        if measurement.report_frozen_at is not None or kept.get("schema") in TIGHTENED_FROM:
            return _tightened_and_stored(measurement)
    # The cycle collector stays paused until the new publication is stored, not only
    # while it is built: its few hundred thousand dicts and lists (none in a cycle) were
    # otherwise all walked by the collector's first passes while it was named and stored,
    # 0.3-0.4 s at 200,000 answers (docs/benchmarks.md).
    with no_cycle_collection():
        data = compute_report_data(measurement)
        name, header = _content_fingerprint(data), _header(data)
        values = {
            "fingerprint": name,
            "data": header,
            "participation": _participation_record(measurement, data),
            "computed_at": timezone.now(),
        }
        try:
            with transaction.atomic():
                if kept is None:
                    ReportCache.objects.create(measurement=measurement, **values)
                else:
                    ReportCache.objects.filter(measurement=measurement).update(**values)
                _store_rows(measurement, data, replace=kept is not None)
        except IntegrityError:
            # A concurrent first computation stored it first: that one is the publication.
            first_name, first = stored.get()
            return str(first_name), first, None
    return name, header, data


#: Schemas of the same shape as the current one (2 on), whose stored publications are
#: tightened rather than built anew even while their answers exist (a new computation of a
#: figure readers saw could differ from it, and the difference is a figure of its own). An
#: older one is built anew while its answers exist, tightened once they are gone. A new
#: hiding rule bumps SCHEMA; the schemas before it are tightened alike.
TIGHTENED_FROM = frozenset(range(2, SCHEMA))


def _stored_whole(measurement: Measurement) -> tuple[str, JsonDict] | None:
    """The stored publication's name and whole JSON, read from the database."""
    row = ReportCache.objects.filter(measurement=measurement).values_list("fingerprint", "data")
    found = row.first()
    if found is None:
        return None
    groups = PublishedGroup.objects.filter(measurement=measurement).order_by("slot")
    texts = PublishedText.objects.filter(measurement=measurement).order_by("index")
    whole = _with_rows(
        found[1],
        [data for _, data in _group_rows(groups)],
        list(texts.values_list("text", flat=True)),
    )
    return str(found[0]), whole


def _tightening(measurement: Measurement, whole: JsonDict) -> Tightened:
    """The stored publication under the current rules (core.tighten): compared with a
    fresh build while the answers exist (not once ``report_frozen_at`` is set: retention
    deletes them then), and with the earlier wave's publication as it stands now."""
    fresh = compute_report_data(measurement) if measurement.report_frozen_at is None else None
    previous = measurement.previous
    earlier = report_data(previous) if previous is not None and is_published(previous) else None
    return tighten(
        whole, fresh=fresh, instruments=measurement_instruments(measurement), previous=earlier
    )


def tighten_publication(measurement: Measurement, *, dry_run: bool = False) -> Tightened | None:
    """Tighten the closed measurement's stored publication when it is of an earlier schema
    (see :func:`report_data`); None when there is nothing to tighten. With ``dry_run``, what
    tightening would do, nothing stored. ``tryghed tighten-publications`` runs it for every
    one; any read does the same for its own."""
    measurement = _closed(measurement)
    found = _stored_whole(measurement)
    if found is None or found[1].get("schema") == SCHEMA:
        return None
    if dry_run:
        return _tightening(measurement, found[1])
    return _store_tightened(measurement, *found)[3]


def _tightened_and_stored(measurement: Measurement) -> tuple[str, JsonDict, JsonDict | None]:
    found = _stored_whole(measurement)
    if found is None:  # deleted meanwhile: built as on a first read
        return _stored_or_built(measurement)
    name, header, whole, _ = _store_tightened(measurement, *found)
    return name, header, whole


def _store_tightened(
    measurement: Measurement, name: str, whole: JsonDict
) -> tuple[str, JsonDict, JsonDict | None, Tightened | None]:
    """Tighten and store in place of the old one: header and rows in one transaction, with
    its audit row; the files made from the old one are deleted (their fingerprint names it,
    and they show what it showed). Another process that stored first wins."""
    result = _tightening(measurement, whole)
    data = result.data
    new_name, header = _content_fingerprint(data), _header(data)
    with transaction.atomic():
        locked = ReportCache.objects.select_for_update().filter(
            measurement=measurement, fingerprint=name
        )
        if not locked.exists():
            row = ReportCache.objects.filter(measurement=measurement)
            first_name, first = row.values_list("fingerprint", "data").get()
            return str(first_name), first, None, None
        locked.update(fingerprint=new_name, data=header, computed_at=timezone.now())
        _store_rows(measurement, data, replace=True)
        files = (
            ReportExport.objects.filter(measurement=measurement)
            .delete()[1]
            .get(ReportExport._meta.label, 0)
        )
        audit_record(
            actor=None,
            action="results.publication_tightened",
            organisation=measurement.organisation,
            obj=measurement,
            summary=f"{measurement.name}: {result.hidden} figures hidden (schema "
            f"{result.from_schema} -> {SCHEMA})",
            data={
                "measurement": measurement.pk,
                "from_schema": result.from_schema,
                "schema": SCHEMA,
                "hidden": result.hidden,
                "texts_removed": result.texts_removed,
                "compared_with_fresh": result.compared_with_fresh,
                "fingerprint_before": name,
                "fingerprint": new_name,
                "files_deleted": files,
            },
        )
    return new_name, header, data, result


def insert_rows(
    model: type[models.Model], fields: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Store many new rows of one model, the values in ``fields`` order (a foreign key by
    its id, a JSON field as its Python value). On PostgreSQL one ``COPY``: at closing a
    publication is about 2,000 group rows and 90,000 comment rows, which ``bulk_create`` sent
    as 180 INSERTs binding every value client-side (most of the time of storing it).
    Elsewhere ``bulk_create``. A duplicate key raises Django's IntegrityError either way."""
    columns: list[models.Field[Any, Any]] = []
    names: list[str] = []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column is not None, name
        columns.append(field)
        names.append(field.column)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [
                model(**{f.attname: value for f, value in zip(columns, row, strict=True)})
                for row in rows
            ],
            batch_size=500,
        )
        return
    is_json = [isinstance(f, models.JSONField | JsonText) for f in columns]
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(n) for n in names)
    )
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    json_bytes(value).decode() if json_field else value
                    for json_field, value in zip(is_json, row, strict=True)
                ]
            )


class _Loaded:
    """A stored publication as this process has read it so far: the typed header and the
    groups loaded for the slices asked for. Groups are final once stored, so a group read
    for one page serves every later page that may show it."""

    def __init__(self, header: JsonDict, whole: JsonDict | None) -> None:
        # The whole publication when it was just built here; none else holds groups inline.
        inline = whole["groups"] if whole is not None else None
        self.count = len(inline) if inline is not None else figures.group_count(header)
        self.groups: dict[int, figures.Group | figures.Hidden] = (
            dict(enumerate(map(figures.load_group, inline))) if inline is not None else {}
        )
        self.texts: dict[int, str] = dict(enumerate(whole["texts"])) if whole is not None else {}
        self.all_texts = whole is not None
        # The slice of every group and text, made on first use (``publication``).
        self.whole: figures.Publication | None = None
        self.pages = PageCache(size=PAGES_PER_PUBLICATION)
        self.header = figures.load_header(
            header, figures.GroupSlots({}, self.count), figures.TextSlots({}, complete=False)
        )

    @property
    def units(self) -> Mapping[str, figures.UnitEntry]:
        return self.header.units

    def slots(
        self, units: Iterable[int | str] | None, *, own_only: bool = False
    ) -> tuple[list[int], list[int]]:
        """The slots of the groups a slice of ``units`` shows (every slot for None), and of
        those the units' own groups (whose comments it shows)."""
        if units is None:
            return list(range(self.count)), list(range(self.count))
        entries = self.header.units
        wanted = {self.header.organisation}
        own: set[int] = set()
        for unit in units:
            entry = entries.get(str(unit))
            if entry is None:
                continue
            own.add(entry.unit)
            if own_only:
                continue
            own.add(entry.subtree)
            parent = entries.get(entry.parent) if entry.parent is not None else None
            if parent is not None:
                wanted.add(parent.subtree)
        return sorted(wanted | own), sorted(own)

    def fetch(self, measurement: Measurement, slots: list[int]) -> None:
        rows = PublishedGroup.objects.filter(measurement=measurement)
        if len(slots) < self.count:
            chunks = [
                slots[i : i + _SLOTS_PER_QUERY] for i in range(0, len(slots), _SLOTS_PER_QUERY)
            ]
        else:
            chunks = [[]]
        for chunk in chunks:
            found = rows.filter(slot__in=chunk) if chunk else rows
            for slot, data in _group_rows(found):
                self.groups[slot] = figures.load_group(data)
        absent = [slot for slot in slots if slot not in self.groups]
        if absent:
            raise ReportDataMissing(f"measurement {measurement.pk} has no stored group {absent[0]}")
        if len(slots) >= FREEZE_FROM_UNITS:
            _freeze()

    def fetch_texts(self, measurement: Measurement, indices: list[int]) -> None:
        rows = PublishedText.objects.filter(measurement=measurement)
        for start in range(0, len(indices), _SLOTS_PER_QUERY):
            chunk = indices[start : start + _SLOTS_PER_QUERY]
            self.texts.update(rows.filter(index__in=chunk).values_list("index", "text"))
        absent = [index for index in indices if index not in self.texts]
        if absent:
            raise ReportDataMissing(f"measurement {measurement.pk} has no stored text {absent[0]}")

    def fetch_all_texts(self, measurement: Measurement) -> None:
        if not self.all_texts:
            rows = PublishedText.objects.filter(measurement=measurement)
            self.texts.update(rows.values_list("index", "text").iterator(chunk_size=2_000))
            self.all_texts = True

    def slice(
        self, slots: list[int], texts: Iterable[int], *, complete: bool
    ) -> figures.Publication:
        groups = figures.GroupSlots({slot: self.groups[slot] for slot in slots}, self.count)
        shown = figures.TextSlots({i: self.texts[i] for i in texts}, complete=complete)
        return replace(self.header, groups=groups, texts=shown)


#: Rendered pages kept per publication in a process (a unit report's figures are about
#: 100 KB in the demo), and the text they may hold in all.
PAGES_PER_PUBLICATION = 64
PAGE_BYTES_PER_PUBLICATION = 16 * 1024 * 1024


class Lru[K, V]:
    """The last ``size`` entries used, safe to share between a process's threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class PageCache(Lru[tuple[object, ...], object]):
    """Rendered parts of pages made from one stored publication, in this process, keyed
    by everything else they depend on (the caller's key: the reader's openable units,
    language, scope and the like). A publication is final once stored and a recomputed
    one has a new name and a new cache, so a part made from it stays right as long as the
    key names every other input. At most ``size`` parts and ``max_bytes`` of text are
    kept (an organisation page of 2,000 units is a few hundred KB), except that the newest
    part is kept even where it alone is larger. A process holds the pages of the few
    publications it keeps (``_typed``, 4): at most 4 × 16 MB of pages per worker."""

    def __init__(self, size: int, max_bytes: int = PAGE_BYTES_PER_PUBLICATION) -> None:
        super().__init__(size)
        self._max_bytes = max_bytes
        self._sizes: dict[tuple[object, ...], int] = {}

    def keep(self, key: tuple[object, ...], value: object, size: int) -> None:
        """Keep ``value`` (``size`` bytes of text), dropping the least recently used."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            self._sizes[key] = size
            while len(self._entries) > 1 and (
                len(self._entries) > self._size or sum(self._sizes.values()) > self._max_bytes
            ):
                dropped, _value = self._entries.popitem(last=False)
                self._sizes.pop(dropped, None)

    def put(self, key: tuple[object, ...], value: object) -> None:
        self.keep(key, value, 0)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()


class ReportDataMissing(Exception):
    """A stored publication's header names a group whose row is not there."""


# Slots asked for in one query: well below SQLite's limit on a statement's parameters.
_SLOTS_PER_QUERY = 500


def _freeze() -> None:
    # A large publication is a few hundred thousand records kept as long as it is cached,
    # and Python's cycle collector walked them all on every full collection: 0.1-0.4 s in
    # the middle of a page, as long as the page itself (docs/benchmarks.md). Frozen, they
    # are left out of those walks. They hold no cycles, so reference counting still frees
    # them once dropped; the collection first keeps the garbage of the moment from being
    # frozen too.
    gc.collect()
    gc.freeze()


class _ParsedPublications[P](Lru[tuple[int, str], P]):
    """The last few publications this process has read, parsed, keyed by the measurement and
    the hash of the stored content (its fingerprint). A publication is final once
    stored, so a warm page reads two small rows instead of the whole JSON (27 MB and 1 s
    at 200,000 answers). Readers treat it as read-only (tests/results check every page and
    export leaves it as it was); a recomputed publication has a new name, so it is never
    served stale, in this process or any other."""

    def put(self, key: tuple[int, str], value: P) -> None:
        super().put(key, value)
        if _unit_count(value) >= FREEZE_FROM_UNITS:
            _freeze()


def _unit_count(data: object) -> int:
    units = data.get("units", ()) if isinstance(data, dict) else getattr(data, "units", ())
    return len(units)


#: From this many units a parsed publication is frozen out of the cycle collector's walks.
FREEZE_FROM_UNITS = 200
_parsed: _ParsedPublications[JsonDict] = _ParsedPublications(size=4)
_typed: _ParsedPublications[_Loaded] = _ParsedPublications(size=4)
_participation: _ParsedPublications[tuple[list[RateRow], RateRow | None]] = _ParsedPublications(
    size=4
)
