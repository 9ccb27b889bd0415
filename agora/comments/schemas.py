"""Shapes of what the reader side of the API reads and writes (agora/comments/api.py).

:data:`CleanStr` is the text field of every API body: it refuses what must never reach
the database (control characters, lone surrogates), by the rule comments follow.
"""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, StrictInt
from pydantic_core import PydanticCustomError

from agora.api.schemas import MAX_ID, Input
from agora.comments.models import Status
from agora.comments.validators import forbidden_character


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
