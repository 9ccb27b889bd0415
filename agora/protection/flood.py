"""Catch the same comment sent again and again.

Two comments count as the same when their letters read the same as the guideline
engine reads them (:func:`fingerprint`): case, accents, spacing, punctuation and
digits ignored, look-alike letters from other scripts, leetspeak and repeated
letters undone. "BUY NOW!!!", "buy  now 2" and "bυy nooow" (a Greek upsilon)
are one text. Spammers vary those cheaply; varying the words costs them more.
Two counters per text (agora/protection/ratelimit.py):

- per IP address: a little room, for people sharing one address who agree;
- site-wide: many senders posting one text in a short time is a campaign.

A duplicate from one email address is found among the comments it stored
instead (:func:`duplicate_wait`, asking the comments app): a counter would also
count a posting that was counted but never stored (the server was killed in
between), and the reader's retry would then be refused as a "duplicate" of a
comment that does not exist.
"""

import functools
import hashlib
import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from agora.guidelines.normalize import normalize
from agora.protection import ratelimit

#: The texts a sender stored since a moment, newest first, as ``(text, stored at)``;
#: the comments app answers it (``Comment.objects.sent_since`` for one address).
SentSince = Callable[[datetime], Iterable[tuple[str, datetime]]]


@dataclass(frozen=True)
class FloodCount:
    """What one posting added to the flood counters, so it can be taken back."""

    counters: tuple[tuple[str, str, tuple[tuple[int, int], ...]], ...]
    at: float


# A posting's text is fingerprinted twice (the duplicate check, the counters) and a
# sender's stored texts again at each of their postings: the last texts are kept.
@functools.lru_cache(maxsize=128)
def fingerprint(text: str) -> str:
    """The letters of ``text`` as the guideline engine's normaliser reads them
    (agora.guidelines.normalize), without digits, spaces, punctuation or accents; a text
    with no letters at all (only emoji, say) is compared as written."""
    # The normaliser keeps accented letters whole ("é"); decomposed, the accent is a
    # mark (Unicode category M) and goes with everything else that is not a letter.
    decomposed = unicodedata.normalize("NFKD", normalize(text, as_written=True).text)
    letters = "".join(char for char in decomposed if unicodedata.category(char)[0] == "L")
    return letters or " ".join(text.split())


def duplicate_wait(sent_since: SentSince, text: str) -> int:
    """Seconds until the sender whose stored texts ``sent_since`` reads may send this
    text (by its :func:`fingerprint`) again; 0 if they have not stored it within the
    sender window.

    Each of the sender's texts in the window is compared: the cost grows with how many
    they sent in the window, which the per-email rate limit keeps small (30 an hour by
    default)."""
    window = timedelta(seconds=settings.AGORA_FLOOD["sender_window"])
    now = timezone.now()
    wanted = fingerprint(text)
    sent_at = next(
        (at for body, at in sent_since(now - window) if fingerprint(body) == wanted), None
    )
    return 0 if sent_at is None else max(1, math.ceil((sent_at + window - now).total_seconds()))


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
