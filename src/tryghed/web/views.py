from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tryghed.orgs.models import Organisation
from tryghed.orgs.selectors import organisations_for_user

# When the accessibility statement (and docs/accessibility.md) was last reviewed.
STATEMENT_UPDATED = dt.date(2026, 11, 22)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_for_user(request.user))
    if len(organisations) == 1:
        return redirect("orgs:dashboard", org=organisations[0].slug)
    return render(request, "web/home.html", {"organisations": organisations})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    # Public page: the statement names the organisation's contact when the link carries it.
    slug = request.GET.get("org", "")
    organisation = Organisation.objects.filter(slug=slug).first() if slug else None
    return render(
        request,
        "web/accessibility.html",
        {"organisation": organisation, "statement_date": STATEMENT_UPDATED},
    )


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
