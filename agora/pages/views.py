from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control

from agora.articles.decorators import article_page
from agora.articles.models import Article
from agora.comments.reading import with_comment_counts
from agora.comments.section import section_context

ARTICLES_PER_PAGE = 20


def index(request):
    """The home page: newest articles first, each with its number of published comments."""
    articles = with_comment_counts(
        Article.objects.listed().only(
            "slug", "title", "standfirst", "byline", "language", "published_at"
        )
    ).order_by("-published_at", "-id")
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/index.html", {"page": page})


@article_page
def detail(request, article: Article):
    """An article with its comment section below it."""
    context = section_context(request, article)
    return render(request, "articles/detail.html", context)


def favicon(request):
    """Browsers ask every site for /favicon.ico: they are sent to Agora's icon. Not a
    permanent redirect, as the icon's address changes with its content."""
    response = redirect(static("agora/favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
