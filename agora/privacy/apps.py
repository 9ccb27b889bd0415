from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "agora.privacy"
    verbose_name = "Privacy"
