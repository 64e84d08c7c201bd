"""A session opened with a sign-in link stays an employee's session.

The link signs in only people without a staff role (accounts.signin_link). Should the
person be given one while signed in (a leader's role, say), the session ends at their next
request and they sign in the normal way: a link must never carry staff rights.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tryghed.accounts.signin_link import holds_staff_role

# The session key link_views sets when a link opens a session.
SESSION_KEY = "tryghed_signin"
BY_LINK = "link"


class LinkSessionScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(SESSION_KEY) == BY_LINK
            and holds_staff_role(user.email)
        ):
            logout(request)
            messages.info(
                request,
                _("Du har fået en rolle, der kræver, at du logger ind med din adgangskode."),
            )
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
