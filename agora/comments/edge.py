"""What the caches in front of Agora (Varnish, a CDN) are told: how each public read may
be cached, and when to drop it.

A public read (the API's thread and article list, the embed's data, the article page an
anonymous reader gets) is answered from
:mod:`agora.comments.reading`'s cache with a strong ETag (the tag of what it was built
from), Last-Modified, and:

- ``Cache-Control: public, max-age=0, must-revalidate, s-maxage=...,
  stale-while-revalidate=..., stale-if-error=...``: browsers ask again (If-None-Match,
  usually a 304) on every read, and never show a stale thread (``must-revalidate``: a
  browser would otherwise show one for ``stale-while-revalidate`` seconds after a
  decision), while shared caches keep the answer for ``s-maxage`` seconds, serve it a
  little stale while they fetch it again, and longer while Agora cannot answer;
- ``xkey`` and ``Surrogate-Key``: the article's key (and the article list's), which a
  purge names (Varnish's xkey module reads the first, Fastly-style CDNs the second).

An open article that closes to comments at a set time (``AGORA_CLOSE_COMMENTS_AFTER_DAYS``)
changes then with nothing to purge: its page and its embed's data are public reads whose
``s-maxage`` is cut to the seconds left until closing, so no cache holds them as fresh
past it; read after closing, they are built afresh, closed, and kept as any other.

Everything else Agora answers is ``private`` (:class:`PrivateByDefault`): pending
comments, emails and every moderator's page never sit in a shared cache.

When what readers see of an article changes, ``ThreadCache.invalidate`` calls
:func:`purge_later`; once the transaction commits, a background task sends a purge of the
article's keys to every cache in ``AGORA_PURGE_URLS``, and tries again later, with
growing waits, at each cache that did not confirm it.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django_tasks import default_task_backend, task

if TYPE_CHECKING:
    from agora.comments.reading import Entry

logger = logging.getLogger(__name__)

# A purge is tried this many times at each cache; the waits between tries double from
# PURGE_FIRST_WAIT seconds (about eight minutes in all).
PURGE_ATTEMPTS = 6
PURGE_FIRST_WAIT = 15
PURGE_TIMEOUT = 5
# Articles named in one purge: their keys fill a header, and Varnish refuses one over 8 KB.
PURGE_ARTICLES = 100
# The attribute on a response that says which thread version it was built under, and
# until when it holds without a change (None: until one), for agora.comments.replay.
REPLAY_ATTRIBUTE = "agora_thread_version"


def surrogate_keys(article_id: int | None) -> list[str]:
    """The surrogate keys of a read of ``article_id``'s thread (None: of the article list,
    which shows every thread's count, and of an article not known yet)."""
    if article_id is None:
        return ["agora-articles"]
    return [f"agora-article-{article_id}"]


def public_cache_control(fresh_until: datetime | None = None) -> str:
    """How shared caches may keep a public read; one that stops being true on its own at
    ``fresh_until`` (an article that closes to comments then) is fresh no longer.

    Only freshness is cut short. Past that moment a cache may still serve the copy for
    ``stale-while-revalidate`` seconds while it fetches the new one, or while Agora cannot
    answer (``stale-if-error``): at worst a reader sees the comment form a few seconds
    after closing, and a post from it is refused with "Comments are closed on this
    article.", as is one from a page loaded just before closing."""
    fresh = settings.AGORA_EDGE_MAX_AGE
    if fresh_until is not None:
        # Whole seconds, rounded down: never fresh past the moment.
        fresh = max(0, min(fresh, int((fresh_until - timezone.now()).total_seconds())))
    return (
        f"public, max-age=0, must-revalidate, s-maxage={fresh}, "
        f"stale-while-revalidate={settings.AGORA_EDGE_STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.AGORA_EDGE_STALE_IF_ERROR}"
    )


def cached_read(
    request,
    entry: Entry,
    build: Callable[[], bytes],
    *,
    article_id: int | None,
    content_type: str,
    fresh_until: datetime | None = None,
) -> HttpResponse:
    """A public read of ``entry``: a 200 with its value (``build()`` when the cache has
    none current), or a 304 when the client's copy (ETag / date) is current; either way
    with the headers that let shared caches keep it until the article's key is purged.

    ``fresh_until``: the moment the answer stops being true with no change to announce
    it (an open article closing to comments at a set time; its tag must say whether it is
    open). No cache is told it is fresh past then, and the replayed fast path
    (agora.comments.replay) keeps it no longer."""
    response = HttpResponse(content_type=content_type)
    response["ETag"] = f'"{entry.tag}"'
    response["Cache-Control"] = public_cache_control(fresh_until)
    modified = entry.version.last_modified()
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    keys = " ".join(surrogate_keys(article_id))
    response["xkey"] = keys
    response["Surrogate-Key"] = keys
    answer = get_conditional_response(
        request, etag=response["ETag"], last_modified=modified, response=response
    )
    if answer is response:
        response.content = entry.value(build)
    else:
        # A 304 keeps what Django copies over; the keys let caches tie it to the article.
        answer["xkey"] = keys
        answer["Surrogate-Key"] = keys
    setattr(answer, REPLAY_ATTRIBUTE, (entry.version_key, entry.version.token, fresh_until))
    return answer


class PrivateByDefault:
    """Every response that does not say how it may be cached is ``private``: only
    :func:`cached_read` makes anything public, so a page built for one reader or one
    moderator never reaches a shared cache by omission."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response


# --- Purging ------------------------------------------------------------------------


def purge_later(*article_ids: int) -> None:
    """Once the current transaction commits, have every configured cache drop what it
    keeps of these articles' threads and of the article list: one purge for up to
    ``PURGE_ARTICLES`` articles."""
    if not settings.AGORA_PURGE_URLS:
        return
    for start in range(0, len(article_ids), PURGE_ARTICLES):
        keys = [
            key
            for article_id in article_ids[start : start + PURGE_ARTICLES]
            for key in surrogate_keys(article_id)
        ]
        keys += surrogate_keys(None)
        transaction.on_commit(
            partial(_enqueue, keys, list(settings.AGORA_PURGE_URLS), 1), robust=True
        )


def _enqueue(keys: list[str], urls: list[str], attempt: int) -> None:
    if attempt > 1 and default_task_backend.supports_defer:
        wait = PURGE_FIRST_WAIT * 2 ** (attempt - 2)
        later = purge.using(run_after=timezone.now() + timedelta(seconds=wait))
        later.enqueue(keys, urls, attempt)
    else:
        purge.enqueue(keys, urls, attempt)


@task()
def purge(keys: list[str], urls: list[str], attempt: int = 1) -> list[str]:
    """Send a purge of ``keys`` to each cache in ``urls``; return the caches that did not
    confirm it, which get it again later (up to ``PURGE_ATTEMPTS`` tries in all)."""
    failed = [url for url in urls if not send_purge(url, keys)]
    if failed and attempt < PURGE_ATTEMPTS:
        _enqueue(keys, failed, attempt + 1)
    elif failed:
        logger.error("Gave up purging %s at %s after %d tries", keys, failed, attempt)
    return failed


def send_purge(url: str, keys: list[str]) -> bool:
    """``PURGE`` with the keys in ``xkey-purge`` (docs/caching.md's VCL reads it); True
    when the cache answered 2xx."""
    request = urllib.request.Request(
        url, method="PURGE", headers={"xkey-purge": " ".join(keys), "Surrogate-Key": " ".join(keys)}
    )
    try:
        with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError) as error:
        logger.warning("Purging %s at %s failed: %s", keys, url, error)
        return False
