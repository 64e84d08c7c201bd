from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "tryghed.learning"
    label = "learning"
    verbose_name = "Det gik ikke som planlagt"
