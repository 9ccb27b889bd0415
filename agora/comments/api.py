"""The reader side of the JSON API: articles, threads, posting (mounted at /api/v1/)."""

from collections.abc import Callable
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Header, Router
from ninja.responses import Status as WithStatus

from agora.api.api import JSON_CONTENT_TYPE, rendered
from agora.api.errors import BAD_INPUT, BODY_ERRORS, NOT_FOUND, ApiError, comment_or_404
from agora.api.pagination import (
    OLDEST_FIRST,
    Cursor,
    Limit,
    Ordering,
    cursor_checked,
    paginate,
)
from agora.api.schemas import ErrorOut
from agora.articles.models import Article
from agora.comments import edge
from agora.comments.actions import NewComment, post_comment
from agora.comments.forms import CommentForm
from agora.comments.models import Comment
from agora.comments.reading import (
    Entry,
    approved_count,
    public_comments,
    thread_cache,
    with_comment_counts,
)
from agora.comments.schemas import AcceptedOut, ArticleListOut, CommentIn, CommentOut, ThreadOut
from agora.protection.posting import PostingRefused
from agora.protection.ratelimit import client_ip

router = Router(tags=["reader"])

ARTICLE_FIELDS = ("id", "slug", "title", "url", "published_at", "language")
COMMENT_FIELDS = ("id", "author_name", "body", "created_at", "parent_id")
ARTICLE_ORDER = Ordering("published", (("published_at", True), ("id", True)))
THREAD_ORDERS = {
    "oldest": OLDEST_FIRST,
    "newest": Ordering("newest", (("created_at", True), ("id", True))),
}
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,100}$"
# For a request with If-None-Match or If-Modified-Since when the client's copy is current.
NOT_MODIFIED = {304: None}


def article_or_404(slug: str, *fields: str) -> Article:
    """The article, with only ``fields`` loaded if given (any other field read later
    costs a query of its own)."""
    article = Article.objects.by_slug(slug, fields)
    if article is None:
        raise ApiError(404, _("There is no article with the slug %(slug)r.") % {"slug": slug})
    return article


def article_dict(article: Article) -> dict:
    return {name: getattr(article, name) for name in ARTICLE_FIELDS if name != "id"}


# --- Cached reads -----------------------------------------------------------------


def revalidated(request, entry: Entry, build: Callable[[], bytes], article_id: int | None):
    """JSON from ``entry`` as a public read of ``article_id``'s thread (agora.comments.edge)."""
    return edge.cached_read(
        request, entry, build, article_id=article_id, content_type=JSON_CONTENT_TYPE
    )


# --- Endpoints ----------------------------------------------------------------------


@router.get("/articles", response={200: ArticleListOut, **NOT_MODIFIED, **BAD_INPUT})
def list_articles(request, limit: int = Limit, cursor: str | None = Cursor):
    """Articles, newest first, with their number of approved comments.

    Served from the cache until a comment is published or withdrawn or an
    article changes; send the ETag back in If-None-Match to get a 304."""
    entry = thread_cache.find(None, "articles", limit, cursor_checked(ARTICLE_ORDER, cursor))

    def build() -> bytes:
        rows = with_comment_counts(Article.objects.listed()).values(
            *ARTICLE_FIELDS, "comment_count"
        )
        articles, next_cursor = paginate(rows, ARTICLE_ORDER, limit, cursor)
        return rendered(request, ArticleListOut, {"articles": articles, "next": next_cursor})

    return revalidated(request, entry, build, None)


@router.get(
    "/articles/{slug:slug}/comments",
    response={200: ThreadOut, **NOT_MODIFIED, **BAD_INPUT, **NOT_FOUND},
)
def list_comments(
    request,
    slug: str,
    order: Literal["oldest", "newest"] = "oldest",
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """The approved comments of an article, replies included (with `parent_id`).

    Served from the cache until a comment on the article is published or
    withdrawn; send the ETag back in If-None-Match to get a 304."""
    article = article_or_404(slug, *ARTICLE_FIELDS)
    # The article is read fresh each time: an edit shows, and changes the ETag, at once.
    entry = thread_cache.find(
        article.id,
        "comments",
        article.id,
        order,
        limit,
        cursor_checked(THREAD_ORDERS[order], cursor),
        depends_on=article_dict(article).values(),
    )

    def build() -> bytes:
        comments, next_cursor = paginate(
            public_comments(article, COMMENT_FIELDS), THREAD_ORDERS[order], limit, cursor
        )
        thread = {
            "article": article_dict(article),
            "count": approved_count(article),
            "comments": comments,
            "next": next_cursor,
        }
        return rendered(request, ThreadOut, thread)

    return revalidated(request, entry, build, article.id)


@router.get(
    "/articles/{slug:slug}/comments/{int:comment_id}", response={200: CommentOut, **NOT_FOUND}
)
def get_comment(request, slug: str, comment_id: int):
    """One approved comment (a permalink)."""
    approved = Comment.objects.approved().filter(article__slug=slug).values(*COMMENT_FIELDS)
    return comment_or_404(approved, comment_id)


@router.post(
    "/articles/{slug:slug}/comments",
    response={
        202: AcceptedOut,
        **BAD_INPUT,
        403: ErrorOut,
        **NOT_FOUND,
        409: ErrorOut,
        **BODY_ERRORS,
        429: ErrorOut,
    },
)
def create_comment(
    request,
    slug: str,
    payload: CommentIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Any 1-100 printable ASCII characters; a retry with the same key "
        "returns the first comment instead of storing a second one.",
    ),
):
    """Submit a comment for moderation. It is stored as pending and shown only once approved."""
    # The whole article: the guideline engine reads its text, language and stored vectors.
    article = article_or_404(slug)
    if not article.accepts_comments:
        raise ApiError(403, _("Comments are closed on this article."))
    form = CommentForm(data=payload.dict(), article=article)
    if not form.is_valid():
        raise ApiError.invalid_form(form)
    new = form.new_comment(idempotency_key)
    try:
        comment, created = post_comment(new, form.guard(client_ip(request)))
    except PostingRefused as refused:
        raise refused_error(refused) from None
    if not created and not same_submission(comment, new):
        raise ApiError(
            409,
            _(
                "This Idempotency-Key was already used for a different comment; "
                "use a new key for a new comment."
            ),
        )
    return WithStatus(202, {"id": comment.id, "status": comment.status})


def refused_error(refused: PostingRefused) -> ApiError:
    """A refused posting: a bot's is bad input, the others say how long to wait."""
    if refused.status_code == 400:
        return ApiError.bad_input({"__all__": [refused.message]})
    return ApiError(
        refused.status_code,
        refused.message,
        retry_after=refused.retry_after,
        headers=refused.headers,
    )


def same_submission(comment: Comment, new: NewComment) -> bool:
    """Whether a comment found by idempotency key is the one being submitted again."""
    return (
        comment.article_id,
        comment.parent_id,
        comment.author_name,
        comment.author_email,
        comment.body,
    ) == (new.article.id, new.parent and new.parent.id, new.author_name, new.author_email, new.body)
