"""What every API request passes before and after django-ninja handles it.

ninja reads any body with ``json.loads`` and answers every failure with one
vague "Cannot parse request body"; it also answers a wrong method with a plain
text 405 and knows nothing of body sizes. The API promises a JSON error that
says what is wrong, so the limits live here: body size (413), a declared length
(411), JSON bodies only (415), strict JSON (valid UTF-8, bounded nesting, no
duplicate keys, no NaN, an object at the top), JSON 405s and a JSON 404 for
unknown API addresses.
"""

import json
import re
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls.resolvers import URLPattern
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja.parser import Parser

DEFAULT_MAX_BODY_BYTES = 64 * 1024
# Every body the API accepts is a flat object; real clients never come close.
MAX_JSON_DEPTH = 16
_JSON_SPECIALS = re.compile(r'["\\\[\]{}]')


class InvalidBody(Exception):
    """A request body that is not a JSON object the API can read."""

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message)
        self.status_code = status_code


def max_body_bytes() -> int:
    return getattr(settings, "AGORA_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)


def too_large(limit: int) -> JsonResponse:
    return JsonResponse(
        {"detail": _("The request body is larger than %(limit)d bytes.") % {"limit": limit}},
        status=413,
    )


def body_size_rejection(request) -> JsonResponse | None:
    """A 413 for a body over the limit: by its declared length before reading
    anything, then by its actual length (a client may omit the header)."""
    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return too_large(limit)
    try:
        actual = len(request.body)
    except RequestDataTooBig:
        return too_large(limit)
    if actual > limit:
        return too_large(limit)
    return None


def length_required(request) -> JsonResponse | None:
    """A 411 for a chunked body under WSGI (gunicorn): Django reads as many bytes as
    Content-Length says, and a chunked request has none, so its body would be read
    as empty. (Django's ASGI handler reads such a body whole.)"""
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked or not isinstance(request, WSGIRequest):
        return None
    return JsonResponse(
        {"detail": _("Send the body with a Content-Length header, not chunked.")}, status=411
    )


def method_not_allowed(request, allowed: list[str]) -> JsonResponse:
    response = JsonResponse(
        {
            "detail": _("%(method)s is not allowed here; use %(allowed)s.")
            % {"method": request.method, "allowed": ", ".join(allowed)}
        },
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response


def guard(view):
    """Wrap one ninja URL view with the body-size limit and JSON 405s."""

    @wraps(view)
    def guarded_view(request, *args, **kwargs):
        rejection = length_required(request) or body_size_rejection(request)
        if rejection is not None:
            return rejection
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(m.strip() for m in response["Allow"].split(",") if m.strip())
            return method_not_allowed(request, allowed)
        return response

    return guarded_view


def guarded(ninja_urls):
    """``api.urls`` with every view wrapped by :func:`guard`."""
    patterns, app_name, namespace = ninja_urls
    wrapped = [
        URLPattern(p.pattern, guard(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return wrapped, app_name, namespace


@csrf_exempt  # an API address that does not exist is a JSON 404, also for POST
def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse(
        {"detail": _("There is no API endpoint at %(path)s.") % {"path": request.path}},
        status=404,
    )


def json_depth(text: str, limit: int) -> int:
    """How deeply arrays and objects nest in ``text``, counting no further than
    ``limit + 1``. Checked before parsing because the parser recurses and a
    body of ``[[[[...`` would exhaust the stack; linear in the number of
    brackets, quotes and backslashes."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1
    for match in _JSON_SPECIALS.finditer(text):
        position, char = match.start(), match.group()
        if position == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise InvalidBody(_("The field %(name)r appears more than once.") % {"name": key})
        result[key] = value
    return result


def _refuse_constant(name):
    raise InvalidBody(_("%(name)s is not a valid JSON number.") % {"name": name})


def parse_json_object(raw: bytes) -> dict:
    """Decode a request body into a dict, or raise InvalidBody saying why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidBody(
            _("The request body is not valid UTF-8 (byte %(position)d).")
            % {"position": error.start}
        ) from None
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InvalidBody(
            _("The JSON is nested more than %(limit)d levels deep.") % {"limit": MAX_JSON_DEPTH}
        )
    try:
        data = json.loads(
            text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise InvalidBody(
            _("The request body is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise InvalidBody(
            _("The request body is not valid JSON: %(error)s") % {"error": error}
        ) from None
    if not isinstance(data, dict):
        raise InvalidBody(_("The request body must be a JSON object ({...})."))
    return data


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class StrictJSONParser(Parser):
    """ninja's body parser, made strict. ninja re-raises our InvalidBody as a
    generic HttpError(400) *from* it; the API's error handler unwraps it."""

    def parse_body(self, request):
        # Form encodings would also be parsed into request.POST by Django, and a
        # malformed multipart body makes that raise, so only JSON gets in.
        if not is_json(request.content_type):
            raise InvalidBody(
                _("Send the body as JSON, with the header Content-Type: application/json."),
                status_code=415,
            )
        return parse_json_object(request.body)
