from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tryghed.audit"
    label = "audit"
    verbose_name = "Revisionsspor"
