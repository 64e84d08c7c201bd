from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tryghed.accounts"
    label = "accounts"
    verbose_name = "Konti"
