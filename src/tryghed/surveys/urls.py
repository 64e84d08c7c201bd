from django.urls import path, re_path

from tryghed.surveys import respond

app_name = "surveys"
urlpatterns = [
    path("svar/", respond.answer, name="answer"),
    # Before the token pattern: "kode" is not a token (a paper code has 16 characters).
    path("kode/", respond.code, name="code"),
    path("<str:token>/", respond.start, name="start"),
    # Everything else under /s/ ending in a slash (without one, the link without its last
    # slash is redirected to the link with it first).
    re_path(r"^(?:.+/)?$", respond.not_found, name="not_found"),
]
