from django.apps import AppConfig


class WordListsConfig(AppConfig):
    name = "agora.wordlists"
    verbose_name = "Word lists"
