from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "tryghed.actions"
    label = "actions"
    verbose_name = "Handleplaner"
