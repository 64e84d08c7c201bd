"""A closed measurement's answers as code matrices over its frozen unit tree: what the
publication builder (``core.publication``) reads. A response's choice codes are read from
its bytes (``Response.codes``, ``core.answer_codes``) where it has them; otherwise the
database extracts the codes from the answer JSON, so neither the whole JSON travels nor
does Python decode it row by row."""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL

from tryghed.core import answer_codes
from tryghed.core.instruments import Instrument, Item
from tryghed.core.publication import Answers, FloatArray, IntArray, Tree
from tryghed.surveys.models import Measurement, Response

__all__ = ["load_answers"]

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
    return _quoted_column("answers")


def _quoted_column(name: str) -> str:
    return f"{connection.ops.quote_name(Response._meta.db_table)}.{connection.ops.quote_name(name)}"


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
    """The responses' atoms, code blocks and multi tallies, chunk by chunk: the codes from
    a response's bytes when they are there and as long as ``choice_ids``, else from its
    answer JSON (the database leaves the line of codes out where the bytes will do).
    ``exact``: every JSON value as JSON text (PostgreSQL's -> instead of ->>), for when a
    stored word held the separator."""
    atom_of = {int(u): i for i, u in enumerate(tree.units)}
    n_atoms = tree.n_atoms
    vendor = connection.vendor
    json_text = exact or vendor != "postgresql"
    width = len(choice_ids)
    line_sql, line_params = _codes_sql(vendor, choice_ids, json_text=json_text)
    codes_sql = f"CASE WHEN length({_quoted_column('codes')}) = %s THEN NULL ELSE {line_sql} END"
    # Item ids go in as parameters; the SQL text is only constants and quoted column names.
    codes = RawSQL(codes_sql, [width, *line_params], TextField())  # noqa: S611
    annotations: dict[str, RawSQL] = {"_codes": codes}
    for k, item in enumerate(multi):
        sql, params = _json_sql(vendor, item.id)
        annotations[f"_multi{k}"] = RawSQL(sql, params, TextField())  # noqa: S611
    rows = (
        stored.annotate(**annotations)
        .values_list("unit_id", "codes", *annotations)
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
        from_json = [r for r, row in enumerate(chunk) if row[2] is not None]
        if not from_json:
            blocks.append(answer_codes.decode([row[1] for row in chunk], width))
        else:
            block = np.full((len(chunk), width), math.nan)
            lines = [chunk[r][2] for r in from_json]
            block[from_json] = _codes_block(lines, width, json_text=json_text)
            typed = [r for r, row in enumerate(chunk) if row[2] is None]
            if typed:
                block[typed] = answer_codes.decode([chunk[r][1] for r in typed], width)
            blocks.append(block)
        for k, item in enumerate(multi):
            index = option_index[item.id]
            for a, row in zip(chunk_atom, chunk, strict=True):
                value = json.loads(row[3 + k]) if a >= 0 and row[3 + k] is not None else None
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
    order. The choice codes come as each response's bytes (``Response.codes``), or, for a
    response without, as one short line of text extracted from its JSON (``_codes_sql``),
    read in chunks through a server-side cursor into a float matrix per chunk; multi
    items come as their JSON values, and free text only from the responses that wrote
    some. ``instruments`` are the measurement's (``measurement_instruments``), whose
    choice items the bytes hold in order."""
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
