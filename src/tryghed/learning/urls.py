from django.urls import path

from tryghed.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.index, name="index"),
    path("arbejdsmiljoegruppen/", views.forwarded, name="forwarded"),
    path("indstillinger/", views.log_settings, name="settings"),
    path("<int:unit_id>/", views.log, name="log"),
    path("<int:unit_id>/ny/", views.write, name="write"),
    path("<int:unit_id>/gennemgaaet/", views.log_review, name="review"),
    path("<int:unit_id>/fordeling/", views.mix, name="mix"),
    path("situation/<uuid:learning_id>/", views.entry_detail, name="entry"),
    path("situation/<uuid:learning_id>/sorter/", views.entry_sort, name="sort"),
    path("situation/<uuid:learning_id>/gennemgaaet/", views.entry_reviewed, name="reviewed"),
    path("situation/<uuid:learning_id>/handling/", views.entry_action, name="action"),
    path("situation/<uuid:learning_id>/videre/", views.entry_forward, name="forward"),
    path("situation/<uuid:learning_id>/slet/", views.entry_delete, name="delete"),
]
