"""Pages for single sign-on (``accounts.sso``): the administrator's set-up page and the
sign-in step that finds an organisation's provider from an e-mail address."""

from __future__ import annotations

from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tryghed.accounts import sso
from tryghed.orgs.models import Organisation
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.orgs.views import form_errors, org_view, render_org


class SingleSignOnForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Udbyderens navn"),
        max_length=40,
        help_text=gettext_lazy("Vises på knappen «Log ind med …», fx Microsoft eller Google."),
    )
    server_url = forms.URLField(
        label=gettext_lazy("Udsteder (issuer URL)"),
        max_length=300,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Fx https://login.microsoftonline.com/<tenant-id>/v2.0 for Microsoft Entra ID "
            "(med jeres eget tenant-id, ikke common eller organizations) eller "
            "https://accounts.google.com for Google Workspace."
        ),
    )
    client_id = forms.CharField(label=gettext_lazy("Klient-id"), max_length=191)
    client_secret = forms.CharField(
        label=gettext_lazy("Klienthemmelighed"),
        required=False,
        max_length=400,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Gemmes og vises aldrig igen. Lad feltet stå tomt for at beholde den gemte."
        ),
    )
    allowed_domains = forms.CharField(
        label=gettext_lazy("Tilladte e-maildomæner"),
        max_length=1000,
        help_text=gettext_lazy("Adskil med komma, fx kommune.dk, skole.kommune.dk."),
    )
    enabled = forms.BooleanField(
        label=gettext_lazy("Slå log ind med organisationens konto til"), required=False
    )


@org_view(Capability.MANAGE_SIGN_IN)
@require_http_methods(["GET", "POST"])
def sso_settings(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    organisation = access.organisation
    current = sso.single_sign_on_for(organisation)
    initial = (
        {
            "name": current.name,
            "server_url": current.server_url,
            "client_id": current.client_id,
            "allowed_domains": ", ".join(current.allowed_domains),
            "enabled": current.enabled,
        }
        if current is not None
        else {"enabled": True}
    )
    form = SingleSignOnForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sso.single_sign_on_configure(
                organisation=organisation, actor=access.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Log ind med organisationens konto er gemt."))
            return redirect("orgs:sso_settings", org=organisation.slug)
    provider_id = current.provider_id if current else f"{sso.PROVIDER_ID_PREFIX}{organisation.slug}"
    callback_url = request.build_absolute_uri(
        reverse("openid_connect_callback", kwargs={"provider_id": provider_id})
    )
    return render_org(
        request,
        access,
        "accounts/sso_settings.html",
        "settings",
        {
            "form": form,
            "current": current,
            "callback_url": callback_url,
            "login_url": request.build_absolute_uri(
                reverse("accounts:login") + f"?org={organisation.slug}"
            ),
        },
    )


class OrganisationStepForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Din e-mailadresse på arbejdet"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


@require_http_methods(["GET", "POST"])
def sso_find(request: HttpRequest) -> HttpResponse:
    """The step "Log ind med din organisations konto": the e-mail's domain picks the provider."""
    form = OrganisationStepForm(request.POST or None)
    found: list[tuple[Organisation, sso.SingleSignOn]] = []
    if request.method == "POST" and form.is_valid():
        domain = form.cleaned_data["email"].rpartition("@")[2]
        found = list(sso.enabled_for_domain(domain))
        if not found:
            form.add_error(
                "email",
                _(
                    "Din organisation bruger ikke log ind med organisationens konto i Tryghed. "
                    "Log ind med adgangskode eller med et link på e-mail."
                ),
            )
    response = render(
        request,
        "accounts/sso_find.html",
        {"form": form, "providers": found, "next": request.GET.get("next", "")},
    )
    return sso.allow_form_action(response, [p for _, p in found])


def provider_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's start of an OpenID Connect sign-in (its page for a GET holds a button)."""
    response: HttpResponse = oidc_views.login(request, provider_id)
    found = sso.by_provider_id(provider_id)
    return sso.allow_form_action(response, [found] if found else [])
