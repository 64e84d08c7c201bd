"""The typed publication (core.figures): the stored JSON loads into it and dumps back the
same, and no module outside core and the store reads the publication by string key.

The demo's two waves hold every kind of record (scales with changes, bipolar bands,
staircase levels, items, key figures, comments, zones, drivers, correlations, hidden
figures and hidden groups), so a load and dump that lost or reordered anything fails here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tryghed.core import figures
from tryghed.orgs.models import Organisation
from tryghed.results import aggregates
from tryghed.surveys.models import Measurement, Status

SRC = Path(__file__).resolve().parents[2] / "src" / "tryghed"


@pytest.mark.django_db
def test_the_stored_publication_loads_and_dumps_back_byte_for_byte(
    demo_organisation: Organisation,
) -> None:
    organisation = demo_organisation
    closed = Measurement.objects.filter(organisation=organisation, status=Status.CLOSED)
    assert closed.count() >= 2
    kinds: set[str] = set()
    for measurement in closed:
        built = aggregates.compute_report_data(measurement)
        typed = figures.load(built)
        assert json.dumps(figures.dump(typed)) == json.dumps(built)
        for group in typed.groups:
            if isinstance(group, figures.Hidden):
                kinds.add("hidden group")
                continue
            for block in group.instruments.values():
                for scale in block.scales.values():
                    kinds.add(type(scale).__name__)
                    if isinstance(scale, figures.ScaleFigure):
                        kinds.update(
                            k
                            for k, v in (
                                ("change", scale.change),
                                ("bands", scale.bands),
                                ("level", scale.level),
                            )
                            if v is not None
                        )
            if group.zone is not None:
                kinds.add("zone")
        if typed.measurement_level.drivers:
            kinds.add("drivers")
    # The test means something only if the demo has every kind of record.
    assert {"Hidden", "ScaleFigure", "change", "bands", "level", "hidden group", "zone"} <= kinds


@pytest.mark.django_db
def test_a_header_read_back_in_another_key_order_lists_its_units_as_built(
    demo_organisation: Organisation,
) -> None:
    """PostgreSQL's jsonb keeps an object's keys shortest first: a process reading the
    stored header there saw the units (the organisation report's scatter and its table)
    in another order than the process that built it (found by
    tests/results/test_org_report_kept.py on PostgreSQL)."""
    organisation = demo_organisation
    measurement = Measurement.objects.filter(organisation=organisation, status=Status.CLOSED)[0]
    built = aggregates.compute_report_data(measurement)
    # Another order: jsonb's (ids of unequal length) or, as here, any.
    read_back = {**built, "units": dict(reversed(built["units"].items()))}
    assert list(read_back["units"]) != list(built["units"])
    assert list(figures.load(read_back).units) == list(built["units"])


@pytest.mark.django_db
def test_pages_read_one_typed_publication_per_process(
    demo_organisation: Organisation, django_assert_num_queries: Any
) -> None:
    organisation = demo_organisation
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED
    ).latest("pk")
    aggregates._typed.clear()
    first = aggregates.publication(measurement, units=None)
    assert figures.dump(first) == aggregates.report_data(measurement)
    with django_assert_num_queries(2):  # the status and the stored publication's name
        again = aggregates.publication(measurement, units=None)
    assert len(again.groups) == len(first.groups) > 0
    assert all(a is b for a, b in zip(again.groups, first.groups, strict=True))


# --------------------------------------------------------------------------- string keys

# Key names that are also ordinary words in forms, models and the frozen unit tree: they
# count only in modules that read the publication (import its store, builder or model).
_GENERIC = {
    *["a", "b", "k", "n", "p", "r", "t"],
    *[
        "id",
        "name",
        "type",
        "status",
        "parent",
        "path",
        "depth",
        "unit",
        "units",
        "organisation",
        "measurement",
    ],
    *[
        "comment",
        "comments",
        "items",
        "score",
        "version",
        "fingerprint",
        "texts",
        "children",
        "codes",
        "minimum",
    ],
    *[
        "sensitive",
        "names",
        "reason",
        "previous",
        "position",
        "change",
        "level",
        "lower",
        "upper",
        "reading",
    ],
    *["split", "zone", "focus", "safety", "instruments", "groups", "schema"],
}
_READER = re.compile(
    r"tryghed\.(results\.aggregates|core\.publication|core\.figures|results\.readings)\b"
    r"|from tryghed\.core import [^\n]*\b(publication|figures)\b"
    r"|from tryghed\.results import [^\n]*\baggregates\b"
)
# Lines that read another structure with a key of the same name: the frozen unit tree
# stored on the measurement (surveys), not the publication.
_NOT_THE_PUBLICATION = (
    'int(u["id"]) for u in tree if u.get("in_scope", True)',
    'u["id"] for u in measurement.frozen_tree if u.get("in_scope", True)',
    # the unit report's template context (presenters.unit_report_context), not the publication
    'report["unit"]',
    'report["zone"]',
    # suppression's tables of default and lowest minimums
    'suppression.DEFAULT_MINIMUM["score"]',
    'suppression.FLOOR_MINIMUM["score"]',
)


# Functions that read another contract by key: the text table of ``tryghed score`` prints
# the command's own --json output (statistics.md, "Command-line contract"), which the
# command makes from the typed publication.
_OTHER_CONTRACT = {
    "commands/score.py": {"print_table", "_print_changes", "_print_item_table"},
}


def _lines_of(text: str, functions: set[str]) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            found.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return found


def _key_reads(text: str, names: set[str]) -> list[int]:
    """Lines that read one of ``names`` by string: ``x["n"]`` (a read, not an assignment)
    or ``x.get("n", ...)``."""
    lines: list[int] = []
    for node in ast.walk(ast.parse(text)):
        key: object = None
        line = 0
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if isinstance(node.slice, ast.Constant):
                key, line = node.slice.value, node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            key, line = node.args[0].value, node.lineno
        if isinstance(key, str) and key in names:
            lines.append(line)
    return sorted(set(lines))


def string_key_reads() -> dict[str, list[str]]:
    """Per module outside core and the store: its lines that read a publication key by
    string (``["n"]``, ``.get("mean"``)."""
    names = set(figures.field_names())
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if module.startswith("core/") or module == "results/aggregates.py":
            continue
        if "/migrations/" in module:
            continue
        text = path.read_text(encoding="utf-8")
        wanted = names if _READER.search(text) else names - _GENERIC
        skipped = _lines_of(text, _OTHER_CONTRACT.get(module, set()))
        source = text.splitlines()
        for number in _key_reads(text, wanted):
            line = source[number - 1]
            if number in skipped or any(allowed in line for allowed in _NOT_THE_PUBLICATION):
                continue
            found.setdefault(module, []).append(f"{number}: {line.strip()}")
    return found


def test_the_scan_finds_a_string_key_read() -> None:
    # The scan itself must be able to fail.
    names = set(figures.field_names())
    assert _key_reads('mean = block["mean"]', names) == [1]
    assert _key_reads('x = 1\nif block.get("suppressed", True): pass', names) == [2]
    assert _key_reads('entry["suppressed"] = False', names) == []  # a write
    assert _key_reads('name = cleaned["name"]', names - _GENERIC) == []


def test_no_module_outside_core_reads_the_publication_by_string_key() -> None:
    found = string_key_reads()
    assert not found, "\n".join(
        f"{module} ({len(lines)}): {lines[0]}" for module, lines in found.items()
    )


@pytest.mark.django_db
def test_no_page_or_file_changes_the_typed_publication_it_reads(
    demo_organisation: Organisation,
) -> None:
    # Every reader in the process gets the same records (aggregates._typed): a page that
    # wrote into one would change what the next reader sees.
    from django.urls import reverse

    from tests.conftest import client_for
    from tryghed.accounts.models import User
    from tryghed.orgs.models import Unit
    from tryghed.results import exports

    organisation = demo_organisation
    client = client_for(User.objects.get(email="amo@demo-kommune.dk"))
    aggregates._typed.clear()
    measurement = Measurement.objects.filter(
        organisation=organisation, status=Status.CLOSED, previous__isnull=False
    ).latest("pk")
    typed = aggregates.publication(measurement, units=None)
    before = json.dumps(figures.dump(typed))
    pages = [reverse("results:org_report", args=[organisation.slug, measurement.pk])]
    for unit in Unit.objects.filter(organisation=organisation):
        url = reverse("results:unit_report", args=[organisation.slug, measurement.pk, unit.pk])
        pages += [url, f"{url}?omfang=enhed"]
    for page in pages:
        assert client.get(page).status_code == 200, page
    exports.build_workbook(measurement, typed)
    again = aggregates.publication(measurement, units=None)
    assert all(a is b for a, b in zip(again.groups, typed.groups, strict=True))
    assert json.dumps(figures.dump(typed)) == before
