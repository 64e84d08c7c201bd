"""The table of what each role may do: docs/roles.md prints exactly what ``OrgAccess.can``
decides, and every page that asks for a capability refuses (403) exactly the roles the
table refuses, for each role held alone."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.test_employee_scope import _ids
from tests.actions.conftest import first_wave, make_focus, make_plan
from tests.conftest import World
from tests.factories import grant, make_user
from tryghed.orgs.models import Role
from tryghed.orgs.selectors import Capability, OrgAccess, capability_matrix

ROOT = Path(__file__).resolve().parents[2]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "capability_matrix", ROOT / "scripts" / "capability_matrix.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _guarded_pages() -> list[tuple[str, list[str], Capability]]:
    """Every URL name under /o/<org>/ whose view asks for a capability (``org_view``)."""
    found: list[tuple[str, list[str], Capability]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and (prefix + str(p.pattern)).startswith("o/"):
                capability = getattr(p.callback, "capability", None)
                if capability is not None:
                    name = f"{namespace}:{p.name}".strip(":")
                    found.append((name, list(p.pattern.converters), capability))

    walk(get_resolver().url_patterns, "", "")
    return found


def test_docs_roles_md_is_the_table_opsaccess_decides() -> None:
    script = _script()
    document = script.DOC.read_text(encoding="utf-8")
    assert script.with_table(document) == document, "run scripts/capability_matrix.py --write"


def test_an_unknown_capability_is_refused_for_every_role() -> None:
    matrix = capability_matrix()
    assert set(matrix) == set(Role)
    access = OrgAccess(organisation=None, user=None, roles=frozenset(Role))  # type: ignore[arg-type]
    assert access.can(Capability.VIEW_STRUCTURE)
    assert not access.can("view_structure")  # type: ignore[arg-type]
    assert not access.can("no_such_capability")  # type: ignore[arg-type]


@pytest.mark.parametrize("role", list(Role))
def test_every_guarded_page_refuses_exactly_the_roles_the_table_refuses(
    world: World, role: Role
) -> None:
    measurement = first_wave(world)
    make_plan(world, make_focus(world, measurement))
    ids = _ids(world, measurement)
    user = make_user(f"{role.value}@matrix.test")
    grant(user, world.org, role, world.area if role == Role.LEADER else world.team_a)
    client = Client()
    client.force_login(user)
    allowed = capability_matrix()[role]
    pages = _guarded_pages()
    # read_organisation_report is asked by its selector (results.selectors), not the view.
    assert {c for _, _, c in pages} == set(Capability) - {Capability.READ_ORGANISATION_REPORT}
    wrong = []
    for name, params, capability in pages:
        kwargs = {"org": world.org.slug, **{p: ids[p] for p in params if p != "org"}}
        status = client.get(reverse(name, kwargs=kwargs)).status_code
        if (status == 403) == allowed[capability]:
            wrong.append((name, capability.value, status))
    assert wrong == [], f"{role.value}: pages that disagree with the table"
