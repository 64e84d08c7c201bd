from django.urls import path

from tryghed.surveys import respond

app_name = "surveys"
urlpatterns = [
    path("svar/", respond.answer, name="answer"),
    # Before the token pattern: "kode" is not a token (a paper code has 16 characters).
    path("kode/", respond.code, name="code"),
    path("<str:token>/", respond.start, name="start"),
]
