"""Brute-force protection for the staff login pages.

Failed logins are counted per (address, user name) and per address alone,
from Django's ``user_login_failed`` signal, so every login form that goes
through ``authenticate()`` counts. ``LoginThrottleMiddleware`` refuses a login
POST while either count is over its limit; a successful login clears the
(address, user name) count.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from agora.protection import ratelimit


def wait_before_attempt(request, username: str) -> int:
    """Seconds before this address may try this user name again; 0 when it may now."""
    ip = ratelimit.client_ip(request)
    limits = settings.AGORA_RATELIMITS
    return max(
        ratelimit.peek("login-user", _user_identity(ip, username), limits["login-user"]),
        ratelimit.peek("login-ip", ip, limits["login-ip"]),
    )


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    if request is None:  # authenticate() called outside a request (tests, shell)
        return
    ip = ratelimit.client_ip(request)
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    limits = settings.AGORA_RATELIMITS
    ratelimit.hit("login-user", _user_identity(ip, username), limits["login-user"])
    ratelimit.hit("login-ip", ip, limits["login-ip"])


@receiver(user_logged_in)
def forget_failures(sender, request, user, **kwargs):
    if request is None:
        return
    ip = ratelimit.client_ip(request)
    ratelimit.forget("login-user", _user_identity(ip, user.get_username()))


def _user_identity(ip: str, username: str) -> str:
    return f"{ip}|{username.casefold()}"
