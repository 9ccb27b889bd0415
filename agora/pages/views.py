from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from agora.articles.decorators import article_page
from agora.articles.models import Article
from agora.comments import edge
from agora.comments.reading import thread_cache, with_comment_counts
from agora.comments.section import comment_id, read_order, section_context

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
    """An article with its comment section below it.

    One page for every anonymous reader, kept by shared caches and the replayed fast
    path until the article or its thread changes (agora.comments.edge), or until comments
    close on their own while it shows them open: nothing in it is anyone's own. A
    signed-in reader (staff) gets a page of their own."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return render(request, "articles/detail.html", section_context(request, article))
    # Read once, so that the page's tag and how long caches may keep it agree.
    accepts = article.accepts_comments
    order = read_order(request)
    reply_to = request.GET.get("reply_to", "")
    parts = (order, bool(reply_to), comment_id(reply_to), get_language())
    parts += (timezone.get_current_timezone_name(),)
    closes = article.comments_close_at
    entry = thread_cache.find(
        article.pk, "page", article.pk, *parts, depends_on=(article.published_at, closes, accepts)
    )

    def build() -> bytes:
        context = section_context(request, article, per_reader=False)
        return render_to_string("articles/detail.html", context, request).encode()

    return edge.cached_read(
        request,
        entry,
        build,
        article_id=article.pk,
        content_type="text/html; charset=utf-8",
        fresh_until=closes if accepts else None,
    )


def favicon(request):
    """Browsers ask every site for /favicon.ico: they are sent to Agora's icon. Not a
    permanent redirect, as the icon's address changes with its content."""
    response = redirect(static("agora/favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
