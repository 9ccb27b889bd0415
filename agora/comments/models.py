import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.articles.models import Article
from agora.guidelines.verdict import Verdict
from agora.newsroom.audit import AppendOnly

BODY_MIN_LENGTH = 2
BODY_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 80

# Fields a reader wrote. The policy promises comments are judged exactly as
# written, so once stored these are never changed (see Comment.save).
IMMUTABLE_FIELDS = ("article_id", "parent_id", "author_name", "author_email", "body", "created_at")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Reason(models.TextChoices):
    """Why a comment was rejected; one code per community guideline."""

    OFF_TOPIC = "off_topic", _("Off topic")
    PROFANITY = "profanity", _("Profanity or vulgarity")
    THREAT = "threat", _("Threat")
    PERSONAL_ATTACK = "personal_attack", _("Personal attack")
    IDENTITY_ABUSE = (
        "identity_abuse",
        _("Abuse of a group (sexism, racism, homophobia, xenophobia)"),
    )
    PROMOTION = "promotion", _("Commercial or personal promotion")
    OTHER = "other", _("Other")


class ImmutableCommentError(ValidationError):
    pass


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> "CommentQuerySet":
        return self.filter(status=Status.APPROVED)

    def pending(self) -> "CommentQuerySet":
        return self.filter(status=Status.PENDING)

    def flagged_for(self, guideline: str) -> "CommentQuerySet":
        """Comments whose verdict flags ``guideline`` (see ``Comment.flags``)."""
        return self.filter(flags__contains=f",{guideline},")

    def sent_since(self, key: str, since: datetime) -> Iterator[tuple[str, datetime]]:
        """``(body, created_at)`` of the comments the address ``key`` (an :func:`email_key`)
        sent since ``since``, newest first, for the duplicate check of
        agora.protection.flood.

        Through the (email_key, created_at) index, and bounded: the per-email rate limit
        keeps far fewer in a window. A raw query, as every post asks it: Django takes
        0.4 ms to build this one as a queryset."""
        table = self.model._meta.db_table
        query = (
            f"SELECT id, body, created_at FROM {table} WHERE email_key = %s"
            " AND created_at >= %s ORDER BY created_at DESC LIMIT 200"
        )
        moment = connections[self.db].ops.adapt_datetimefield_value(since)
        return ((row.body, row.created_at) for row in self.raw(query, [key, moment]))

    def stored_under(self, idempotency_key: str) -> "Comment | None":
        """The comment stored under ``idempotency_key``, if any: a raw query, as every post
        with a key asks it once or twice (0.4 ms of CPU as a queryset, 0.08 ms raw)."""
        query = f"SELECT * FROM {self.model._meta.db_table} WHERE idempotency_key = %s"
        return next(iter(self.raw(query, [idempotency_key])), None)


