from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "tryghed.voice"
    label = "voice"
    verbose_name = "Sig det"
