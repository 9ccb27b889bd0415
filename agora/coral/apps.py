from django.apps import AppConfig


class CoralConfig(AppConfig):
    name = "agora.coral"
    verbose_name = "Coral moderation phase"
