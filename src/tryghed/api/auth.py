"""Who calls the API: a personal token (``Authorization: Bearer <token>``), or the
signed-in session of a page of this site (GET only, same origin).

A request that sends an Authorization header is judged by it alone: a bad token is a 401
even if a session cookie comes along, so a revoked token never falls back to a session.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from tryghed.accounts import api_tokens
from tryghed.accounts.models import User

# Sec-Fetch-Site values of a request this site's own pages made (or the user typed).
SAME_ORIGIN = frozenset({"same-origin", "none"})


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise api_tokens.TokenRefused("malformed")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        return api_tokens.token_user(token)


class SessionAuth(APIKeyCookie):
    """Django's session, for reads from this site's own pages: no other site's page may
    make the browser call the API with the user's cookie."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if request.method != "GET" or not isinstance(user, User) or not user.is_authenticated:
            return None
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site not in SAME_ORIGIN:
            return None
        # A browser without Sec-Fetch-Site still names the calling page's origin.
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.get_host()}":
            return None
        return user
