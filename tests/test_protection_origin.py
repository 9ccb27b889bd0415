"""Where a form post comes from (agora/protection/origin.py): an Origin is trusted exactly
when Django's own CSRF check trusts it, wildcard entries of CSRF_TRUSTED_ORIGINS
included."""

import pytest
from django.conf import settings
from django.test import RequestFactory

from agora.protection.origin import Source, csrf_token_passes, form_source, is_trusted

TRUSTED = ["https://*.example.com", "https://partner.example.net", "http://*.plain.example"]
# A CSRF secret as Django's cookie holds it, sent back as the form's token.
SECRET = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"

ORIGINS = [
    ("https://testserver", True),  # the site's own
    ("http://testserver", False),  # the site's host on another scheme
    ("https://news.example.com", True),
    ("https://a.b.example.com", True),
    ("https://example.com", True),
    ("https://example.com.evil.org", False),
    ("https://evilexample.com", False),
    ("http://news.example.com", False),
    ("https://news.example.com:8443", False),
    ("https://partner.example.net", True),
    ("https://www.partner.example.net", False),
    ("http://news.plain.example", True),
    ("https://news.plain.example", False),
    ("null", False),
]


def form_post(origin: str):
    """A secure form post from ``origin``, carrying a valid CSRF cookie and token."""
    request = RequestFactory().post(
        "/articles/a/comments/", {"csrfmiddlewaretoken": SECRET}, secure=True, HTTP_ORIGIN=origin
    )
    request.COOKIES[settings.CSRF_COOKIE_NAME] = SECRET
    return request


@pytest.mark.parametrize("origin, trusted", ORIGINS)
def test_an_origin_is_trusted_exactly_when_djangos_csrf_check_trusts_it(settings, origin, trusted):
    settings.CSRF_TRUSTED_ORIGINS = TRUSTED
    request = form_post(origin)

    assert is_trusted(request, origin) is trusted
    assert (form_source(request) is Source.SAME_SITE) is trusted
    # With a valid token, Django's check turns on the Origin alone.
    assert csrf_token_passes(request) is trusted


def test_without_trusted_origins_only_the_sites_own_is_trusted(settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    for origin, _ in ORIGINS:
        assert is_trusted(form_post(origin), origin) is (origin == "https://testserver")
