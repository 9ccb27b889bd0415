import html
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import strip_tags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agora.coral import phase, signing

ACTIONS = ("NEW", "EDIT")


@csrf_exempt  # Coral signs the body instead
@require_POST
def moderate(request: HttpRequest) -> HttpResponse:
    """Coral's external moderation phase: a verified comment in, Coral's response out."""
    secrets = settings.AGORA_CORAL_SIGNING_SECRETS
    if not secrets:
        return _error(404, "The Coral moderation phase is off: set AGORA_CORAL_SIGNING_SECRETS.")
    if not signing.is_signed(request.body, request.headers.get("X-Coral-Signature", ""), secrets):
        return _error(401, "The X-Coral-Signature header is missing or matches no signing secret.")
    try:
        payload = json.loads(request.body)
        comment, story = payload["comment"], payload.get("story") or {}
        body, action, url = comment["body"], payload["action"], story.get("url") or ""
    except (ValueError, KeyError, TypeError):
        return _error(400, "The body is not an external moderation request: see docs/coral.md.")
    if action not in ACTIONS or not isinstance(body, str) or not isinstance(url, str):
        return _error(400, f"action must be one of {', '.join(ACTIONS)}; comment.body a string.")
    text = html.unescape(strip_tags(body))  # Coral's comment bodies are HTML
    if not text.strip():
        return HttpResponse(status=204)  # nothing to judge: Coral's own checks decide
    answer = phase.moderate(text, url)
    return HttpResponse(status=204) if answer is None else JsonResponse(answer)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)
