"""Import of units and people from CSV: a dry run first, then all or nothing.

Two kinds of file, told apart by their header:

- units:  ``unit_id,name,parent_id[,kind]``  (empty parent_id = the organisation's top unit)
- people: ``employee_id,name,unit_id[,email,job_group,seniority_band]``

Danish column names work too (enhed_id, navn, overordnet_id, type, medarbejdernummer,
e-mail, jobgruppe, anciennitet). Comma, semicolon (Danish Excel) and tab are accepted,
and a UTF-8 byte-order mark is ignored. Re-importing the same file changes nothing;
a changed name renames, a changed parent moves, and every change is audit-logged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tryghed.audit.services import audit_record
from tryghed.core import textfiles
from tryghed.orgs import services
from tryghed.orgs.models import ImportKind, Organisation, Person, Unit, UnitKind

if TYPE_CHECKING:
    from tryghed.accounts.models import User

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000

ALIASES: dict[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "enhed_id", "enhedsid", "enheds_id", "enhed"),
    "name": ("name", "navn"),
    "parent_id": ("parent_id", "parent", "overordnet_id", "overordnet"),
    "kind": ("kind", "type"),
    "employee_id": ("employee_id", "medarbejdernummer", "medarbejder_id", "medarbejdernr"),
    "email": ("email", "e-mail", "e_mail", "mail"),
    "job_group": ("job_group", "jobgruppe", "stillingsgruppe"),
    "seniority_band": ("seniority_band", "seniority", "anciennitet"),
}
REQUIRED = {
    ImportKind.UNITS: ("unit_id", "name", "parent_id"),
    ImportKind.PEOPLE: ("employee_id", "name", "unit_id"),
}
KIND_WORDS: dict[str, str] = {
    "organisation": UnitKind.ORGANISATION,
    "omraade": UnitKind.AREA,
    "område": UnitKind.AREA,
    "omrade": UnitKind.AREA,
    "area": UnitKind.AREA,
    "afdeling": UnitKind.DEPARTMENT,
    "department": UnitKind.DEPARTMENT,
    "team": UnitKind.TEAM,
}


class ImportRefused(Exception):
    """The file has errors; nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"{len(plan.errors)} error(s) in the file")
        self.plan = plan


@dataclass(frozen=True)
class RowError:
    line: int  # line in the file, the header being line 1; 0 = the file as a whole
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = _("linje %(line)s") % {"line": self.line} if self.line else _("filen")
        column = f" ({self.column})" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class ImportPlan:
    """What an import would do (dry run) or did (after apply)."""

    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.updated) + len(self.moved) + len(self.deactivated)

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "moved": len(self.moved),
            "unchanged": self.unchanged,
            "deactivated": len(self.deactivated),
            "errors": len(self.errors),
        }


@dataclass(frozen=True)
class _Table:
    header: dict[str, str]  # canonical name -> column name as written
    rows: list[tuple[int, dict[str, str]]]  # (line number, canonical name -> value)
    columns: tuple[str, ...] = ()  # every column of the header, lower case


# The first bytes of files people upload by mistake instead of a CSV.
_BINARY_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "excel"),  # .xlsx (and other zip files)
    (b"\xd0\xcf\x11\xe0", "excel"),  # .xls (old Office files)
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),  # JPEG
    (b"GIF8", "image"),
)
# Control characters never found in a CSV written by a spreadsheet (tab, CR, LF are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _csv_help() -> str:
    return _("Gem filen som CSV (UTF-8) – i Excel: Filer → Gem som → CSV UTF-8 – og prøv igen.")


