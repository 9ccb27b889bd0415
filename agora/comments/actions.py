"""Every change to a comment's state happens here.

Views and API endpoints stay thin: they validate input and call one of these
functions, so each moderation rule (who may move a comment where, what gets
recorded) lives in exactly one place.
"""

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction

from agora.articles.models import Article
from agora.comments import bulk, overrules, screening
from agora.comments.models import Comment, Decision, Reason, Status, SubmissionClaim, email_key
from agora.comments.reading import thread_cache
from agora.guidelines.verdict import Verdict

# A request holding a submission's claim longer than this was killed (gunicorn's own
# timeout is 30 s): another may take the claim over.
CLAIM_STALE_AFTER = 60
# How often a retry waiting for the same submission looks for its comment.
CLAIM_POLL = 0.02

# Decisions brought in by an import note their source and original id after this.
IMPORT_NOTE_PREFIX = "import: "

ALLOWED_TRANSITIONS = {
    Status.PENDING: {Status.APPROVED, Status.REJECTED},
    Status.APPROVED: {Status.REJECTED},
    Status.REJECTED: {Status.APPROVED},
}


#: Who decides: a signed-in moderator, or None for the engine under the publisher's policy.
Moderator: TypeAlias = User | AnonymousUser | None


class ModerationError(Exception):
    """A moderation request that cannot be carried out as asked."""


class ConflictError(ModerationError):
    """Someone else changed the comment since the moderator looked at it."""


@dataclass(frozen=True)
class NewComment:
    article: Article
    author_name: str
    author_email: str
    body: str
    parent: Comment | None = None
    idempotency_key: str | None = None


def post_comment(
    new: NewComment, guard: AbstractContextManager[object] | None = None
) -> tuple[Comment, bool]:
    """Judge a reader's comment, store it as pending; return it and whether it is new.

    The guideline engine's verdict is stored with the comment. By default every
    comment then waits for a moderator; the publisher's policy may let the
    engine reject (or approve) on its own, which is recorded as an automatic
    decision in the audit trail.

    A repeated idempotency key returns the comment first stored under it, so a
    retried or double-clicked submission never creates a second comment. Identical
    submissions arriving together wait for the first one's comment (``_claimed``):
    only that one is judged and counted by ``guard``.

    ``guard`` (not yet entered; the views pass ``CommentForm.guard``, built from plain data)
    is entered for a new comment only, around its scoring and storing: it may refuse it,
    and it takes back its counts if storing fails. A retry of a stored comment skips it,
    so a reader whose answer was lost is never refused their own comment.
    """
    with _claimed(new.idempotency_key) as existing:
        if existing is not None:
            return existing, False
        return _guarded_store(new, guard)


def _guarded_store(
    new: NewComment, guard: AbstractContextManager[object] | None
) -> tuple[Comment, bool]:
    try:
        with guard or nullcontext():
            return _store(new), True
    except IntegrityError:
        # Two identical retries raced past the lookup; the first one won.
        if new.idempotency_key:
            existing = Comment.objects.stored_under(new.idempotency_key)
            if existing is not None:
                return existing, False
        raise


@contextmanager
def _claimed(key: str | None) -> Iterator[Comment | None]:
    """Hold ``key`` while its comment is judged and stored, or yield the comment stored
    under it by another request that held it (waited for while it is in flight)."""
    if not key:
        yield None
        return
    while not SubmissionClaim.objects.take(key, CLAIM_STALE_AFTER):
        existing = Comment.objects.stored_under(key)
        if existing is not None:
            yield existing
            return
        time.sleep(CLAIM_POLL)
    try:
        # A retry of a stored comment, or the claim's previous holder stored it.
        yield Comment.objects.stored_under(key)
    finally:
        SubmissionClaim.objects.release(key)


def _store(new: NewComment) -> Comment:
    comment = Comment(**_written(new), idempotency_key=new.idempotency_key or None)
    if settings.AGORA_SCORING == "background":
        comment.awaiting_verdict = True
        with transaction.atomic():
            comment.save()
            # The check is enqueued once the comment is surely stored; a comment whose
            # task is lost is still in the queue, and `agora check_comments` finds it.
            transaction.on_commit(_schedule_check, robust=True)
        return comment
    # Scored before the transaction opens, so the write lock is held only for the insert.
    screening.store_vectors([new.article])
    verdict = screening.judge(new.article, new.body, new.parent.body if new.parent else None)
    _take_verdict(comment, verdict)
    with transaction.atomic():
        comment.save()
        _decide_automatically(comment, verdict)
    return comment


def _schedule_check() -> None:
    from agora.comments.tasks import schedule_check  # the tasks module imports this one

    schedule_check()


