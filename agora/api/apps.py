from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "agora.api"
    verbose_name = "JSON API"
