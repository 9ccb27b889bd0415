"""Catch the same comment sent again and again.

Two comments count as the same when they read the same once case, accents,
spacing and punctuation are ignored: "BUY NOW!!!" and "buy  now" are one text.
Spammers vary those cheaply; varying the words costs them more. Two counters
per text (agora/protection/ratelimit.py):

- per IP address: a little room, for people sharing one address who agree;
- site-wide: many senders posting one text in a short time is a campaign.

A duplicate from one email address is found in the database instead
(:func:`already_sent`): a counter would also count a posting that was counted
but never stored (the server was killed in between), and the reader's retry
would then be refused as a "duplicate" of a comment that does not exist.
"""

import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from agora.comments.models import Comment
from agora.protection import ratelimit

SENT_QUERY = (
    f"SELECT id, created_at FROM {Comment._meta.db_table} WHERE author_email = %s AND body = %s"
    " AND created_at >= %s ORDER BY created_at DESC LIMIT 1"
)


@dataclass(frozen=True)
class FloodCount:
    """What one posting added to the flood counters, so it can be taken back."""

    counters: tuple[tuple[str, str, tuple[tuple[int, int], ...]], ...]
    at: float


def normalized_text(text: str) -> str:
    """The letters and digits of ``text``, case-folded and without accents or marks."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    # Marks (Unicode category M) go with punctuation and spaces, so "é" == "e";
    # in Arabic-script languages short vowels are optional marks, and readers
    # ignore them too.
    return "".join(char for char in decomposed if unicodedata.category(char)[0] in "LN")


def duplicate_wait(email: str, text: str) -> int:
    """Seconds until this email may send this very text again; 0 if it has not
    stored it within the sender window.

    The index on (author_email, created_at) finds the email's comments in the window,
    and each one's text is compared: the cost grows with how many the email sent in
    the window, which the per-email rate limit keeps small (30 an hour by default)."""
    window = timedelta(seconds=settings.AGORA_FLOOD["sender_window"])
    now = timezone.now()
    # A raw query, as every post asks it: Django takes 0.4 ms to build this one as a
    # queryset. The exact address, not a case-insensitive match: that one cannot use the
    # index on author_email and would scan every comment ever posted.
    since = connections[Comment.objects.db].ops.adapt_datetimefield_value(now - window)
    sent = next(iter(Comment.objects.raw(SENT_QUERY, [email, text, since])), None)
    return (
        0 if sent is None else max(1, math.ceil((sent.created_at + window - now).total_seconds()))
    )


def count_posting(ip: str, text: str, now: float) -> tuple[int, FloodCount]:
    """Count one posting of ``text`` from address ``ip``.

    Returns the seconds to wait (0: allowed) and what was counted, so that
    :func:`uncount` can take it back.
    """
    rules = settings.AGORA_FLOOD
    # Text with no letters or digits at all (only emoji, say) is compared as written.
    words = normalized_text(text) or " ".join(text.split())
    digest = hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]
    counters = [("flood-ip", f"{ip}|{digest}", ((rules["per_ip"], rules["sender_window"]),))]
    if len(words) >= rules["site_min_length"]:
        counters.append(("flood-site", digest, ((rules["site_max"], rules["site_window"]),)))
    wait = ratelimit.hit_all(counters, now)
    return wait, FloodCount(tuple(counters), now)


def uncount(counted: FloodCount) -> None:
    """Take back a posting that was counted but not stored."""
    ratelimit.undo_all(counted.counters, counted.at)