class Comment(models.Model):
    """A reader's comment, stored exactly as received.

    Status only changes through ``agora.comments.actions`` (which records a
    ``Decision`` for every change); the reader's words never change at all.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_name = models.CharField(max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField(max_length=254)
    # The address as compared (privacy requests, the duplicate check): see email_key().
    email_key = models.CharField(max_length=254, editable=False, default="")
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A client-chosen key: a retried or double-clicked submission with the
    # same key returns the first comment instead of storing a second one.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    # True from posting until the guideline engine's verdict is stored, when comments are
    # checked in the background (settings.AGORA_SCORING): the queue shows "being checked".
    awaiting_verdict = models.BooleanField(default=False, db_index=True)
    # What the guideline engine said when the comment was posted.
    lang = models.CharField(max_length=8, blank=True)
    decision = models.CharField(max_length=10, blank=True)
    risk = models.FloatField(default=0.0, db_index=True)
    verdict = models.JSONField(null=True, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    # The guidelines the verdict flags, as ",threat,profanity,": lets the queue
    # filter by guideline with one plain column on SQLite and PostgreSQL alike.
    flags = models.CharField(max_length=120, blank=True)
    # Whether the engine judged it (imported comments may have no verdict): kept by the
    # database whatever path stores the verdict, so the queue's risk orders (judged ones
    # first) read an index instead of sorting every pending comment.
    scored = models.GeneratedField(
        expression=ExpressionWrapper(Q(verdict__isnull=False), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            # A sender's recent comments, newest first (the duplicate check), and any
            # lookup by exact address.
            models.Index(fields=["author_email", "created_at"]),
            models.Index(fields=["email_key", "created_at"]),
            # The queue's risk orders, riskiest first and clean first (moderation.queue).
            models.Index(
                fields=["status", "-scored", "-risk", "created_at", "id"], name="queue_riskiest"
            ),
            models.Index(
                fields=["status", "-scored", "risk", "created_at", "id"], name="queue_clean"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            self._refuse_changed_words()
        self.email_key = email_key(self.author_email)
        super().save(*args, **kwargs)

    @property
    def engine_verdict(self) -> Verdict | None:
        """The stored verdict as the engine's :class:`Verdict`, or None before it is judged:
        the one way the web app reads ``verdict``."""
        if not isinstance(self.verdict, dict):
            return None
        return Verdict.from_dict(self.verdict, risk=self.risk)

    def _refuse_changed_words(self) -> None:
        stored = type(self).objects.filter(pk=self.pk).values(*IMMUTABLE_FIELDS).first()
        if stored is None:
            return
        changed = [name for name in IMMUTABLE_FIELDS if stored[name] != getattr(self, name)]
        if changed:
            raise ImmutableCommentError(
                f"A comment is never edited; refused to change {', '.join(changed)}."
            )


class HoldQuerySet(models.QuerySet["Hold"]):
    """Each one raw statement: every post asks one to three of them, and as querysets they
    cost several times as much CPU (taking and letting go of a key: 0.60 ms against 0.13 ms;
    asking whether it is held: 0.2 ms against 0.03 ms)."""

    def take(self, key: str, stale_after: float) -> bool:
        """Hold ``key`` unless another holds it; return whether this call took it. A hold
        older than ``stale_after`` seconds was left by a killed process and is taken over."""
        now = timezone.now()
        # Inserted, or the stale row's time replaced; a row returned either way, none when
        # another holds the key.
        return bool(
            self._run(
                "INSERT INTO {table} ({key}, claimed_at) VALUES (%s, %s) ON CONFLICT ({key})"
                " DO UPDATE SET claimed_at = excluded.claimed_at"
                " WHERE {table}.claimed_at < %s RETURNING {key}",
                key,
                now,
                now - timedelta(seconds=stale_after),
            )
        )

    def held(self, key: str, stale_after: float) -> bool:
        """Whether ``key`` is held, by a hold younger than ``stale_after`` seconds."""
        fresh = timezone.now() - timedelta(seconds=stale_after)
        return bool(
            self._run("SELECT 1 FROM {table} WHERE {key} = %s AND claimed_at >= %s", key, fresh)
        )

    def release(self, key: str) -> None:
        """Let go of ``key`` (held or not)."""
        self._run("DELETE FROM {table} WHERE {key} = %s", key)

    def _run(self, sql: str, *params: str | datetime) -> list[tuple[Any, ...]]:
        connection = connections[self.db]
        quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
        values: list[Any] = [adapt(v) if isinstance(v, datetime) else v for v in params]
        with connection.cursor() as cursor:
            cursor.execute(
                sql.format(table=quote(self.model._meta.db_table), key=quote("key")), values
            )
            return cursor.fetchall() if cursor.description else []


class Hold(models.Model):
    """A key one process holds, across every process: a row whose primary key it is."""

    key = models.CharField(max_length=100, primary_key=True)
    claimed_at = models.DateTimeField()

    objects = HoldQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key} (since {self.claimed_at:%H:%M:%S})"


class SubmissionClaim(Hold):
    """An idempotency key whose comment is being judged and stored right now.

    The first of several identical submissions arriving together claims the key;
    the others wait for its comment instead of being counted by the rate limits
    and the flood check themselves (agora.comments.actions.post_comment). The
    claim is deleted once the comment is stored or refused; one left by a killed
    server is taken over once it is ``actions.CLAIM_STALE_AFTER`` seconds old."""


class ScheduledCheck(Hold):
    """A check of the comments waiting for their verdict, enqueued and not yet started.

    While one exists, new comments enqueue no check of their own: that one will see them
    (agora.comments.tasks.schedule_check). A row in the database, not an entry in a
    cache, because the worker that starts the check must clear what every app server
    reads. One left by a lost task is replaced once it is
    ``tasks.CHECK_SCHEDULED_FOR`` seconds old."""


def email_key(address: str) -> str:
    """One form for every way of writing an address: mail providers ignore case, and
    people type it both ways. Compared in Python, as SQLite's LIKE and lower() fold
    ASCII letters only ("ÄRGER" would not match "ärger")."""
    return unicodedata.normalize("NFKC", address.strip()).casefold()


class Decision(AppendOnly):
    """One moderation event: the audit trail. Rows are only ever added."""

    trail = "The audit trail"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Empty when the engine decided under the publisher's automatic policy.
    from_status = models.CharField(max_length=10, choices=Status.choices)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.from_status} → {self.to_status}"

    def as_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data (privacy exports, the site export)."""
        return {
            "from_status": self.from_status,
            "to_status": self.to_status,
            "reason": self.reason,
            "note": self.note,
            "automatic": self.automatic,
            "created_at": self.created_at.isoformat(),
        }
