"""The article page every anonymous reader shares (docs/caching.md): public and kept by
caches, with nothing of any reader in it, while its form stays protected: a post from
this site's pages is accepted without a token, one from another site is refused, and one
that says nothing of where it comes from is sent back, words kept, with a CSRF token."""

import re

import pytest
from django.test import Client

from agora.comments import actions
from agora.comments.models import Comment

PAGE = "/articles/river-dam-vote/"
POST_URL = "/articles/river-dam-vote/comments/"
WORDS = "The dam vote was long overdue, and the river agrees."
PUBLIC = (
    "public, max-age=0, must-revalidate, s-maxage=3600, stale-while-revalidate=30, "
    "stale-if-error=86400"
)


@pytest.fixture
def strict():
    """A client that, like a browser, gets no pass on Django's CSRF check."""
    return Client(enforce_csrf_checks=True)


def form_data(**overrides):
    return {
        "author_name": "Leyla",
        "author_email": "leyla@example.org",
        "body": WORDS,
        "idempotency_token": "",
        **overrides,
    }


def per_reader_tokens(html: str) -> dict:
    return {
        "csrf": re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html),
        "idempotency": re.findall(r'name="idempotency_token" value="([^"]+)"', html),
    }


def test_an_anonymous_reader_gets_the_shared_page_and_a_signed_in_one_their_own(
    strict, article, moderator
):
    shared = strict.get(PAGE)
    assert shared.status_code == 200
    assert shared["Cache-Control"] == PUBLIC
    assert shared["ETag"].startswith('"') and shared["xkey"] == f"agora-article-{article.id}"
    assert shared["Surrogate-Key"] == shared["xkey"]
    assert not shared.has_header("Set-Cookie") and not shared.cookies
    assert "Cookie" not in shared.get("Vary", "")
    assert per_reader_tokens(shared.content.decode()) == {"csrf": [], "idempotency": []}
    assert b"<form" in shared.content

    strict.force_login(moderator)
    own = strict.get(PAGE)
    assert own["Cache-Control"] == "private, no-cache" and not own.has_header("xkey")
    tokens = per_reader_tokens(own.content.decode())
    assert len(tokens["csrf"]) == len(tokens["idempotency"]) == 1


def test_the_shared_page_changes_with_each_change_readers_can_see(client, article, moderator):
    before = client.get(PAGE)
    assert client.get(PAGE, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    comment = Comment.objects.create(
        article=article, author_name="Dara", author_email="dara@example.org", body=WORDS
    )
    assert client.get(PAGE)["ETag"] == before["ETag"]  # pending: nothing to see
    actions.approve(comment, moderator)

    after = client.get(PAGE, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert WORDS in after.content.decode() and WORDS not in before.content.decode()


@pytest.mark.parametrize(
    "where",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "https://public-name.example"},
    ],
    ids=["sec-fetch-site", "origin", "behind a proxy that renames the host"],
)
def test_a_post_from_this_sites_page_needs_no_token(strict, article, where):
    response = strict.post(POST_URL, form_data(), **where)
    assert response.status_code == 302 and response["Location"].startswith(f"{POST_URL}?sent=")
    assert Comment.objects.get().body == WORDS


def test_an_origin_the_publisher_trusts_may_post(strict, article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example-news.org"]
    response = strict.post(POST_URL, form_data(), HTTP_ORIGIN="https://www.example-news.org")
    assert response.status_code == 302 and Comment.objects.count() == 1


@pytest.mark.parametrize(
    "origin, accepted",
    [
        ("https://news.example.com", True),
        ("https://example.com", True),
        ("https://example.com.evil.org", False),
        ("http://news.example.com", False),
    ],
    ids=["a subdomain", "the domain itself", "a look-alike domain", "another scheme"],
)
def test_a_wildcard_trusted_origin_lets_its_subdomains_post(
    strict, article, settings, origin, accepted
):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.com"]
    response = strict.post(POST_URL, form_data(), HTTP_ORIGIN=origin)
    assert response.status_code == (302 if accepted else 403)
    assert Comment.objects.exists() is accepted


@pytest.mark.parametrize(
    "where",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
    ids=["cross-site", "another origin", "an opaque origin", "a sibling subdomain"],
)
def test_a_post_from_another_site_is_refused(client, strict, article, where):
    for browser in (strict, client):  # the CSRF token is no way round it either
        response = browser.post(POST_URL, form_data(), **where)
        assert response.status_code == 403
        assert b"CSRF verification failed" in response.content
        assert WORDS.encode() not in response.content  # nothing of it to send on
    assert not Comment.objects.exists()


def test_a_post_that_says_nothing_of_where_it_comes_from_is_sent_back_words_kept(strict, article):
    refused = strict.post(POST_URL, form_data())
    assert refused.status_code == 403 and not Comment.objects.exists()
    html = refused.content.decode()
    assert "This form has expired. Please send your comment again." in html
    assert WORDS in html  # never lost
    assert refused["Cache-Control"] == "private, no-cache"
    tokens = per_reader_tokens(html)
    assert len(tokens["csrf"]) == len(tokens["idempotency"]) == 1

    # Sent again from that page, with its CSRF token (and the cookie that came with it).
    again = form_data(
        csrfmiddlewaretoken=tokens["csrf"][0], idempotency_token=tokens["idempotency"][0]
    )
    for _ in range(2):  # and a double click stores it once
        assert strict.post(POST_URL, again).status_code == 302
    assert Comment.objects.get().body == WORDS


def test_a_forged_csrf_token_is_no_way_in(strict, article):
    strict.get(PAGE)
    response = strict.post(POST_URL, form_data(csrfmiddlewaretoken="x" * 64))
    assert response.status_code == 403 and not Comment.objects.exists()
