"""Everything Agora keeps about one email address.

A person's data is their comments (with the engine's verdicts and the
moderators' decisions about them), the reports they filed, the measures moderators
took on them as a commenter and, for staff, their user account. Emails
match whatever their case, because mail providers ignore it and people type it
both ways, and Unicode letters too ("Priv@ÄRGER.example" is "priv@ärger.example"):
they are compared in the form ``Comment.email_key`` keeps.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, transaction

from agora.commenters.models import CommenterAction
from agora.comments.models import Comment, Decision, email_key
from agora.comments.reading import thread_cache
from agora.protection import ratelimit
from agora.reports.models import Report


def comments_by(email: str):
    return Comment.objects.filter(email_key=email_key(email))


def accounts_of(email: str) -> list:
    """Staff accounts with this address (few: compared in Python, not by the database)."""
    wanted = email_key(email)
    users = get_user_model().objects.exclude(email="")
    return [user for user in users if email_key(user.email) == wanted]


def export(email: str) -> dict:
    """A JSON-ready dict of every stored record that mentions ``email``."""
    comments = comments_by(email).select_related("article").prefetch_related("decisions")
    accounts = accounts_of(email)
    return {
        "email": email.strip(),
        "comments": [
            {
                "id": comment.id,
                "article": {"slug": comment.article.slug, "title": comment.article.title},
                "parent_id": comment.parent_id,
                "author_name": comment.author_name,
                "author_email": comment.author_email,
                "body": comment.body,
                "status": comment.status,
                "created_at": comment.created_at.isoformat(),
                "lang": comment.lang,
                "engine": {
                    "decision": comment.decision,
                    "risk": comment.risk,
                    "model_version": comment.model_version,
                    "verdict": comment.verdict,
                },
                "decisions": [
                    decision.as_dict()
                    for decision in sorted(comment.decisions.all(), key=lambda d: d.id)
                ],
            }
            for comment in comments
        ],
        "reports": [
            {"comment_id": report.comment_id, **report.as_dict()}
            for report in Report.objects.filter(reporter_key=email_key(email)).order_by("id")
        ],
        "measures": [
            action.as_dict()
            for action in CommenterAction.objects.filter(email_key=email_key(email)).order_by("id")
        ],
        "accounts": [
            {
                "username": user.get_username(),
                "is_staff": user.is_staff,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
            }
            for user in accounts
        ],
    }


def erase(email: str) -> dict[str, int]:
    """Delete every comment written with ``email`` and its decisions, all or nothing.

    Replies that other people wrote to those comments are theirs, so they stay;
    they lose their parent and become top-level comments. The email's rate-limit
    counts go too: they are kept under a hash of the address, which is still data
    derived from it. Returns counts.
    """
    with transaction.atomic():
        rows = list(comments_by(email).select_for_update().values_list("id", "article_id"))
        comment_ids = [comment_id for comment_id, _ in rows]
        others_replies = Comment.objects.filter(parent_id__in=comment_ids).exclude(
            id__in=comment_ids
        )
        # Cached threads must not keep showing erased comments, nor replies
        # under a parent that is gone.
        for article_id in {article_id for _, article_id in rows}:
            thread_cache.invalidate(article_id)
        # Detaching is the one change ever made to a stored comment, and only
        # because the comment it answered no longer exists.
        replies_detached = others_replies.update(parent=None)
        # A queryset delete never calls Decision.delete(), which refuses: the
        # audit trail is append-only for moderators, and erasure is the legal
        # exception.
        decisions_deleted, _ = Decision.objects.filter(comment_id__in=comment_ids).delete()
        comments_deleted, _ = Comment.objects.filter(id__in=comment_ids).delete()
        reports_deleted, _ = Report.objects.filter(reporter_key=email_key(email)).delete()
        # Like decisions, the measures' trail is append-only but for erasure.
        measures_deleted, _ = CommenterAction.objects.filter(email_key=email_key(email)).delete()
        for scope in ("post-email", "report-email"):
            ratelimit.forget(scope, email_key(email))
    return {
        "comments": comments_deleted,
        "decisions": decisions_deleted,
        "reports": reports_deleted,
        "measures": measures_deleted,
        "replies_detached": replies_detached,
        "log_emptied": leave_no_trace(),
    }


def leave_no_trace() -> bool:
    """After an erasure: what the tables no longer hold must not linger elsewhere.

    Every cache entry goes (a cached rendered thread may hold an erased comment's name
    and text; cache keys are hashes, so the ones that do cannot be told apart). On
    SQLite the write-ahead log, which still holds the pages as they were, is copied
    into the database and emptied; freed space there is zeroed (``secure_delete``,
    settings.py). Returns False when readers kept the log from being emptied."""
    cache.clear()
    connection = connections[Comment.objects.db]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return True
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log_pages, _copied = cursor.fetchone()
    return not busy
