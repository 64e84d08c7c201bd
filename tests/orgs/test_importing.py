"""CSV import: dry run first, per-line errors, all or nothing, idempotent re-import."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.audit.models import AuditEvent
from tryghed.orgs import importing
from tryghed.orgs.models import Person, Unit

UNITS = """unit_id;name;parent_id;kind
root;Testkommune;;organisation
SUND;Sundhed;root;område
HJ;Hjemmeplejen;SUND;afdeling
HJ-D;Dagteam;HJ;team
"""

PEOPLE = """employee_id,name,unit_id,email,job_group,seniority_band
1,Anna Andersen,HJ-D,anna@example.test,SSH,0-2 år
2,Bo Berg,HJ-D,,SSA,over 10 år
3,Carla Carlsen,HJ,carla@example.test,Leder,5-10 år
"""


def _units(world: World) -> dict[str, Unit]:
    return {u.external_id: u for u in Unit.objects.filter(organisation=world.org)}


def test_a_dry_run_reports_what_would_change_and_writes_nothing(world: World) -> None:
    before = Unit.objects.count()
    plan = importing.plan_import(world.org, UNITS)
    assert plan.ok, plan.errors
    assert plan.kind == "units"
    assert sorted(plan.created) == ["HJ Hjemmeplejen", "HJ-D Dagteam", "SUND Sundhed"]
    assert plan.unchanged == 1  # the root already exists with that id and name
    assert Unit.objects.count() == before


def test_units_then_people_import_builds_the_tree(world: World) -> None:
    importing.apply_import(organisation=world.org, content=UNITS, actor=world.owner)
    units = _units(world)
    assert units["HJ-D"].parent == units["HJ"]
    assert units["HJ"].kind == "afdeling"
    assert units["SUND"].kind == "omraade"
    assert (
        units["HJ-D"].path
        == f"{units['root'].path}{units['SUND'].pk}/{units['HJ'].pk}/{units['HJ-D'].pk}/"
    )
    plan = importing.apply_import(organisation=world.org, content=PEOPLE, actor=world.owner)
    assert plan.summary()["created"] == 3
    anna = Person.objects.get(organisation=world.org, employee_id="1")
    assert (anna.unit.external_id, anna.email, anna.job_group, anna.seniority_band) == (
        "HJ-D",
        "anna@example.test",
        "SSH",
        "0-2 år",
    )


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    importing.apply_import(organisation=world.org, content=UNITS, actor=None)
    importing.apply_import(organisation=world.org, content=PEOPLE, actor=None)
    events = AuditEvent.objects.count()
    units_again = importing.plan_import(world.org, UNITS)
    people_again = importing.plan_import(world.org, PEOPLE)
    assert units_again.changes == 0 and units_again.unchanged == 4
    assert people_again.changes == 0 and people_again.unchanged == 3
    importing.apply_import(organisation=world.org, content=PEOPLE, actor=None)
    assert Person.objects.filter(organisation=world.org).count() == 5  # 3 + the world's 2
    assert AuditEvent.objects.count() == events + 1  # only the import's own summary row


def test_a_changed_parent_moves_the_unit_and_its_subtree(world: World) -> None:
    importing.apply_import(organisation=world.org, content=UNITS, actor=None)
    moved = UNITS.replace("HJ;Hjemmeplejen;SUND;afdeling", "HJ;Hjemmeplejen Nord;root;afdeling")
    plan = importing.apply_import(organisation=world.org, content=moved, actor=world.owner)
    assert plan.moved == ["HJ Hjemmeplejen Nord: SUND → root"]
    units = _units(world)
    assert units["HJ"].parent == units["root"]
    assert units["HJ"].name == "Hjemmeplejen Nord"
    assert units["HJ-D"].path == f"{units['root'].path}{units['HJ'].pk}/{units['HJ-D'].pk}/"
    assert units["HJ-D"].depth == 2


def test_swapping_parent_and_child_in_one_import_works_without_a_transient_cycle(
    world: World,
) -> None:
    importing.apply_import(organisation=world.org, content=UNITS, actor=None)
    swapped = UNITS.replace("SUND;Sundhed;root", "SUND;Sundhed;HJ").replace(
        "HJ;Hjemmeplejen;SUND", "HJ;Hjemmeplejen;root"
    )
    importing.apply_import(organisation=world.org, content=swapped, actor=None)
    units = _units(world)
    assert units["SUND"].parent == units["HJ"]
    assert units["HJ"].parent == units["root"]


@pytest.mark.parametrize(
    ("content", "line", "column", "fragment"),
    [
        (UNITS + "BAD;;HJ;team\n", 6, "name", "tomt"),
        (UNITS + "X;X;NOPE;team\n", 6, "parent_id", "NOPE"),
        (UNITS + "HJ;Igen;SUND;team\n", 6, "unit_id", "linje 4"),
        (UNITS + "Y;Y;HJ;kontor\n", 6, "kind", "kontor"),
        (UNITS + "Z;Z;;team\n", 6, "parent_id", "øverste"),
        (UNITS.replace("SUND;Sundhed;root", "SUND;Sundhed;HJ-D"), 3, "parent_id", "under sig selv"),
    ],
)
def test_a_bad_unit_line_is_refused_with_its_line_number_and_nothing_is_imported(
    world: World, content: str, line: int, column: str, fragment: str
) -> None:
    before = Unit.objects.count()
    plan = importing.plan_import(world.org, content)
    assert not plan.ok
    assert any(
        e.line == line and e.column == column and fragment in e.message for e in plan.errors
    ), plan.errors
    with pytest.raises(importing.ImportRefused):
        importing.apply_import(organisation=world.org, content=content, actor=None)
    assert Unit.objects.count() == before


@pytest.mark.parametrize(
    ("extra", "column", "fragment"),
    [
        ("4,Dan,NOWHERE,,,\n", "unit_id", "NOWHERE"),
        ("4,Dan,HJ-D,not-an-email,,\n", "email", "Ugyldig"),
        ("1,Igen,HJ-D,,,\n", "employee_id", "linje 2"),
        ("4,Dan,HJ-D,anna@example.test,,\n", "email", "linje 2"),
        ("4,Dan,HJ-D,alma@example.test,,\n", "email", "anden medarbejder"),
        ("4,,HJ-D,,,\n", "name", "tomt"),
    ],
)
def test_a_bad_person_line_is_refused_and_the_good_lines_are_not_imported_either(
    world: World, extra: str, column: str, fragment: str
) -> None:
    importing.apply_import(organisation=world.org, content=UNITS, actor=None)
    people_before = Person.objects.count()
    content = PEOPLE + extra
    plan = importing.plan_import(world.org, content)
    assert [(e.line, e.column) for e in plan.errors if fragment in e.message] == [(5, column)], (
        plan.errors
    )
    with pytest.raises(importing.ImportRefused):
        importing.apply_import(organisation=world.org, content=content, actor=None)
    assert Person.objects.count() == people_before


def test_a_file_that_is_neither_units_nor_people_is_explained(world: World) -> None:
    plan = importing.plan_import(world.org, "foo,bar\n1,2\n")
    assert not plan.ok
    assert "unit_id" in plan.errors[0].message and "employee_id" in plan.errors[0].message


def test_missing_required_columns_are_named(world: World) -> None:
    plan = importing.plan_import(world.org, "employee_id,name\n1,Anna\n")
    assert [str(e) for e in plan.errors] == ["linje 1: Manglende kolonner: unit_id"]


def test_danish_headers_and_a_byte_order_mark_are_understood(world: World) -> None:
    content = "\ufeffenhed_id;navn;overordnet_id;type\nN;Ny enhed;root;team\n"
    plan = importing.plan_import(world.org, content)
    assert plan.ok and plan.created == ["N Ny enhed"]


def test_windows_1252_files_from_old_excel_decode(world: World) -> None:
    raw = "unit_id;name;parent_id\nØ;Økonomi;root\n".encode("cp1252")
    assert "Økonomi" in importing.decode(raw)


def test_deactivate_missing_only_deactivates_people_absent_from_the_file(world: World) -> None:
    importing.apply_import(organisation=world.org, content=UNITS, actor=None)
    importing.apply_import(organisation=world.org, content=PEOPLE, actor=None)
    plan = importing.apply_import(
        organisation=world.org, content=PEOPLE, actor=None, deactivate_missing=True
    )
    assert sorted(plan.deactivated) == sorted(
        [f"{world.person_a.employee_id} Alma A", f"{world.person_b.employee_id} Bent B"]
    )
    assert set(
        Person.objects.filter(organisation=world.org, is_active=True).values_list(
            "employee_id", flat=True
        )
    ) == {"1", "2", "3"}


def test_the_web_import_previews_then_applies_on_confirmation(world: World) -> None:
    owner = client_for(world.owner)
    upload_url = reverse("orgs:import", kwargs={"org": world.org.slug})
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner.post(upload_url, {"file": SimpleUploadedFile("units.csv", UNITS.encode())})
    assert response.status_code == 302
    preview = owner.get(response["Location"])
    assert "Importér" in preview.content.decode()
    assert not Unit.objects.filter(organisation=world.org, external_id="HJ").exists()
    done = owner.post(response["Location"])
    assert done.status_code == 302
    assert Unit.objects.filter(organisation=world.org, external_id="HJ-D").exists()


def test_the_web_import_shows_line_errors_and_imports_nothing(world: World) -> None:
    owner = client_for(world.owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = UNITS + "X;X;NOPE;team\n"
    response = owner.post(
        reverse("orgs:import", kwargs={"org": world.org.slug}),
        {"file": SimpleUploadedFile("units.csv", bad.encode())},
    )
    page = owner.get(response["Location"]).content.decode()
    assert "Intet er importeret" in page
    assert '<td class="num">6</td>' in page
    assert "NOPE" in page
    owner.post(response["Location"])  # confirming a bad file still imports nothing
    assert not Unit.objects.filter(organisation=world.org, external_id="HJ").exists()
