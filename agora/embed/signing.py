"""Articles the publisher's own site vouches for (``settings.AGORA_EMBED_SECRETS``).

A browser's ``Origin`` header tells which site's page asks, but any other client
writes whatever it likes there; so the ``Origin`` alone never makes Agora publish
an article. The publisher's CMS, which knows a secret shared with Agora for its
site, writes ``data-signature``: the hex HMAC-SHA256 of the article's slug, title,
address and language (the data attributes exactly as written, one per line).
A signed article is published at once; an unsigned one waits for a moderator.
"""

import hashlib
import hmac

from django.conf import settings

from agora.embed import origins


def message(slug: str, title: str, url: str, language: str) -> bytes:
    return "\n".join((slug, title, url, language)).encode()


def signature(secret: str, slug: str, title: str, url: str, language: str) -> str:
    """What the CMS writes in ``data-signature`` for these data attributes."""
    return hmac.new(
        secret.encode(), message(slug, title, url, language), hashlib.sha256
    ).hexdigest()


def site_secret(origin: str | None) -> str:
    """The secret shared with the site at ``origin``, or "" when it has none."""
    wanted = origins.normalize(origin or "")
    return next(
        (
            secret
            for site, secret in settings.AGORA_EMBED_SECRETS.items()
            if wanted and origins.normalize(site) == wanted
        ),
        "",
    )


def is_valid(origin: str | None, given: str, slug: str, title: str, url: str, language: str):
    """Whether ``given`` is the signature the site at ``origin`` makes for this article."""
    secret = site_secret(origin)
    if not secret or not given:
        return False
    return hmac.compare_digest(given.lower(), signature(secret, slug, title, url, language))
