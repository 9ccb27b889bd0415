"""The whole site as JSON Lines: every article, then every comment with its decisions.

The schema is documented in docs/import.md; ``agora import agora`` reads it back."""

import json
from collections.abc import Iterator

from agora.articles.models import Article
from agora.comments.models import Comment

FORMAT = "agora-export"
VERSION = 1
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
    """The export, one JSON document per line, read from the database in chunks."""
    yield _line({"type": FORMAT, "version": VERSION, "emails": emails})
    for article in Article.objects.order_by("id").iterator(chunk_size=CHUNK):
        yield _line({"type": "article", **{name: _value(article, name) for name in ARTICLE_FIELDS}})
    # Top-level comments first, so a reader of the file meets a parent before its replies.
    comments = (
        Comment.objects.select_related("article")
        .prefetch_related("decisions__moderator")
        .order_by("id")
    )
    for queryset in (comments.filter(parent__isnull=True), comments.filter(parent__isnull=False)):
        for comment in queryset.iterator(chunk_size=CHUNK):
            yield _line(_comment(comment, emails))


def _comment(comment: Comment, emails: bool) -> dict:
    record = {"type": "comment", "article": comment.article.slug}
    record.update((name, _value(comment, name)) for name in COMMENT_FIELDS)
    if not emails:
        record["author_email"] = ""
    record["decisions"] = [
        {
            "moderator": decision.moderator.get_username() if decision.moderator else None,
            **decision.as_dict(),
        }
        for decision in sorted(comment.decisions.all(), key=lambda decision: decision.id)
    ]
    return record


def _value(instance, name: str):
    value = getattr(instance, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"
