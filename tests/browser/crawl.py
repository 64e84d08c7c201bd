"""Every page in the URL configuration, with its path parameters filled in, for the axe crawl.

A pattern is enumerated from Django's resolver, so a page added later is scanned without
anyone remembering to list it. A pattern whose parameter has no value here makes the crawl
fail rather than pass by silently leaving the page out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Left out of the scan, each with its reason. POST-only views need no entry: they answer a
# GET with 405, which the crawl recognises.
SKIPPED: Mapping[str, str] = {
    "set_language": "the language switch (i18n/setlang) only redirects; pages are scanned in English",
    "web:health": "JSON health endpoint for monitoring, no HTML",
    "results:export_download": "a report file (PDF or xlsx), not HTML; tested in tests/results/test_exports.py",
    "apv:document_pdf": "a PDF, not HTML; its text is tested in tests/apv/test_document.py",
    "apv:unit_document_pdf": "a PDF, not HTML; its text is tested in tests/apv/test_document.py",
    "kits:meeting_pdf": "a PDF, not HTML; its text is tested in tests/kits/test_views.py",
    "kits:contribution_pdf": "a PDF, not HTML; its text is tested in tests/kits/test_views.py",
    # A kit opens after the readiness check (a redirect until one goes on knowingly).
    "kits:meeting": "behind the readiness check; scanned in tests/browser/test_kits_browser.py",
    "kits:contribution": "behind the readiness check; scanned in tests/browser/test_kits_browser.py",
    "dialogue:status": "JSON for the big screen's polling; tested in tests/dialogue/test_views.py",
    "dialogue_phone:status": "JSON for the phone's polling; tested in tests/dialogue/test_views.py",
    "account_login": "allauth's name for the sign-in page: a redirect to accounts:login, which is scanned",
    "openid_connect_callback": "without a provider's answer it is the error page (401); scanned in tests/browser/test_sso_browser.py",
    "socialaccount_login_cancelled": "a redirect to accounts:login, which is scanned",
    "socialaccount_login_error": "a redirect to accounts:login, which is scanned",
    "socialaccount_signup": "a redirect to accounts:login (no one signs up), which is scanned",
    "mfa_authenticate": "only while a sign-in waits for its code; scanned in tests/browser/test_mfa.py",
    "mfa_download_recovery_codes": "a text file of recovery codes, not HTML",
    # Changing two-step verification asks for the password again first (allauth's
    # reauthentication), so the crawl lands on that page; test_mfa.py scans them after it.
    "mfa_activate_totp": "behind reauthentication; scanned in tests/browser/test_mfa.py",
    "mfa_deactivate_totp": "behind reauthentication; scanned in tests/browser/test_mfa.py",
    "mfa_view_recovery_codes": "behind reauthentication; scanned in tests/browser/test_mfa.py",
    "mfa_generate_recovery_codes": "behind reauthentication; scanned in tests/browser/test_mfa.py",
    # Passkeys: behind reauthentication or a key of one's own (Chromium's virtual
    # authenticator makes one); test_passkeys_browser.py scans each page.
    "mfa_add_webauthn": "behind reauthentication; scanned in tests/browser/test_passkeys_browser.py",
    "mfa_edit_webauthn": "needs a passkey; scanned in tests/browser/test_passkeys_browser.py",
    "mfa_remove_webauthn": "needs a passkey; scanned in tests/browser/test_passkeys_browser.py",
    "mfa_reauthenticate_webauthn": "needs a passkey; scanned in tests/browser/test_passkeys_browser.py",
    "mfa_login_webauthn": "JSON for the passkey script, or a redirect to accounts:login, which is scanned",
    # The crawl signs in with passwords; staff are sent on to allauth's reauthentication.
    "accounts:link_reauthenticate": "only for a session opened by a sign-in link; scanned in tests/browser/test_signin_link_browser.py",
    "surveys:not_found": "any other address under /s/: the refusal page of an unknown link (surveys:start), 404",
}
# "api": the read-only REST API answers JSON, not HTML (tests/api, docs/api.md).
SKIPPED_NAMESPACES = frozenset({"admin", "api"})


class CrawlConfigurationError(Exception):
    """The crawl cannot build a URL for a pattern; the message says what to add."""


@dataclass(frozen=True)
class Route:
    name: str  # "orgs:unit_detail"
    route: str  # "o/<slug:org>/enheder/<int:unit_id>/"
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    name: str
    route: str
    path: str


def routes(resolver: URLResolver | None = None) -> Iterator[Route]:
    """Every URL pattern, depth first, with its namespaced name and all its parameters."""
    yield from _walk(resolver or get_resolver(), prefix="", namespace="", parameters=())


def _walk(
    resolver: URLResolver, *, prefix: str, namespace: str, parameters: tuple[str, ...]
) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        found = parameters + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix=route, namespace=inner, parameters=found)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                raise CrawlConfigurationError(
                    f"The URL pattern {route!r} has no name, so the accessibility crawl "
                    "cannot reverse it. Give it a name= in its urls.py."
                )
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name=name, route=route, parameters=found)


def targets(values: Mapping[str, object], resolver: URLResolver | None = None) -> list[Target]:
    """A concrete path for each page to scan; unknown parameters are a configuration error.

    ``values`` maps a parameter name to its value, or, where one name means different things
    in different URLs (``token``), to a mapping from URL name to value.
    """
    found: list[Target] = []
    for route in routes(resolver):
        if route.name in SKIPPED or route.name.split(":")[0] in SKIPPED_NAMESPACES:
            continue
        kwargs: dict[str, object] = {}
        missing: list[str] = []
        for parameter in route.parameters:
            value = values.get(parameter)
            if isinstance(value, Mapping):
                value = value.get(route.name)
            if value is None:
                missing.append(parameter)
            kwargs[parameter] = value
        if missing:
            raise CrawlConfigurationError(
                f"The URL pattern {route.name!r} ({route.route}) has the path parameter(s) "
                f"{', '.join(missing)}, which the accessibility crawl has no value for. Add them "
                "to path_values() in tests/browser/test_accessibility.py (a value from the "
                "world fixture), or, if the page is not HTML, to SKIPPED in "
                "tests/browser/crawl.py with the reason."
            )
        path = reverse(route.name, kwargs=kwargs)
        found.append(Target(name=route.name, route=route.route, path=path))
    return found
