"""The django-allauth pages in use, under the names allauth reverses (not namespaced).

Sign-up, e-mail management, password change by allauth and sign-in by code are left
out: accounts come from administrators and imports, and Django's own views serve the
password reset (``accounts/urls.py``).
"""

from allauth.account import views as account_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # allauth sends people here when a sign-in step has expired: the one login page.
    path(
        "login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="account_login",
    ),
    path("inaktiv/", account_views.account_inactive, name="account_inactive"),
    path("bekraeft/", account_views.reauthenticate, name="account_reauthenticate"),
    path("2fa/", include("allauth.mfa.urls")),
]
