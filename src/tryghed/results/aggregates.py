"""Report data ("rapportdata"): a closed measurement's publication, loaded, built once, stored.

The publication itself (its shape, how every figure is computed and suppressed) is
``tryghed.core.publication``, free of Django. This module is its database side: it loads
a measurement's answers in chunks as code matrices over the unit tree frozen when the
measurement opened, builds the publication once the measurement is closed, stores it
final (``ReportCache``) and hands it to every page, export, focus area, plan and APV page.
``group``, ``unit_name`` and ``comment_texts`` read it.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import math
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tryghed.core import figures
from tryghed.core.instruments import Instrument, Item
from tryghed.core.publication import (
    SCHEMA,
    Answers,
    FloatArray,
    IntArray,
    JsonDict,
    Measured,
    Minimums,
    Report,
    Tree,
    build_tree,
    comment_texts,
    group,
    report_units,
    unit_name,
)
from tryghed.results.models import ReportCache
from tryghed.surveys.models import Measurement, Response, Status
from tryghed.surveys.selectors import measurement_instruments, unit_tree_now

__all__ = [
    "SCHEMA",
    "NotPublished",
    "comment_texts",
    "compute_report_data",
    "fingerprint",
    "group",
    "is_published",
    "load_answers",
    "publication",
    "publication_builder",
    "report_data",
    "unit_name",
]

# Responses decoded per round trip: 200,000 answer dicts at once would not fit comfortably.
_CHUNK = 5_000
# Rows of codes per round trip: each is one short line of text, so larger chunks are cheap.
_CODES_CHUNK = 20_000


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# Between two items' codes in a response's line: a control character, which JSON text
# (as either database writes it) never holds unescaped, so it separates even damaged values.
_SEP = "\x1f"
# The characters of a chunk of clean codes: digits, minus signs, "nan" and separators.
_CLEAN = re.compile(r"[0-9\-na\x1f]*")
_INTEGER = re.compile(r"-?[0-9]+")


def _codes_block(lines: Sequence[str], width: int, *, json_text: bool) -> FloatArray:
    """Rows x items of option codes from the database's lines (one per response: each
    item's value as text, "nan" if none, separated by ``_SEP``; see ``_codes_sql``). A
    chunk of integers is parsed in one C-level pass; a chunk holding any other value (a
    damaged row: a list, a word, a decimal, true/false) is read value by value."""
    if width == 0:
        return np.zeros((len(lines), 0))
    text = _SEP.join(lines)
    if _CLEAN.fullmatch(text):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                values = np.fromstring(text, dtype=np.float64, sep=_SEP)
            except (ValueError, DeprecationWarning):
                values = np.zeros(0)
        if values.shape[0] == len(lines) * width:
            return values.reshape(len(lines), width)
    block = np.full((len(lines), width), math.nan)
    for r, line in enumerate(lines):
        fields = line.split(_SEP)
        if len(fields) != width:
            raise _Misaligned
        for c, value in enumerate(fields):
            block[r, c] = _code(value, json_text=json_text)
    return block


def _code(text: str, *, json_text: bool) -> float:
    """One item's value as ``_codes_sql`` gives it: an option code when it is an integer
    written in digits (a JSON number, or a string holding one), NaN for anything else
    (no answer, a list, a word, a decimal, true/false; a bool is never a code)."""
    if json_text and text != "nan":
        # JSON text (SQLite, or -> on PostgreSQL); ->> gives a string's content unquoted.
        try:
            value = json.loads(text)
        except ValueError:
            return math.nan
        if isinstance(value, str):
            text = value
    return float(int(text)) if _INTEGER.fullmatch(text) else math.nan


def _quoted_answers() -> str:
    return f"{connection.ops.quote_name(Response._meta.db_table)}.{connection.ops.quote_name('answers')}"


def _json_sql(vendor: str, item_id: str) -> tuple[str, list[str]]:
    """SQL for one item's stored value as JSON text, NULL when not answered."""
    if vendor == "postgresql":
        return f"({_quoted_answers()} -> %s)::text", [item_id]
    return f"({_quoted_answers()} -> %s)", [_json_path(item_id)]


