"""A confirmation step for actions that cannot be undone, without JavaScript.

The button on a page is a link: GET on the action's URL shows what will happen and a form
that POSTs back with ``confirm=1`` (and the CSRF token). Only that POST acts; any other
POST shows the same page again, so no old form or stray request does it unasked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


def confirm_page(
    request: HttpRequest,
    *,
    access: Any,
    section: str,
    title: str,
    consequences: Sequence[str],
    button: str,
    cancel_url: str,
    lead: str = "",
    danger: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page that says what will happen (``consequences``, one sentence each) and asks."""
    return render(
        request,
        "web/confirm.html",
        {
            "access": access,
            "nav_section": section,
            "title": title,
            "lead": lead,
            "consequences": list(consequences),
            "button": button,
            "cancel_url": cancel_url,
            "danger": danger,
            "confirm_field": CONFIRM_FIELD,
            **(extra or {}),
        },
    )
