"""Security headers on every page, and pages that keep working under them."""

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from agora.protection.middleware import ContentSecurityPolicyMiddleware

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/moderation/login/"])
def test_every_page_sends_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = csp_directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_api_responses_carry_the_policy_too(client):
    response = client.get("/api/v1/articles")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_hsts_only_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert "Strict-Transport-Security" not in client.get("/")
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_view_may_send_its_own_policy():
    def view_with_policy(request):
        response = HttpResponse("embed")
        response["Content-Security-Policy"] = "frame-ancestors https://news.example.org"
        return response

    middleware = ContentSecurityPolicyMiddleware(view_with_policy)
    response = middleware(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "frame-ancestors https://news.example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles/river-dam-vote/",
        "/admin/login/",
        "/moderation/login/",
        "/api/v1/docs",
    ],
)
def test_pages_have_no_inline_script_the_policy_would_block(client, article, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html), "inline <script> is blocked by script-src 'self'"
    assert not INLINE_HANDLER.findall(html), "onclick=... handlers are blocked too"
