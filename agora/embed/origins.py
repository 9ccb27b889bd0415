"""Which web sites may use Agora from their own pages (``settings.AGORA_ALLOWED_ORIGINS``).

An origin is a scheme, a host and a port: ``https://news.example.org``. Browsers
send it in the ``Origin`` header of every cross-site request, and a page's script
cannot change it, so it tells which site's page is asking.
"""

from urllib.parse import urlsplit

from django.conf import settings


def normalize(origin: str) -> str:
    """``HTTPS://News.Example.org/`` -> ``https://news.example.org``; "" for anything else."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        return ""
    default_port = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{host}{suffix}"


def allowed_origins() -> set[str]:
    return {normalize(origin) for origin in settings.AGORA_ALLOWED_ORIGINS} - {""}


def is_allowed(origin: str | None) -> bool:
    """Whether a request's ``Origin`` header names a site the publisher allowed."""
    return bool(origin) and normalize(origin) in allowed_origins()


def origin_of(url: str) -> str:
    """The origin of a full address (``https://news.example.org/2024/story`` ->
    ``https://news.example.org``), or "" when it has none."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return normalize(f"{parts.scheme}://{parts.netloc}") if parts.netloc else ""
