from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "tryghed.dialogue"
    label = "dialogue"
    verbose_name = "Dialog på mødet"
