"""The administrator's page for single sign-on: who may open it, what it stores, what it
never shows again, and the audit row."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client

from tests.conftest import World, client_for
from tryghed.accounts import sso
from tryghed.accounts.sealing import SSO_CLIENT_SECRET, unseal
from tryghed.audit.models import AuditEvent

URL = "/o/testkommune/indstillinger/log-ind/"
SECRET = "the-secret-from-entra-0123456789"


def form(**changes: str) -> dict[str, str]:
    return {
        "name": "Microsoft",
        "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "client-1",
        "client_secret": SECRET,
        "allowed_domains": "Testkommune.dk, @skole.testkommune.dk",
        "enabled": "on",
        **changes,
    }


def test_an_admin_sets_it_up_and_the_secret_is_never_shown_again(world: World) -> None:
    client = client_for(world.owner)
    assert client.post(URL, form()).status_code == 302
    app = SocialApp.objects.get(provider="openid_connect", provider_id="org-testkommune")
    # Stored sealed (accounts/sealing.py); allauth's adapter hands it back opened.
    assert SECRET not in app.secret and unseal(app.secret, SSO_CLIENT_SECRET) == SECRET
    assert app.client_id == "client-1"
    assert app.settings["server_url"] == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert app.settings["allowed_domains"] == ["testkommune.dk", "skole.testkommune.dk"]
    assert app.settings["organisation"] == world.org.pk
    page = client.get(URL).content.decode()
    assert SECRET not in page
    assert "http://testserver/konto/oidc/org-testkommune/login/callback/" in page
    event = AuditEvent.objects.get(action="orgs.sso_configured")
    assert event.organisation == world.org and event.actor == world.owner
    assert SECRET not in str(event.data)
    # A blank secret keeps the stored one; the rest changes.
    client.post(URL, form(client_secret="", name="Entra ID"))
    app.refresh_from_db()
    assert (unseal(app.secret, SSO_CLIENT_SECRET), app.name) == (SECRET, "Entra ID")
    assert SocialApp.objects.count() == 1
    assert sso.enabled_for_domain("TESTKOMMUNE.dk")[0][0] == world.org


def test_it_refuses_a_plain_http_issuer_and_a_bad_domain(world: World) -> None:
    client = client_for(world.owner)
    response = client.post(URL, form(server_url="http://idp.example", allowed_domains="not a/dom"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"server_url", "allowed_domains"}
    assert not SocialApp.objects.exists()


@pytest.mark.parametrize("tenant", ["common", "organizations", "Consumers"])
def test_it_refuses_an_entra_issuer_for_every_tenant(world: World, tenant: str) -> None:
    issuer = f"https://login.microsoftonline.com/{tenant}/v2.0"
    response = client_for(world.owner).post(URL, form(server_url=issuer))
    assert response.status_code == 200
    assert "tenant-id" in response.context["form"].errors["server_url"][0]
    assert not SocialApp.objects.exists()


def test_it_tells_an_entra_administrator_which_claims_to_add(world: World) -> None:
    page = client_for(world.owner).get(URL).content.decode()
    assert "Sådan sætter I Microsoft Entra ID op" in page
    assert "<code>email</code> og <code>xms_edov</code>" in page


def test_only_an_admin_may_open_it(world: World) -> None:
    assert client_for(world.amo).get(URL).status_code == 403
    assert client_for(world.leader).get(URL).status_code == 403
    assert client_for(world.outsider).get(URL).status_code == 404
    assert Client().get(URL).status_code == 302
    assert client_for(world.amo).post(URL, form()).status_code == 403
    assert not SocialApp.objects.exists()


def test_the_organisation_step_finds_the_provider_by_the_email_domain(world: World) -> None:
    client_for(world.owner).post(URL, form())
    found = Client().post("/konto/log-ind-med-organisation/", {"email": "x@skole.testkommune.dk"})
    assert "Log ind med Microsoft" in found.content.decode()
    assert 'action="/konto/oidc/org-testkommune/login/"' in found.content.decode()
    missing = Client().post("/konto/log-ind-med-organisation/", {"email": "x@elsewhere.dk"})
    assert "Log ind med Microsoft" not in missing.content.decode()
    assert missing.context["form"].errors["email"]
