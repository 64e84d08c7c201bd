"""bench_dialogue's URLs: the product's, and a bare Django view as the run's baseline.

The bare view goes through the same middleware (sessions, CSP, CSRF, authentication) and
answers "ok" without touching the database: what Django itself costs per request on
this machine, in the same run and under the same load as the dialogue's requests.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tryghed.urls import urlpatterns as product


def bare(_request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *product]
