from django.urls import path

from tryghed.apv import views

app_name = "apv"
urlpatterns = [
    path("", views.document, name="document"),
    path("apv.pdf", views.document_pdf, name="document_pdf"),
    path("rediger/", views.document_edit, name="document_edit"),
    path("enheder/<int:unit_id>/", views.unit_document, name="unit_document"),
    path("enheder/<int:unit_id>/apv.pdf", views.unit_document_pdf, name="unit_document_pdf"),
    path("risikovurderinger/", views.assessments, name="assessments"),
    path("risikovurderinger/ny/<int:unit_id>/", views.assessment_start, name="assessment_start"),
    path("risikovurderinger/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path(
        "risikovurderinger/<int:assessment_id>/<slug:factor>/",
        views.factor_edit,
        name="factor_edit",
    ),
    path("sygefravaer/", views.absences, name="absences"),
    path("sygefravaer/<int:absence_id>/slet/", views.absence_delete, name="absence_delete"),
    path("aendringer/", views.changes, name="changes"),
    path("aendringer/<int:change_id>/risikovurder/", views.change_assess, name="change_assess"),
    path("trivselsteam/", views.team, name="team"),
    path("trivselsteam/<int:member_id>/fjern/", views.team_remove, name="team_remove"),
    path("indikatorer/", views.dashboard, name="dashboard"),
    path("indikatorer/<int:entry_id>/slet/", views.indicator_delete, name="indicator_delete"),
]
