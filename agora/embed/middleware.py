"""CORS for the reader side of the JSON API, so the embed works from the publisher's pages.

Only the public reading, posting and reporting endpoints (``/api/v1/articles...``,
``/api/v1/comments/<id>/reports`` and the embed's own ``/api/v1/embed/...``) answer
other sites, and only the origins in
``settings.AGORA_ALLOWED_ORIGINS``. No credentials are ever allowed: the embed
sends no cookies, and the moderator endpoints (token auth) stay same-origin.
"""

import re

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from agora.embed import origins

PUBLIC_API = re.compile(r"^/api/v1/(articles|embed|comments/\d+/reports)(/|$)")
ALLOWED_METHODS = "GET, HEAD, POST"
# Content-Type (JSON is not a "simple" type) and the key that makes a retried post safe.
ALLOWED_HEADERS = "Content-Type, Idempotency-Key, Accept-Language, If-None-Match"
# The embed reads Retry-After to tell a reader how long to wait after a 429.
EXPOSED_HEADERS = "Retry-After, ETag, Content-Language"
# Browsers cache an answered preflight this long (Chromium caps it at 2 hours).
PREFLIGHT_MAX_AGE = "7200"


def is_preflight(request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


class CorsMiddleware:
    """Answer preflights and label responses of the public API for allowed origins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not PUBLIC_API.match(request.path_info):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        allowed = origins.is_allowed(origin)
        if is_preflight(request):
            # Answered here, before routing: the endpoints themselves know only GET and POST.
            response = HttpResponse(status=204)
            if allowed:
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        # The answer differs by origin, so shared caches must keep them apart.
        patch_vary_headers(response, ["Origin"])
        return response
