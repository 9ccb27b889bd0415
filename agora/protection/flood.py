"""Catch the same comment sent again and again.

Two comments count as the same when their letters read the same as the guideline
engine reads them (:func:`fingerprint`): case, accents, spacing, punctuation and
digits ignored, look-alike letters from other scripts, leetspeak and repeated
letters undone. "BUY NOW!!!", "buy  now 2" and "bυy nooow" (a Greek upsilon)
are one text. Spammers vary those cheaply; varying the words costs them more.
Two counters per text (agora/protection/ratelimit.py):

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

from agora.comments.models import Comment, email_key
from agora.guidelines.normalize import normalize
from agora.protection import ratelimit

# A sender's comments within the window, newest first, through the (email_key,
# created_at) index. Bounded: the per-email rate limit keeps far fewer in a window.
SENT_QUERY = (
    f"SELECT id, body, created_at FROM {Comment._meta.db_table} WHERE email_key = %s"
    " AND created_at >= %s ORDER BY created_at DESC LIMIT 200"
)


@dataclass(frozen=True)
class FloodCount:
    """What one posting added to the flood counters, so it can be taken back."""

    counters: tuple[tuple[str, str, tuple[tuple[int, int], ...]], ...]
    at: float


def fingerprint(text: str) -> str:
    """The letters of ``text`` as the guideline engine's normaliser reads them
    (agora.guidelines.normalize), without digits, spaces, punctuation or accents; a text
    with no letters at all (only emoji, say) is compared as written."""
    # The normaliser keeps accented letters whole ("é"); decomposed, the accent is a
    # mark (Unicode category M) and goes with everything else that is not a letter.
    decomposed = unicodedata.normalize("NFKD", normalize(text).text)
    letters = "".join(char for char in decomposed if unicodedata.category(char)[0] == "L")
    return letters or " ".join(text.split())


def duplicate_wait(email: str, text: str) -> int:
    """Seconds until this email (in any spelling: ``Comment.email_key``) may send this
    text (by its :func:`fingerprint`) again; 0 if it has not stored it within the
    sender window.

    The index on (email_key, created_at) finds the email's comments in the window,
    and each one's text is compared: the cost grows with how many the email sent in
    the window, which the per-email rate limit keeps small (30 an hour by default)."""
    window = timedelta(seconds=settings.AGORA_FLOOD["sender_window"])
    now = timezone.now()
    # A raw query, as every post asks it: Django takes 0.4 ms to build this one as a
    # queryset.
    since = connections[Comment.objects.db].ops.adapt_datetimefield_value(now - window)
    wanted = fingerprint(text)
    sent = next(
        (
            comment
            for comment in Comment.objects.raw(SENT_QUERY, [email_key(email), since])
            if fingerprint(comment.body) == wanted
        ),
        None,
    )
    return (
        0 if sent is None else max(1, math.ceil((sent.created_at + window - now).total_seconds()))
    )


def count_posting(ip: str, text: str, now: float) -> tuple[int, FloodCount]:
    """Count one posting of ``text`` from address ``ip``.

    Returns the seconds to wait (0: allowed) and what was counted, so that
    :func:`uncount` can take it back.
    """
    rules = settings.AGORA_FLOOD
    words = fingerprint(text)
    digest = hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]
    counters = [("flood-ip", f"{ip}|{digest}", ((rules["per_ip"], rules["sender_window"]),))]
    if len(words) >= rules["site_min_length"]:
        counters.append(("flood-site", digest, ((rules["site_max"], rules["site_window"]),)))
    wait = ratelimit.hit_all(counters, now)
    return wait, FloodCount(tuple(counters), now)


def uncount(counted: FloodCount) -> None:
    """Take back a posting that was counted but not stored."""
    ratelimit.undo_all(counted.counters, counted.at)
