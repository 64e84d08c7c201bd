from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tryghed.orgs"
    label = "orgs"
    verbose_name = "Organisationer"
