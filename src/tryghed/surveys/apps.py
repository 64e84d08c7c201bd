from django.apps import AppConfig
from django.core import checks


class SurveysConfig(AppConfig):
    name = "tryghed.surveys"
    label = "surveys"
    verbose_name = "Målinger"

    def ready(self) -> None:
        from tryghed.surveys.checks import check_answer_keys, check_task_backend

        checks.register(check_answer_keys, checks.Tags.security)
        checks.register(check_task_backend)
