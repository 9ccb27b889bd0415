"""The guard a posting view hands to ``post_comment`` for a reader's comment.

Usage, after the form is valid; ``post_comment`` enters the guard around scoring
and storing a new comment, and skips it for a retry of a stored one (same
idempotency key)::

    from agora.protection.posting import PostingRefused, guard_posting

    try:
        comment, created = post_comment(new, guard_posting(request, email=email, body=body))
    except PostingRefused as refused:
        ...  # HTML: form.add_error(None, refused.message), answer with
        ...  # refused.status_code and refused.headers; the API answers with the same

The guard refuses (raises ``PostingRefused``) when the honeypot field is
filled, when the sender's address or email posted too often, or when the same
text floods in. The block inside it runs only when the posting is allowed; if
the block fails (the comment was not stored) the flood counters are taken back,
so a reader retrying after an error is not refused. A duplicate is only ever
reported for a comment the database really holds.
"""

import math
import time
from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext, ngettext

from agora.comments.models import email_key
from agora.protection import flood, honeypot, ratelimit


class PostingRefused(Exception):
    """A comment refused before anything was stored, with what to tell the reader."""

    def __init__(self, message: str, *, code: str, status_code: int, retry_after: int | None):
        super().__init__(message)
        self.message = message
        self.code = code  # "bot", "rate_limited", "duplicate" or "flood"
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


@contextmanager
def guard_posting(request, *, email: str, body: str):
    """Refuse the posting (raise ``PostingRefused``) or let the block store it; see module doc."""
    if honeypot.is_filled(request.POST):
        raise PostingRefused(
            gettext(
                "Your comment could not be accepted: a field that must stay empty was filled in."
            ),
            code="bot",
            status_code=400,
            retry_after=None,
        )
    ip = ratelimit.client_ip(request)
    now = time.time()
    wait = ratelimit.limit_all([("post-ip", ip), ("post-email", email_key(email))], now)
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
        wait = flood.duplicate_wait(email, body)
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
