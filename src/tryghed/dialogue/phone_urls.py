from django.urls import path

from tryghed.dialogue import phone

app_name = "dialogue_phone"
urlpatterns = [
    path("", phone.join, name="join"),
    path("<str:code>/", phone.session_page, name="session"),
    path("<str:code>/status/", phone.phone_status, name="status"),
]
