"""The leader deletes a situation of their unit; team members cannot."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.learning.conftest import make_focus_area, make_plan, write
from tryghed.actions.models import Action
from tryghed.audit.models import AuditEvent
from tryghed.learning import services
from tryghed.learning.models import Entry

TEXT = "Vagtplanen blev lagt ud uden at tjekke ferierne"


def _url(world: World, name: str, entry: Entry) -> str:
    return reverse(f"learning:{name}", kwargs={"org": world.org.slug, "learning_id": entry.pk})


@pytest.mark.django_db
def test_the_leader_confirms_and_the_audit_row_keeps_no_text(world: World) -> None:
    entry = write(world, text=TEXT, kind="basic")
    leader = client_for(world.leader)
    page = leader.get(_url(world, "delete", entry))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Slet situationen?" in html and TEXT in html and "csrfmiddlewaretoken" in html
    assert Entry.objects.filter(pk=entry.pk).exists()  # a GET deletes nothing
    response = leader.post(_url(world, "delete", entry), {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "learning:log", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk}
    )
    assert not Entry.objects.filter(pk=entry.pk).exists()
    (row,) = AuditEvent.objects.filter(action="learning.entry_deleted")
    assert row.actor == world.leader and row.object_id == str(entry.pk)
    assert row.data == {"kind": "basic", "written_on": entry.written_on.isoformat(), "action": None}
    stored = f"{row.summary} {row.data} {row.actor_label}"
    assert "Vagtplanen" not in stored and "ferie" not in stored
    assert world.employee.email not in stored


@pytest.mark.django_db
def test_a_post_without_the_confirmation_deletes_nothing(world: World) -> None:
    entry = write(world)
    response = client_for(world.leader).post(_url(world, "delete", entry))
    assert response.status_code == 200 and "Slet situationen?" in response.content.decode()
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_confirmation_needs_the_csrf_token(world: World) -> None:
    entry = write(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    response = client.post(_url(world, "delete", entry), {"confirm": "1"})
    assert response.status_code == 403
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_a_team_member_cannot_delete_not_even_their_own_named_entry(world: World) -> None:
    entry = write(world, named=True)
    member = client_for(world.employee)
    assert member.get(_url(world, "delete", entry)).status_code == 403
    assert member.post(_url(world, "delete", entry), {"confirm": "1"}).status_code == 403
    assert Entry.objects.filter(pk=entry.pk).exists()
    page = member.get(_url(world, "entry", entry)).content.decode()
    assert _url(world, "delete", entry) not in page
    assert not AuditEvent.objects.filter(action="learning.entry_deleted").exists()


@pytest.mark.django_db
def test_the_amo_cannot_delete(world: World) -> None:
    entry = write(world)
    response = client_for(world.amo).post(_url(world, "delete", entry), {"confirm": "1"})
    assert response.status_code == 403
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_another_units_entry_is_404_for_the_leader(world: World) -> None:
    entry = write(world, unit=world.team_b)
    leader = client_for(world.leader)
    assert leader.get(_url(world, "delete", entry)).status_code == 404
    assert leader.post(_url(world, "delete", entry), {"confirm": "1"}).status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_an_outsiders_delete_is_404(world: World) -> None:
    entry = write(world)
    response = client_for(world.outsider).post(_url(world, "delete", entry), {"confirm": "1"})
    assert response.status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_entry_page_offers_the_leader_the_delete_page(world: World) -> None:
    entry = write(world)
    page = client_for(world.leader).get(_url(world, "entry", entry)).content.decode()
    assert f'href="{_url(world, "delete", entry)}"' in page


@pytest.mark.django_db
def test_the_action_made_from_the_entry_stays_only_the_link_goes(world: World) -> None:
    plan = make_plan(world, make_focus_area(world))
    entry = write(world, text=TEXT)
    action = services.entry_to_action(
        entry=entry,
        actor=world.leader,
        plan=plan,
        what="Ferieoversigten på tavlen",
        deadline=entry.written_on,
        owner_name="Lise Leder",
    )
    page = client_for(world.leader).get(_url(world, "delete", entry)).content.decode()
    assert "Ferieoversigten på tavlen" in page and "bliver stående i handleplanen" in page
    services.entry_delete(entry=entry, actor=world.leader)
    assert Action.objects.filter(pk=action.pk, plan=plan, what="Ferieoversigten på tavlen").exists()
    (row,) = AuditEvent.objects.filter(action="learning.entry_deleted")
    assert row.data["action"] == action.pk
