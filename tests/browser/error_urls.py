"""The project's URL configuration plus one page that fails, to show the 500 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate error for the 500 page test")


urlpatterns = [path("fejl/", fail), path("", include("tryghed.urls"))]
