"""bench_submit's baseline: a bare Django view that stores one POST as one row.

No template, no token, no sealing: the form is read, written as JSON into one table in a
transaction, and "ok" is answered. ``create_table`` makes the table (bench setup only).
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_bare_insert"


def create_table() -> None:
    key = (
        "bigserial PRIMARY KEY"
        if connection.vendor == "postgresql"
        else "integer PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key}, payload text NOT NULL)")


@csrf_exempt
def insert(request: HttpRequest) -> HttpResponse:
    payload = json.dumps(request.POST.dict(), ensure_ascii=False)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (payload) VALUES (%s)", [payload])  # noqa: S608
    return HttpResponse("ok", content_type="text/plain")


def health(_request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bare/", insert), path("sundhed/", health)]
