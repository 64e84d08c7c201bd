"""The django-allauth pages in use, under the names allauth reverses (not namespaced).

Sign-up, e-mail management, password change by allauth and sign-in by code are left
out: accounts come from administrators and imports, and Django's own views serve the
password reset (``accounts/urls.py``).
"""

from allauth.account import views as account_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.urls import include, path
from django.views.generic import RedirectView

from tryghed.accounts import sso_views, views

urlpatterns = [
    # allauth sends people here when a sign-in step has expired: the one login page.
    path(
        "login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="account_login",
    ),
    path("inaktiv/", account_views.account_inactive, name="account_inactive"),
    path("bekraeft/", account_views.reauthenticate, name="account_reauthenticate"),
    # Before allauth's own: removing a passkey keeps the last factor of those who need one.
    path(
        "2fa/webauthn/keys/<int:pk>/remove/",
        views.remove_passkey,
        name="mfa_remove_webauthn",
    ),
    # Before allauth's own: the passkey sign-in options are limited per address.
    path("2fa/webauthn/login/", views.passkey_login, name="mfa_login_webauthn"),
    path("2fa/", include("allauth.mfa.urls")),
    # Single sign-on per organisation (accounts.sso): /konto/oidc/org-<slug>/login/ and its
    # callback. allauth's other social pages (connections, sign-up) are not offered; a
    # cancelled or failed sign-in goes back to the login page.
    path("oidc/<str:provider_id>/login/", sso_views.provider_login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        oidc_views.callback,
        name="openid_connect_callback",
    ),
    path(
        "oidc/annulleret/",
        RedirectView.as_view(pattern_name="accounts:login"),
        name="socialaccount_login_cancelled",
    ),
    path(
        "oidc/fejl/",
        RedirectView.as_view(pattern_name="accounts:login"),
        name="socialaccount_login_error",
    ),
    path(
        "oidc/ny-konto/",
        RedirectView.as_view(pattern_name="accounts:login"),
        name="socialaccount_signup",
    ),
]