def check_comments(comment_ids: list[int]) -> int:
    """Judge the comments among ``comment_ids`` still awaiting their verdict (posted while
    comments are checked in the background), store each verdict, and take the automatic
    decision the publisher's policy asks for; return how many were stored here.

    Judged together, in one pass of the engine, and stored together, in one transaction
    (a commit per comment cost the worker more than its writes). A comment another worker
    stored meanwhile is left as it is; one a moderator decided meanwhile gets its verdict
    but no automatic decision: the moderator's stands."""
    waiting = list(
        Comment.objects.filter(pk__in=comment_ids, awaiting_verdict=True)
        .select_related("article", "parent")
        .order_by("pk")
    )
    if not waiting:
        return 0
    screening.store_vectors(comment.article for comment in waiting)
    verdicts = screening.judge_many(waiting)
    # A stored verdict depends on the reader's words, which never change, and the word
    # lists: worked out before the rows are locked, so the lock is held for the writes.
    for comment, verdict in zip(waiting, verdicts, strict=True):
        _take_verdict(comment, verdict)
    with transaction.atomic():
        statuses = dict(
            Comment.objects.select_for_update()
            .filter(pk__in=[comment.pk for comment in waiting], awaiting_verdict=True)
            .values_list("pk", "status")
        )
        checked = [
            (comment, verdict)
            for comment, verdict in zip(waiting, verdicts, strict=True)
            if comment.pk in statuses
        ]
        bulk.update(Comment, _verdict_rows([c for c, _ in checked], awaiting_verdict=False))
        for comment, verdict in checked:
            comment.status = statuses[comment.pk]
            if comment.status == Status.PENDING:
                _decide_automatically(comment, verdict)
    return len(checked)


def give_up_checking(comment_id: int) -> None:
    """Leave a comment the engine cannot judge to the moderators, without a verdict."""
    Comment.objects.filter(pk=comment_id, awaiting_verdict=True).update(awaiting_verdict=False)


# The columns a verdict fills in (see _take_verdict).
VERDICT_FIELDS = ("lang", "decision", "risk", "verdict", "model_version", "flags")


def _verdict_rows(comments: list[Comment], **also: object) -> list[dict[str, object]]:
    """Each comment's verdict columns, and the columns in ``also``, for ``bulk.update``."""
    return [
        {"pk": comment.pk, **{field: getattr(comment, field) for field in VERDICT_FIELDS}, **also}
        for comment in comments
    ]


def _take_verdict(comment: Comment, verdict: Verdict) -> None:
    # Other apps' rules (the publisher's word lists) mark what they find and may raise
    # the decision.
    stored_verdict = overrules.mark(comment.body, verdict.to_dict())
    comment.lang = verdict.lang
    comment.decision = stored_verdict["decision"]
    comment.risk = screening.risk_of(stored_verdict, verdict.risk)
    comment.verdict = stored_verdict
    comment.model_version = verdict.model_version
    comment.flags = screening.flags_of(stored_verdict)


def _decide_automatically(comment: Comment, verdict: Verdict) -> None:
    """Record the decision the publisher's policy lets the engine take on its own, if any.
    Callers hold the transaction."""
    automatic, reason, note = overrules.overrule(
        comment.verdict or {},
        screening.engine().policy.automatic_action(verdict.lang, verdict.scores),
        verdict.top_guideline,
    )
    automatic = overrules.for_author(comment.author_email, automatic, comment.decision)
    if automatic == "reject":
        _record(comment, Status.REJECTED, None, reason, note)
    elif automatic == "approve":
        _record(comment, Status.APPROVED, None, "", "")


@dataclass(frozen=True)
class ImportedComment:
    """A comment brought from another comment system, as that system last held it."""

    article: Article
    author_name: str
    author_email: str
    body: str
    created_at: datetime
    status: str
    source: str
    original_id: str
    parent_id: int | None = None
    # Why a comment stored as rejected was removed at the source.
    reason: str = ""


def import_comments(batch: list[ImportedComment]) -> list[int]:
    """Store comments from another system with their original dates and statuses; return
    their ids, in order.

    They are not judged by the guideline engine: the source's moderators already decided
    them. The audit trail gets one decision per comment recording the import, its source
    and original id, even for a pending comment, so every imported comment says where it
    came from. Stored a batch at a time, without a model instance per row (an archive
    holds millions); parents must be stored already. Callers hold the transaction that
    also records the comments' origin.
    """
    ids = bulk.insert(
        Comment,
        [
            {
                "article_id": imported.article.pk,
                "parent_id": imported.parent_id,
                "author_name": imported.author_name,
                "author_email": imported.author_email,
                "email_key": email_key(imported.author_email),
                "body": imported.body,
                "status": imported.status,
                "created_at": imported.created_at,
            }
            for imported in batch
        ],
        returning_ids=True,
    )
    bulk.insert(
        Decision,
        [
            {
                "comment_id": comment_id,
                "from_status": Status.PENDING,
                "to_status": imported.status,
                "reason": imported.reason,
                "note": f"{IMPORT_NOTE_PREFIX}{imported.source} {imported.original_id}"[:500],
            }
            for comment_id, imported in zip(ids, batch, strict=True)
        ],
    )
    thread_cache.invalidate(*{i.article.pk for i in batch if i.status == Status.APPROVED})
    return ids


