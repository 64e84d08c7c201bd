from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "tryghed.results"
    label = "results"
    verbose_name = "Resultater"
