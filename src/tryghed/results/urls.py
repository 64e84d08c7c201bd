"""Reports ("rapporter") under /o/<org>/rapporter/: one namespace, one module per part."""

from django.urls import include, path

app_name = "results"
urlpatterns = [
    path("", include("tryghed.results.unit_urls")),
    path("", include("tryghed.results.org_urls")),
    path("", include("tryghed.results.export_urls")),
]
