from __future__ import annotations

from pathlib import Path

import pytest

from tryghed.cli import main
from tryghed.orgs.demo import DEMO_LOGINS, DEMO_SLUG, load_demo
from tryghed.orgs.models import Membership, Organisation, Person, Role, Unit


@pytest.mark.django_db
def test_the_demo_organisation_has_a_deep_tree_many_people_and_a_login_per_role() -> None:
    organisation, created = load_demo()
    assert created
    units = Unit.objects.filter(organisation=organisation)
    assert 38 <= units.count() <= 45
    assert max(u.depth for u in units) >= 3  # kommune → område → afdeling → team
    assert 550 <= Person.objects.filter(organisation=organisation).count() <= 650
    roles = set(Membership.objects.filter(organisation=organisation).values_list("role", flat=True))
    assert roles == {Role.ADMIN, Role.AMO, Role.TOP_MANAGEMENT, Role.LEADER, Role.EMPLOYEE}
    assert {login.email for login in DEMO_LOGINS} == set(
        Membership.objects.filter(organisation=organisation).values_list("user__email", flat=True)
    )


@pytest.mark.django_db
def test_loading_the_demo_twice_keeps_the_data() -> None:
    first, _ = load_demo()
    Person.objects.filter(organisation=first).update(job_group="changed by the user")
    second, created = load_demo()
    assert not created and first.pk == second.pk
    assert Organisation.objects.filter(slug=DEMO_SLUG).count() == 1
    assert (
        not Person.objects.filter(organisation=first)
        .exclude(job_group="changed by the user")
        .exists()
    )


@pytest.mark.django_db(transaction=True)
def test_import_org_is_a_dry_run_until_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_demo()
    csv = tmp_path / "units.csv"
    csv.write_text("unit_id;name;parent_id\nNY;Ny enhed;DK\n", encoding="utf-8")
    assert main(["import-org", str(csv)]) == 0
    assert "Dry run" in capsys.readouterr().out
    assert not Unit.objects.filter(external_id="NY").exists()
    assert main(["import-org", str(csv), "--apply"]) == 0
    assert "1 new" in capsys.readouterr().out
    assert Unit.objects.get(external_id="NY").parent.external_id == "DK"  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_import_org_names_the_bad_line_and_exits_nonzero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_demo()
    csv = tmp_path / "people.csv"
    csv.write_text(
        "employee_id,name,unit_id\n9001,Ny Person,DK\n9002,Ingen Enhed,NOPE\n", encoding="utf-8"
    )
    assert main(["import-org", str(csv), "--apply"]) == 1
    err = capsys.readouterr().err
    assert f"{csv}:3: unit_id: Enheden NOPE findes ikke" in err
    assert "nothing was imported" in err
    assert not Person.objects.filter(employee_id="9001").exists()


def test_the_command_lists_its_sub_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("instruments", "validate-instrument", "score", "import-org", "manage"):
        assert name in out


def test_an_unknown_sub_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err
