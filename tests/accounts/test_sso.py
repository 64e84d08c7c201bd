"""Single sign-on per organisation against a real OpenID Connect provider on localhost
(tests/oidc): the whole authorization-code flow, then every refusal."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from django.test import Client

from tests.factories import grant, make_org, make_unit, make_user, totp_code
from tests.oidc.server import Client as OidcClient
from tests.oidc.server import running_provider, sign_in_at_provider
from tryghed.accounts import sso
from tryghed.accounts.models import User
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Organisation, Role

CALLBACK = "http://testserver/konto/oidc/org-acme/login/callback/"
SECRET = "acme-client-secret-0123456789"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider([OidcClient("tryghed-acme", SECRET, CALLBACK)]) as url:
        yield url


@pytest.fixture
def acme(db: None, issuer: str) -> Organisation:
    org = make_org("Acme Kommune", slug="acme")
    admin = make_user("anna.admin@acme.example")
    grant(admin, org, Role.ADMIN)
    team = make_unit(org)
    grant(make_user("lea.leader@acme.example"), org, Role.LEADER, team)
    grant(make_user("leader@other.example"), org, Role.LEADER, team)
    consultant = make_user("consultant@acme.example")
    grant(consultant, org, Role.LEADER, team)
    other = make_org("Anden Region", slug="anden")
    grant(consultant, other, Role.LEADER, make_unit(other))
    sso.single_sign_on_configure(
        organisation=org,
        actor=admin,
        name="Acme ID",
        server_url=issuer,
        client_id="tryghed-acme",
        client_secret=SECRET,
        allowed_domains="acme.example",
        enabled=True,
    )
    return org


def start_and_return(client: Client, login: str) -> object:
    """Login page → provider (login and consent) → our callback; the callback's response."""
    page = client.get("/konto/log-ind/?org=acme")
    assert "Log ind med Acme ID" in page.content.decode()
    started = client.post("/konto/oidc/org-acme/login/")
    assert started.status_code == 302
    back = sign_in_at_provider(started["Location"], login=login, stop_at=CALLBACK)
    parts = urlsplit(back)
    return client.get(parts.path + "?" + parts.query)


def test_the_sign_in_page_lets_its_button_reach_the_provider_and_no_other(
    acme: Organisation, issuer: str
) -> None:
    # A browser applies form-action to the redirects after the form, to the provider too.
    with_button = Client().get("/konto/log-ind/?org=acme")["Content-Security-Policy"]
    assert f"form-action 'self' {issuer}" in with_button
    plain = Client().get("/konto/log-ind/")["Content-Security-Policy"]
    assert "form-action 'self';" in plain + ";" and issuer not in plain


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_a_leader_signs_in_with_the_organisations_account(acme: Organisation) -> None:
    client = Client()
    response = start_and_return(client, "lea")
    lea = User.objects.get(email="lea.leader@acme.example")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert signed_in_as(client) == lea.pk
    assert SocialAccount.objects.get(provider="org-acme").user == lea
    assert AuditEvent.objects.filter(action="auth.sso_accepted", actor=lea, organisation=acme)
    assert AuditEvent.objects.filter(action="auth.login", actor=lea).exists()
    # The second time the stored link is used, and the checks run again.
    client2 = Client()
    start_and_return(client2, "lea")
    assert signed_in_as(client2) == lea.pk
    assert SocialAccount.objects.filter(provider="org-acme").count() == 1


def test_an_admin_matched_without_regard_to_case_still_gives_the_authenticator_code(
    acme: Organisation,
) -> None:
    client = Client()
    response = start_and_return(client, "anna")  # the provider says Anna.Admin@Acme.example
    anna = User.objects.get(email="anna.admin@acme.example")
    assert response["Location"] == "/konto/2fa/authenticate/"  # type: ignore[index]
    assert signed_in_as(client) is None
    done = client.post("/konto/2fa/authenticate/", {"code": totp_code(anna)})
    assert done.status_code == 302
    assert signed_in_as(client) == anna.pk


@pytest.mark.parametrize(
    ("login", "reason"),
    [
        ("stranger", "unknown_user"),
        ("outside", "domain_not_allowed"),
        ("unverified", "email_not_verified"),
        ("consultant", "other_org"),
    ],
)
def test_it_refuses_and_never_makes_an_account(acme: Organisation, login: str, reason: str) -> None:
    users_before = User.objects.count()
    client = Client()
    response = start_and_return(client, login)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "Du blev ikke logget ind" in response.content.decode()  # type: ignore[attr-defined]
    assert signed_in_as(client) is None
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    refusal = AuditEvent.objects.get(action="auth.sso_refused")
    assert refusal.organisation == acme
    assert refusal.data["reason"] == reason


def test_xms_edov_from_a_provider_that_is_not_an_entra_tenant_is_not_believed(
    acme: Organisation, issuer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test provider answers as Entra ID does: no email_verified, xms_edov and tid in
    # the ID token only. Its issuer is not an Entra tenant's, so the claim counts for nothing.
    seen: list[dict[str, Any]] = []
    match_user = sso.match_user

    def watched(single_sign_on: sso.SingleSignOn, sociallogin: SocialLogin) -> User:
        seen.append(copy.deepcopy(sociallogin.account.extra_data))
        return match_user(single_sign_on, sociallogin)

    monkeypatch.setattr(sso, "match_user", watched)
    client = Client()
    response = start_and_return(client, "edov")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert signed_in_as(client) is None
    assert AuditEvent.objects.get(action="auth.sso_refused").data["reason"] == "email_not_verified"
    # Where allauth keeps the claims (test_sso_entra.py builds its logins the same way).
    [extra] = seen
    assert extra["id_token"]["iss"] == issuer
    assert extra["id_token"]["xms_edov"] is True
    assert extra["id_token"]["email"] == extra["userinfo"]["email"] == "lea.leader@acme.example"
    assert "xms_edov" not in extra["userinfo"]
    assert "email_verified" not in extra["id_token"] | extra["userinfo"]


def test_a_switched_off_provider_is_not_offered_and_refuses(acme: Organisation) -> None:
    app = SocialApp.objects.get(provider_id="org-acme")
    app.settings = {**app.settings, "enabled": False}
    app.save()
    client = Client()
    assert "Log ind med Acme ID" not in client.get("/konto/log-ind/?org=acme").content.decode()
    started = client.post("/konto/oidc/org-acme/login/")
    back = sign_in_at_provider(started["Location"], login="lea", stop_at=CALLBACK)
    parts = urlsplit(back)
    assert client.get(parts.path + "?" + parts.query).status_code == 403
    assert signed_in_as(client) is None
