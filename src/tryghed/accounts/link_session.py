"""A session opened with a sign-in link stays an employee's session.

The link signs in only people without a staff role (accounts.signin_link). Should the
person be given one while signed in (a leader's role, say), the session ends at their next
request to a page behind sign-in and they sign in the normal way: a link must never carry
staff rights. Pages that need no sign-in (``anonymous_pages``) leave it alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tryghed.accounts.anonymous_pages import is_anonymous_page
from tryghed.accounts.signin_link import holds_staff_role

# The session key link_views sets when a link opens a session.
SESSION_KEY = "tryghed_signin"
BY_LINK = "link"


class LinkSessionScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        # Not on a survey or Sig det page: they read no user, and ending the session there
        # would delete its row (naming the person) in the request that opens their survey
        # link, and send the link's token on to the sign-in page in ?next= (red team,
        # tests/privacy/test_redteam_operator_2.py). Their next other page ends it.
        if is_anonymous_page(view_func):
            return None
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
        return None
