"""What every page of one article shares: the article, loaded once, and its language."""

from functools import wraps

from django.utils import translation

from agora.articles.models import Article


def article_page(view):
    """Wrap a view of one article's page (URL argument ``slug``): the article is loaded
    once (a 404 when missing or unconfirmed) and handed to the view in place of the
    slug, and the page speaks the article's language whatever the browser asks
    (LocaleMiddleware's choice stands everywhere else)."""

    @wraps(view)
    def article_view(request, slug: str, *args, **kwargs):
        article = Article.objects.by_slug_or_404(slug)
        if translation.check_for_language(article.language):
            translation.activate(article.language)
            request.LANGUAGE_CODE = article.language
        return view(request, article, *args, **kwargs)

    return article_view
