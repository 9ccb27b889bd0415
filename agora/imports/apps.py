from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "agora.imports"
    verbose_name = "Imports"
