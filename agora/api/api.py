"""Agora's JSON API, version 1 (mounted at /api/v1/; schema at /api/v1/openapi.json).

Endpoints stay thin: they read input, validate comments with CommentForm and
change state only through ``agora.comments.actions``. Every error is JSON:
``{"errors": {field: [messages]}}`` for bad input (400), ``{"detail": ...}``
for everything else.
"""

import logging
from collections.abc import Callable
from typing import Literal

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Query, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import Status as WithStatus

from agora.api.auth import ModeratorToken
from agora.api.gate import InvalidBody, StrictJSONParser
from agora.api.pagination import InvalidCursor, Ordering, decode_cursor, paginate
from agora.api.schemas import (
    MAX_ID,
    AcceptedOut,
    ApproveIn,
    ArticleListOut,
    CommentIn,
    CommentOut,
    ConflictOut,
    ErrorOut,
    GuidelineCode,
    LangCode,
    ModerationCommentOut,
    QueueOut,
    RejectIn,
    ThreadOut,
    TransitionOut,
    ValidationErrorsOut,
)
from agora.articles.models import Article
from agora.comments.actions import ConflictError, ModerationError, NewComment, post_comment
from agora.comments.actions import approve as approve_comment
from agora.comments.actions import reject as reject_comment
from agora.comments.forms import CommentForm
from agora.comments.models import Comment, Decision, Status
from agora.comments.reading import (
    Entry,
    approved_count,
    public_comments,
    thread_cache,
    with_comment_counts,
)
from agora.protection import readonly
from agora.protection.posting import PostingRefused, guard_posting

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Agora API",
    version="1",
    description=(
        "Read approved comments, post new ones for moderation, and moderate with a token. "
        "Errors are JSON: 400 {'errors': {field: [messages]}}, otherwise {'detail': message}."
    ),
    urls_namespace="api",
    parser=StrictJSONParser(),
)

ARTICLE_FIELDS = ("id", "slug", "title", "url", "published_at", "language")
COMMENT_FIELDS = ("id", "author_name", "body", "created_at", "parent_id")
QUEUE_FIELDS = COMMENT_FIELDS + (
    "article__slug",
    "article__title",
    "author_email",
    "status",
    "lang",
    "decision",
    "risk",
    "verdict",
)
ARTICLE_ORDER = Ordering("published", (("published_at", True), ("id", True)))
THREAD_ORDERS = {
    "oldest": Ordering("oldest", (("created_at", False), ("id", False))),
    "newest": Ordering("newest", (("created_at", True), ("id", True))),
}
QUEUE_ORDERS = {
    "oldest": THREAD_ORDERS["oldest"],
    "risk": Ordering("risk", (("risk", True), ("created_at", False), ("id", False))),
    "clean": Ordering("clean", (("risk", False), ("created_at", False), ("id", False))),
}
Limit = Query(50, ge=1, le=200, description="Page size, 1 to 200.")
Cursor = Query(None, description="The `next` value of the previous page.")
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,100}$"

BAD_INPUT = {400: ValidationErrorsOut}
# Answered by agora.api.gate before the endpoint runs; listed so clients know of them.
BODY_ERRORS = {411: ErrorOut, 413: ErrorOut, 415: ErrorOut}
NOT_FOUND = {404: ErrorOut}
MODERATOR_ERRORS = {401: ErrorOut, 403: ErrorOut}
# For a request with If-None-Match or If-Modified-Since when the client's copy is current.
NOT_MODIFIED = {304: None}
# Browsers and CDNs may keep a thread but must ask (If-None-Match) before reusing
# it, so a decision shows at once everywhere; the answer is usually a cheap 304.
REVALIDATE = "public, max-age=0, must-revalidate"


# --- Errors -----------------------------------------------------------------


def bad_input(request, errors: dict[str, list[str]]):
    return api.create_response(request, {"errors": errors}, status=400)