def store_verdicts(comments: list[Comment], verdicts: list[Verdict]) -> None:
    """Store the engine's verdicts on comments stored without one (an imported archive,
    scored when the import asks), so the queue can show their risk. Their status and
    audit trail stay as they are: the source's moderators decided them, so the policy
    takes no automatic decision. Callers hold the transaction."""
    for comment, verdict in zip(comments, verdicts, strict=True):
        _take_verdict(comment, verdict)
    bulk.update(Comment, _verdict_rows(comments))


@dataclass(frozen=True)
class RestoredDecision:
    """One audit-trail entry as an exported Agora site recorded it."""

    moderator: User | None
    from_status: str
    to_status: str
    reason: str
    note: str
    automatic: bool
    created_at: datetime


def restore_comment(
    comment: Comment, created_at: datetime, decisions: list[RestoredDecision]
) -> Comment:
    """Store an unsaved ``comment`` exported from an Agora site exactly as it was there:
    its status, the engine's verdict, its date and its whole audit trail.

    Unlike ``import_comments`` it records no import decision: the trail is the site's own.
    Callers hold the transaction that also records the comment's origin."""
    comment.save()
    Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
    comment.created_at = created_at
    for restored in decisions:
        decision = Decision.objects.create(
            comment=comment,
            moderator=restored.moderator,
            from_status=restored.from_status,
            to_status=restored.to_status,
            reason=restored.reason,
            note=restored.note[:500],
            automatic=restored.automatic,
        )
        Decision.objects.filter(pk=decision.pk).update(created_at=restored.created_at)
    if comment.status == Status.APPROVED:
        thread_cache.invalidate(comment.article_id)
    return comment


def _written(new: NewComment) -> dict[str, object]:
    """What the reader wrote, where: the fields a comment keeps unchanged for good."""
    return {
        "article": new.article,
        "parent": new.parent,
        "author_name": new.author_name,
        "author_email": new.author_email,
        "body": new.body,
    }


def approve(
    comment: Comment, moderator: Moderator, *, expected_status: str | None = None, note: str = ""
) -> Decision:
    """Publish a comment (or reinstate a rejected one)."""
    return _transition(comment, Status.APPROVED, moderator, "", note, expected_status)


def reject(
    comment: Comment,
    moderator: Moderator,
    reason: str,
    *,
    expected_status: str | None = None,
    note: str = "",
) -> Decision:
    """Refuse a comment (or withdraw an approved one) for one guideline."""
    if reason not in Reason.values:
        valid = ", ".join(Reason.values)
        raise ModerationError(f"Unknown reason code {reason!r}; use one of {valid}.")
    return _transition(comment, Status.REJECTED, moderator, reason, note, expected_status)


def withdraw(comment: Comment, note: str) -> Decision | None:
    """Take a published comment out of the public thread until a moderator decides: it
    goes back to pending, recorded as an automatic decision (readers reported it, say).
    None when it is no longer published."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status != Status.APPROVED:
            return None
        decision = _record(locked, Status.PENDING, None, "", note)
    comment.status = Status.PENDING
    return decision


def _transition(
    comment: Comment,
    to_status: str,
    moderator: Moderator,
    reason: str,
    note: str,
    expected_status: str | None,
) -> Decision:
    with transaction.atomic():
        # Lock the row so two moderators acting at once are serialised: the
        # second one sees the first one's result and gets a conflict.
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if expected_status is not None and locked.status != expected_status:
            raise ConflictError(
                f"This comment is already {locked.get_status_display().lower()}; "
                "someone else decided it while you were looking."
            )
        if to_status not in ALLOWED_TRANSITIONS[Status(locked.status)]:
            raise ConflictError(f"This comment is already {locked.get_status_display().lower()}.")
        decision = _record(locked, to_status, moderator, reason, note)
    comment.status = to_status
    return decision


def _record(
    comment: Comment, to_status: str, moderator: Moderator, reason: str, note: str
) -> Decision:
    """Move ``comment`` to ``to_status`` and append the decision to the audit trail.

    ``moderator`` None means the engine decided under the publisher's policy.
    Callers hold the transaction (and the row lock, for existing comments).
    """
    decision = Decision.objects.create(
        comment=comment,
        moderator=moderator if isinstance(moderator, User) else None,
        from_status=comment.status,
        to_status=to_status,
        reason=reason,
        note=note[:500],
        automatic=moderator is None,
    )
    Comment.objects.filter(pk=comment.pk).update(status=to_status)
    if Status.APPROVED in (comment.status, to_status):  # what readers see changes
        thread_cache.invalidate(comment.article_id)
    comment.status = to_status
    return decision
