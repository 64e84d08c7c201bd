"""/api/v1/: the read-only API and its OpenAPI document (/api/v1/openapi.json)."""

from django.urls import URLPattern, URLResolver, path

from tryghed.api.views import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