def decode(raw: bytes) -> str:
    """Decode an uploaded file: UTF-8 (with or without BOM), else Windows-1252 (old Excel),
    in composed form (NFC), so a name typed on a Mac matches the same name typed on Windows.

    Anything that is not text (a picture, a PDF, an Excel workbook, even when renamed .csv)
    is refused with a message that says what to do instead."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("Filen er for stor (højst 5 MB)."))
    kind = next((k for magic, k in _BINARY_KINDS if raw.startswith(magic)), "")
    if kind == "excel":
        raise ValidationError(
            _("Filen er en Excel-projektmappe, ikke en CSV-fil. %(help)s") % {"help": _csv_help()}
        )
    if kind:
        raise ValidationError(
            _("Filen er et billede eller en PDF, ikke en CSV-fil med enheder eller medarbejdere.")
        )
    try:
        text = textfiles.decode(raw)
    except UnicodeDecodeError:
        text = ""
    if (not text and raw) or _CONTROL.search(text):
        raise ValidationError(_("Filen kan ikke læses som tekst. %(help)s") % {"help": _csv_help()})
    return text


def file_error(content: str) -> str | None:
    """What is wrong with the file as a whole (empty, no rows, columns that fit neither
    kind), or None: then it is a file of units or people, and any errors are in its lines."""
    table, errors = _read(content)
    if table is None:
        return errors[0].message if errors else _("Filen er tom.")
    columns = set(table.columns)
    kind = detect_kind(content)
    # The files of `tryghed score` (examples/score/) name units in a column "unit".
    score_tree = kind == ImportKind.UNITS and "unit" in columns and "unit_id" not in table.header
    if kind is None or score_tree:
        if {"unit", "parent"} <= columns:
            return _(
                "Filen er et enhedstræ til kommandoen tryghed score (kolonnerne unit og parent). "
                "Til import skal kolonnerne hedde unit_id, name og parent_id; se "
                "examples/import/enheder.csv."
            )
        if "unit" in columns and any("." in c for c in columns):
            return _(
                "Filen indeholder besvarelser til kommandoen tryghed score, ikke enheder eller "
                "medarbejdere. Svar kan ikke importeres her."
            )
        return _(
            "Kolonnerne passer hverken til enheder eller medarbejdere. Enheder skal have "
            "kolonnerne unit_id, name og parent_id; medarbejdere employee_id, name og unit_id."
        )
    missing = [c for c in REQUIRED[ImportKind(kind)] if c not in table.header]
    if missing:
        return _("Manglende kolonner: %(cols)s") % {"cols": ", ".join(missing)}
    if not table.rows and not errors:
        return _("Filen har kun en overskrift og ingen rækker.")
    return None


def _read(content: str) -> tuple[_Table | None, list[RowError]]:
    content = content.lstrip("\ufeff")
    if not content.strip():
        return None, [RowError(0, _("Filen er tom."))]
    first_line = content.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        raw_header = next(reader)
    except csv.Error as exc:
        return None, [RowError(1, _("Kan ikke læse overskriften: %(err)s") % {"err": exc})]
    header: dict[str, str] = {}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, column in enumerate(raw_header):
        key = column.strip().lower().replace(" ", "_")
        for canonical, aliases in ALIASES.items():
            if key in aliases:
                if canonical in header:
                    errors.append(RowError(1, _("Kolonnen står to gange."), column))
                header[canonical] = column.strip()
                positions[canonical] = index
                break
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                errors.append(RowError(line, _("Filen har for mange rækker (højst 100.000).")))
                break
            if len(record) > len(raw_header):
                errors.append(RowError(line, _("Rækken har flere felter end overskriften.")))
                continue
            rows.append(
                (
                    line,
                    {
                        name: record[pos].strip() if pos < len(record) else ""
                        for name, pos in positions.items()
                    },
                )
            )
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, _("Ugyldig CSV: %(err)s") % {"err": exc}))
    columns = tuple(c.strip().lower() for c in raw_header)
    return _Table(header, rows, columns), errors


def detect_kind(content: str) -> str | None:
    table, _errors = _read(content)
    if table is None:
        return None
    if "employee_id" in table.header or "email" in table.header:
        return ImportKind.PEOPLE
    if "parent_id" in table.header:
        return ImportKind.UNITS
    return None


def plan_import(
    organisation: Organisation, content: str, *, deactivate_missing: bool = False
) -> ImportPlan:
    """Check the whole file and say what importing it would change. Writes nothing."""
    kind = detect_kind(content)
    table, errors = _read(content)
    if kind is None or table is None:
        plan = ImportPlan(kind=kind or "")
        plan.errors = errors or [
            RowError(
                1,
                _(
                    "Kan ikke se, om filen indeholder enheder eller medarbejdere. Enheder skal have "
                    "kolonnerne unit_id, name og parent_id; medarbejdere employee_id, name og unit_id."
                ),
            )
        ]
        return plan
    plan = ImportPlan(kind=kind, rows=len(table.rows), errors=list(errors))
    missing = [c for c in REQUIRED[ImportKind(kind)] if c not in table.header]
    if missing:
        plan.errors.append(
            RowError(1, _("Manglende kolonner: %(cols)s") % {"cols": ", ".join(missing)})
        )
        return plan
    if kind == ImportKind.UNITS:
        _plan_units(organisation, table, plan)
    else:
        _plan_people(organisation, table, plan, deactivate_missing=deactivate_missing)
    plan.errors.sort(key=lambda e: e.line)
    return plan


def _require(plan: ImportPlan, line: int, row: dict[str, str], columns: Iterable[str]) -> bool:
    ok = True
    for column in columns:
        if not row.get(column):
            plan.errors.append(RowError(line, _("Feltet må ikke være tomt."), column))
            ok = False
    return ok


def _plan_units(organisation: Organisation, table: _Table, plan: ImportPlan) -> None:
    existing = {u.external_id: u for u in Unit.objects.filter(organisation=organisation)}
    existing_by_pk = {u.pk: u for u in existing.values()}
    root = next((u for u in existing.values() if u.parent_id is None), None)
    seen: dict[str, int] = {}
    wanted_parent: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for line, row in table.rows:
        if not _require(plan, line, row, ("unit_id", "name")):
            continue
        uid = row["unit_id"]
        if uid in seen:
            plan.errors.append(
                RowError(
                    line,
                    _("Enheds-id %(id)s står også i linje %(other)s.")
                    % {"id": uid, "other": seen[uid]},
                    "unit_id",
                )
            )
            continue
        seen[uid] = line
        lines[uid] = line
        kind_word = row.get("kind", "").lower()
        if kind_word and kind_word not in KIND_WORDS:
            plan.errors.append(
                RowError(
                    line,
                    _("Ukendt type %(kind)s; brug område, afdeling eller team.")
                    % {"kind": row["kind"]},
                    "kind",
                )
            )
        if len(row["name"]) > 200:
            plan.errors.append(RowError(line, _("Navnet er for langt (højst 200 tegn)."), "name"))
        parent = row.get("parent_id") or None
        if parent is None:
            if root is not None and root.external_id != uid:
                plan.errors.append(
                    RowError(
                        line,
                        _(
                            "Kun organisationens øverste enhed (%(root)s) må stå uden overordnet enhed."
                        )
                        % {"root": root.external_id},
                        "parent_id",
                    )
                )
                continue
        elif parent == uid:
            plan.errors.append(
                RowError(line, _("En enhed kan ikke være sin egen overordnede."), "parent_id")
            )
            continue
        wanted_parent[uid] = parent
    roots_in_file = [uid for uid, parent in wanted_parent.items() if parent is None]
    if root is None and len(roots_in_file) != 1 and not plan.errors:
        plan.errors.append(
            RowError(
                0,
                _(
                    "Filen skal have præcis én enhed uden overordnet enhed (organisationens øverste)."
                ),
            )
        )
    for uid in roots_in_file[1:]:
        plan.errors.append(
            RowError(lines[uid], _("Der er allerede en øverste enhed i filen."), "parent_id")
        )
    # The parent graph after the import: the file's word for its units, the database's for the rest.
    graph: dict[str, str | None] = {
        uid: (existing_by_pk[u.parent_id].external_id if u.parent_id else None)
        for uid, u in existing.items()
    }
    graph.update(wanted_parent)
    for uid, parent in wanted_parent.items():
        if parent is not None and parent not in graph:
            plan.errors.append(
                RowError(
                    lines[uid],
                    _(
                        "Den overordnede enhed %(parent)s findes "
                        "hverken i filen eller i organisationen."
                    )
                    % {"parent": parent},
                    "parent_id",
                )
            )
    for uid in wanted_parent:
        walk, node = set(), graph.get(uid)
        while node is not None and node not in walk and node in graph:
            if node == uid:
                plan.errors.append(
                    RowError(
                        lines[uid],
                        _(
                            "Enheden ville komme til at ligge under sig selv (en ring af overordnede enheder)."
                        ),
                        "parent_id",
                    )
                )
                break
            walk.add(node)
            node = graph.get(node)
    if plan.errors:
        return
    for _line, row in table.rows:
        uid = row["unit_id"]
        unit = existing.get(uid)
        kind = KIND_WORDS.get(row.get("kind", "").lower(), "")
        if unit is None:
            plan.created.append(f"{uid} {row['name']}")
            continue
        parent = wanted_parent[uid]
        current_parent = existing_by_pk[unit.parent_id].external_id if unit.parent_id else None
        changed = False
        if parent != current_parent:
            plan.moved.append(f"{uid} {row['name']}: {current_parent} → {parent}")
            changed = True
        if unit.name != row["name"] or (kind and kind != unit.kind) or not unit.is_active:
            plan.updated.append(f"{uid} {row['name']}")
            changed = True
        if not changed:
            plan.unchanged += 1


def _plan_people(
    organisation: Organisation, table: _Table, plan: ImportPlan, *, deactivate_missing: bool
) -> None:
    units = {u.external_id: u for u in Unit.objects.filter(organisation=organisation)}
    existing = {p.employee_id: p for p in Person.objects.filter(organisation=organisation)}
    emails_in_db = {p.email: p.employee_id for p in existing.values() if p.email}
    seen: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for line, row in table.rows:
        if not _require(plan, line, row, ("employee_id", "name", "unit_id")):
            continue
        eid = row["employee_id"]
        if eid in seen:
            plan.errors.append(
                RowError(
                    line,
                    _("Medarbejdernummer %(id)s står også i linje %(other)s.")
                    % {"id": eid, "other": seen[eid]},
                    "employee_id",
                )
            )
            continue
        seen[eid] = line
        unit = units.get(row["unit_id"])
        if unit is None:
            plan.errors.append(
                RowError(
                    line,
                    _("Enheden %(unit)s findes ikke. Importér enhederne først.")
                    % {"unit": row["unit_id"]},
                    "unit_id",
                )
            )
        elif not unit.is_active:
            plan.errors.append(
                RowError(
                    line, _("Enheden %(unit)s er lukket.") % {"unit": row["unit_id"]}, "unit_id"
                )
            )
        email = row.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                plan.errors.append(
                    RowError(
                        line,
                        _("Ugyldig e-mailadresse: %(email)s") % {"email": row["email"]},
                        "email",
                    )
                )
            else:
                if email in seen_email:
                    plan.errors.append(
                        RowError(
                            line,
                            _("E-mailadressen står også i linje %(other)s.")
                            % {"other": seen_email[email]},
                            "email",
                        )
                    )
                elif emails_in_db.get(email, eid) != eid:
                    plan.errors.append(
                        RowError(
                            line,
                            _("E-mailadressen tilhører en anden medarbejder (%(other)s).")
                            % {"other": emails_in_db[email]},
                            "email",
                        )
                    )
                seen_email[email] = line
        for column, limit in (("name", 200), ("job_group", 100), ("seniority_band", 50)):
            if len(row.get(column, "")) > limit:
                plan.errors.append(
                    RowError(
                        line, _("Feltet er for langt (højst %(n)s tegn).") % {"n": limit}, column
                    )
                )
    if plan.errors:
        return
    for _line, row in table.rows:
        person = existing.get(row["employee_id"])
        label = f"{row['employee_id']} {row['name']}"
        if person is None:
            plan.created.append(label)
            continue
        unit = units[row["unit_id"]]
        if person.unit_id != unit.pk:
            plan.moved.append(label)
        elif _person_differs(person, row) or not person.is_active:
            plan.updated.append(label)
        else:
            plan.unchanged += 1
    if deactivate_missing:
        plan.deactivated = [
            f"{p.employee_id} {p.name}"
            for eid, p in sorted(existing.items())
            if eid not in seen and p.is_active
        ]


def _person_differs(person: Person, row: dict[str, str]) -> bool:
    return (
        person.name != row["name"]
        or ("email" in row and person.email != row["email"].lower())
        or ("job_group" in row and person.job_group != row["job_group"])
        or ("seniority_band" in row and person.seniority_band != row["seniority_band"])
    )


@transaction.atomic
def apply_import(
    *,
    organisation: Organisation,
    content: str,
    actor: User | None,
    deactivate_missing: bool = False,
) -> ImportPlan:
    """Import the file in one transaction; refuse it whole (``ImportRefused``) on any error."""
    # Lock the organisation row: two imports at once would plan against stale data.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    plan = plan_import(organisation, content, deactivate_missing=deactivate_missing)
    if not plan.ok:
        raise ImportRefused(plan)
    table, _errors = _read(content)
    assert table is not None
    if plan.kind == ImportKind.UNITS:
        _apply_units(organisation, table, actor)
    else:
        _apply_people(organisation, table, deactivate_missing=deactivate_missing)
    audit_record(
        actor=actor,
        action=f"import.{plan.kind}",
        organisation=organisation,
        summary=ngettext("Import: %(rows)s række", "Import: %(rows)s rækker", plan.rows)
        % {"rows": plan.rows},
        data=plan.summary(),
    )
    return plan


def _apply_units(organisation: Organisation, table: _Table, actor: User | None) -> None:
    units = {u.external_id: u for u in Unit.objects.filter(organisation=organisation)}
    pending = [(line, row) for line, row in table.rows]
    # Create parents before children: repeat passes until every new unit has its parent.
    while pending:
        remaining = []
        for line, row in pending:
            uid, parent_id = row["unit_id"], row.get("parent_id") or None
            if uid in units:
                continue
            if parent_id is not None and parent_id not in units:
                remaining.append((line, row))
                continue
            units[uid] = services.unit_create(
                organisation=organisation,
                actor=actor,
                parent=units[parent_id] if parent_id else None,
                name=row["name"],
                kind=KIND_WORDS.get(row.get("kind", "").lower(), UnitKind.TEAM),
                external_id=uid,
            )
        if len(remaining) == len(pending):
            raise AssertionError("unresolvable parents passed the plan")  # plan rules this out
        pending = remaining
    # Move parents before children (by depth in the tree after the import), so no
    # intermediate step puts a unit under its own subtree.
    final_parent = {row["unit_id"]: row.get("parent_id") or None for _l, row in table.rows}

    def final_depth(uid: str) -> int:
        depth, node = 0, final_parent.get(uid)
        while node is not None:
            depth += 1
            if node in final_parent:
                node = final_parent[node]
            else:
                parent = units[node].parent
                node = parent.external_id if parent is not None else None
        return depth

    for _line, row in sorted(table.rows, key=lambda item: final_depth(item[1]["unit_id"])):
        unit = units[row["unit_id"]]
        unit.refresh_from_db()
        parent_id = row.get("parent_id") or None
        if parent_id is not None and (unit.parent is None or unit.parent.external_id != parent_id):
            services.unit_move(unit=unit, actor=actor, new_parent=units[parent_id])
            unit.refresh_from_db()
        kind = KIND_WORDS.get(row.get("kind", "").lower(), unit.kind)
        services.unit_update(
            unit=unit, actor=actor, name=row["name"], kind=kind, external_id=unit.external_id
        )
        if not unit.is_active:
            services.unit_set_active(unit=unit, actor=actor, active=True)


def _apply_people(organisation: Organisation, table: _Table, *, deactivate_missing: bool) -> None:
    units = {u.external_id: u for u in Unit.objects.filter(organisation=organisation)}
    existing = {p.employee_id: p for p in Person.objects.filter(organisation=organisation)}
    new: list[Person] = []
    changed: list[Person] = []
    for _line, row in table.rows:
        person = existing.get(row["employee_id"])
        unit = units[row["unit_id"]]
        if person is None:
            new.append(
                Person(
                    organisation=organisation,
                    unit=unit,
                    employee_id=row["employee_id"],
                    name=row["name"],
                    email=row.get("email", "").lower(),
                    job_group=row.get("job_group", ""),
                    seniority_band=row.get("seniority_band", ""),
                )
            )
            continue
        if person.unit_id != unit.pk or _person_differs(person, row) or not person.is_active:
            person.unit = unit
            person.name = row["name"]
            if "email" in row:
                person.email = row["email"].lower()
            if "job_group" in row:
                person.job_group = row["job_group"]
            if "seniority_band" in row:
                person.seniority_band = row["seniority_band"]
            person.is_active = True
            changed.append(person)
    Person.objects.bulk_create(new, batch_size=500)
    Person.objects.bulk_update(
        changed,
        ["unit", "name", "email", "job_group", "seniority_band", "is_active"],
        batch_size=500,
    )
    if deactivate_missing:
        in_file = {row["employee_id"] for _line, row in table.rows}
        Person.objects.filter(organisation=organisation, is_active=True).exclude(
            employee_id__in=in_file
        ).update(is_active=False)
