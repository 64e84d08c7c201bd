from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tryghed.web"
    label = "web"
    verbose_name = "Tryghed"
