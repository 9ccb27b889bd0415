"""The embed's own endpoints, mounted on the JSON API at /api/v1/embed/.

- ``GET /embed/articles/<slug>``: what the embed needs before it draws anything:
  the language to speak (``?lang=`` from ``data-lang``, else the article's, else
  the browser's), every message in it, how to write dates, the comment count, and
  the article, or null when Agora does not know it yet.
- ``POST /embed/articles``: create an article Agora does not know yet, from the
  embed's data attributes, when ``AGORA_EMBED_AUTOCREATE`` is on and the request
  comes from one of ``AGORA_ALLOWED_ORIGINS``; ``data-url`` must be on that origin.
  Signed by the site (``data-signature``, agora/embed/signing.py) it is published
  at once; unsigned, it serves its embed but stays off the public lists until a
  moderator confirms it.

The thread itself is read and posted through the public endpoints
(``/articles/<slug>/comments``), like any other client.
"""

from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_bidi, gettext
from ninja import Field, Router, Schema
from ninja.responses import Status as WithStatus

from agora.api.api import JSON_CONTENT_TYPE, rendered
from agora.api.errors import BAD_INPUT, ApiError
from agora.api.schemas import ErrorOut, Input
from agora.articles import actions
from agora.articles.models import Article
from agora.comments import edge
from agora.comments.reading import thread_cache, with_comment_counts
from agora.comments.schemas import CleanStr
from agora.embed import origins, signing, strings
from agora.embed.forms import EmbeddedArticleForm
from agora.protection import ratelimit

router = Router(tags=["embed"])


class EmbedArticleOut(Schema):
    slug: str
    title: str
    url: str
    language: str
    comments_open: bool
    comments_close_at: datetime | None = Field(
        description="When comments close on their own (AGORA_CLOSE_COMMENTS_AFTER_DAYS), or null."
    )


class GuidelinesOut(Schema):
    title: str
    intro: str
    list_intro: str
    items: list[str]
    outro: str


class DatesOut(Schema):
    pattern: str = Field(description="DATETIME_FORMAT with each code in braces: '{j} {F} {Y}'.")
    time_zone: str
    months: list[str]
    months_ap: list[str]
    AM: str
    PM: str
    am: str
    pm: str
    noon: str
    midnight: str


class EmbedSetupOut(Schema):
    lang: str = Field(description="data-lang, else the article's language, else the browser's.")
    dir: str = Field(description="'rtl' or 'ltr'.")
    article: EmbedArticleOut | None = Field(description="null when Agora does not know the slug.")
    count: int = Field(description="Approved comments.")
    count_label: str = Field(description="The count in words, e.g. '3 comments'.")
    strings: dict[str, str]
    guidelines: GuidelinesOut
    dates: DatesOut


class EmbedArticleIn(Input):
    slug: CleanStr = Field(description="data-article")
    title: CleanStr = Field(description="data-title")
    url: CleanStr = Field(default="", description="data-url: must be on the embedding site.")
    language: CleanStr = Field(default="", description="data-lang; the site's default if empty.")
    signature: CleanStr = Field(
        default="",
        description="data-signature: the site's HMAC-SHA256 of slug, title, url and language. "
        "Without it the article waits for a moderator before it is listed.",
    )


SUPPORTED = {code for code, _name in settings.LANGUAGES}


def chosen_language(requested: str, article: Article | None) -> str:
    """``data-lang`` when Agora speaks it, else the article's language, else the
    language LocaleMiddleware chose from the browser's Accept-Language."""
    try:
        return translation.get_supported_language_variant(requested)
    except LookupError:
        pass
    if article is not None and article.language in SUPPORTED:
        return article.language
    return translation.get_language()


def article_out(article: Article) -> dict:
    out = {name: getattr(article, name) for name in EmbedArticleOut.model_fields}
    # Closed by a moderator or by the automatic closing alike.
    out["comments_open"] = article.accepts_comments
    return out


@router.get("/articles/{slug:slug}", response={200: EmbedSetupOut, 304: None, 404: ErrorOut})
def setup(request, slug: str, lang: str = ""):
    """Language, messages, date format, count and article for an embed on one article.

    A public read: served from the cache until the article or its thread changes, or
    comments close on their own; send the ETag back in If-None-Match to get a 304."""
    article = with_comment_counts(Article.objects.filter(slug=slug)).first()
    language = chosen_language(lang[:20].lower(), article)
    count = article.comment_count if article else 0
    described = article_out(article) if article else None

    def build() -> dict:
        with translation.override(language):
            return {
                "lang": language,
                "dir": "rtl" if get_language_bidi() else "ltr",
                "article": described,
                "count": count,
                "count_label": strings.count_label(count),
                **strings.interface(),
            }

    article_id = article.id if article else None
    entry = thread_cache.find(article_id, "embed", slug, language, depends_on=(described, count))
    # Open, and closing at a set time: no cache may keep it as open past then.
    open_until = (
        described["comments_close_at"] if described and described["comments_open"] else None
    )
    return edge.cached_read(
        request,
        entry,
        lambda: rendered(request, EmbedSetupOut, build()),
        article_id=article_id,
        content_type=JSON_CONTENT_TYPE,
        fresh_until=open_until,
    )


def refused(message: str) -> ApiError:
    return ApiError(403, message)


@router.post(
    "/articles",
    response={
        200: EmbedArticleOut,
        201: EmbedArticleOut,
        **BAD_INPUT,
        403: ErrorOut,
        429: ErrorOut,
    },
)
def create_article(request, payload: EmbedArticleIn):
    """Create an article on its first embed (200 with the article if it exists already).

    Published at once when signed by the site; unsigned, it is listed only once a
    moderator confirms it. A signed announcement also confirms (and corrects) an
    article an unsigned one created."""
    if not settings.AGORA_EMBED_AUTOCREATE:
        raise refused(gettext("This Agora server does not create articles from embeds."))
    origin = request.headers.get("Origin")
    if not origins.is_allowed(origin):
        raise refused(gettext("Articles can only be created from the publisher's own sites."))
    signed = bool(payload.signature)
    if signed and not signing.is_valid(
        origin, payload.signature, payload.slug, payload.title, payload.url, payload.language
    ):
        raise refused(gettext("The article's signature does not match its data attributes."))
    existing = Article.objects.filter(slug=payload.slug).first()
    if existing is not None and (existing.confirmed or not signed):
        return WithStatus(200, article_out(existing))
    # A signed announcement replaces what an unsigned one said about the same slug.
    form = EmbeddedArticleForm(data=payload.dict(exclude={"signature"}), instance=existing)
    if not form.is_valid():
        raise ApiError.invalid_form(form)
    url = form.cleaned_data["url"]
    if url and origins.origin_of(url) != origins.normalize(origin):
        raise ApiError.bad_input(
            {"url": [gettext("The article's address must be on the site that embeds it.")]}
        )
    wait = ratelimit.limit("embed-article", ratelimit.client_ip(request))
    if wait:
        raise ApiError(
            429,
            gettext("Too many new articles from this address; try again later."),
            headers={"Retry-After": str(wait)},
        )
    article, created = actions.announce(form.cleaned_data, signed=signed, existing=existing)
    return WithStatus(201 if created else 200, article_out(article))
