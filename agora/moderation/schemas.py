"""Shapes of what the moderator side of the API reads and writes (agora/moderation/api.py)."""

from datetime import datetime
from typing import Literal

from django.conf import settings
from ninja import Field, Schema

from agora.api.schemas import ErrorOut, Input
from agora.comments.models import Reason, Status
from agora.comments.schemas import CleanStr

LangCode = Literal[tuple(code for code, _name in settings.LANGUAGES) + ("other",)]
# The guideline keys the engine flags; every rejection reason but "other" is one.
GuidelineCode = Literal[tuple(code for code in Reason.values if code != Reason.OTHER)]


class ConflictOut(ErrorOut):
    status: Status | None = Field(default=None, description="The comment's current status.")


class ArticleRefOut(Schema):
    slug: str
    title: str


class AuthorHistoryOut(Schema):
    approved: int = Field(description="Approved comments from this email address.")
    rejected: int = Field(description="Rejected comments from this email address.")


class QueueItemOut(Schema):
    id: int
    article: ArticleRefOut
    author_name: str
    author_email: str
    body: str
    created_at: datetime
    parent_id: int | None
    status: Status
    lang: str = Field(description="Language the guideline engine detected; empty if not scored.")
    decision: str = Field(description="The engine's advice: approve, review, reject or empty.")
    risk: float
    verdict: dict | None = Field(description="The engine's reasons, with evidence spans.")
    awaiting_verdict: bool = Field(
        description="Being checked: the task worker has not stored the engine's verdict yet."
    )
    author_history: AuthorHistoryOut


class QueueOut(Schema):
    comments: list[QueueItemOut]
    next: str | None


class DecisionOut(Schema):
    id: int
    from_status: Status
    to_status: Status
    reason: str = Field(description="Reason code for a rejection; empty for an approval.")
    note: str
    moderator: str | None = Field(description="Username, or null for an automatic decision.")
    automatic: bool
    created_at: datetime


class ModerationCommentOut(QueueItemOut):
    decisions: list[DecisionOut] = Field(description="Every decision on it, oldest first.")


class ApproveIn(Input):
    expected_status: Status | None = Field(
        default=None, description="Refuse (409) unless the comment still has this status."
    )
    note: CleanStr = Field(default="", max_length=500)


class RejectIn(ApproveIn):
    reason: Reason


class TransitionOut(Schema):
    id: int
    status: Status
    decision: DecisionOut