def _json_path(item_id: str) -> str:
    if '"' in item_id or "\\" in item_id:  # core.instruments allows neither in an item id
        raise ValueError(f"item id {item_id!r} cannot be a JSON path")
    return f'$."{item_id}"'


def _codes_sql(vendor: str, item_ids: Sequence[str], *, json_text: bool) -> tuple[str, list[str]]:
    """SQL for one line of text per response: each choice item's value, in item order,
    "nan" where none, separated by ``_SEP``. The database extracts the values, so neither
    the whole answer JSON travels nor does Python decode it row by row. PostgreSQL's
    ->> (a string's content, any other value's JSON text) costs half its -> as JSON text;
    SQLite's ->> would turn true into 1, so it gives JSON text (-> , SQLite 3.38+); so
    does PostgreSQL when ``json_text`` (a stored word may hold the separator)."""
    fields: list[str] = []
    params: list[str] = []
    for item_id in item_ids:
        if not json_text:
            fields.append(f"COALESCE({_quoted_answers()} ->> %s, 'nan')")
            params.append(item_id)
        else:
            sql, item_params = _json_sql(vendor, item_id)
            fields.append(f"COALESCE({sql}, 'nan')")
            params += item_params
    separator = " || chr(31) || " if vendor == "postgresql" else " || char(31) || "
    return separator.join(fields) or "''", params


class _Misaligned(Exception):
    """A line of codes has more fields than items: a damaged string held ``_SEP``."""


def _read_codes(
    stored: QuerySet[Response],
    choice_ids: Sequence[str],
    multi: Sequence[Item],
    tree: Tree,
    *,
    exact: bool = False,
) -> tuple[list[IntArray], list[FloatArray], dict[str, IntArray], dict[str, IntArray]]:
    """The responses' atoms, code blocks and multi tallies, chunk by chunk. ``exact``: every
    value as JSON text (PostgreSQL's -> instead of ->>), for when a stored word held the
    separator."""
    atom_of = {int(u): i for i, u in enumerate(tree.units)}
    n_atoms = tree.n_atoms
    vendor = connection.vendor
    json_text = exact or vendor != "postgresql"
    codes_sql, codes_params = _codes_sql(vendor, choice_ids, json_text=json_text)
    # Item ids go in as parameters; the SQL text is only constants and quoted column names.
    codes = RawSQL(codes_sql, codes_params, TextField())  # noqa: S611
    annotations: dict[str, RawSQL] = {"_codes": codes}
    for k, item in enumerate(multi):
        sql, params = _json_sql(vendor, item.id)
        annotations[f"_multi{k}"] = RawSQL(sql, params, TextField())  # noqa: S611
    rows = (
        stored.annotate(**annotations)
        .values_list("unit_id", *annotations)
        .iterator(chunk_size=_CODES_CHUNK)
    )
    atoms: list[IntArray] = []
    blocks: list[FloatArray] = []
    multi_n = {item.id: np.zeros(n_atoms, dtype=np.intp) for item in multi}
    multi_counts = {
        item.id: np.zeros((n_atoms, len(item.options)), dtype=np.intp) for item in multi
    }
    option_index = {item.id: {o.code: k for k, o in enumerate(item.options)} for item in multi}
    for chunk in _chunks(rows, _CODES_CHUNK):
        chunk_atom = np.fromiter(
            (atom_of.get(row[0], -1) for row in chunk), dtype=np.intp, count=len(chunk)
        )
        atoms.append(chunk_atom)
        lines = [row[1] for row in chunk]
        blocks.append(_codes_block(lines, len(choice_ids), json_text=json_text))
        for k, item in enumerate(multi):
            index = option_index[item.id]
            for a, row in zip(chunk_atom, chunk, strict=True):
                value = json.loads(row[2 + k]) if a >= 0 and row[2 + k] is not None else None
                if not isinstance(value, list):
                    continue
                ticked = {index[c] for c in value if type(c) is int and c in index}
                if ticked:
                    multi_n[item.id][a] += 1
                    for o in ticked:
                        multi_counts[item.id][a, o] += 1
    return atoms, blocks, multi_n, multi_counts


