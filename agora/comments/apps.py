from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "agora.comments"
    verbose_name = "Comments"

    def ready(self):
        # Connects the receivers that keep cached threads current when articles
        # change or comments are erased, in every process (e.g. `agora privacy_delete`).
        from agora.comments import checks, reading  # noqa: F401
