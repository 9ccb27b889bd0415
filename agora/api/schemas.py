"""Shapes of what the API reads and writes.

Input schemas check only the JSON types and what must never reach the
database (control characters, lone surrogates, unknown fields, ids out of
range); what makes a comment acceptable is CommentForm's job, so that rule is
written once for the HTML form and the API.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from agora.comments.models import Reason, Status
from agora.comments.validators import forbidden_character

# Largest id a 64-bit primary key holds; bigger numbers make the database driver raise.
MAX_ID = 2**63 - 1


LangCode = Literal[tuple(code for code, _name in settings.LANGUAGES) + ("other",)]
# The guideline keys the engine flags; every rejection reason but "other" is one.
GuidelineCode = Literal[tuple(code for code in Reason.values if code != Reason.OTHER)]


def refuse_control_characters(value: str) -> str:
    found = forbidden_character(value)
    if found is None:
        return value
    kind, code = found
    if kind == "surrogate":
        message = "Remove the unpaired surrogate U+{code}; it is not a character."
    else:
        message = "Remove the control character U+{code} (only line breaks and tabs are allowed)."
    raise PydanticCustomError(kind, message, {"code": code})


CleanStr = Annotated[str, AfterValidator(refuse_control_characters)]


class Input(Schema):
    """Base of every request body: refuses fields it does not define."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def refuse_unknown_fields(cls, data):
        if isinstance(data, dict):
            unknown = [name for name in data if name not in cls.model_fields]
            if unknown:
                raise PydanticCustomError(
                    "unknown_fields",
                    "Unknown field(s) {unknown}; accepted fields are {accepted}.",
                    {"unknown": unknown, "accepted": list(cls.model_fields)},
                )
        return data


# --- Reader side -------------------------------------------------------------


class ArticleOut(Schema):
    slug: str
    title: str
    url: str = Field(description="Canonical address on the publisher's site; may be empty.")
    published_at: datetime
    language: str


class ArticleSummaryOut(ArticleOut):
    comment_count: int = Field(description="Approved comments only.")


class ArticleListOut(Schema):
    articles: list[ArticleSummaryOut]
    next: str | None = Field(description="Cursor for the next page, or null on the last one.")


class CommentOut(Schema):
    id: int
    author_name: str
    body: str
    created_at: datetime
    parent_id: int | None = Field(description="The comment this one replies to.")


class ThreadOut(Schema):
    article: ArticleOut
    count: int = Field(description="Approved comments on the article, all pages together.")
    comments: list[CommentOut]
    next: str | None = Field(description="Cursor for the next page, or null on the last one.")


class CommentIn(Input):
    author_name: CleanStr = Field(description="Shown with the comment; 1 to 80 characters.")
    author_email: CleanStr = Field(description="Required; never shown to anyone but moderators.")
    body: CleanStr = Field(description="The comment, 2 to 5,000 characters; never edited.")
    parent_id: StrictInt | None = Field(
        default=None, ge=1, le=MAX_ID, description="Id of an approved comment to reply to."
    )


class AcceptedOut(Schema):
    id: int
    status: Status = Field(description="'pending' until a moderator decides.")


# --- Errors ----------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ConflictOut(ErrorOut):
    status: Status | None = Field(default=None, description="The comment's current status.")


class ValidationErrorsOut(Schema):
    errors: dict[str, list[str]] = Field(
        description="Messages per field; '__all__' for the body as a whole."
    )


# --- Moderator side ---------------------------------------------------------


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
