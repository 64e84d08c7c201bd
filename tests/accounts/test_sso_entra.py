"""Microsoft Entra ID without a claims-mapping policy: its ``xms_edov`` claim in place of
``email_verified`` (accounts/sso.py). The logins are made by allauth's own openid_connect
provider from the claims, shaped as its ``complete_login`` keeps them (``test_sso.py``
shows that shape in the real flow), and given to ``match_user``."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from tests.factories import grant, make_org, make_unit, make_user
from tryghed.accounts import sso
from tryghed.accounts.models import User
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Organisation, Role

TENANT = "3f2c8a1e-5b7d-4c9a-8e21-6d0f4b9a7c13"
OTHER_TENANT = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
LEA = "lea.leader@kommune.example"
ABSENT = object()  # a claim left out


@pytest.fixture
def org(db: None) -> Organisation:
    org = make_org("Entra Kommune", slug="entra")
    admin = make_user("admin@kommune.example")
    grant(admin, org, Role.ADMIN)
    team = make_unit(org)
    grant(make_user(LEA), org, Role.LEADER, team)
    grant(make_user("leader@elsewhere.example"), org, Role.LEADER, team)
    consultant = make_user("consultant@kommune.example")
    grant(consultant, org, Role.LEADER, team)
    other = make_org("Anden Kommune", slug="anden")
    grant(consultant, other, Role.LEADER, make_unit(other))
    sso.single_sign_on_configure(
        organisation=org,
        actor=admin,
        name="Microsoft",
        server_url=ISSUER,
        client_id="tryghed-entra",
        client_secret="entra-secret-0123456789",
        allowed_domains="kommune.example",
        enabled=True,
    )
    return org


def configured(org: Organisation, **changes: Any) -> sso.SingleSignOn:
    found = sso.single_sign_on_for(org)
    assert found is not None
    return dataclasses.replace(found, **changes)


def id_token(**changes: Any) -> dict[str, Any]:
    """An Entra ID token with the optional claims email and xms_edov, and no email_verified."""
    claims = {
        "iss": ISSUER,
        "tid": TENANT,
        "aud": "tryghed-entra",
        "sub": "entra-sub-lea",
        "oid": "00000000-0000-0000-0000-0000000000a1",
        "email": LEA,
        "xms_edov": True,
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not ABSENT}


def login(token: dict[str, Any], userinfo: dict[str, Any] | None = None) -> SocialLogin:
    """allauth's login from Entra's answer: the userinfo answer (Entra's has no
    email_verified nor xms_edov) and the ID token's claims."""
    request = RequestFactory().get("/")
    provider = SocialApp.objects.get(provider_id="org-entra").get_provider(request)
    data: dict[str, Any] = {"id_token": token}
    if userinfo is not None:
        data["userinfo"] = userinfo
    return provider.sociallogin_from_response(request, data)


def userinfo(**changes: Any) -> dict[str, Any]:
    info = {"sub": "entra-userinfo-sub", "name": "Lea", "email": LEA, **changes}
    return {k: v for k, v in info.items() if v is not ABSENT}


def refusal(single_sign_on: sso.SingleSignOn, sociallogin: SocialLogin) -> str:
    with pytest.raises(sso.Refusal) as refused:
        sso.match_user(single_sign_on, sociallogin)
    return refused.value.reason


@pytest.mark.parametrize("with_userinfo", [True, False])
def test_xms_edov_true_from_the_configured_tenant_signs_in_the_member(
    org: Organisation, with_userinfo: bool
) -> None:
    answer = login(id_token(), userinfo() if with_userinfo else None)
    # allauth itself finds no verified address: Entra sent no email_verified.
    assert [a.verified for a in answer.email_addresses] == [False]
    assert sso.match_user(configured(org), answer) == User.objects.get(email=LEA)


