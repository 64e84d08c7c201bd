"""The log filter's list of anonymous pages (web.log._ANONYMOUS_PATH) against the real URL
patterns: a record about one of them keeps no request (the client's address, the text,
the token); every other page keeps it for whoever debugs it. A page added or moved without
the pattern following it fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tryghed.web.log import _ANONYMOUS_PATH

# The views whose visitors are anonymous or hold a credential in the address or the form.
ANONYMOUS_VIEWS = {
    "tryghed.surveys.respond.answer",
    "tryghed.surveys.respond.code",
    "tryghed.surveys.respond.start",
    "tryghed.surveys.respond.not_found",
    "tryghed.accounts.link_views.link_open",
    "tryghed.accounts.link_views.link_use",
    "tryghed.accounts.link_views.reauth_open",
    "tryghed.accounts.link_views.reauth_use",
    "tryghed.voice.views.raise_case",
    "tryghed.voice.views.reporter_case",
    "tryghed.dialogue.phone.join",
    "tryghed.dialogue.phone.session_page",
    "tryghed.dialogue.phone.phone_status",
    # An entry may be anonymous; the request names the signed-in writer beside its text.
    "tryghed.learning.views.write",
    # The reset token in the address, the new password in the form.
    "tryghed.accounts.views.PasswordResetConfirmView",
}

_SAMPLE = {
    "str": "A1b2C3d4E5f6G7h8",
    "slug": "acme",
    "int": "7",
    "uuid": "12345678-1234-5678-1234-567812345678",
}


def _path(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLE[m.group(1) or "str"], route)


def _pages(resolver: URLResolver, prefix: str = "/") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _pages(entry, prefix + _path(route))
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            # A class-based view's callback is "view"; name its class.
            named = getattr(callback, "view_class", callback)
            name = f"{named.__module__}.{getattr(named, '__name__', '')}"
            if route.startswith("^"):  # the survey's catch-all: any address under /s/
                route = "nothing/here/"
            yield prefix + _path(route), name


def _all_pages() -> list[tuple[str, str]]:
    return list(_pages(get_resolver()))


def test_every_page_is_judged() -> None:
    pages = _all_pages()
    assert {name for _, name in pages} >= ANONYMOUS_VIEWS
    assert len(pages) > 100


@pytest.mark.parametrize(("path", "view"), _all_pages())
def test_the_request_is_dropped_on_anonymous_pages_only(path: str, view: str) -> None:
    anonymous = view in ANONYMOUS_VIEWS
    assert bool(_ANONYMOUS_PATH.match(path)) == anonymous, (path, view)


def test_a_password_reset_token_never_reaches_a_log() -> None:
    """Whoever reads the server's log must not be able to set someone's password: the
    reset address's user id and token are replaced, and the request (its form holds the
    new password) is dropped."""
    import logging

    from django.test import RequestFactory

    from tryghed.web.log import RedactSurveyTokens

    request = RequestFactory().post(
        "/konto/ny-adgangskode/MQ/set-password/", {"new_password1": "hemmelig-42"}
    )
    record = logging.LogRecord(
        "django.server",
        logging.WARNING,
        __file__,
        1,
        '"GET /konto/ny-adgangskode/%s/%s/ HTTP/1.1" 302',
        ("MQ", "cw3v1x-0c1e5a2b9f3d4e6a7b8c9d0e1f2a3b4c"),
        None,
    )
    record.request = request
    RedactSurveyTokens().filter(record)
    assert "cw3v1x" not in record.getMessage()
    assert "/konto/ny-adgangskode/[token]/" in record.getMessage()
    assert getattr(record, "request", None) is None


def test_a_password_reset_token_without_its_last_slash_never_reaches_a_log(
    client: Client,
) -> None:
    """The reset address without its last slash is answered by a redirect to it with the
    slash; the server's log line of that request ends in the token (review)."""
    import logging

    from tryghed.web.log import RedactSurveyTokens

    path = "/konto/ny-adgangskode/MQ/cw3v1x-0c1e5a2b9f3d4e6a7b8c9d0e1f2a3b4c"
    assert client.get(path).status_code == 301
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET {path} HTTP/1.1", 301, 0),
        None,
    )
    RedactSurveyTokens().filter(record)
    assert "cw3v1x" not in record.getMessage()
    assert "/konto/ny-adgangskode/[token] HTTP/1.1" in record.getMessage()