def describe(error: dict) -> list[tuple[str, str]]:
    """(field, message) pairs for one pydantic error as located by ninja."""
    source, *path = error["loc"]
    if source == "body" and path:
        path = path[1:]  # the view's parameter name ("payload") means nothing to clients
    field = str(path[0]) if path else "__all__"
    kind = error["type"]
    if kind == "unknown_fields":
        accepted = ", ".join(error["ctx"]["accepted"])
        message = _("Unknown field; accepted fields are %(accepted)s.") % {"accepted": accepted}
        return [(str(name), message) for name in error["ctx"]["unknown"]]
    if kind == "missing":
        message = _("This field is required.") if path else _("A JSON object body is required.")
    elif kind in {"model_type", "model_attributes_type", "dict_type"} and not path:
        message = _("The request body must be a JSON object ({...}).")
    else:
        message = error["msg"]
    return [(field, message)]


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """ninja's 422 becomes the API's 400 {"errors": {field: [messages]}}."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        for field, message in describe(error):
            errors.setdefault(field, []).append(message)
    return bad_input(request, errors)


@api.exception_handler(HttpError)
def http_error(request, exc):
    # ninja wraps any parser failure in a generic HttpError(400); ours says what is wrong.
    if isinstance(exc.__cause__, InvalidBody):
        invalid = exc.__cause__
        if invalid.status_code == 400:
            return bad_input(request, {"__all__": [str(invalid)]})
        return api.create_response(request, {"detail": str(invalid)}, status=invalid.status_code)
    if isinstance(exc, AuthenticationError):
        response = api.create_response(
            request,
            {"detail": _("Send a valid moderator token: 'Authorization: Bearer <token>'.")},
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(InvalidCursor)
def invalid_cursor(request, exc):
    return bad_input(request, {"cursor": [str(exc)]})


@api.exception_handler(Exception)
def unexpected_error(request, exc):
    if readonly.cannot_write(exc):
        return readonly.unavailable(request)
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return api.create_response(
        request, {"detail": _("Something went wrong on our side; please try again.")}, status=500
    )


# --- Lookups ------------------------------------------------------------------


def article_or_404(slug: str, *fields: str) -> Article:
    """The article, with only ``fields`` loaded if given (any other field read later
    costs a query of its own)."""
    article = Article.objects.by_slug(slug, fields)
    if article is None:
        raise HttpError(404, _("There is no article with the slug %(slug)r.") % {"slug": slug})
    return article


def comment_or_404(comment_id: int, queryset=None):
    queryset = Comment.objects.all() if queryset is None else queryset
    found = queryset.filter(pk=comment_id).first() if 1 <= comment_id <= MAX_ID else None
    if found is None:
        raise HttpError(404, _("There is no comment with id %(id)d.") % {"id": comment_id})
    return found


def article_dict(article: Article) -> dict:
    return {name: getattr(article, name) for name in ARTICLE_FIELDS if name != "id"}


# --- Cached reads -----------------------------------------------------------------


def rendered(request, schema, data: dict) -> bytes:
    """The JSON ninja would send for ``data`` as a 200 of ``schema``, ready to cache."""
    response = api.create_response(request, schema.model_validate(data).model_dump(), status=200)
    return response.content


def revalidated(request, entry: Entry, build: Callable[[], bytes]):
    """A 200 with ``entry``'s value (``build()`` when the cache has none current), or a 304
    when the client's copy (ETag / date) is current."""
    response = HttpResponse(
        content_type=f"{api.renderer.media_type}; charset={api.renderer.charset}"
    )
    response["ETag"] = f'"{entry.tag}"'
    response["Cache-Control"] = REVALIDATE
    modified = entry.version.last_modified()
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    answer = get_conditional_response(
        request, etag=response["ETag"], last_modified=modified, response=response
    )
    if answer is response:
        response.content = entry.value(build)
    return answer


def cursor_checked(ordering: Ordering, cursor: str | None) -> str | None:
    # A bad cursor is a 400 even when a conditional request would otherwise get a 304.
    if cursor:
        decode_cursor(ordering, cursor)
    return cursor


# --- Reader endpoints ---------------------------------------------------------

public = Router(tags=["reader"])


@public.get("/articles", response={200: ArticleListOut, **NOT_MODIFIED, **BAD_INPUT})
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

    return revalidated(request, entry, build)


