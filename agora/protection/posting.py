"""The guard a posting hands to ``post_comment`` for a reader's comment.

Usage, after the form is valid (``CommentForm.guard`` builds the guard from the form's
data and the sender's address); ``post_comment`` enters the guard around scoring
and storing a new comment, and skips it for a retry of a stored one (same
idempotency key)::

    try:
        comment, created = post_comment(new, form.guard(ratelimit.client_ip(request)))
    except PostingRefused as refused:
        ...  # HTML: form.add_error(None, refused.message), answer with
        ...  # refused.status_code and refused.headers; the API answers with the same

Only plain data crosses into this module (:class:`Posting`): the sender's address,
the text, whether the honeypot field was filled, and the comments app's answers to
what it asks (the sender's recent texts, whether moderators barred them).

The guard refuses (raises ``PostingRefused``) when the honeypot field is
filled, when the moderators barred the sender, when the sender's address or
email posted too often, or when the same text floods in. The block inside it
runs only when the posting is allowed; if the block fails (the comment was not
stored) the flood counters are taken back, so a reader retrying after an error
is not refused. A duplicate is only ever reported for a comment the database
really holds.
"""

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, ngettext

from agora.protection import flood, ratelimit


def _never_barred() -> tuple[str, str] | None:
    return None


@dataclass(frozen=True)
class Posting:
    """What the guard is told of one posting."""

    ip: str  # as ratelimit.client_ip reads it
    email_key: str  # the sender's address in its compared form
    body: str
    trap_filled: bool  # the honeypot field
    # The sender's stored texts since a moment, for the duplicate check.
    sent_since: flood.SentSince
    # ``(code, message)`` when the moderators barred the sender, else None.
    barred: Callable[[], tuple[str, str] | None] = _never_barred


class PostingRefused(Exception):
    """A comment refused before anything was stored, with what to tell the reader."""

    def __init__(self, message: str, *, code: str, status_code: int, retry_after: int | None):
        super().__init__(message)
        self.message = message
        # "bot", "banned", "suspended", "rate_limited", "duplicate" or "flood"
        self.code = code
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


@contextmanager
def guard_posting(posting: Posting) -> Iterator[None]:
    """Refuse the posting (raise ``PostingRefused``) or let the block store it; see module doc."""
    if posting.trap_filled:
        raise PostingRefused(
            gettext(
                "Your comment could not be accepted: a field that must stay empty was filled in."
            ),
            code="bot",
            status_code=400,
            retry_after=None,
        )
    barred = posting.barred()
    if barred is not None:
        code, message = barred
        raise PostingRefused(message, code=code, status_code=403, retry_after=None)
    ip, body = posting.ip, posting.body
    now = time.time()
    wait = ratelimit.limit_all([("post-ip", ip), ("post-email", posting.email_key)], now)
    if wait:
        raise PostingRefused(
            gettext("You have sent many comments in a short time. Please wait %(wait)s.")
            % {"wait": _duration(wait)},
            code="rate_limited",
            status_code=429,
            retry_after=wait,
        )
    counted = None
    if settings.AGORA_FLOOD["enabled"]:
        wait = flood.duplicate_wait(posting.sent_since, body)
        if wait:
            raise PostingRefused(
                gettext("You have already sent this comment. There is no need to send it again."),
                code="duplicate",
                status_code=429,
                retry_after=wait,
            )
        wait, counted = flood.count_posting(ip, body, now)
        if wait:
            flood.uncount(counted)  # a refused posting must not block other senders
            raise PostingRefused(
                gettext(
                    "This text has been sent many times in a short time. Please write your "
                    "own comment, or try again in %(wait)s."
                )
                % {"wait": _duration(wait)},
                code="flood",
                status_code=429,
                retry_after=wait,
            )
    try:
        yield
    except BaseException:
        if counted is not None:
            flood.uncount(counted)
        raise


def _duration(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
