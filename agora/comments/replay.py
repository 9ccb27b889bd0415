"""Public reads answered before Django's request cycle while nothing has changed.

Serving a cached thread costs little in the view, but the request around it costs
several times more: Django builds the request, runs every middleware both ways, resolves
the URL, ninja parses the parameters, the article is looked up, and all of that to send
bytes and headers already made. :class:`ReplayReads` wraps the WSGI application: it
keeps the whole answer (status, every header, body) that the full path gave to an
anonymous read marked by :func:`agora.comments.edge.cached_read`, and gives the same
answer to the same request for as long as the thread's version is the one it was
built under. A decision replaces the version (``ThreadCache.invalidate``), so the next
read goes the full way and is kept again.

A kept answer is replayed only to a request that matches it in everything the full path
reads from a request: method, host, scheme, path, query string, ``Accept-Language``,
``Origin`` and cookies (a session cookie or an ``Authorization`` header: never
replayed); conditional requests (If-None-Match, If-Modified-Since) get the 304 the full
path gave, once it has given one. Answers made within the second of a change (without
Last-Modified, see ``Version.last_modified``) are not kept, so a replay carries exactly
the headers the full path would send now; tests/test_replay.py compares both paths byte
for byte. An answer that stops being true at a set time (an open article closing to
comments, see ``edge.cached_read``'s ``fresh_until``) is replayed until then only, with
the ``Cache-Control`` the full path would give at that moment (its ``s-maxage`` shrinks
as closing nears).
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime
from types import SimpleNamespace
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from agora.comments.edge import REPLAY_ATTRIBUTE, public_cache_control
from agora.comments.reading import ENTRY_TIMEOUT

logger = logging.getLogger(__name__)

# Everything in a request that the full path's answer to an anonymous GET depends on.
REQUEST_PARTS = (
    "HTTP_HOST",
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ORIGIN",
    "HTTP_COOKIE",
)
# Preconditions the fast path leaves to Django (clients of comment threads never send them).
UNHANDLED_PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# What each process keeps of the answers it replays, so that the shared cache is asked
# only for the thread's version (a few bytes), not for a body of tens of kilobytes.
LOCAL_BYTES = 32 * 1024 * 1024


class Kept(NamedTuple):
    """An answer kept to replay: the thread version it was built under, the moment it
    stops being true on its own (None: only a change to the thread ends it), and what
    the full path sent."""

    token: str
    fresh_until: datetime | None
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def holds(self, token: str) -> bool:
        """Whether the answer is still what the full path would give under ``token``."""
        return self.token == token and (
            self.fresh_until is None or timezone.now() < self.fresh_until
        )

    def sent(self) -> tuple[str, list[tuple[str, str]], bytes]:
        """Status, headers and body as the full path would send them now."""
        if self.fresh_until is None:
            return self.status, self.headers, self.body
        policy = public_cache_control(self.fresh_until)
        headers = [
            (name, policy if name.lower() == "cache-control" else value)
            for name, value in self.headers
        ]
        return self.status, headers, self.body


def replay_key(environ) -> str | None:
    """The cache key of the answer kept for this request, or None when the request is not
    an anonymous GET that could be replayed."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
        return None
    if any(name in environ for name in UNHANDLED_PRECONDITIONS):
        return None
    if settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", ""):
        return None
    text = "\x1f".join(str(environ.get(name, "")) for name in REQUEST_PARTS)
    # The prefix names the form of what is kept (Kept), so that processes of two releases
    # sharing a cache never read each other's answers.
    return "replayed:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class ReplayReads:
    """WSGI middleware: replays kept answers, and keeps the full path's answers to
    replayable reads (in the shared cache, for every process, and in this one)."""

    def __init__(self, application):
        self.application = application
        # Per replay key: the key of the thread version its answers depend on, and the
        # answers this process holds, by status code. Both are rebuilt from the shared
        # cache after a clear.
        self.threads: dict[str, str] = {}
        self.answers: dict[str, dict[str, Kept]] = {}
        self.local_bytes = 0

    def __call__(self, environ, start_response):
        key = replay_key(environ)
        if key is None:
            return self.application(environ, start_response)
        try:
            answer = self.replayed(environ, key)
        except Exception:  # the cache is unreachable: the full path says so, or copes
            logger.exception("Replaying a read failed; answering it the full way")
            answer = None
        if answer is None:
            return self.kept(environ, start_response, key)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def replayed(self, environ, key: str) -> tuple[str, list, bytes] | None:
        """The kept answer to this request, if its thread has not changed since."""
        thread = self.threads.get(key)
        if thread is None:
            return None
        conditional = any(name in environ for name in CONDITIONS)
        held = self.answers.get(key, {})
        missing = [code for code in ("200", "304")[: 2 if conditional else 1] if code not in held]
        # The cache backend may be the database table: its connection is looked after
        # as Django's request signals would.
        close_old_connections()
        found = cache.get_many([thread, *(f"{key}:{code}" for code in missing)])
        version = found.get(thread)
        if version is None:
            return None
        for code in missing:
            if f"{key}:{code}" in found:
                self.hold(key, code, found[f"{key}:{code}"])
        current = {
            code: answer
            for code, answer in self.answers.get(key, {}).items()
            if answer.holds(version[0])
        }
        outcome = "200"
        if conditional:
            any_current = next(iter(current.values()), None)
            if any_current is None:
                return None
            outcome = self.outcome(environ, any_current.headers)
        answer = current.get(outcome)
        return None if answer is None else answer.sent()

    @staticmethod
    def outcome(environ, headers: list[tuple[str, str]]) -> str:
        """200 or 304 for a conditional request, decided as Django decides it."""
        named = {name.lower(): value for name, value in headers}
        request = SimpleNamespace(META=environ, method="GET")
        modified = named.get("last-modified")
        answer = get_conditional_response(
            request,
            etag=named.get("etag"),
            last_modified=parse_http_date_safe(modified) if modified else None,
        )
        return "200" if answer is None else str(answer.status_code)

    def hold(self, key: str, code: str, answer: Kept) -> None:
        """Keep ``answer`` in this process, forgetting everything once it holds too much."""
        held = self.answers.setdefault(key, {})
        replaced = held.pop(code, None)
        self.local_bytes += len(answer.body) - (len(replaced.body) if replaced else 0)
        if self.local_bytes > LOCAL_BYTES:
            self.threads.clear()
            self.answers.clear()
            self.local_bytes = len(answer.body)
            held = self.answers.setdefault(key, {})
        held[code] = answer

    def kept(self, environ, start_response, key: str):
        """The full path's answer, kept when it can be replayed."""
        sent = {}

        def recording_start_response(status, headers, exc_info=None):
            sent.update(status=status, headers=list(headers))
            return start_response(status, headers, exc_info)

        response = self.application(environ, recording_start_response)
        thread = getattr(response, REPLAY_ATTRIBUTE, None)
        if thread is None or not sent:
            return response
        status, headers = sent["status"], sent["headers"]
        names = {name.lower() for name, _ in headers}
        code = status[:3]
        if code in ("200", "304") and "last-modified" in names and "set-cookie" not in names:
            version_key, token, fresh_until = thread
            lifetime = ENTRY_TIMEOUT
            if fresh_until is not None:
                left = (fresh_until - timezone.now()).total_seconds()
                lifetime = min(lifetime, math.ceil(left))
                if lifetime <= 0:
                    return response
            body = response.content if code == "200" else b""
            answer = Kept(token, fresh_until, status, headers, body)
            try:
                cache.set(f"{key}:{code}", answer, lifetime)
            except Exception:  # the reader still gets the answer; the next read tries again
                logger.exception("Keeping a read to replay failed")
                return response
            self.hold(key, code, answer)
            self.threads[key] = version_key
        return response
