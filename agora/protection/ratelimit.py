"""Fixed-window counters in the database.

A rate is ``(count, seconds)``: at most ``count`` events per window of
``seconds``. Windows are aligned to the clock (0:00-1:00, 1:00-2:00 ...), so a
counter is one row (:class:`agora.protection.models.Counter`) keyed by scope,
identity and window, and every worker and server sharing the database shares
the count. The price of that simplicity is that a client may fit up to twice
the count into the two seconds around a window's edge, which is acceptable for
abuse limits.

The counters are in the database, not in Django's cache: one statement per
event increments every counter it touches and reads the counts back (an
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, atomic in SQLite and
PostgreSQL), so concurrent workers never lose a count, and a counter is never
evicted to make room for cached pages. Ended windows are deleted now and then.

Identifiers (an email, an address) are hashed before they become keys, so the
table never holds an email address.
"""

import hashlib
import ipaddress
import itertools
import math
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import connection
from django.db.models import F

from agora.protection.models import Counter

Rate = tuple[int, int]
#: One scope, one identity and its rates, e.g. ``("post-ip", "203.0.113.9", [(10, 60)])``.
Counted = tuple[str, str, Sequence[Rate]]

#: Ended windows are deleted once every this many events in a process.
PURGE_EVERY = 1000
_events = itertools.count(1)


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


def limit(scope: str, identity: str, now: float | None = None) -> int:
    """:func:`hit` at the rates ``settings.AGORA_RATELIMITS`` gives ``scope``, or 0
    without counting when rate limiting is off (AGORA_RATELIMIT)."""
    return limit_all([(scope, identity)], now)


def limit_all(scoped: Sequence[tuple[str, str]], now: float | None = None) -> int:
    """:func:`limit` for several ``(scope, identity)`` pairs in one statement."""
    if not settings.AGORA_RATELIMIT_ENABLED:
        return 0
    rates = settings.AGORA_RATELIMITS
    return hit_all([(scope, identity, rates[scope]) for scope, identity in scoped], now)


def hit(scope: str, identity: str, rates: Sequence[Rate], now: float | None = None) -> int:
    """Count one event; return the seconds to wait if any rate is exceeded, else 0."""
    return hit_all([(scope, identity, rates)], now)


def hit_all(counted: Sequence[Counted], now: float | None = None) -> int:
    """Count one event for each ``(scope, identity, rates)`` in one statement; return the
    longest wait any exceeded rate asks for, else 0."""
    now = time.time() if now is None else now
    windows = _windows(counted, now)
    if not windows:  # no rates configured for these scopes
        return 0
    used = _increment({key: window_end for _count, key, window_end in windows})
    if next(_events) % PURGE_EVERY == 0:
        Counter.objects.filter(expires__lt=now).delete()
    waits = [_seconds_until(end, now) for count, key, end in windows if used[key] > count]
    return max(waits, default=0)


def undo(scope: str, identity: str, rates: Sequence[Rate], now: float | None = None) -> None:
    """Take back one event counted by :func:`hit` (the action it guarded failed)."""
    undo_all([(scope, identity, rates)], now)


def undo_all(counted: Sequence[Counted], now: float | None = None) -> None:
    """Take back, in one statement, one event counted by :func:`hit_all`."""
    keys = _keys(counted, now)
    Counter.objects.filter(key__in=keys, count__gt=0).update(count=F("count") - 1)


def forget(scope: str, identity: str) -> None:
    """Delete every count of ``identity`` in ``scope``, whatever its rate or window (after
    a successful login, say, or when a person's data is erased)."""
    digest = _digest(identity)
    Counter.objects.filter(key__startswith=f"rl:{scope}:", key__contains=f":{digest}:").delete()


def _increment(windows: dict[str, float]) -> dict[str, int]:
    """Add one to each counter (creating it, expiring at its window's end); the new counts."""
    quote = connection.ops.quote_name
    table, key, count, expires = (
        quote(name) for name in (Counter._meta.db_table, "key", "count", "expires")
    )
    rows = ", ".join(["(%s, 1, %s)"] * len(windows))
    sql = (
        f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES {rows} "
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + 1 "
        f"RETURNING {key}, {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pair in windows.items() for value in pair])
        return dict(cursor.fetchall())


def _keys(counted: Sequence[Counted], now: float | None) -> list[str]:
    now = time.time() if now is None else now
    return [key for _count, key, _end in _windows(counted, now)]


def _windows(counted: Sequence[Counted], now: float) -> list[tuple[int, str, float]]:
    """``(count, key, window end)`` of every rate of every ``(scope, identity, rates)``."""
    return [
        (count, *_window(scope, identity, seconds, now))
        for scope, identity, rates in counted
        for count, seconds in rates
    ]


def _window(scope: str, identity: str, seconds: int, now: float) -> tuple[str, float]:
    index = int(now // seconds)
    return f"rl:{scope}:{seconds}:{_digest(identity)}:{index}", (index + 1) * seconds


def _digest(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _seconds_until(moment: float, now: float) -> int:
    return max(1, math.ceil(moment - now))
