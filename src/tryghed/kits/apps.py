from django.apps import AppConfig


class KitsConfig(AppConfig):
    name = "tryghed.kits"
    label = "kits"
    verbose_name = "Mødekit"