def load_answers(
    measurement: Measurement,
    instruments: Sequence[Instrument],
    tree: Tree,
    *,
    with_texts: bool,
) -> Answers:
    """Read the responses in id order, which is random, so nothing depends on insertion
    order. The database hands over the option codes as one short line of text per
    response (``_codes_sql``), read in chunks through a server-side cursor and parsed
    into a float matrix per chunk; multi items come as their JSON values, and free text
    only from the responses that wrote some."""
    atom_of = {int(u): i for i, u in enumerate(tree.units)}
    n_atoms = tree.n_atoms
    items = [item for i in instruments for item in i.items]
    choice_ids = [item.id for item in items if item.type == "choice"]
    multi = [item for item in items if item.type == "multi"]
    text_items = [item.id for item in items if item.type == "text"] if with_texts else []
    stored = Response.objects.filter(measurement=measurement).order_by("id")
    texts: dict[str, list[tuple[int, str]]] = {item_id: [] for item_id in text_items}
    try:
        atoms, blocks, multi_n, multi_counts = _read_codes(stored, choice_ids, multi, tree)
    except _Misaligned:  # a stored word holding the separator: read the values as JSON
        atoms, blocks, multi_n, multi_counts = _read_codes(
            stored, choice_ids, multi, tree, exact=True
        )
    if text_items:
        # Most responses write nothing: only those that did are decoded.
        written = stored.exclude(texts={}).values_list("unit_id", "texts")
        for unit_id, answered in written.iterator(chunk_size=_CHUNK):
            at = atom_of.get(unit_id, -1)
            for item_id in text_items:
                value = answered.get(item_id) if isinstance(answered, dict) else None
                if at >= 0 and isinstance(value, str) and value.strip():
                    texts[item_id].append((at, value.strip()))
    atom = np.concatenate(atoms) if atoms else np.zeros(0, dtype=np.intp)
    combined = np.concatenate(blocks) if blocks else np.zeros((0, len(choice_ids)))
    column = {item_id: c for c, item_id in enumerate(choice_ids)}
    codes: dict[str, FloatArray] = {}
    for instrument in instruments:
        matrix = np.full((atom.shape[0], len(instrument.items)), np.nan)
        for j, item in enumerate(instrument.items):
            if item.id in column:
                matrix[:, j] = combined[:, column[item.id]]
        codes[instrument.id] = matrix
    responses = np.bincount(atom[atom >= 0], minlength=n_atoms).astype(np.intp)
    return Answers(atom, codes, multi_n, multi_counts, texts, responses)


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
    result as the final publication, so later changes to the tree change nothing either."""
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
    )


def _content_fingerprint(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_data(measurement: Measurement) -> JsonDict:
    """The closed measurement's publication as stored JSON (the shape in core.publication).
    ``NotPublished`` while it is not closed. Pages read :func:`publication`, the typed
    model of the same; this is for the anonymity audit and the JSON's own tests.

    Computed once, over the unit tree frozen at closing, and stored final (privacy.md
    section 3, "frozen at closing"): the answers of a closed measurement never change
    (retention deletes them only after freezing this), and later moves, renames, merges,
    deletions, scope changes or minimums change nothing in it. A raised minimum could only
    ever hide more, which would need a new version of the publication; none is made.

    A measurement closed before trees were frozen gets the tree of its first computation.
    Report data stored in an earlier schema is computed once more, over that frozen tree,
    while the answers exist; once they are deleted (``report_frozen_at``) it stays as it is.
    """
    measurement = Measurement.objects.get(pk=measurement.pk)  # status as stored
    if not is_published(measurement):
        raise NotPublished(measurement)
    name = _stored_name(measurement)
    if name is not None and (parsed := _parsed.get((measurement.pk, name))) is not None:
        return parsed
    name, data = _stored_or_built(measurement)
    _parsed.put((measurement.pk, name), data)
    return data


def publication(measurement: Measurement) -> figures.Publication:
    """The closed measurement's publication, typed (``core.figures``): every figure any
    page, chart, export, focus area, plan or APV page may show of it, read from what was
    stored at closing (:func:`report_data`). ``NotPublished`` while it is not closed.
    Loaded once per process and kept (``_typed``), keyed by the stored content's hash."""
    measurement = Measurement.objects.get(pk=measurement.pk)  # status as stored
    if not is_published(measurement):
        raise NotPublished(measurement)
    name = _stored_name(measurement)
    if name is not None and (typed := _typed.get((measurement.pk, name))) is not None:
        return typed
    parsed = _parsed.get((measurement.pk, name)) if name is not None else None
    if name is None or parsed is None:
        name, parsed = _stored_or_built(measurement)
    loaded = figures.load(parsed)
    _typed.put((measurement.pk, name), loaded)
    return loaded


