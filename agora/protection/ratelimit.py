"""Fixed-window counters in Django's cache.

A rate is ``(count, seconds)``: at most ``count`` events per window of
``seconds``. Windows are aligned to the clock (0:00-1:00, 1:00-2:00 ...), so a
counter is one cache key that expires by itself, and every worker and server
sharing the cache (Redis, or the database cache) shares the count. The price of
that simplicity is that a client may fit up to twice the count into the two
seconds around a window's edge, which is acceptable for abuse limits.

Identifiers (an email, an address) are hashed before they become cache keys,
so the cache never holds an email address.
"""

import hashlib
import ipaddress
import math
import time
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache

Rate = tuple[int, int]


def client_ip(request) -> str:
    """The address the request came from, as far as we can trust it.

    Behind ``AGORA_TRUSTED_PROXIES`` reverse proxies the client is the entry
    that many places from the end of X-Forwarded-For (entries before it were
    written by the client and prove nothing). IPv6 clients are counted per /64
    network, since one subscriber usually holds a whole /64.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.AGORA_TRUSTED_PROXIES
    if proxies:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def hit(scope: str, identity: str, rates: Sequence[Rate], now: float | None = None) -> int:
    """Count one event; return the seconds to wait if any rate is exceeded, else 0."""
    now = time.time() if now is None else now
    wait = 0
    for count, seconds in rates:
        key, window_end = _window(scope, identity, seconds, now)
        # add() only succeeds for a new key (one cache round trip, the usual
        # case for a new text); otherwise incr(), atomic in Redis and locmem, so
        # concurrent workers never lose a count.
        if cache.add(key, 1, timeout=seconds + 1):
            used = 1
        else:
            try:
                used = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=seconds + 1)
                used = 1
        if used > count:
            wait = max(wait, _seconds_until(window_end, now))
    return wait


def peek(scope: str, identity: str, rates: Sequence[Rate], now: float | None = None) -> int:
    """The seconds to wait before the next event would be allowed, without counting one."""
    now = time.time() if now is None else now
    wait = 0
    for count, seconds in rates:
        key, window_end = _window(scope, identity, seconds, now)
        if cache.get(key, 0) >= count:
            wait = max(wait, _seconds_until(window_end, now))
    return wait


def undo(scope: str, identity: str, rates: Sequence[Rate], now: float | None = None) -> None:
    """Take back one event counted by :func:`hit` (the action it guarded failed)."""
    now = time.time() if now is None else now
    for _count, seconds in rates:
        key, _ = _window(scope, identity, seconds, now)
        try:
            cache.decr(key)
        except ValueError:  # the window already ended; nothing to take back
            pass


def reset(scope: str, identity: str, rates: Sequence[Rate], now: float | None = None) -> None:
    """Forget the current windows' counts (after a successful login, say)."""
    now = time.time() if now is None else now
    cache.delete_many([_window(scope, identity, seconds, now)[0] for _count, seconds in rates])


def _window(scope: str, identity: str, seconds: int, now: float) -> tuple[str, float]:
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    index = int(now // seconds)
    return f"rl:{scope}:{seconds}:{digest}:{index}", (index + 1) * seconds


def _seconds_until(moment: float, now: float) -> int:
    return max(1, math.ceil(moment - now))
