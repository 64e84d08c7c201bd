from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "tryghed.surveys"
    label = "surveys"
    verbose_name = "Målinger"
