"""The moderator's side of the JSON API, with a token (mounted at /api/v1/moderation/)."""

from typing import Literal

from django.db.models import Count, Q
from ninja import Query, Router

from agora.api.auth import ModeratorToken
from agora.api.errors import (
    BAD_INPUT,
    BODY_ERRORS,
    MODERATOR_ERRORS,
    NOT_FOUND,
    ApiError,
    comment_or_404,
)
from agora.api.pagination import OLDEST_FIRST, Cursor, Limit, Ordering, paginate
from agora.api.schemas import (
    ApproveIn,
    ConflictOut,
    GuidelineCode,
    LangCode,
    ModerationCommentOut,
    QueueOut,
    RejectIn,
    TransitionOut,
)
from agora.comments.actions import ConflictError, ModerationError
from agora.comments.actions import approve as approve_comment
from agora.comments.actions import reject as reject_comment
from agora.comments.models import Comment, Decision, Status

router = Router(tags=["moderation"], auth=ModeratorToken())

QUEUE_FIELDS = (
    "id",
    "author_name",
    "body",
    "created_at",
    "parent_id",
    "article__slug",
    "article__title",
    "author_email",
    "status",
    "lang",
    "decision",
    "risk",
    "verdict",
)
QUEUE_ORDERS = {
    "oldest": OLDEST_FIRST,
    "risk": Ordering("risk", (("risk", True), ("created_at", False), ("id", False))),
    "clean": Ordering("clean", (("risk", False), ("created_at", False), ("id", False))),
}


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


@router.get("/queue", response={200: QueueOut, **BAD_INPUT, **MODERATOR_ERRORS})
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


@router.get(
    "/comments/{int:comment_id}",
    response={200: ModerationCommentOut, **MODERATOR_ERRORS, **NOT_FOUND},
)
def moderation_comment(request, comment_id: int):
    """One comment in any state, with its full decision history."""
    row = comment_or_404(Comment.objects.values(*QUEUE_FIELDS), comment_id)
    item = queue_item(row, author_histories([row["author_email"]]))
    decisions = Decision.objects.filter(comment_id=row["id"]).select_related("moderator")
    item["decisions"] = [decision_dict(d) for d in decisions.order_by("created_at", "id")]
    return item


def transition(request, comment_id: int, act, payload: ApproveIn, **arguments):
    comment = comment_or_404(Comment.objects.only("id", "status"), comment_id)
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
        raise ApiError(409, str(conflict), status=current) from None
    except ModerationError as error:
        raise ApiError.bad_input({"__all__": [str(error)]}) from None
    return {"id": comment.id, "status": comment.status, "decision": decision_dict(decision)}


TRANSITION_RESPONSES = {
    200: TransitionOut,
    **BAD_INPUT,
    **MODERATOR_ERRORS,
    **NOT_FOUND,
    409: ConflictOut,
    **BODY_ERRORS,
}


@router.post("/comments/{int:comment_id}/approve", response=TRANSITION_RESPONSES)
def approve(request, comment_id: int, payload: ApproveIn | None = None):
    """Publish a pending comment, or reinstate a rejected one. The body is optional."""
    return transition(request, comment_id, approve_comment, payload or ApproveIn())


@router.post("/comments/{int:comment_id}/reject", response=TRANSITION_RESPONSES)
def reject(request, comment_id: int, payload: RejectIn):
    """Refuse a comment for one guideline (`reason`), or withdraw an approved one."""
    return transition(request, comment_id, reject_comment, payload, reason=payload.reason)
