"""Send staff who must use two-step verification, and have not set it up, to set it up."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from tryghed.accounts.anonymous_pages import is_anonymous_page
from tryghed.accounts.mfa import has_mfa, mfa_required

API_PREFIX = "/api/"

# What such a person may still open: setting it up, signing out, the language switch and
# the public pages.
ALLOWED_VIEWS = frozenset(
    {
        "accounts:mfa_required",
        "accounts:logout",
        "account_reauthenticate",
        "account_inactive",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "set_language",
        "web:accessibility",
        "web:health",
    }
)


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not self._allowed(request)
            and mfa_required(user)
            and not has_mfa(user)
        ):
            if request.path_info.startswith(API_PREFIX):
                # A program reading the API with the session gets an answer it can read.
                return JsonResponse({"detail": "two-step verification required"}, status=403)
            return HttpResponseRedirect(reverse("accounts:mfa_required"))
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # the 404 page tells nothing
        # A survey, Sig det or dialogue page needs no sign-in: whoever is signed in in this
        # browser may still answer there (red team, tests/privacy/test_redteam_operator_2.py).
        return match.view_name in ALLOWED_VIEWS or is_anonymous_page(match.func)
