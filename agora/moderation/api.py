"""The moderator's side of the JSON API, with a token (mounted at /api/v1/moderation/)."""

from datetime import date
from typing import Literal

from django.utils.translation import gettext as _
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
from agora.api.pagination import Cursor, Limit, paginate
from agora.comments.actions import ConflictError, ModerationError
from agora.comments.actions import approve as approve_comment
from agora.comments.actions import reject as reject_comment
from agora.comments.models import Comment, Decision
from agora.moderation import queue as queues
from agora.moderation.access import must_decide
from agora.moderation.access import token_visible as visible
from agora.moderation.queue import Sort
from agora.moderation.schemas import (
    ApproveIn,
    ConflictOut,
    GuidelineCode,
    LangCode,
    ModerationCommentOut,
    QueueOut,
    RejectIn,
    TransitionOut,
)

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
    "awaiting_verdict",
)
# The API's names for the queue's orders; "risk" is the name it had before the HTML
# queue's "riskiest" became the one name, and still works.
QUEUE_ORDERS = {
    "oldest": Sort.OLDEST,
    "riskiest": Sort.RISKIEST,
    "risk": Sort.RISKIEST,
    "clean": Sort.CLEAN,
}


def author_histories(rows) -> dict[int, dict[str, int]]:
    """Each row's author record (see ``queue.author_records``), in one query."""
    records = queues.author_records(row["id"] for row in rows)
    return {
        pk: {"approved": approved, "rejected": rejected}
        for pk, (approved, rejected) in records.items()
    }


# A day as the query string gives it. Checked as text, not read as a date: a date
# parameter would also take a number of seconds since 1970.
DAY = r"^\d{4}-\d{2}-\d{2}$"


def day(name: str, value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ApiError.bad_input(
            {name: [_("There is no such day: %(day)s.") % {"day": value}]}
        ) from None


def queue_item(row: dict, histories: dict) -> dict:
    item = {key: value for key, value in row.items() if key != "scored"}
    item["article"] = {"slug": item.pop("article__slug"), "title": item.pop("article__title")}
    item["author_history"] = histories.get(row["id"], {"approved": 0, "rejected": 0})
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
    order: Literal["oldest", "riskiest", "risk", "clean"] = "oldest",
    status: Literal["pending", "approved", "rejected"] = "pending",
    article: str | None = Query(None, max_length=200, pattern=r"^[-a-zA-Z0-9_]+$"),
    lang: LangCode | None = None,
    guideline: GuidelineCode | None = None,
    email: str | None = Query(None, max_length=254, description="The author's address, exactly."),
    name: str | None = Query(None, max_length=80, description="Part of the author's name."),
    text: str | None = Query(None, max_length=200, description="Part of the comment's text."),
    since: str | None = Query(None, pattern=DAY, description="Received on or after (YYYY-MM-DD)."),
    until: str | None = Query(None, pattern=DAY, description="Received on or before (YYYY-MM-DD)."),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """The moderation queue (pending comments unless `status` says otherwise, on the
    token owner's desks) with what the guideline engine said and the author's record:
    how many of the address's earlier comments were approved and rejected.

    `order`: `oldest` (default), `riskiest` (most likely to break a guideline first;
    `risk` is the same) or `clean` (least likely first); comments the engine never
    scored come after the scored ones in both risk orders. `since` and `until`
    (YYYY-MM-DD) bound the day it was received, both days included."""
    filters = queues.QueueFilters(
        status=status,
        article_slug=article or "",
        lang=lang or "",
        guideline=guideline or "",
        email=email or "",
        name=name or "",
        text=text or "",
        since=day("since", since),
        until=day("until", until),
        sort=QUEUE_ORDERS[order],
    )
    found = queues.comments(filters, request.auth).values(*QUEUE_FIELDS, "scored")
    rows, next_cursor = paginate(found, queues.ORDERINGS[filters.sort], limit, cursor)
    histories = author_histories(rows)
    return {"comments": [queue_item(row, histories) for row in rows], "next": next_cursor}


@router.get(
    "/comments/{int:comment_id}",
    response={200: ModerationCommentOut, **MODERATOR_ERRORS, **NOT_FOUND},
)
def moderation_comment(request, comment_id: int):
    """One comment in any state, with its full decision history."""
    row = comment_or_404(visible(request).values(*QUEUE_FIELDS), comment_id)
    item = queue_item(row, author_histories([row]))
    decisions = Decision.objects.filter(comment_id=row["id"]).select_related("moderator")
    item["decisions"] = [decision_dict(d) for d in decisions.order_by("created_at", "id")]
    return item


def transition(request, comment_id: int, act, payload: ApproveIn, **arguments):
    must_decide(request)
    comment = comment_or_404(visible(request).only("id", "status"), comment_id)
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
