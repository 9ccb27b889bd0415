"""What every API request body and error answer shares.

Input schemas check only the JSON types and what must never reach the database
(unknown fields, ids out of range); the apps' own schemas (agora/comments/schemas.py,
agora/moderation/schemas.py) add the rest, and what makes a comment acceptable is
CommentForm's job, so that rule is written once for the HTML form and the API.
"""

from ninja import Field, Schema
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

# Largest id a 64-bit primary key holds; bigger numbers make the database driver raise.
MAX_ID = 2**63 - 1


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


# --- Errors ----------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ValidationErrorsOut(Schema):
    errors: dict[str, list[str]] = Field(
        description="Messages per field; '__all__' for the body as a whole."
    )
