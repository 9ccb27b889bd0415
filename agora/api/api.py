"""Agora's JSON API, version 1 (mounted at /api/v1/; schema at /api/v1/openapi.json).

This module holds the NinjaAPI object and turns every error into the API's JSON
(agora/api/errors.py). The endpoints belong to the apps whose data they serve,
each app's router mounted by agora/api/urls.py: agora/comments/api.py (reading
and posting), agora/moderation/api.py (the moderator's token endpoints) and
agora/embed/api.py. They stay thin: they read
input, validate comments with CommentForm and change state only through the
apps' actions modules.
"""

import logging

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from agora.api.errors import ApiError
from agora.api.gate import InvalidBody, StrictJSONParser
from agora.api.pagination import InvalidCursor
from agora.protection import readonly

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Agora API",
    version="1",
    description=(
        "Read approved comments, post new ones for moderation, and moderate with a token. "
        "Errors are JSON: 400 {'errors': {field: [messages]}}, otherwise {'detail': message}."
    ),
    urls_namespace="api",
    parser=StrictJSONParser(),
)


# What every JSON answer says it is (ninja's renderer), for answers built ahead of time.
JSON_CONTENT_TYPE = f"{api.renderer.media_type}; charset={api.renderer.charset}"


def rendered(request, schema, data: dict) -> bytes:
    """The JSON ninja would send for ``data`` as a 200 of ``schema``, ready to cache."""
    response = api.create_response(request, schema.model_validate(data).model_dump(), status=200)
    return response.content


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    response = api.create_response(request, exc.body, status=exc.status_code)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def describe(error: dict) -> list[tuple[str, str]]:
    """(field, message) pairs for one pydantic error as located by ninja."""
    source, *path = error["loc"]
    if source == "body" and path:
        path = path[1:]  # the view's parameter name ("payload") means nothing to clients
    field = str(path[0]) if path else "__all__"
    kind = error["type"]
    if kind == "unknown_fields":
        accepted = ", ".join(error["ctx"]["accepted"])
        message = _("Unknown field; accepted fields are %(accepted)s.") % {"accepted": accepted}
        return [(str(name), message) for name in error["ctx"]["unknown"]]
    if kind == "missing":
        message = _("This field is required.") if path else _("A JSON object body is required.")
    elif kind in {"model_type", "model_attributes_type", "dict_type"} and not path:
        message = _("The request body must be a JSON object ({...}).")
    else:
        message = error["msg"]
    return [(field, message)]


# ninja's own errors, and anything unexpected, answer as an ApiError would.


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """ninja's 422 becomes the API's 400 {"errors": {field: [messages]}}."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        for field, message in describe(error):
            errors.setdefault(field, []).append(message)
    return api_error(request, ApiError.bad_input(errors))


@api.exception_handler(HttpError)
def http_error(request, exc):
    # ninja wraps any parser failure in a generic HttpError(400); ours says what is wrong.
    if isinstance(exc.__cause__, InvalidBody):
        invalid = exc.__cause__
        if invalid.status_code == 400:
            return api_error(request, ApiError.bad_input({"__all__": [str(invalid)]}))
        return api_error(request, ApiError(invalid.status_code, str(invalid)))
    if isinstance(exc, AuthenticationError):
        return api_error(
            request,
            ApiError(
                401,
                _("Send a valid moderator token: 'Authorization: Bearer <token>'."),
                headers={"WWW-Authenticate": "Bearer"},
            ),
        )
    return api_error(request, ApiError(exc.status_code, str(exc)))


@api.exception_handler(InvalidCursor)
def invalid_cursor(request, exc):
    return api_error(request, ApiError.bad_input({"cursor": [str(exc)]}))


@api.exception_handler(Exception)
def unexpected_error(request, exc):
    if readonly.cannot_write(exc):
        return readonly.unavailable(request)
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return api_error(
        request, ApiError(500, _("Something went wrong on our side; please try again."))
    )
