"""Single sign-on per organisation ("log ind med organisationens konto") by OpenID Connect.

An organisation's administrator registers its identity provider (Microsoft Entra ID,
Google Workspace, any standard OpenID Connect provider); that is one allauth ``SocialApp``
with provider ``openid_connect`` and ``provider_id`` ``org-<slug>``, whose ``settings``
hold the issuer, the allowed e-mail domains and the organisation's id.

The provider's answer signs in only an existing, active user: the e-mail must be verified
by the provider (``email_verified``), in an allowed domain, belong (without regard to case)
to a user who holds a role in that organisation and in no other one (another organisation
never agreed to trust this provider), and not to a Django staff user. No account is ever
made. Two-step verification stays the product's: a user with an authenticator app is still
asked for its code after the provider (allauth's MFA stage), and one who must have one
and has none is sent to set it up (``RequireMfaMiddleware``).

Microsoft Entra ID sends no ``email_verified``. In its place the optional ID-token claim
``xms_edov`` ("email domain owner verified": the tenant has verified that it owns the
domain of the ``email`` claim) is accepted, and only when all of these hold: the ID token
and the userinfo answer carry no ``email_verified`` at all (an explicit ``false`` still
refuses); the configured issuer is one tenant's
(``https://login.microsoftonline.com/<tenant id>/v2.0``, never ``common``,
``organizations`` or ``consumers``); the token's ``tid`` is that tenant and its ``iss``
that issuer; ``xms_edov`` is the JSON boolean ``true`` (Microsoft documents it as a
boolean; a string such as ``"true"`` or ``"1"`` is refused, with its own reason in the
audit log, rather than guessed at). The address is then the ID token's ``email`` (the claim
``xms_edov`` speaks of), and every other check above still applies.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tryghed.accounts import sealing
from tryghed.accounts.models import User
from tryghed.audit.services import audit_record
from tryghed.orgs.models import Membership, Organisation

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin

PROVIDER = "openid_connect"
PROVIDER_ID_PREFIX = "org-"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Plain http only for a provider on this machine (development and the tests).
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Microsoft Entra ID (global cloud): one tenant's v2.0 issuer holds the tenant id. The
# multi-tenant endpoints would let any tenant in, so they are never a provider here.
_ENTRA_HOST = "login.microsoftonline.com"
_ENTRA_TENANT_ISSUER = re.compile(
    r"^https://login\.microsoftonline\.com/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/v2\.0$",
    re.IGNORECASE,
)
_ENTRA_MULTI_TENANT = frozenset({"common", "organizations", "consumers"})


@dataclass(frozen=True)
class SingleSignOn:
    """One organisation's identity provider as the product uses it."""

    organisation_id: int
    provider_id: str
    name: str
    server_url: str
    client_id: str
    allowed_domains: tuple[str, ...]
    enabled: bool
    has_secret: bool

    def allows(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.allowed_domains


def _from_app(app: SocialApp) -> SingleSignOn | None:
    settings: dict[str, Any] = app.settings or {}
    organisation_id = settings.get("organisation")
    if app.provider != PROVIDER or not isinstance(organisation_id, int):
        return None
    return SingleSignOn(
        organisation_id=organisation_id,
        provider_id=str(app.provider_id),
        name=str(app.name),
        server_url=str(settings.get("server_url", "")),
        client_id=str(app.client_id),
        allowed_domains=tuple(str(d) for d in settings.get("allowed_domains", [])),
        enabled=bool(settings.get("enabled", False)),
        has_secret=bool(app.secret),
    )


def _apps() -> Any:
    return SocialApp.objects.filter(provider=PROVIDER, provider_id__startswith=PROVIDER_ID_PREFIX)


def _app_of(organisation: Organisation) -> SocialApp | None:
    for app in _apps():
        if (app.settings or {}).get("organisation") == organisation.pk:
            return app
    return None


def allow_form_action(response: HttpResponse, providers: list[SingleSignOn]) -> HttpResponse:
    """Let this page's sign-in buttons reach the providers: a browser applies the page's
    form-action to every redirect of the form's navigation, so the provider's origin must be
    in it. The issuer's origin is the authorization endpoint's for Entra ID and Google; a
    provider that sends the browser on to another host at once (a federated AD FS) would
    need that host here as well."""
    origins = sorted({_origin(p.server_url) for p in providers} - {""})
    if origins:
        policy: dict[str, Any] = dict(django_settings.SECURE_CSP)
        policy["form-action"] = [*policy.get("form-action", []), *origins]
        response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def single_sign_on_for(organisation: Organisation) -> SingleSignOn | None:
    app = _app_of(organisation)
    return _from_app(app) if app is not None else None


def by_provider_id(provider_id: str) -> SingleSignOn | None:
    app = _apps().filter(provider_id=provider_id).first()
    return _from_app(app) if app is not None else None


def enabled_for_slug(slug: str) -> tuple[Organisation, SingleSignOn] | None:
    organisation = Organisation.objects.filter(slug=slug).first() if slug else None
    if organisation is None:
        return None
    sso = single_sign_on_for(organisation)
    return (organisation, sso) if sso is not None and sso.enabled else None


def enabled_for_domain(domain: str) -> list[tuple[Organisation, SingleSignOn]]:
    """Organisations whose enabled provider accepts addresses in that domain."""
    found: list[tuple[Organisation, SingleSignOn]] = []
    for app in _apps():
        sso = _from_app(app)
        if sso is not None and sso.enabled and domain.lower() in sso.allowed_domains:
            organisation = Organisation.objects.filter(pk=sso.organisation_id).first()
            if organisation is not None:
                found.append((organisation, sso))
    return sorted(found, key=lambda pair: pair[0].name)


def parse_domains(text: str) -> tuple[str, ...]:
    domains = [d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", text) if d.strip()]
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad:
        raise ValidationError(
            {"allowed_domains": _("Ikke et domæne: %(domains)s") % {"domains": ", ".join(bad)}}
        )
    if not domains:
        raise ValidationError({"allowed_domains": _("Skriv mindst ét e-maildomæne.")})
    return tuple(dict.fromkeys(domains))


def _entra_tenant(issuer: str) -> str | None:
    """The tenant id (lower case) when the issuer is one Microsoft Entra ID tenant's."""
    match = _ENTRA_TENANT_ISSUER.match(issuer)
    return match.group(1).lower() if match else None


def _check_server_url(server_url: str) -> str:
    parts = urlsplit(server_url.strip())
    first_segment = parts.path.strip("/").split("/")[0].lower()
    if parts.hostname == _ENTRA_HOST and first_segment in _ENTRA_MULTI_TENANT:
        raise ValidationError(
            {
                "server_url": _(
                    "Skriv jeres eget tenant-id i adressen i stedet for common, organizations "
                    "eller consumers, fx https://login.microsoftonline.com/<tenant-id>/v2.0."
                )
            }
        )
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS):
        return server_url.strip().rstrip("/")
    raise ValidationError({"server_url": _("Udstederens adresse skal begynde med https://.")})


@transaction.atomic
def single_sign_on_configure(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    server_url: str,
    client_id: str,
    client_secret: str,
    allowed_domains: str,
    enabled: bool,
) -> SingleSignOn:
    """Create or update the organisation's provider. A blank secret keeps the stored one;
    the secret is never shown again and never written to the audit log."""
    errors: dict[str, list[str]] = {}
    domains: tuple[str, ...] = ()
    url = ""
    try:
        domains = parse_domains(allowed_domains)
    except ValidationError as error:
        errors |= error.message_dict
    try:
        url = _check_server_url(server_url)
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    app = _app_of(organisation)
    if app is None:
        if not client_secret:
            raise ValidationError({"client_secret": _("Skriv klienthemmeligheden.")})
        app = SocialApp(provider=PROVIDER, provider_id=f"{PROVIDER_ID_PREFIX}{organisation.slug}")
    if client_secret:
        app.secret = sealing.seal(client_secret, sealing.SSO_CLIENT_SECRET)
    app.name = name.strip()
    app.client_id = client_id.strip()
    app.settings = {
        "organisation": organisation.pk,
        "server_url": url,
        "allowed_domains": list(domains),
        "enabled": enabled,
        # PKCE as well as the client secret (Entra ID and Google support it).
        "oauth_pkce_enabled": True,
    }
    created = app.pk is None
    app.save()
    sso = _from_app(app)
    assert sso is not None
    audit_record(
        actor=actor,
        organisation=organisation,
        action="orgs.sso_configured",
        obj=app,
        summary=("single sign-on set up" if created else "single sign-on changed")
        + ("" if enabled else " (off)"),
        data={
            "provider": sso.name,
            "server_url": sso.server_url,
            "client_id": sso.client_id,
            "allowed_domains": list(sso.allowed_domains),
            "enabled": enabled,
            "secret_changed": bool(client_secret),
        },
    )
    return sso


@dataclass(frozen=True)
class Refusal(Exception):
    reason: str


def _verified_email(sso: SingleSignOn, sociallogin: SocialLogin) -> str:
    # allauth's openid_connect provider sets `verified` from `email_verified` (in the
    # userinfo answer when it fetched one, else in the ID token).
    for address in sociallogin.email_addresses:
        if address.verified and address.email:
            return str(address.email).strip()
    id_token, userinfo = _claims(sociallogin)
    if "email_verified" in id_token or "email_verified" in userinfo:
        raise Refusal("email_not_verified")
    return _entra_domain_verified_email(sso, id_token, userinfo)


def _claims(sociallogin: SocialLogin) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ID token's claims and the userinfo answer, where allauth's openid_connect provider
    keeps them: ``account.extra_data == {"id_token": {...}, "userinfo": {...}}`` (its
    ``complete_login``; the ID token's issuer, audience and expiry already checked)."""
    extra = sociallogin.account.extra_data
    id_token = extra.get("id_token") if isinstance(extra, dict) else None
    userinfo = extra.get("userinfo") if isinstance(extra, dict) else None
    return (
        id_token if isinstance(id_token, dict) else {},
        userinfo if isinstance(userinfo, dict) else {},
    )


def _entra_domain_verified_email(
    sso: SingleSignOn, id_token: dict[str, Any], userinfo: dict[str, Any]
) -> str:
    """The ID token's address when one Entra ID tenant vouches that it owns its domain
    (``xms_edov``). Each refusal names what to fix: the reasons go to the audit log."""
    tenant = _entra_tenant(sso.server_url)
    if tenant is None:
        on_entra = urlsplit(sso.server_url).hostname == _ENTRA_HOST
        raise Refusal("entra_issuer_not_tenant" if on_entra else "email_not_verified")
    issuer = f"https://{_ENTRA_HOST}/{tenant}/v2.0"
    if id_token.get("tid") != tenant or id_token.get("iss") != issuer:
        raise Refusal("entra_tenant_mismatch")
    if "xms_edov" not in id_token:
        raise Refusal("entra_xms_edov_missing")  # neither claim: add xms_edov to the token
    domain_owner_verified = id_token["xms_edov"]
    if domain_owner_verified is not True:
        raise Refusal(
            "entra_xms_edov_false"
            if domain_owner_verified is False
            else "entra_xms_edov_not_boolean"
        )
    email = id_token.get("email")
    if not isinstance(email, str) or not email.strip():
        raise Refusal("entra_email_missing")
    # xms_edov speaks of the ID token's address; a different one in userinfo is not trusted.
    seen = userinfo.get("email", email)
    if not isinstance(seen, str) or seen.strip().lower() != email.strip().lower():
        raise Refusal("entra_email_mismatch")
    return email.strip()


def match_user(sso: SingleSignOn, sociallogin: SocialLogin) -> User:
    """The one user this provider's answer may sign in, or a Refusal that says why."""
    if not sso.enabled:
        raise Refusal("disabled")
    email = _verified_email(sso, sociallogin)
    if not sso.allows(email):
        raise Refusal("domain_not_allowed")
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise Refusal("unknown_user")
    if user.is_staff or user.is_superuser:
        raise Refusal("staff_user")
    organisation_ids = set(
        Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
    )
    if organisation_ids != {sso.organisation_id}:
        raise Refusal("not_member" if sso.organisation_id not in organisation_ids else "other_org")
    if sociallogin.is_existing and sociallogin.user.pk != user.pk:
        raise Refusal("linked_to_another_user")
    return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    def list_apps(
        self, request: HttpRequest | None, provider: Any = None, client_id: Any = None
    ) -> list[SocialApp]:
        """allauth's apps, each an unsaved copy holding its secret unsealed (only in memory,
        for the token request); the stored row keeps it sealed (accounts/sealing.py)."""
        apps: list[SocialApp] = super().list_apps(request, provider=provider, client_id=client_id)
        opened = []
        for app in apps:
            if app.secret:
                app = copy.copy(app)
                app.secret = sealing.unseal(app.secret, sealing.SSO_CLIENT_SECRET)
            opened.append(app)
        return opened

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        app = sociallogin.provider.app
        sso = _from_app(app)
        organisation = Organisation.objects.filter(pk=sso.organisation_id).first() if sso else None
        try:
            if sso is None or organisation is None:
                raise Refusal("no_organisation")
            user = match_user(sso, sociallogin)
        except Refusal as refusal:
            audit_record(
                actor=None,
                organisation=organisation,
                action="auth.sso_refused",
                summary=f"sign-in with the organisation's account refused: {refusal.reason}",
                data={"reason": refusal.reason, "provider_id": str(app.provider_id)},
            )
            raise ImmediateHttpResponse(
                render(request, "accounts/sso_refused.html", {"sso": sso}, status=403)
            ) from None
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        audit_record(
            actor=user,
            organisation=organisation,
            action="auth.sso_accepted",
            obj=user,
            summary="the organisation's identity provider vouched for the user",
            data={"provider_id": str(app.provider_id)},
        )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        app = getattr(provider, "app", None)
        sso = _from_app(app) if app is not None else None
        audit_record(
            actor=None,
            organisation=Organisation.objects.filter(pk=sso.organisation_id).first()
            if sso
            else None,
            action="auth.sso_failed",
            summary=f"sign-in with the organisation's account failed: {error}",
            data={"error": str(error), "provider_id": str(getattr(app, "provider_id", ""))},
        )
