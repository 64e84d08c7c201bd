"""Focus areas and action plans ("handleplaner") under /o/<org>/handleplaner/."""

from django.urls import path

from tryghed.actions import views

app_name = "actions"
urlpatterns = [
    path("", views.index, name="index"),
    path(
        "enhed/<int:unit_id>/maaling/<int:measurement_id>/fokusomraader/",
        views.focus_choose,
        name="focus_choose",
    ),
    path("enhed/<int:unit_id>/i-sagde-vi-gjorde/", views.vi_gjorde, name="vi_gjorde"),
    path("fokusomraader/<int:focus_id>/", views.focus_detail, name="focus_detail"),
    path("fokusomraader/<int:focus_id>/ny-plan/", views.plan_create, name="plan_create"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/rediger/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/godkend/", views.plan_sign_off, name="plan_sign_off"),
    path("<int:plan_id>/evaluering/", views.plan_evaluate, name="plan_evaluate"),
    path("<int:plan_id>/handlinger/ny/", views.action_create, name="action_create"),
    path("<int:plan_id>/handlinger/<int:action_id>/", views.action_edit, name="action_edit"),
]
