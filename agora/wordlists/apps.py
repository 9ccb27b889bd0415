from django.apps import AppConfig


class WordListsConfig(AppConfig):
    name = "agora.wordlists"
    verbose_name = "Word lists"

    def ready(self):
        from agora.comments import overrules
        from agora.wordlists import ruling

        # The lists have their say over every new comment's verdict.
        overrules.register(ruling)
