from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "agora.embed"
    verbose_name = "Embeddable comment section"
