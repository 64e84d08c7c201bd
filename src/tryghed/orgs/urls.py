from django.urls import path

from tryghed.accounts import sso_views
from tryghed.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("enheder/", views.unit_tree, name="unit_tree"),
    path("enheder/ny/", views.unit_create, name="unit_create"),
    path("enheder/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("enheder/<int:unit_id>/rediger/", views.unit_edit, name="unit_edit"),
    path("enheder/<int:unit_id>/flyt/", views.unit_move, name="unit_move"),
    path("enheder/<int:unit_id>/status/", views.unit_set_active, name="unit_set_active"),
    path("medarbejdere/", views.people, name="people"),
    path("medarbejdere/<int:person_id>/", views.person_edit, name="person_edit"),
    path("roller/", views.roles, name="roles"),
    path("roller/<int:membership_id>/fjern/", views.role_revoke, name="role_revoke"),
    path("indstillinger/", views.organisation_settings, name="settings"),
    path("indstillinger/log-ind/", sso_views.sso_settings, name="sso_settings"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:batch_id>/", views.import_preview, name="import_preview"),
]