def test_the_address_is_matched_without_regard_to_case(org: Organisation) -> None:
    answer = login(id_token(email="Lea.Leader@Kommune.example"), userinfo())
    assert sso.match_user(configured(org), answer) == User.objects.get(email=LEA)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (id_token(xms_edov=False), "entra_xms_edov_false"),
        # Neither claim: the administrator has not added xms_edov to the ID token.
        (id_token(xms_edov=ABSENT), "entra_xms_edov_missing"),
        # Microsoft documents a boolean; a string or a number is not guessed at.
        (id_token(xms_edov="true"), "entra_xms_edov_not_boolean"),
        (id_token(xms_edov="True"), "entra_xms_edov_not_boolean"),
        (id_token(xms_edov="1"), "entra_xms_edov_not_boolean"),
        (id_token(xms_edov=1), "entra_xms_edov_not_boolean"),
        (id_token(xms_edov=None), "entra_xms_edov_not_boolean"),
        # An explicit email_verified decides alone, whatever xms_edov says.
        (id_token(email_verified=False), "email_not_verified"),
        (id_token(email_verified="false"), "email_not_verified"),
        (id_token(email_verified=None), "email_not_verified"),
        # Another tenant, or no tenant, never vouches for this organisation's domains.
        (id_token(tid=OTHER_TENANT), "entra_tenant_mismatch"),
        (id_token(tid=ABSENT), "entra_tenant_mismatch"),
        (id_token(tid=TENANT.upper()), "entra_tenant_mismatch"),
        (
            id_token(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
            "entra_tenant_mismatch",
        ),
        (id_token(iss=f"https://sts.windows.net/{TENANT}/"), "entra_tenant_mismatch"),
        (id_token(email=ABSENT), "entra_email_missing"),
        (id_token(email=""), "entra_email_missing"),
        # The organisation's other checks still apply.
        (id_token(email="leader@elsewhere.example"), "domain_not_allowed"),
        (id_token(email="stranger@kommune.example"), "unknown_user"),
        (id_token(email="consultant@kommune.example"), "other_org"),
    ],
)
def test_it_refuses_with_the_reason(org: Organisation, token: dict[str, Any], reason: str) -> None:
    info = userinfo(email=token.get("email") or ABSENT)  # Entra's userinfo has the same one
    assert refusal(configured(org), login(token, info)) == reason


def test_email_verified_false_in_the_userinfo_answer_refuses_despite_xms_edov(
    org: Organisation,
) -> None:
    answer = login(id_token(), userinfo(email_verified=False))
    assert refusal(configured(org), answer) == "email_not_verified"


def test_an_address_in_userinfo_other_than_the_id_tokens_is_refused(org: Organisation) -> None:
    answer = login(id_token(), userinfo(email="consultant@kommune.example"))
    assert refusal(configured(org), answer) == "entra_email_mismatch"


@pytest.mark.parametrize(
    "issuer",
    [
        "https://login.microsoftonline.com/common/v2.0",
        "https://login.microsoftonline.com/organizations/v2.0",
        "https://login.microsoftonline.com/consumers/v2.0",
        "https://login.microsoftonline.com/kommune.onmicrosoft.com/v2.0",
        f"https://login.microsoftonline.com/{TENANT}",  # version 1.0
        f"https://login.microsoftonline.com/{TENANT}/v2.0/extra",
    ],
)
def test_xms_edov_counts_only_for_an_issuer_naming_one_tenant(
    org: Organisation, issuer: str
) -> None:
    answer = login(id_token(), userinfo())
    assert refusal(configured(org, server_url=issuer), answer) == "entra_issuer_not_tenant"


@pytest.mark.parametrize(
    "issuer",
    [
        "https://idp.kommune.example",
        f"https://login.microsoftonline.com.evil.example/{TENANT}/v2.0",
        f"https://evil.example/login.microsoftonline.com/{TENANT}/v2.0",
    ],
)
def test_another_provider_sending_xms_edov_is_not_believed(org: Organisation, issuer: str) -> None:
    answer = login(id_token(iss=issuer), userinfo())
    assert refusal(configured(org, server_url=issuer), answer) == "email_not_verified"


def test_the_tenant_id_is_matched_without_regard_to_its_case_in_the_setting(
    org: Organisation,
) -> None:
    # Entra writes tid and iss in lower case; an administrator may paste the id in upper.
    single_sign_on = configured(org, server_url=ISSUER.replace(TENANT, TENANT.upper()))
    answer = login(id_token(), userinfo())
    assert sso.match_user(single_sign_on, answer) == User.objects.get(email=LEA)


def test_a_refusal_shows_the_one_general_message_and_audits_the_reason(
    org: Organisation,
) -> None:
    request = RequestFactory().get("/konto/oidc/org-entra/login/callback/")
    request.session = SessionStore()
    answer = login(id_token(xms_edov=ABSENT), userinfo())
    with pytest.raises(ImmediateHttpResponse) as stopped:
        sso.SocialAccountAdapter(request).pre_social_login(request, answer)
    page = stopped.value.response
    assert page.status_code == 403
    assert "Du blev ikke logget ind" in page.content.decode()
    assert "xms_edov" not in page.content.decode()
    event = AuditEvent.objects.get(action="auth.sso_refused")
    assert event.organisation == org
    assert event.data == {"reason": "entra_xms_edov_missing", "provider_id": "org-entra"}
