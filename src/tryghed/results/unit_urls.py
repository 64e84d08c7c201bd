from django.urls import URLPattern, URLResolver, path

from tryghed.results import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_list, name="list"),
    path(
        "maaling/<int:measurement_id>/enhed/<int:unit_id>/",
        views.unit_report,
        name="unit_report",
    ),
    path("tilbagemelding/", views.feedback, name="feedback_latest"),
    path("tilbagemelding/<int:measurement_id>/", views.feedback, name="feedback"),
]
