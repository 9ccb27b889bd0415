"""Agora behind a real varnishd running deploy/varnish/agora.vcl (docs/caching.md): threads
come from Varnish's cache, a moderator's approval shows within a second (the task worker
purges the article's key), and nothing private is ever kept."""

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
import real_servers
from django.utils import timezone

from agora.api.models import ApiToken
from agora.articles.models import Article
from agora.comments import actions
from agora.comments.models import Comment


@pytest.fixture
def varnish_port(live_server, settings):
    backend_port = int(live_server.url.rsplit(":", 1)[1])
    for port in real_servers.varnish(backend_port):
        settings.AGORA_PURGE_URLS = [f"http://127.0.0.1:{port}/"]
        yield port


@pytest.fixture
def story(transactional_db):
    return Article.objects.create(
        slug="varnish-dam-vote", title="The council votes on the dam", body="The dam vote."
    )


def get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def published(article, moderator, body):
    comment = Comment.objects.create(
        article=article, author_name="Reader", author_email="reader@example.org", body=body
    )
    actions.approve(comment, moderator)
    return comment


def thread(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments"


def page(article) -> str:
    return f"/articles/{article.slug}/"


def test_a_thread_read_twice_is_served_by_varnish_the_second_time(varnish_port, story, moderator):
    published(story, moderator, "The first word on the dam.")
    status, first_headers, first = get(varnish_port, thread(story))
    status_again, headers, again = get(varnish_port, thread(story))

    assert status == status_again == 200
    assert first_headers["X-Cache"] == "MISS" and headers["X-Cache"] == "HIT"
    assert again == first and b"The first word on the dam." in again
    # Surrogate keys stay between Agora and Varnish; readers get the ETag and the policy.
    assert "xkey" not in {name.lower() for name in headers}
    assert headers["ETag"] == first_headers["ETag"]
    assert "s-maxage=" in headers["Cache-Control"]


def test_the_article_page_read_twice_is_served_by_varnish_the_second_time(
    varnish_port, story, moderator
):
    published(story, moderator, "The first word on the dam.")
    # Cookies a reader holds for the site (Agora's own CSRF cookie among them) change
    # nothing in the page every anonymous reader shares.
    cookies = {"Cookie": "csrftoken=abc123; _analytics=xyz"}
    status, first_headers, first = get(varnish_port, page(story), **cookies)
    status_again, headers, again = get(varnish_port, page(story))

    assert status == status_again == 200
    assert first_headers["X-Cache"] == "MISS" and headers["X-Cache"] == "HIT"
    assert again == first and b"The first word on the dam." in again
    assert b"csrfmiddlewaretoken" not in again and "Set-Cookie" not in headers
    assert "s-maxage=" in headers["Cache-Control"]


def test_an_approval_shows_through_varnish_within_a_second(varnish_port, story, moderator):
    published(story, moderator, "The first word on the dam.")
    for _ in range(2):
        get(varnish_port, thread(story))
        get(varnish_port, page(story))
    assert get(varnish_port, thread(story))[1]["X-Cache"] == "HIT"
    assert get(varnish_port, page(story))[1]["X-Cache"] == "HIT"
    embed = f"/api/v1/embed/articles/{story.slug}"
    assert b'"count": 1' in get(varnish_port, embed)[2]

    late = Comment.objects.create(
        article=story, author_name="Late", author_email="late@example.org", body="A late word."
    )
    approved_at = time.monotonic()
    actions.approve(late, moderator)  # commits, and the purge task runs (immediate backend)

    while b"A late word." not in get(varnish_port, thread(story))[2]:
        assert time.monotonic() - approved_at < 1, "still the old thread after a second"
        time.sleep(0.05)
    assert b'"count": 2' in get(varnish_port, embed)[2]
    assert b"A late word." in get(varnish_port, page(story))[2]
    assert time.monotonic() - approved_at < 1, "still the old page after a second"


def test_an_article_closing_on_its_own_is_kept_until_it_closes_and_no_longer(
    varnish_port, story, settings
):
    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = 30
    # Closing a few seconds ahead: time enough for the first reads on a busy machine.
    closes = time.time() + 4
    published_at = timezone.now() - timedelta(days=30, seconds=-4)
    Article.objects.filter(pk=story.pk).update(published_at=published_at)
    _, first_headers, first = get(varnish_port, page(story))
    _, headers, again = get(varnish_port, page(story))
    assert headers["X-Cache"] == "HIT" and again == first and b"Comments close on" in again
    fresh = re.search(r"s-maxage=(\d+),", first_headers["Cache-Control"])
    assert fresh and 1 <= int(fresh[1]) <= 3  # the whole seconds left, rounded down

    # Past closing, the next read is the closed page (or, once, the kept one a little
    # stale while Varnish fetches it again: stale-while-revalidate).
    while b"Comments closed on" not in get(varnish_port, page(story))[2]:
        assert time.time() - closes < 1, "still the open page a second after closing"
        time.sleep(0.05)


def test_a_pending_comment_never_appears_through_varnish(varnish_port, story, moderator):
    published(story, moderator, "The first word on the dam.")
    get(varnish_port, thread(story))
    waiting = Comment.objects.create(
        article=story, author_name="Wait", author_email="wait@example.org", body="Not yet shown."
    )
    _, token = ApiToken.objects.issue(moderator, "desk")
    queue = "/api/v1/moderation/queue"

    signed_in = {"Cookie": "sessionid=a-moderators-session"}
    for _ in range(2):
        assert waiting.body.encode() not in get(varnish_port, thread(story))[2]
        assert waiting.body.encode() not in get(varnish_port, page(story))[2]
        own = get(varnish_port, page(story), **signed_in)
        assert own[0] == 200 and waiting.body.encode() not in own[2]
        assert own[1]["X-Cache"] == "MISS"  # a signed-in reader's page: never kept
        answer = get(varnish_port, queue, Authorization=f"Bearer {token}")
        assert answer[0] == 200 and waiting.author_email.encode() in answer[2]
        assert answer[1]["X-Cache"] == "MISS"


def test_a_post_through_varnish_is_confirmed_to_that_reader_alone(varnish_port, story):
    get(varnish_port, page(story))
    form = urllib.parse.urlencode(
        {"author_name": "Leyla", "author_email": "leyla@example.org", "body": "Through Varnish."}
    ).encode()
    posted = urllib.request.Request(
        f"http://127.0.0.1:{varnish_port}/articles/{story.slug}/comments/",
        data=form,
        headers={"Origin": f"http://127.0.0.1:{varnish_port}"},  # as a browser sends it
    )
    with urllib.request.urlopen(posted, timeout=10) as confirmation:  # follows the redirect
        assert b"Your comment was received" in confirmation.read()
        assert confirmation.headers["X-Cache"] == "MISS"
        assert "private" in confirmation.headers["Cache-Control"]
    assert Comment.objects.get(article=story).body == "Through Varnish."
    shared = get(varnish_port, page(story))
    assert shared[1]["X-Cache"] == "HIT" and b"Your comment was received" not in shared[2]


def test_only_agoras_own_servers_may_purge(varnish_port):
    request = urllib.request.Request(f"http://127.0.0.1:{varnish_port}/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400  # from loopback, allowed: but it must name the keys
