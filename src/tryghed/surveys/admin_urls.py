from django.urls import path

from tryghed.surveys import instrument_views, participation_views, views

app_name = "surveys_admin"
urlpatterns = [
    # The AMO and administrators get the full pages; a leader their subtree's participation.
    path("", participation_views.measurement_list, name="list"),
    path("ny/", views.measurement_create, name="create"),
    # The organisation's own instrument files (a licensed COPSOQ version, for example).
    path("spoergeskemaer/", instrument_views.instrument_list, name="instruments"),
    path(
        "spoergeskemaer/<int:instrument_pk>/arkiver/",
        instrument_views.instrument_archive,
        name="instrument_archive",
    ),
    path(
        "spoergeskemaer/<int:instrument_pk>/genaktiver/",
        instrument_views.instrument_restore,
        name="instrument_restore",
    ),
    path("<int:measurement_id>/", participation_views.measurement_detail, name="detail"),
    path("<int:measurement_id>/aabn/", views.measurement_open, name="open"),
    path("<int:measurement_id>/luk/", views.measurement_close, name="close"),
    path("<int:measurement_id>/slet/", views.measurement_delete, name="delete"),
    path("<int:measurement_id>/paamind/", views.measurement_remind, name="remind"),
    path("<int:measurement_id>/papirkoder/", views.paper_codes_print, name="paper_codes_print"),
]
