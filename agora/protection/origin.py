"""Whether a form was posted from one of this site's own pages, without a per-reader token.

The article page is one page for every anonymous reader, kept by shared caches, so its
comment form cannot carry a CSRF token (docs/caching.md). Browsers say where a form post
comes from, in headers a page cannot set or change: ``Sec-Fetch-Site`` (``same-origin``
for a form on this site) and ``Origin`` (the scheme, host and port of the page the form
was on). A post that either header places on another site is refused; a post from a
browser that sends neither (old browsers, some privacy tools) falls back to Django's
CSRF token, which a privately rendered form carries.

``CSRF_TRUSTED_ORIGINS`` (``AGORA_CSRF_TRUSTED_ORIGINS``) names other origins whose pages
may post here, and an ``Origin`` is trusted exactly when Django's own CSRF check would
trust it: the site's own origin, an entry as written, or, for an entry with a wildcard
(``https://*.example.com``), the domain and any of its subdomains on that same scheme
(``https://news.example.com``; not ``http://news.example.com`` nor
``https://example.com.evil.org``). The entries are read as the CSRF middleware reads
them (its ``allowed_origins_exact`` and ``allowed_origin_subdomains``) and hosts matched
with Django's ``is_same_domain``, so the two checks cannot drift apart.
"""

from enum import Enum
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.http import is_same_domain


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
        return Source.SAME_SITE if is_trusted(request, origin) else Source.OTHER_SITE
    if fetch_site in ("same-site", "cross-site"):
        return Source.OTHER_SITE
    return Source.UNKNOWN


def is_trusted(request, origin: str) -> bool:
    """Whether a page on ``origin`` may post to this site, as Django's CSRF check decides."""
    scheme = "https" if request.is_secure() else "http"
    try:
        if origin == f"{scheme}://{request.get_host()}":
            return True
    except DisallowedHost:  # not this site's own, but it may still be a trusted one
        pass
    trusted = csrf_middleware()
    if origin in trusted.allowed_origins_exact:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    wildcards = trusted.allowed_origin_subdomains.get(parts.scheme, ())
    return any(is_same_domain(parts.netloc, host) for host in wildcards)


def csrf_middleware() -> CsrfViewMiddleware:
    """Django's CSRF middleware on its own, reading the settings as they are now."""
    return CsrfViewMiddleware(lambda request: None)


def csrf_token_passes(request) -> bool:
    """Django's CSRF check (cookie and token) on a view exempt from the middleware's."""
    refusal = csrf_middleware().process_view(request, None, (), {})
    return refusal is None
