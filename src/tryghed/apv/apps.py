from django.apps import AppConfig


class ApvConfig(AppConfig):
    name = "tryghed.apv"
    label = "apv"
    verbose_name = "APV"
