from django.urls import path

from tryghed.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
    path("sundhed/", views.health, name="health"),
]
