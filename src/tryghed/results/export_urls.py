"""Report files ("eksport"): ask, follow, download."""

from django.urls import URLPattern, URLResolver, path

from tryghed.results import export_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "maaling/<int:measurement_id>/filer/",
        export_views.export_panel,
        name="export_panel",
    ),
    path(
        "maaling/<int:measurement_id>/filer/bestil/",
        export_views.export_request,
        name="export_request",
    ),
    path("filer/<int:export_id>/", export_views.export_status, name="export_status"),
    path("filer/<int:export_id>/hent/", export_views.export_download, name="export_download"),
]
