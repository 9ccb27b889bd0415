"""Reads replayed before Django's request cycle (agora/comments/replay.py): byte for byte
the full path's answer, never after a change, never to a signed-in or authorised client."""

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone

from agora.articles.models import Article
from agora.comments import actions, reading, views
from agora.comments.models import Comment
from agora.comments.replay import ReplayReads

pytestmark = pytest.mark.usefixtures("keep_test_connection")

THREAD = "/api/v1/articles/river-dam-vote/comments"
EMBED_ORIGIN = "https://news.example.org"


class CountingApplication:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)


def environ(path, query="", **headers):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **headers,
    }


def answer(application, env) -> tuple[str, list, bytes]:
    """Status, headers (in order) and body, as a WSGI server would send them."""
    sent = {}

    def start_response(status, headers, exc_info=None):
        sent.update(status=status, headers=list(headers))

    result = application(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return sent["status"], sent["headers"], body


@pytest.fixture
def clock():
    """Reading's clock, a second past every change when moved on (Last-Modified is only
    sent, and answers only kept, once the second of the last change is over)."""
    now = SimpleNamespace(value=1_900_000_000.0)
    with mock.patch.object(reading, "time", SimpleNamespace(time=lambda: now.value)):
        yield now


@pytest.fixture
def servers(settings):
    settings.AGORA_ALLOWED_ORIGINS = [EMBED_ORIGIN]
    full = CountingApplication()
    return SimpleNamespace(full=full, fast=ReplayReads(full))


@pytest.fixture
def thread(article, moderator, clock):
    for n in range(3):
        comment = Comment.objects.create(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"r{n}@example.org",
            body=f"Comment {n} on the dam.",
        )
        actions.approve(comment, moderator)
    clock.value += 2
    return article


REQUESTS = {
    "thread": environ(THREAD),
    "a page of it, newest first": environ(THREAD, "order=newest&limit=2"),
    "in Arabic": environ(THREAD, HTTP_ACCEPT_LANGUAGE="ar"),
    "from the embed's site": environ(THREAD, HTTP_ORIGIN=EMBED_ORIGIN),
    "the article list": environ("/api/v1/articles"),
    "the embed's data": environ("/api/v1/embed/articles/river-dam-vote", HTTP_ACCEPT_LANGUAGE="tr"),
    "the embed's data for an unknown article": environ("/api/v1/embed/articles/not-yet"),
    "the article page": environ("/articles/river-dam-vote/"),
    "the article page, replying, newest first": environ(
        "/articles/river-dam-vote/", "order=newest&reply_to=1"
    ),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_a_replayed_read_is_the_full_paths_answer_byte_for_byte(name, servers, thread):
    env = REQUESTS[name]
    first = answer(servers.fast, env)
    calls = servers.full.calls

    replayed = answer(servers.fast, env)

    assert servers.full.calls == calls  # answered before Django
    assert replayed == first == answer(servers.full, env)
    assert replayed[0] == "200 OK"
    if "/api/" in env["PATH_INFO"]:
        assert json.loads(replayed[2])
    else:
        assert b"Comment 2 on the dam." in replayed[2]


def test_a_revalidation_gets_the_full_paths_304_byte_for_byte(servers, thread):
    status, headers, _ = answer(servers.fast, REQUESTS["thread"])
    etag = dict(headers)["ETag"]
    modified = dict(headers)["Last-Modified"]
    for condition in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": modified}):
        conditional = environ(THREAD, **condition)
        first = answer(servers.fast, conditional)
        calls = servers.full.calls

        replayed = answer(servers.fast, conditional)

        assert servers.full.calls == calls
        assert replayed == first == answer(servers.full, conditional)
        assert replayed[0].startswith("304") and replayed[2] == b""
    # A copy that is not current gets the whole thread.
    stale = environ(THREAD, HTTP_IF_NONE_MATCH='"an-old-tag"')
    assert answer(servers.fast, stale) == answer(servers.full, environ(THREAD))


def test_after_a_decision_the_next_read_goes_the_full_way_and_shows_it(
    servers, thread, moderator, clock
):
    answer(servers.fast, REQUESTS["thread"])
    waiting = Comment.objects.create(
        article=thread, author_name="Late", author_email="late@example.org", body="Late word."
    )
    assert b"Late word." not in answer(servers.fast, REQUESTS["thread"])[2]  # still pending

    actions.approve(waiting, moderator)
    calls = servers.full.calls
    shown = answer(servers.fast, REQUESTS["thread"])

    assert servers.full.calls == calls + 1
    assert b"Late word." in shown[2]
    # Within the second of the change the answer is not kept (no Last-Modified yet) ...
    answer(servers.fast, REQUESTS["thread"])
    assert servers.full.calls == calls + 2
    # ... and once it is over, it is.
    clock.value += 2
    kept = answer(servers.fast, REQUESTS["thread"])
    assert answer(servers.fast, REQUESTS["thread"]) == kept
    assert servers.full.calls == calls + 3


@pytest.mark.parametrize(
    "private",
    [{"HTTP_COOKIE": "sessionid=abc"}, {"HTTP_AUTHORIZATION": "Bearer token"}],
    ids=["signed in", "authorised"],
)
def test_a_signed_in_or_authorised_client_always_gets_the_full_path(private, servers, thread):
    env = environ(THREAD, **private)
    for _ in range(3):
        answer(servers.fast, env)
    assert servers.full.calls == 3


def test_a_readers_confirmation_is_never_replayed(servers, thread):
    comment = Comment.objects.filter(article=thread).first()
    sent = signing.TimestampSigner(salt=views.SENT_SALT).sign(str(comment.pk))
    confirmation = environ("/articles/river-dam-vote/comments/", f"sent={sent}")
    first, second = answer(servers.fast, confirmation), answer(servers.fast, confirmation)
    assert servers.full.calls == 2
    assert first[0] == second[0] == "200 OK" and b"Your comment was received" in first[2]
    assert "private" in dict(first[1])["Cache-Control"]


def test_when_the_cache_fails_the_replay_steps_aside(servers, thread):
    env = REQUESTS["thread"]
    answer(servers.fast, env)
    broken = mock.Mock(**{"get_many.side_effect": OSError, "set.side_effect": OSError})
    with mock.patch("agora.comments.replay.cache", broken):
        for _ in range(2):
            assert answer(servers.fast, env) == answer(servers.full, env)
    assert broken.get_many.called and broken.set.called


def test_a_process_holding_too_much_forgets_and_still_answers_right(servers, thread):
    with mock.patch("agora.comments.replay.LOCAL_BYTES", 100):
        for name in ("thread", "in Arabic", "thread"):
            first = answer(servers.fast, REQUESTS[name])
            assert (
                answer(servers.fast, REQUESTS[name])
                == first
                == answer(servers.full, REQUESTS[name])
            )
        assert servers.fast.local_bytes <= len(first[2])


class RecordingCache:
    """The cache, recording how long each answer kept to replay is kept for."""

    def __init__(self):
        self.lifetimes = {}

    def set(self, key, value, timeout):
        self.lifetimes[key] = timeout
        return cache.set(key, value, timeout)

    def __getattr__(self, name):
        return getattr(cache, name)


@pytest.fixture
def closing(thread, clock, settings, monkeypatch):
    """The thread's article, open, and closing to comments on its own two minutes from
    now, by a clock that Django's timezone.now reads as well."""
    monkeypatch.setattr(timezone, "now", lambda: datetime.fromtimestamp(clock.value, UTC))
    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = 30
    published_at = timezone.now() - timedelta(days=30, seconds=-120)
    Article.objects.filter(pk=thread.pk).update(published_at=published_at)
    return thread


def cache_control(answered) -> str:
    return dict(answered[1])["Cache-Control"]


def shows_open(answered) -> bool:
    if answered[2].startswith(b"{"):
        return json.loads(answered[2])["article"]["comments_open"]
    return b'<form method="post"' in answered[2] and b"comment-reply" in answered[2]


@pytest.mark.parametrize("name", ["the article page", "the embed's data"])
def test_an_article_closing_on_its_own_is_replayed_only_until_it_closes(
    name, servers, closing, clock
):
    env = REQUESTS[name]
    recording = RecordingCache()
    with mock.patch("agora.comments.replay.cache", recording):
        first = answer(servers.fast, env)
    assert shows_open(first) and "s-maxage=120," in cache_control(first)
    assert recording.lifetimes and max(recording.lifetimes.values()) <= 120
    calls = servers.full.calls

    clock.value += 100
    replayed = answer(servers.fast, env)
    assert servers.full.calls == calls
    # The lifetime shrinks as closing nears, as the full path's does.
    assert replayed == answer(servers.full, env)
    assert "s-maxage=20," in cache_control(replayed)
    calls = servers.full.calls

    clock.value += 20  # comments close
    closed = answer(servers.fast, env)
    assert servers.full.calls == calls + 1
    assert not shows_open(closed) and closed == answer(servers.full, env)
    assert "s-maxage=3600," in cache_control(closed)
    # Closed, it is kept and replayed like any other read.
    calls = servers.full.calls
    assert answer(servers.fast, env) == closed and servers.full.calls == calls


def test_the_shared_cache_copy_is_replayed_until_closing_only(servers, closing, clock):
    env = REQUESTS["the article page"]
    answer(servers.fast, env)
    servers.fast.answers.clear()  # the process's own copy gone: the shared one remains
    calls = servers.full.calls

    clock.value += 60
    assert shows_open(answer(servers.fast, env))
    assert servers.full.calls == calls
    servers.fast.answers.clear()

    clock.value += 60  # comments close; the shared copy is still there, but not replayed
    assert not shows_open(answer(servers.fast, env))
    assert servers.full.calls == calls + 1


def test_changing_the_closing_setting_refreshes_every_article_at_once(
    servers, thread, chief, clock, django_capture_on_commit_callbacks
):
    from agora.newsroom import actions as newsroom_actions

    Article.objects.filter(pk=thread.pk).update(published_at=timezone.now() - timedelta(days=10))
    clock.value += 2
    env = REQUESTS["the article page"]
    kept = answer(servers.fast, env)
    assert shows_open(kept) and answer(servers.fast, env) == kept
    calls = servers.full.calls

    with (
        mock.patch("agora.comments.edge.purge_later") as purge_later,
        django_capture_on_commit_callbacks(execute=True),
    ):
        newsroom_actions.change_settings(chief, {"close_comments_after_days": 7})
    clock.value += 2

    closed = answer(servers.fast, env)
    assert servers.full.calls == calls + 1
    assert not shows_open(closed) and closed == answer(servers.full, env)
    # The caches in front are told too: the article is no longer what they hold.
    assert any(thread.pk in call.args for call in purge_later.call_args_list)
