from django.urls import URLPattern, URLResolver, path

from tryghed.results import org_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "maaling/<int:measurement_id>/organisation/",
        org_views.org_report,
        name="org_report",
    ),
]
