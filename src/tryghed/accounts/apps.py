from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tryghed.accounts"
    label = "accounts"
    verbose_name = "Konti"

    def ready(self) -> None:
        from tryghed.accounts import receivers

        receivers.connect()
