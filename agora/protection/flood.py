"""Catch the same comment sent again and again.

Two comments count as the same when they read the same once case, accents,
spacing and punctuation are ignored: "BUY NOW!!!" and "buy  now" are one text.
Spammers vary those cheaply; varying the words costs them more. Three
counters per text, in the cache:

- per email: the same text twice from one address is a duplicate;
- per IP address: a little more room, for people sharing one address;
- site-wide: many senders posting one text in a short time is a campaign.
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from agora.protection import ratelimit


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


def count_posting(email: str, ip: str, text: str, now: float) -> tuple[int, str, FloodCount]:
    """Count one posting of ``text``.

    Returns the seconds to wait (0: allowed), the counter that was exceeded
    ("flood-email", "flood-ip" or "flood-site"; "" when allowed), and what was
    counted, so that :func:`uncount` can take it back.
    """
    rules = settings.AGORA_FLOOD
    # Text with no letters or digits at all (only emoji, say) is compared as written.
    words = normalized_text(text) or " ".join(text.split())
    digest = hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]
    sender_window = rules["sender_window"]
    counters = [
        ("flood-email", f"{email.casefold()}|{digest}", ((rules["per_email"], sender_window),)),
        ("flood-ip", f"{ip}|{digest}", ((rules["per_ip"], sender_window),)),
    ]
    if len(words) >= rules["site_min_length"]:
        counters.append(("flood-site", digest, ((rules["site_max"], rules["site_window"]),)))
    waits = {
        scope: ratelimit.hit(scope, identity, rates, now) for scope, identity, rates in counters
    }
    # The most specific rule names the reason: a sender's own duplicate first.
    exceeded = next((scope for scope, wait in waits.items() if wait), "")
    return max(waits.values()), exceeded, FloodCount(tuple(counters), now)


def uncount(counted: FloodCount) -> None:
    """Take back a posting that was counted but not stored."""
    for scope, identity, rates in counted.counters:
        ratelimit.undo(scope, identity, rates, counted.at)
