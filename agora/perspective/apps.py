from django.apps import AppConfig


class PerspectiveConfig(AppConfig):
    name = "agora.perspective"
    verbose_name = "Perspective-compatible API"
