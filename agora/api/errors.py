"""The API's one error type.

An endpoint that cannot answer with success raises :class:`ApiError`; the
handler in agora/api/api.py turns it, and every error ninja raises, into the
same JSON: ``{"errors": {field: [messages]}}`` for bad input (400),
``{"detail": message, ...}`` for everything else.
"""

from typing import Any, TypeVar

from django.db.models import QuerySet
from django.forms import BaseForm
from django.utils.translation import gettext as _

from agora.api.schemas import MAX_ID, ErrorOut, ValidationErrorsOut

# Response maps for endpoint declarations, so clients find every error in the schema.
BAD_INPUT = {400: ValidationErrorsOut}
# Answered by agora.api.gate before the endpoint runs; listed so clients know of them.
BODY_ERRORS = {411: ErrorOut, 413: ErrorOut, 415: ErrorOut}
NOT_FOUND = {404: ErrorOut}
MODERATOR_ERRORS = {401: ErrorOut, 403: ErrorOut}
# A row as a queryset gives it: a model instance, or a dict from .values().
T = TypeVar("T")


class ApiError(Exception):
    """An answer other than success: ``status_code``, the JSON ``body`` (``extra`` fields
    beside the detail) and extra ``headers``."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        /,
        *,
        headers: dict[str, str] | None = None,
        **extra: object,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.body: dict[str, object] = {"detail": detail, **extra}
        self.headers = headers or {}

    @classmethod
    def bad_input(cls, errors: dict[str, list[str]]) -> "ApiError":
        """A 400 naming what is wrong with each field ("__all__" for the whole request)."""
        error = cls(400, "")
        error.body = {"errors": errors}
        return error

    @classmethod
    def invalid_form(cls, form: BaseForm) -> "ApiError":
        """A 400 with a Django form's errors, in the API's shape."""
        errors = form.errors.get_json_data()
        return cls.bad_input(
            {field: [e["message"] for e in items] for field, items in errors.items()}
        )


def one_or_404(queryset: QuerySet[Any, T], pk: int, message: str) -> T:
    """The row of ``queryset`` with primary key ``pk``, or a 404 saying ``message``."""
    found = queryset.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if found is None:
        raise ApiError(404, message)
    return found


def comment_or_404(queryset: QuerySet[Any, T], comment_id: int) -> T:
    return one_or_404(
        queryset, comment_id, _("There is no comment with id %(id)d.") % {"id": comment_id}
    )
