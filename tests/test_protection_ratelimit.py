"""Fixed-window counters and client addresses (agora/protection/ratelimit.py)."""

import pytest
from django.test import RequestFactory

from agora.protection import ratelimit
from agora.protection.models import Counter

T0 = 60 * 16_000 + 20.0  # 20 s into a minute, and into an hour

pytestmark = pytest.mark.django_db


def test_allows_up_to_the_count_then_asks_to_wait_until_the_window_ends():
    window_start = T0 - T0 % 60
    waits = [ratelimit.hit("test", "someone", [(3, 60)], now=T0) for _ in range(4)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == int(window_start + 60 - T0)


def test_a_new_window_starts_a_new_count():
    for _ in range(3):
        ratelimit.hit("test", "someone", [(3, 60)], now=T0)
    assert ratelimit.hit("test", "someone", [(3, 60)], now=T0) > 0
    next_window = T0 - T0 % 60 + 60
    assert ratelimit.hit("test", "someone", [(3, 60)], now=next_window) == 0


def test_identities_and_scopes_are_counted_apart():
    ratelimit.hit("test", "a", [(1, 60)], now=T0)
    assert ratelimit.hit("test", "b", [(1, 60)], now=T0) == 0
    assert ratelimit.hit("other", "a", [(1, 60)], now=T0) == 0
    assert ratelimit.hit("test", "a", [(1, 60)], now=T0) > 0


def test_the_longest_exceeded_rate_decides_the_wait():
    rates = [(100, 60), (2, 3600)]
    for _ in range(2):
        assert ratelimit.hit("test", "x", rates, now=T0) == 0
    wait = ratelimit.hit("test", "x", rates, now=T0)
    assert wait == int(T0 - T0 % 3600 + 3600 - T0)
    assert wait > 60


def test_undo_and_forget_give_the_allowance_back():
    ratelimit.hit("test", "x", [(1, 60)], now=T0)
    ratelimit.undo("test", "x", [(1, 60)], now=T0)
    assert ratelimit.hit("test", "x", [(1, 60)], now=T0) == 0
    ratelimit.hit("test", "x", [(1, 60)], now=T0)
    ratelimit.forget("test", "x")
    assert ratelimit.hit("test", "x", [(1, 60)], now=T0) == 0


def test_forget_deletes_every_window_of_one_identity_only():
    for now in (T0, T0 + 120):
        ratelimit.hit_all([("test", "x", [(1, 60), (5, 3600)]), ("test", "y", [(1, 60)])], now)
    ratelimit.hit("other", "x", [(1, 60)], now=T0)
    ratelimit.forget("test", "x")
    assert ratelimit.hit("test", "y", [(1, 60)], now=T0 + 120) > 0
    assert ratelimit.hit("other", "x", [(1, 60)], now=T0) > 0
    assert Counter.objects.count() == 3  # y's two windows, and x in the other scope


def test_counter_keys_do_not_contain_the_identity():
    ratelimit.hit("post-email", "reader@example.org", [(5, 60)], now=T0)
    keys = list(Counter.objects.values_list("key", flat=True))
    assert keys and not any("example.org" in key for key in keys)


def test_one_call_counts_every_scope_it_names():
    counted = [("post-ip", "203.0.113.9", [(1, 60)]), ("post-email", "a@example.org", [(2, 60)])]
    assert ratelimit.hit_all(counted, now=T0) == 0
    # The address is now over its rate, the email not yet.
    assert ratelimit.hit_all(counted, now=T0) > 0
    assert ratelimit.hit("post-email", "a@example.org", [(2, 60)], now=T0) > 0
    assert Counter.objects.count() == 2


def test_a_scope_without_rates_never_waits():
    assert ratelimit.hit_all([("post-ip", "203.0.113.9", [])], now=T0) == 0


def test_ended_windows_are_deleted_now_and_then(monkeypatch):
    monkeypatch.setattr(ratelimit, "PURGE_EVERY", 1)
    ratelimit.hit("test", "x", [(1, 60)], now=T0)
    ratelimit.hit("test", "y", [(1, 60)], now=T0 + 3600)
    assert Counter.objects.count() == 1


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.9", "", 0, "203.0.113.9"),
        # Without trusted proxies a client-written header proves nothing.
        ("203.0.113.9", "198.51.100.1", 0, "203.0.113.9"),
        # One proxy: the last hop it appended is the client; earlier entries are the client's own.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, 10.0.0.1", 2, "198.51.100.7"),
        # IPv6 subscribers hold a whole /64.
        ("2001:db8:1:2:aaaa::1", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "", 0, "203.0.113.9"),
    ],
)
def test_client_ip(settings, remote, forwarded, proxies, expected):
    settings.AGORA_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_ip(request) == expected


def test_two_addresses_in_one_ipv6_network_share_a_count():
    factory = RequestFactory()
    first = ratelimit.client_ip(factory.get("/", REMOTE_ADDR="2001:db8:1:2::1"))
    second = ratelimit.client_ip(factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    assert first == second


def test_a_counter_outlives_a_busy_hour_of_other_counters():
    # Each post adds several counters; none may be dropped to make room for others
    # (a cache bounded at Django's default of 300 entries would drop this one).
    rates = [(3, 3600)]
    now = 1_000_000.0
    for _ in range(3):
        assert ratelimit.hit("post-ip", "203.0.113.9", rates, now) == 0
    for n in range(2_000):
        ratelimit.hit("post-ip", f"198.51.100.{n % 250}-{n}", rates, now)
    assert ratelimit.hit("post-ip", "203.0.113.9", rates, now) > 0
