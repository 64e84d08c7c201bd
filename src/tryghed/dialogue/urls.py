from django.urls import path

from tryghed.dialogue import views

app_name = "dialogue"
urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:session_id>/", views.screen, name="screen"),
    path("<uuid:session_id>/status/", views.status, name="status"),
    path("<uuid:session_id>/vis/", views.show, name="show"),
    path("<uuid:session_id>/afslor/", views.reveal, name="reveal"),
    path("<uuid:session_id>/afslut/", views.end, name="end"),
]
