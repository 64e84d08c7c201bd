from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from tryghed.accounts import api_token_views, link_views, sso_views, views

app_name = "accounts"
urlpatterns = [
    path("log-ind/", views.LoginView.as_view(), name="login"),
    # Single sign-on: find the organisation's provider from the e-mail's domain (accounts.sso).
    path("log-ind-med-organisation/", sso_views.sso_find, name="sso_find"),
    path("log-ud/", views.LogoutView.as_view(), name="logout"),
    # Employees: a one-time sign-in link by e-mail (accounts.signin_link).
    path("log-ind-med-link/", link_views.link_request, name="link_request"),
    path("log-ind-med-link/sendt/", link_views.link_sent, name="link_sent"),
    path("log-ind-med-link/brug/", link_views.link_use, name="link_use"),
    path("link/<str:token>/", link_views.link_open, name="link_open"),
    # A link session confirms who it is by a fresh link (accounts.link_reauth); the token
    # sits where the log filter redacts it (/konto/link/<token>/...).
    path("bekraeft-med-link/", link_views.reauth_request, name="link_reauthenticate"),
    path("link/<str:token>/bekraeft/", link_views.reauth_open, name="link_reauth_open"),
    path("bekraeft-med-link/brug/", link_views.reauth_use, name="link_reauth_use"),
    path("glemt-adgangskode/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "glemt-adgangskode/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "ny-adgangskode/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:login")),
        name="password_reset_confirm",
    ),
    # Two-step verification: why and how (the allauth pages are in tryghed/urls.py).
    path("totrinsbekraeftelse/", views.mfa_required_page, name="mfa_required"),
    # Where one is signed in, and "Log ud overalt" (accounts.staff_session).
    path("sessioner/", views.sessions_page, name="sessions"),
    # Personal tokens for the read-only API (accounts.api_tokens, tryghed.api).
    path("api-noegler/", api_token_views.token_list, name="api_tokens"),
    path(
        "api-noegler/<int:token_id>/tilbagekald/",
        api_token_views.token_revoke,
        name="api_token_revoke",
    ),
]
