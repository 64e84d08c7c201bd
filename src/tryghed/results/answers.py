"""A closed measurement's answers as code matrices over its frozen unit tree: what the
publication builder (``core.publication``) reads. A response's choice codes are read from
its bytes (``Response.codes``, ``core.answer_codes``) where it has them; otherwise the
database extracts the codes from the answer JSON, so neither the whole JSON travels nor
does Python decode it row by row."""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Sequence

import numpy as np
from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL

from tryghed.core import answer_codes
from tryghed.core.instruments import Instrument, Item
from tryghed.core.publication import Answers, FloatArray, IntArray, Tree
from tryghed.surveys.models import Measurement, Response

__all__ = ["load_answers"]

# Rows of codes parsed at a time: each is a few bytes or one short line of text.
_CODES_CHUNK = 20_000


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
    text_items: Sequence[str],
    tree: Tree,
    *,
    exact: bool = False,
) -> tuple[
    list[IntArray],
    list[FloatArray],
    dict[str, IntArray],
    dict[str, IntArray],
    dict[str, list[tuple[int, str]]],
]:
    """The responses' atoms, code blocks, multi tallies and free texts, in one query read
    chunk by chunk: the codes from a response's bytes when they are there and as long as
    ``choice_ids``, else from its answer JSON (the database leaves the line of codes out
    where the bytes will do); of the texts only the text items' strings (a stored string
    with more than blanks). ``exact``: every JSON value as JSON text (PostgreSQL's ->
    instead of ->>), for when a stored word held the separator."""
    # Unit id -> atom, looked up a chunk at a time: the ids sorted, and each one's atom.
    unit_ids = np.array([int(u) for u in tree.units], dtype=np.int64)
    by_id = np.argsort(unit_ids)
    sorted_ids = unit_ids[by_id]
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
    for k, item_id in enumerate(text_items):
        sql, params = _text_sql(item_id)
        annotations[f"_text{k}"] = RawSQL(sql, params, TextField())  # noqa: S611
    query = stored.annotate(**annotations).values_list("unit_id", "codes", *annotations).query
    sql, params = query.get_compiler(using=stored.db).as_sql()
    atoms: list[IntArray] = []
    blocks: list[FloatArray] = []
    multi_n = {item.id: np.zeros(n_atoms, dtype=np.intp) for item in multi}
    multi_counts = {
        item.id: np.zeros((n_atoms, len(item.options)), dtype=np.intp) for item in multi
    }
    option_index = {item.id: {o.code: k for k, o in enumerate(item.options)} for item in multi}
    texts: dict[str, list[tuple[int, str]]] = {item_id: [] for item_id in text_items}
    first_text = 3 + len(multi)
    # A client-side cursor: the whole result (a few dozen bytes a response) comes in one
    # piece, not fetched a chunk at a time by a server-side cursor, which took twice as
    # long at 200,000 responses on PostgreSQL; nor does Django handle it row by row.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for chunk in iter(lambda: cursor.fetchmany(_CODES_CHUNK), []):
            chunk_units = np.fromiter((row[0] for row in chunk), dtype=np.int64, count=len(chunk))
            at = np.minimum(np.searchsorted(sorted_ids, chunk_units), max(len(sorted_ids) - 1, 0))
            chunk_atom = np.full(len(chunk), -1, dtype=np.intp)
            if len(sorted_ids):
                known = sorted_ids[at] == chunk_units
                chunk_atom[known] = by_id[at[known]]
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
            # The atoms as Python ints: the loops below read one per row and value.
            atom_list: list[int] = chunk_atom.tolist()
            for k, item in enumerate(multi):
                index = option_index[item.id]
                for a, row in zip(atom_list, chunk, strict=True):
                    value = json.loads(row[3 + k]) if a >= 0 and row[3 + k] is not None else None
                    if not isinstance(value, list):
                        continue
                    ticked = {index[c] for c in value if type(c) is int and c in index}
                    if ticked:
                        multi_n[item.id][a] += 1
                        for o in ticked:
                            multi_counts[item.id][a, o] += 1
            for k, item_id in enumerate(text_items):
                found, column = texts[item_id], first_text + k
                for a, row in zip(atom_list, chunk, strict=True):
                    value = row[column]
                    if value is not None and a >= 0 and (value := value.strip()):
                        found.append((a, value))
    return atoms, blocks, multi_n, multi_counts, texts


def _text_sql(item_id: str) -> tuple[str, list[str]]:
    """SQL for one text item's stored string, NULL when it holds none."""
    column = _quoted_column("texts")
    if connection.vendor == "postgresql":
        sql = f"CASE WHEN jsonb_typeof({column} -> %s) = 'string' THEN {column} ->> %s END"
        return sql, [item_id, item_id]
    path = _json_path(item_id)
    return f"CASE WHEN json_type({column}, %s) = 'text' THEN {column} ->> %s END", [path, path]


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
    parsed into a float matrix a chunk at a time; multi items come as their JSON values,
    and free texts as the text items' strings. ``instruments`` are the measurement's
    (``measurement_instruments``), whose choice items the bytes hold in order."""
    n_atoms = tree.n_atoms
    items = [item for i in instruments for item in i.items]
    choice_ids = [item.id for item in items if item.type == "choice"]
    multi = [item for item in items if item.type == "multi"]
    text_items = [item.id for item in items if item.type == "text"] if with_texts else []
    stored = Response.objects.filter(measurement=measurement).order_by("id")
    try:
        atoms, blocks, multi_n, multi_counts, texts = _read_codes(
            stored, choice_ids, multi, text_items, tree
        )
    except _Misaligned:  # a stored word holding the separator: read the values as JSON
        atoms, blocks, multi_n, multi_counts, texts = _read_codes(
            stored, choice_ids, multi, text_items, tree, exact=True
        )
    atom = np.concatenate(atoms) if atoms else np.zeros(0, dtype=np.intp)
    combined = np.concatenate(blocks) if blocks else np.zeros((0, len(choice_ids)))
    column = {item_id: c for c, item_id in enumerate(choice_ids)}
    codes: dict[str, FloatArray] = {}
    for instrument in instruments:
        places = [j for j, item in enumerate(instrument.items) if item.id in column]
        from_columns = [column[instrument.items[j].id] for j in places]
        first = from_columns[0] if from_columns else 0
        if places == list(range(len(instrument.items))) and from_columns == list(
            range(first, first + len(places))
        ):
            # Every item a choice item, side by side in ``combined`` (choice_ids is in
            # instrument order): one copy of the slice, not a gather into a NaN matrix,
            # and column-major, as scoring.score_persons reads it (no second copy there).
            matrix = np.asfortranarray(combined[:, first : first + len(places)], dtype=np.float64)
        else:
            matrix = np.full((atom.shape[0], len(instrument.items)), np.nan)
            matrix[:, places] = combined[:, from_columns]
        codes[instrument.id] = matrix
    responses = np.bincount(atom[atom >= 0], minlength=n_atoms).astype(np.intp)
    return Answers(atom, codes, multi_n, multi_counts, texts, responses)
