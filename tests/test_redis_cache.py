"""The read side on a real redis-server (AGORA_CACHE_URL=redis://...), as several app
servers share it: a decision taken on one is seen at once by every other, and answers one
server replayed are never replayed by another after the thread changed."""

import pytest
import real_servers
from django.core.cache import cache
from test_replay import THREAD, CountingApplication, answer, environ
from test_replay import clock as clock  # the fixture

from agora.comments import actions, reading
from agora.comments.models import Comment
from agora.comments.replay import ReplayReads
from agora.settings import cache_from_url

pytestmark = pytest.mark.usefixtures("keep_test_connection")


@pytest.fixture(scope="module")
def redis_url():
    for port in real_servers.redis():
        yield f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_cache(redis_url, settings):
    settings.CACHES = {"default": {**cache_from_url(redis_url), "KEY_PREFIX": "agora-test"}}
    cache.clear()
    yield
    cache.clear()


def comment(article, n):
    return Comment.objects.create(
        article=article, author_name=f"R{n}", author_email=f"r{n}@example.org", body=f"Word {n}."
    )


def test_the_cache_is_redis(redis_cache):
    assert type(cache._cache).__module__ == "django.core.cache.backends.redis"
    cache.set("probe", 1)
    assert cache._cache.get_client("probe").get(cache.make_key("probe")) is not None


def test_a_decision_on_one_server_shows_on_another_at_once(redis_cache, article, moderator, clock):
    first, second = (ReplayReads(CountingApplication()) for _ in range(2))
    actions.approve(comment(article, 1), moderator)
    clock.value += 2
    for server in (first, second):
        answer(server, environ(THREAD))
        assert answer(server, environ(THREAD)) == answer(server, environ(THREAD))  # kept

    late = comment(article, 2)
    actions.approve(late, moderator)  # on the first server, say

    for server in (first, second):
        assert b"Word 2." in answer(server, environ(THREAD))[2]


def test_the_thread_rows_are_shared(redis_cache, article, moderator):
    actions.approve(comment(article, 1), moderator)
    rows, version = reading.approved_comments(article)
    key = reading.entry_key("rows", *reading.THREAD_FIELDS, article.pk)
    _tag, stored = cache.get(key)
    assert [row[3] for row in stored] == [c.body for c in rows] == ["Word 1."]
    assert version.token == cache.get(reading.version_key(article.pk))[0]
