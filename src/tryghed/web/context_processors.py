"""Template context every page needs for its header and footer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Which organisation the header links point at: the one in the URL, if any.
    match = getattr(request, "resolver_match", None)
    org_slug = match.kwargs.get("org") if match is not None else None
    return {"nav_org_slug": org_slug}
