"""Site-wide middleware: the interface language, and no caching unless a view chooses it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's ``LocaleMiddleware``, but the browser's Accept-Language is not a choice:
    an English-speaking browser at a Danish workplace still gets the Danish interface. Only
    the language switch (its cookie) picks English."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        offered = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in offered else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateByDefaultMiddleware:
    """A response that says nothing about caching is ``private, no-store``.

    A staff member's pages (a Sig det case's words, the reports, the person register) would
    otherwise stay in the browser's cache and come back on Back or from the history after
    signing out, for whoever uses the shared computer next (privacy.md section 0). A view
    that chose its own caching keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
