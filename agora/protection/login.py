"""Brute-force protection for the staff login pages.

Login attempts are counted per (address, user name) and per address alone.
``LoginThrottleMiddleware`` counts each login POST *before* its password is
checked, in one atomic statement, and refuses it when either count is over its
limit: however many attempts arrive at once, no more passwords are checked than
the limit allows. A successful login then clears the (address, user name) count
and takes back its own from the address's. Any other form that goes through
``authenticate()`` is counted on failure, from Django's ``user_login_failed``
signal.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from agora.protection import ratelimit


def count_attempt(request, username: str) -> int:
    """Count a login attempt before its password is checked; return the seconds before
    this address may try this user name again, or 0 when it may be checked now."""
    request.agora_login_counted = True
    return ratelimit.hit_all(_counted(ratelimit.client_ip(request), username))


def _counted(ip: str, username: str) -> list[ratelimit.Counted]:
    limits = settings.AGORA_RATELIMITS
    return [
        ("login-user", _user_identity(ip, username), limits["login-user"]),
        ("login-ip", ip, limits["login-ip"]),
    ]


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    # Not outside a request (tests, shell), nor twice for an attempt counted up front.
    if request is None or getattr(request, "agora_login_counted", False):
        return
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    ratelimit.hit_all(_counted(ratelimit.client_ip(request), username))


@receiver(user_logged_in)
def forget_failures(sender, request, user, **kwargs):
    if request is None:
        return
    ip = ratelimit.client_ip(request)
    ratelimit.forget("login-user", _user_identity(ip, user.get_username()))
    if getattr(request, "agora_login_counted", False):
        # Only failures hold the address back.
        ratelimit.undo("login-ip", ip, settings.AGORA_RATELIMITS["login-ip"])


def _user_identity(ip: str, username: str) -> str:
    return f"{ip}|{username.casefold()}"
