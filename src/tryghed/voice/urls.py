from django.urls import path

from tryghed.voice import outcome_views, views

app_name = "voice"
urlpatterns = [
    path("", views.raise_case, name="raise"),
    path("sag/", views.reporter_case, name="case"),
    path("sager/", views.inbox, name="inbox"),
    path("sager/<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("sager/<uuid:case_id>/handling/", outcome_views.case_outcome, name="outcome"),
    path("tal/", outcome_views.figures, name="figures"),
    path("indstillinger/", views.channel_settings, name="settings"),
]
