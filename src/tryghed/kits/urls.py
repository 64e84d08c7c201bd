"""Meeting kits ("mødekit") and the readiness check under /o/<org>/moedekit/."""

from django.urls import URLPattern, URLResolver, path

from tryghed.kits import views

app_name = "kits"
urlpatterns: list[URLPattern | URLResolver] = [
    path("enhed/<int:unit_id>/", views.unit_kits, name="unit"),
    # The readiness check; others link here with ?next=<their page> (the dialogue sessions).
    # Without a unit it asks which one (the same name: reverse picks by the arguments).
    path("parathed/", views.readiness_choose, name="readiness"),
    path("enhed/<int:unit_id>/parathed/", views.readiness_page, name="readiness"),
    path("enhed/<int:unit_id>/mit-bidrag/", views.contribution_kit, name="contribution"),
    path(
        "enhed/<int:unit_id>/mit-bidrag/pdf/",
        views.contribution_kit_pdf,
        name="contribution_pdf",
    ),
    path(
        "maaling/<int:measurement_id>/enhed/<int:unit_id>/",
        views.meeting_kit,
        name="meeting",
    ),
    path(
        "maaling/<int:measurement_id>/enhed/<int:unit_id>/pdf/",
        views.meeting_kit_pdf,
        name="meeting_pdf",
    ),
]
