"""``/v1alpha1/comments:analyze`` and ``:suggestscore``: Perspective's two operations.

Plain views rather than the ninja API: Perspective's clients expect its own error body
(``{"error": {"code", "message", "status"}}``) and its key in the query string.
"""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from agora.api.gate import InvalidBody, max_body_bytes, parse_json_object
from agora.perspective import actions
from agora.perspective.contract import PerspectiveError, read_analyze, read_suggest
from agora.perspective.models import ApiKey


def _operation(handle: Callable[[ApiKey, dict], dict]):
    @csrf_exempt  # a key in the query string, no cookies: nothing to forge
    def view(request: HttpRequest) -> JsonResponse:
        if request.method != "POST":
            return _error(PerspectiveError(405, "Use POST with a JSON body."), Allow="POST")
        try:
            key = actions.authorize(request.GET.get("key"))
            try:
                body = parse_json_object(_body(request))
            except InvalidBody as error:
                raise PerspectiveError(400, str(error)) from None
            return JsonResponse(handle(key, body))
        except actions.QuotaExceeded as error:
            return _error(error, **{"Retry-After": str(error.retry_after)})
        except PerspectiveError as error:
            return _error(error)

    return view


def _body(request: HttpRequest) -> bytes:
    limit = max_body_bytes()
    try:
        raw = request.body
    except RequestDataTooBig:
        raw = None
    if raw is None or len(raw) > limit:
        raise PerspectiveError(413, f"The request body is larger than {limit} bytes.")
    return raw


def _error(error: PerspectiveError, **headers: str) -> JsonResponse:
    return JsonResponse(error.body(), status=error.code, headers=headers)


analyze = _operation(lambda key, body: actions.analyze(read_analyze(body)))
suggest_score = _operation(lambda key, body: actions.suggest(key, read_suggest(body)))
