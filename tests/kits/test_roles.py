"""Every kits page refuses (403) exactly the roles the capability table refuses, for each
role held alone (the same check as tests/orgs/test_capability_matrix.py, for this app)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import World
from tests.factories import grant, make_user
from tests.results.team_report_scenario import team_report
from tryghed.orgs.models import Role
from tryghed.orgs.selectors import Capability, capability_matrix

pytestmark = pytest.mark.django_db


def kits_pages() -> list[tuple[str, list[str], Capability]]:
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "kits"
    )
    pages = []
    for p in resolver.url_patterns:
        assert isinstance(p, URLPattern)
        capability = p.callback.capability  # type: ignore[attr-defined]  # set by org_view
        pages.append((f"kits:{p.name}", list(p.pattern.converters), capability))
    return pages


@pytest.mark.parametrize("role", list(Role))
def test_every_kits_page_refuses_exactly_the_roles_the_table_refuses(
    world: World, role: Role
) -> None:
    measurement = team_report(world)
    ids = {"measurement_id": measurement.pk, "unit_id": world.team_a.pk}
    user = make_user(f"{role.value}@matrix.test")
    grant(user, world.org, role, world.area if role == Role.LEADER else world.team_a)
    client = Client()
    client.force_login(user)
    allowed = capability_matrix()[role]
    pages = kits_pages()
    assert len(pages) == 7
    for name, params, capability in pages:
        kwargs = {"org": world.org.slug, **{p: ids[p] for p in params if p != "org"}}
        status = client.get(reverse(name, kwargs=kwargs)).status_code
        assert (status == 403) != allowed[capability], (role.value, name, status)
        if allowed[capability]:
            assert status in (200, 302), (role.value, name, status)
