"""Access is scoped by construction: every organisation view, for an owner, a member and an outsider."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.orgs.models import ImportBatch, Membership

# (url name, kwargs from the world, method, status for owner, leader, employee)
# The outsider always gets 404; a member without the capability 403.
Kwargs = Callable[[World], dict[str, object]]
VIEWS: list[tuple[str, Kwargs, str, int, int, int]] = [
    ("orgs:dashboard", lambda w: {}, "get", 200, 200, 200),
    ("orgs:unit_tree", lambda w: {}, "get", 200, 200, 403),
    ("orgs:unit_detail", lambda w: {"unit_id": w.team_a.pk}, "get", 200, 200, 403),
    ("orgs:unit_create", lambda w: {}, "get", 200, 403, 403),
    ("orgs:unit_edit", lambda w: {"unit_id": w.team_a.pk}, "get", 200, 403, 403),
    ("orgs:unit_move", lambda w: {"unit_id": w.team_a.pk}, "get", 200, 403, 403),
    ("orgs:unit_set_active", lambda w: {"unit_id": w.team_b.pk}, "post", 302, 403, 403),
    ("orgs:people", lambda w: {}, "get", 200, 200, 403),
    ("orgs:person_edit", lambda w: {"person_id": w.person_a.pk}, "get", 200, 403, 403),
    ("orgs:roles", lambda w: {}, "get", 200, 403, 403),
    (
        "orgs:role_revoke",
        lambda w: {"membership_id": Membership.objects.get(user=w.employee).pk},
        "post",
        302,
        403,
        403,
    ),
    ("orgs:import", lambda w: {}, "get", 200, 403, 403),
    ("orgs:settings", lambda w: {}, "get", 200, 403, 403),
    (
        "orgs:import_preview",
        lambda w: {
            "batch_id": ImportBatch.objects.create(
                organisation=w.org,
                kind="units",
                filename="x.csv",
                content="unit_id,name,parent_id\n",
            ).pk
        },
        "get",
        200,
        403,
        403,
    ),
]


def _call(client: Client, method: str, url: str) -> int:
    response = client.post(url) if method == "post" else client.get(url)
    return response.status_code


@pytest.mark.parametrize(
    ("name", "kwargs", "method", "owner", "leader", "employee"), VIEWS, ids=[v[0] for v in VIEWS]
)
def test_each_view_answers_owner_member_and_outsider(
    world: World, name: str, kwargs: Kwargs, method: str, owner: int, leader: int, employee: int
) -> None:
    url = reverse(name, kwargs={"org": world.org.slug, **kwargs(world)})
    assert _call(client_for(world.leader), method, url) == leader
    assert _call(client_for(world.employee), method, url) == employee
    assert _call(client_for(world.outsider), method, url) == 404
    assert _call(client_for(world.owner), method, url) == owner


@pytest.mark.parametrize(("name", "method"), [(v[0], v[2]) for v in VIEWS])
def test_anonymous_visitors_are_sent_to_log_in(world: World, name: str, method: str) -> None:
    url = reverse(name, kwargs={"org": world.org.slug, **_ids_for(name, world)})
    response = Client().post(url) if method == "post" else Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _ids_for(name: str, world: World) -> dict[str, int]:
    for view_name, kwargs, *_rest in VIEWS:
        if view_name == name:
            return {k: int(str(v)) for k, v in kwargs(world).items()}
    return {}


@pytest.mark.parametrize(
    ("name", "kwarg", "attr"),
    [
        ("orgs:unit_detail", "unit_id", "other_unit"),
        ("orgs:unit_edit", "unit_id", "other_unit"),
        ("orgs:unit_move", "unit_id", "other_unit"),
        ("orgs:person_edit", "person_id", "other_person"),
    ],
)
def test_another_organisations_object_is_404_even_for_the_owner(
    world: World, name: str, kwarg: str, attr: str
) -> None:
    foreign = getattr(world, attr)
    url = reverse(name, kwargs={"org": world.org.slug, kwarg: foreign.pk})
    assert client_for(world.owner).get(url).status_code == 404


def test_another_organisations_membership_and_import_are_404(world: World) -> None:
    foreign_membership = Membership.objects.get(user=world.outsider)
    foreign_batch = ImportBatch.objects.create(
        organisation=world.other_org, kind="units", filename="x.csv", content=""
    )
    owner = client_for(world.owner)
    revoke = reverse(
        "orgs:role_revoke", kwargs={"org": world.org.slug, "membership_id": foreign_membership.pk}
    )
    assert owner.post(revoke).status_code == 404
    assert Membership.objects.filter(pk=foreign_membership.pk).exists()
    preview = reverse(
        "orgs:import_preview", kwargs={"org": world.org.slug, "batch_id": foreign_batch.pk}
    )
    assert owner.get(preview).status_code == 404


def test_a_leader_sees_only_their_own_subtree(world: World) -> None:
    leader = client_for(world.leader)
    tree = leader.get(reverse("orgs:unit_tree", kwargs={"org": world.org.slug})).content.decode()
    assert "Team A" in tree
    assert "Team B" not in tree
    assert "Område" not in tree
    sibling = reverse(
        "orgs:unit_detail", kwargs={"org": world.org.slug, "unit_id": world.team_b.pk}
    )
    assert leader.get(sibling).status_code == 404
    people = leader.get(reverse("orgs:people", kwargs={"org": world.org.slug})).content.decode()
    assert "Alma A" in people
    assert "Bent B" not in people


def test_amo_sees_the_whole_organisation_but_cannot_change_it(world: World) -> None:
    amo = client_for(world.amo)
    tree = amo.get(reverse("orgs:unit_tree", kwargs={"org": world.org.slug})).content.decode()
    assert "Team A" in tree and "Team B" in tree
    assert "Fremmed team" not in tree
    assert amo.get(reverse("orgs:unit_create", kwargs={"org": world.org.slug})).status_code == 403


def test_the_outsider_sees_only_their_own_organisation_on_the_home_page(world: World) -> None:
    response = client_for(world.outsider).get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:dashboard", kwargs={"org": "andenkommune"})


def test_an_unknown_capability_is_refused_when_the_view_is_defined() -> None:
    from tryghed.orgs.views import org_view

    with pytest.raises(ValueError, match="manage_everything"):
        org_view("manage_everything")


def test_access_refuses_a_capability_outside_its_table(world: World) -> None:
    from tryghed.orgs.selectors import Capability, access_for

    owner = access_for(user=world.owner, slug=world.org.slug)
    assert owner.can(Capability.MANAGE_STRUCTURE) is True
    assert owner.can("manage_structure") is False  # type: ignore[arg-type]
    employee = access_for(user=world.employee, slug=world.org.slug)
    assert employee.can(Capability.MANAGE_MEASUREMENTS) is False