def _stored_name(measurement: Measurement) -> str | None:
    found: str | None = (
        ReportCache.objects.filter(measurement=measurement)
        .values_list("fingerprint", flat=True)
        .first()
    )
    return found


def _stored_or_built(measurement: Measurement) -> tuple[str, JsonDict]:
    """The stored publication and its name; built and stored first when there is none (or
    it is of an earlier schema and its answers still exist)."""
    stored = ReportCache.objects.filter(measurement=measurement).values_list("fingerprint", "data")
    row = stored.first()
    kept: JsonDict | None = row[1] if row is not None else None
    if (
        row is not None
        and kept is not None
        and (kept.get("schema") == SCHEMA or measurement.report_frozen_at is not None)
    ):
        return str(row[0]), kept
    data = compute_report_data(measurement)
    values = {
        "fingerprint": _content_fingerprint(data),
        "data": data,
        "computed_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            if kept is None:
                ReportCache.objects.create(measurement=measurement, **values)
            else:
                ReportCache.objects.filter(measurement=measurement).update(**values)
    except IntegrityError:
        # A concurrent first computation stored it first: that one is the publication.
        first_name, first = stored.get()
        return str(first_name), first
    return str(values["fingerprint"]), data


class _ParsedPublications[P]:
    """The last few publications this process has read, parsed, keyed by the measurement and
    the hash of the stored content (its fingerprint). A publication is final once
    stored, so a warm page reads two small rows instead of the whole JSON (27 MB and 1 s
    at 200,000 answers). Readers treat it as read-only (tests/results check every page and
    export leaves it as it was); a recomputed publication has a new name, so it is never
    served stale, in this process or any other."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, str], P] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> P | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[int, str], data: P) -> None:
        with self._lock:
            self._entries[key] = data
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        if _unit_count(data) >= FREEZE_FROM_UNITS:
            # A large publication is a few hundred thousand dicts and lists kept as long as
            # it is cached, and Python's cycle collector walked them all on every full
            # collection: 0.1-0.4 s in the middle of a page, as long as the page itself
            # (docs/benchmarks.md). Frozen, they are left out of those walks. Parsed JSON
            # has no cycles, so reference counting still frees it once it is dropped here;
            # the collection first keeps the garbage of the moment from being frozen too.
            gc.collect()
            gc.freeze()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _unit_count(data: object) -> int:
    units = data.get("units", ()) if isinstance(data, dict) else getattr(data, "units", ())
    return len(units)


#: From this many units a parsed publication is frozen out of the cycle collector's walks.
FREEZE_FROM_UNITS = 200
_parsed: _ParsedPublications[JsonDict] = _ParsedPublications(size=4)
_typed: _ParsedPublications[figures.Publication] = _ParsedPublications(size=4)


def fingerprint(measurement: Measurement) -> str:
    """A name for the closed measurement's publication (a hash of its content, stored with
    it): files made from it are reused while it is the same."""
    report_data(measurement)
    found: str = (
        ReportCache.objects.filter(measurement=measurement)
        .values_list("fingerprint", flat=True)
        .get()
    )
    return found
