"""The main navigation shows each role only the pages it may open."""

from __future__ import annotations

import re

import pytest

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tryghed.accounts.models import User
from tryghed.orgs.models import Role

NAV = re.compile(r'<nav class="site-nav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def _reader(world: World, role: str) -> User:
    if role == Role.TOP_MANAGEMENT:
        director = make_user("director@example.test")
        grant(director, world.org, Role.TOP_MANAGEMENT)
        return director
    return {
        Role.EMPLOYEE: world.employee,
        Role.LEADER: world.leader,
        Role.AMO: world.amo,
        Role.ADMIN: world.owner,
    }[Role(role)]


@pytest.mark.parametrize(
    "role", [Role.EMPLOYEE, Role.LEADER, Role.AMO, Role.TOP_MANAGEMENT, Role.ADMIN]
)
def test_every_link_in_the_main_navigation_opens_for_the_role(world: World, role: str) -> None:
    client = client_for(_reader(world, role))
    home = client.get("/", follow=True)
    assert home.status_code == 200
    nav = NAV.search(home.content.decode())
    assert nav is not None
    links = HREF.findall(nav.group(1))
    assert len(links) >= 3  # Oversigt, Rapporter, APV at least
    refused = {}
    for link in links:
        status = client.get(link, follow=True).status_code
        if status != 200:
            refused[link] = status
    assert refused == {}


def test_top_management_is_not_shown_the_action_plans(world: World) -> None:
    client = client_for(_reader(world, Role.TOP_MANAGEMENT))
    html = client.get("/", follow=True).content.decode()
    assert "/handleplaner" not in html and ">Handleplaner<" not in html
