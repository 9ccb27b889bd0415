"""The whole site as JSON Lines: every article, then every comment with its decisions and
readers' reports, then every measure taken on a commenter.

The schema is documented in docs/import.md; ``agora import agora`` reads it back."""

import json
from collections.abc import Iterator

from agora.articles.models import Article
from agora.commenters.models import CommenterAction
from agora.comments.models import Comment

FORMAT = "agora-export"
# 2: comments carry their reports, and measures on commenters follow them.
VERSION = 2
ARTICLE_FIELDS = (
    "slug",
    "title",
    "standfirst",
    "byline",
    "body",
    "url",
    "language",
    "published_at",
    "comments_open",
    "confirmed",
)
COMMENT_FIELDS = (
    "id",
    "parent_id",
    "author_name",
    "author_email",
    "body",
    "status",
    "created_at",
    "lang",
    "decision",
    "risk",
    "verdict",
    "model_version",
    "flags",
)
CHUNK = 2000


def lines(*, emails: bool = True) -> Iterator[str]:
    """The export, one JSON document per line, read from the database in chunks. Without
    ``emails``, readers' reports and measures on commenters, which exist only under an
    address, are left out too."""
    yield _line({"type": FORMAT, "version": VERSION, "emails": emails})
    for article in Article.objects.order_by("id").iterator(chunk_size=CHUNK):
        yield _line({"type": "article", **{name: _value(article, name) for name in ARTICLE_FIELDS}})
    # Top-level comments first, so a reader of the file meets a parent before its replies.
    comments = (
        Comment.objects.select_related("article")
        .prefetch_related("decisions__moderator", "reports__resolved_by")
        .order_by("id")
    )
    for queryset in (comments.filter(parent__isnull=True), comments.filter(parent__isnull=False)):
        for comment in queryset.iterator(chunk_size=CHUNK):
            yield _line(_comment(comment, emails))
    if not emails:
        return
    measures = CommenterAction.objects.select_related("moderator").order_by("id")
    for action in measures.iterator(chunk_size=CHUNK):
        yield _line(
            {
                "type": "measure",
                "email": action.email_key,
                "moderator": _username(action.moderator),
                **action.as_dict(),
            }
        )


def _comment(comment: Comment, emails: bool) -> dict:
    record = {"type": "comment", "article": comment.article.slug}
    record.update((name, _value(comment, name)) for name in COMMENT_FIELDS)
    if not emails:
        record["author_email"] = ""
    record["decisions"] = [
        {"moderator": _username(decision.moderator), **decision.as_dict()}
        for decision in sorted(comment.decisions.all(), key=lambda decision: decision.id)
    ]
    if emails:
        record["reports"] = [
            {
                "email": report.email,
                "resolved_by": _username(report.resolved_by),
                **report.as_dict(),
            }
            for report in sorted(comment.reports.all(), key=lambda report: report.id)
        ]
    return record


def _username(user) -> str | None:
    return user.get_username() if user else None


def _value(instance, name: str):
    value = getattr(instance, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"
