"""Agora behind a real varnishd running deploy/varnish/agora.vcl (docs/caching.md): threads
come from Varnish's cache, a moderator's approval shows within a second (the task worker
purges the article's key), and nothing private is ever kept."""

import time
import urllib.error
import urllib.request

import pytest
import real_servers

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


def test_an_approval_shows_through_varnish_within_a_second(varnish_port, story, moderator):
    published(story, moderator, "The first word on the dam.")
    get(varnish_port, thread(story))
    assert get(varnish_port, thread(story))[1]["X-Cache"] == "HIT"
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


def test_a_pending_comment_never_appears_through_varnish(varnish_port, story, moderator):
    published(story, moderator, "The first word on the dam.")
    get(varnish_port, thread(story))
    waiting = Comment.objects.create(
        article=story, author_name="Wait", author_email="wait@example.org", body="Not yet shown."
    )
    _, token = ApiToken.objects.issue(moderator, "desk")
    queue = "/api/v1/moderation/queue"

    for _ in range(2):
        assert waiting.body.encode() not in get(varnish_port, thread(story))[2]
        page = get(varnish_port, f"/articles/{story.slug}/")
        assert page[0] == 200 and waiting.body.encode() not in page[2]
        assert page[1]["X-Cache"] == "MISS"  # built for each reader: never kept
        answer = get(varnish_port, queue, Authorization=f"Bearer {token}")
        assert answer[0] == 200 and waiting.author_email.encode() in answer[2]
        assert answer[1]["X-Cache"] == "MISS"


def test_only_agoras_own_servers_may_purge(varnish_port):
    request = urllib.request.Request(f"http://127.0.0.1:{varnish_port}/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400  # from loopback, allowed: but it must name the keys
