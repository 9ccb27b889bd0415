"""Security headers, staff-login throttling and a database that cannot write, for every request."""

import functools

from django.conf import settings
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse

from agora.protection import login, readonly


class ContentSecurityPolicyMiddleware:
    """Send ``settings.AGORA_CSP`` unless the view chose its own policy.

    The other security headers (X-Content-Type-Options, Referrer-Policy, HSTS,
    Cross-Origin-Opener-Policy) come from Django's SecurityMiddleware settings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = "; ".join(
                f"{name} {' '.join(sources)}" for name, sources in settings.AGORA_CSP.items()
            )
        return response


class LoginThrottleMiddleware:
    """Count each staff login attempt before its password is checked, and answer 429 while
    its address or user name is over the limit (agora.protection.login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in login_paths():
            wait = login.count_attempt(request, request.POST.get("username", ""))
            if wait:
                response = render(
                    request,
                    "protection/login_throttled.html",
                    {"wait_minutes": -(-wait // 60), "login_url": request.path},
                    status=429,
                )
                response.headers["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


def login_paths() -> frozenset[str]:
    """The staff login pages' paths as requests give them (under the script's prefix)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _login_paths(settings.LOGIN_URL, urlconf, get_script_prefix())


@functools.lru_cache(maxsize=16)
def _login_paths(login_url: str, urlconf: str, prefix: str) -> frozenset[str]:
    # Kept for each URL configuration and prefix that reverse() reads: looking the admin's
    # login up again took 0.05 ms of CPU on every request.
    return frozenset({login_url, reverse("admin:login", urlconf=urlconf)})


class DatabaseCannotWriteMiddleware:
    """503 with ``Retry-After`` instead of a 500 when the database refuses a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not readonly.cannot_write(exception):
            return None
        return readonly.unavailable(request)
