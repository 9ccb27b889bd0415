from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "agora.protection"
    verbose_name = "Abuse protection"

    def ready(self) -> None:
        from agora.protection import checks, login  # noqa: F401  (registers checks and signals)
