from django.urls import Resolver404, resolve
from django.utils import translation

from agora.articles.models import Article

# The pages that belong to one article: they speak its language, whatever the browser asks.
ARTICLE_VIEWS = {"articles:detail", "comments:post"}


class ArticleLanguageMiddleware:
    """Show an article's page in the article's language; elsewhere LocaleMiddleware's
    choice (the browser's Accept-Language) stands. Goes after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match or self._resolve(request)
        if match is None or match.view_name not in ARTICLE_VIEWS:
            return None
        language = (
            Article.objects.filter(slug=view_kwargs.get("slug"))
            .values_list("language", flat=True)
            .first()
        )
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None

    @staticmethod
    def _resolve(request):
        try:
            return resolve(request.path_info)
        except Resolver404:
            return None
