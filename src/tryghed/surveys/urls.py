from django.urls import path

from tryghed.surveys import respond

app_name = "surveys"
urlpatterns = [
    path("svar/", respond.answer, name="answer"),
    path("<str:token>/", respond.start, name="start"),
]
