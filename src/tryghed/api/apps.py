from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tryghed.api"
    label = "api"
    verbose_name = "API"
