from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The site's pages that show several apps together: the home page, an article with
    its comments, the moderators' article list, and the demo that fills them. It sits
    above the apps it composes, so none of them imports another's pages."""

    name = "agora.pages"
    verbose_name = "Pages"
