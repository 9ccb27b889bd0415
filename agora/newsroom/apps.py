from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "agora.newsroom"
    verbose_name = "Newsroom settings"
