"""Whether a form was posted from one of this site's own pages, without a per-reader token.

The article page is one page for every anonymous reader, kept by shared caches, so its
comment form cannot carry a CSRF token (docs/caching.md). Browsers say where a form post
comes from, in headers a page cannot set or change: ``Sec-Fetch-Site`` (``same-origin``
for a form on this site) and ``Origin`` (the scheme, host and port of the page the form
was on). A post that either header places on another site is refused; a post from a
browser that sends neither (old browsers, some privacy tools) falls back to Django's
CSRF token, which a privately rendered form carries.

``CSRF_TRUSTED_ORIGINS`` (``AGORA_CSRF_TRUSTED_ORIGINS``) names other origins whose pages
may post here, as it does for Django's own check.
"""

from enum import Enum

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware


class Source(Enum):
    SAME_SITE = "same site"
    OTHER_SITE = "other site"
    UNKNOWN = "unknown"


def form_source(request) -> Source:
    """Where the browser says ``request`` (a form post) comes from."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site == "same-origin":
        return Source.SAME_SITE
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        # "null" (a sandboxed frame, a page opened from a file) is another site.
        own = f"{request.scheme}://{request.get_host()}"
        trusted = origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
        return Source.SAME_SITE if trusted else Source.OTHER_SITE
    if fetch_site in ("same-site", "cross-site"):
        return Source.OTHER_SITE
    return Source.UNKNOWN


def csrf_token_passes(request) -> bool:
    """Django's CSRF check (cookie and token) on a view exempt from the middleware's."""
    refusal = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
    return refusal is None