@public.get(
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

    return revalidated(request, entry, build)


@public.get(
    "/articles/{slug:slug}/comments/{int:comment_id}", response={200: CommentOut, **NOT_FOUND}
)
def get_comment(request, slug: str, comment_id: int):
    """One approved comment (a permalink)."""
    approved = Comment.objects.approved().filter(article__slug=slug).values(*COMMENT_FIELDS)
    return comment_or_404(comment_id, approved)


@public.post(
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
    if not article.comments_open:
        raise HttpError(403, _("Comments are closed on this article."))
    form = CommentForm(data=payload.dict(), article=article)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        return bad_input(
            request, {field: [e["message"] for e in items] for field, items in errors.items()}
        )
    new = form.new_comment(idempotency_key)
    try:
        comment, created = post_comment(
            new, guard_posting(request, email=new.author_email, body=new.body)
        )
    except PostingRefused as refused:
        return refused.json_response()
    if not created and not same_submission(comment, new):
        raise HttpError(
            409,
            _(
                "This Idempotency-Key was already used for a different comment; "
                "use a new key for a new comment."
            ),
        )
    return WithStatus(202, {"id": comment.id, "status": comment.status})


def same_submission(comment: Comment, new: NewComment) -> bool:
    """Whether a comment found by idempotency key is the one being submitted again."""
    return (
        comment.article_id,
        comment.parent_id,
        comment.author_name,
        comment.author_email,
        comment.body,
    ) == (new.article.id, new.parent and new.parent.id, new.author_name, new.author_email, new.body)


# --- Moderator endpoints --------------------------------------------------------

moderation = Router(tags=["moderation"], auth=ModeratorToken())


def author_histories(emails) -> dict[str, dict[str, int]]:
    """Approved and rejected counts per email address, in one query."""
    rows = (
        Comment.objects.filter(author_email__in=set(emails))
        .order_by()
        .values("author_email")
        .annotate(
            approved=Count("id", filter=Q(status=Status.APPROVED)),
            rejected=Count("id", filter=Q(status=Status.REJECTED)),
        )
    )
    return {
        row["author_email"]: {"approved": row["approved"], "rejected": row["rejected"]}
        for row in rows
    }


def queue_item(row: dict, histories: dict) -> dict:
    item = dict(row)
    item["article"] = {"slug": item.pop("article__slug"), "title": item.pop("article__title")}
    item["author_history"] = histories.get(row["author_email"], {"approved": 0, "rejected": 0})
    return item


def decision_dict(decision: Decision) -> dict:
    return {
        "id": decision.id,
        "from_status": decision.from_status,
        "to_status": decision.to_status,
        "reason": decision.reason,
        "note": decision.note,
        "moderator": decision.moderator.get_username() if decision.moderator else None,
        "automatic": decision.automatic,
        "created_at": decision.created_at,
    }


@moderation.get("/queue", response={200: QueueOut, **BAD_INPUT, **MODERATOR_ERRORS})
def queue(
    request,
    order: Literal["oldest", "risk", "clean"] = "oldest",
    article: str | None = Query(None, max_length=200, pattern=r"^[-a-zA-Z0-9_]+$"),
    lang: LangCode | None = None,
    guideline: GuidelineCode | None = None,
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """Pending comments with what the guideline engine said and the author's record.

    `order`: `oldest` (default), `risk` (most likely to break a guideline first)
    or `clean` (least likely first)."""
    pending = Comment.objects.pending()
    if article:
        pending = pending.filter(article__slug=article)
    if lang:
        pending = pending.filter(lang=lang)
    if guideline:
        pending = pending.flagged_for(guideline)
    rows, next_cursor = paginate(pending.values(*QUEUE_FIELDS), QUEUE_ORDERS[order], limit, cursor)
    histories = author_histories(row["author_email"] for row in rows)
    return {"comments": [queue_item(row, histories) for row in rows], "next": next_cursor}


@moderation.get(
    "/comments/{int:comment_id}",
    response={200: ModerationCommentOut, **MODERATOR_ERRORS, **NOT_FOUND},
)
def moderation_comment(request, comment_id: int):
    """One comment in any state, with its full decision history."""
    row = comment_or_404(comment_id, Comment.objects.values(*QUEUE_FIELDS))
    item = queue_item(row, author_histories([row["author_email"]]))
    decisions = Decision.objects.filter(comment_id=row["id"]).select_related("moderator")
    item["decisions"] = [decision_dict(d) for d in decisions.order_by("created_at", "id")]
    return item


def transition(request, comment_id: int, act, payload: ApproveIn, **arguments):
    comment = comment_or_404(comment_id, Comment.objects.only("id", "status"))
    try:
        decision = act(
            comment,
            request.auth,
            expected_status=payload.expected_status,
            note=payload.note,
            **arguments,
        )
    except ConflictError as conflict:
        current = Comment.objects.filter(pk=comment.pk).values_list("status", flat=True).first()
        return WithStatus(409, {"detail": str(conflict), "status": current})
    except ModerationError as error:
        return bad_input(request, {"__all__": [str(error)]})
    return {"id": comment.id, "status": comment.status, "decision": decision_dict(decision)}


TRANSITION_RESPONSES = {
    200: TransitionOut,
    **BAD_INPUT,
    **MODERATOR_ERRORS,
    **NOT_FOUND,
    409: ConflictOut,
    **BODY_ERRORS,
}


@moderation.post("/comments/{int:comment_id}/approve", response=TRANSITION_RESPONSES)
def approve(request, comment_id: int, payload: ApproveIn | None = None):
    """Publish a pending comment, or reinstate a rejected one. The body is optional."""
    return transition(request, comment_id, approve_comment, payload or ApproveIn())


@moderation.post("/comments/{int:comment_id}/reject", response=TRANSITION_RESPONSES)
def reject(request, comment_id: int, payload: RejectIn):
    """Refuse a comment for one guideline (`reason`), or withdraw an approved one."""
    return transition(request, comment_id, reject_comment, payload, reason=payload.reason)


api.add_router("", public)
api.add_router("/moderation", moderation)
api.add_router("/embed", "agora.embed.api.router")
