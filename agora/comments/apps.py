from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "agora.comments"
    verbose_name = "Comments"
