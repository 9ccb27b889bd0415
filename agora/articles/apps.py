from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "agora.articles"
    verbose_name = "Articles"
