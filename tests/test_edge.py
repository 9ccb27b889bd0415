"""What caches in front of Agora are told (agora/comments/edge.py): public reads say how
they may be kept and under which surrogate key, nothing private is cacheable, and every
change readers could see purges the article's key, with retries."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agora.api.models import ApiToken
from agora.articles.models import Article
from agora.comments import actions, edge
from agora.comments.models import Comment

THREAD = "/api/v1/articles/river-dam-vote/comments"
PAGE = "/articles/river-dam-vote/"
EMBED = "/api/v1/embed/articles/river-dam-vote"
PUBLIC_READS = [THREAD, "/api/v1/articles", EMBED, PAGE]
PUBLIC = (
    "public, max-age=0, must-revalidate, s-maxage=3600, stale-while-revalidate=30, "
    "stale-if-error=86400"
)
# AGORA_CLOSE_COMMENTS_AFTER_DAYS in the tests of articles that close on their own.
DAYS = 30


def pending(article, n=0):
    return Comment.objects.create(
        article=article,
        author_name=f"Reader {n}",
        author_email=f"reader{n}@example.org",
        body=f"Comment number {n} about the dam.",
    )


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_a_public_read_says_how_shared_caches_may_keep_it(client, article, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == PUBLIC
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    key = "agora-articles" if url == "/api/v1/articles" else f"agora-article-{article.id}"
    assert response["xkey"] == response["Surrogate-Key"] == key
    # A revalidation keeps the keys, so a cache can tie the 304 to the article.
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["xkey"] == key and again["Cache-Control"] == PUBLIC


def test_the_cache_lifetimes_come_from_the_settings(client, article, settings):
    settings.AGORA_EDGE_MAX_AGE = 60
    settings.AGORA_EDGE_STALE_WHILE_REVALIDATE = 5
    settings.AGORA_EDGE_STALE_IF_ERROR = 600
    assert client.get(THREAD)["Cache-Control"] == (
        "public, max-age=0, must-revalidate, s-maxage=60, stale-while-revalidate=5, "
        "stale-if-error=600"
    )


def test_pages_for_one_reader_or_one_moderator_are_private(
    client, article, moderator, django_user_model
):
    comment = pending(article)
    private = [
        client.get("/api/v1/articles/no-such-article/comments"),
    ]
    _, token = ApiToken.objects.issue(moderator, "desk")
    private.append(client.get("/api/v1/moderation/queue", HTTP_AUTHORIZATION=f"Bearer {token}"))
    client.force_login(moderator)
    private += [client.get("/moderation/"), client.get(f"/moderation/comments/{comment.id}/")]
    private.append(client.get(PAGE))  # a signed-in reader's page carries their tokens
    for response in private:
        assert response.status_code in (200, 404)
        assert "private" in response["Cache-Control"], response.request["PATH_INFO"]
        assert not response.has_header("xkey")
    # The moderator's queue shows the pending comment and its email; no shared cache may.
    assert comment.author_email.encode() in private[1].content


def policy(fresh: int) -> str:
    return PUBLIC.replace("s-maxage=3600", f"s-maxage={fresh}")


@pytest.fixture
def clock(monkeypatch):
    """Django's clock, stopped, and moved on by hand: the closing time and the cache
    lifetimes are read from it."""
    now = SimpleNamespace(value=timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: now.value)
    return now


def published(article, moderator):
    """One approved comment: the open page shows a reply link under it."""
    actions.approve(pending(article), moderator)


def closing_in(article, settings, seconds: int):
    """``article`` set to close to comments on its own ``seconds`` from now."""
    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = DAYS
    published_at = timezone.now() - timedelta(days=DAYS, seconds=-seconds)
    Article.objects.filter(pk=article.pk).update(published_at=published_at)


def shows_open(response) -> bool:
    """Whether the page or the embed's data shows the article open to comments."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()["article"]["comments_open"]
    html = response.content.decode()
    form = '<form method="post"' in html
    assert form == ("Comments close on" in html) == ("Comments closed on" not in html)
    return form


@pytest.mark.parametrize("url", [EMBED, PAGE], ids=["the embed's data", "the article page"])
def test_an_article_closing_on_its_own_is_shared_but_never_fresh_past_closing(
    client, article, moderator, settings, clock, url
):
    published(article, moderator)
    closing_in(article, settings, 120)
    open_ = client.get(url)
    assert open_.status_code == 200 and shows_open(open_)
    assert open_["Cache-Control"] == policy(120)
    assert open_["xkey"] == open_["Surrogate-Key"] == f"agora-article-{article.id}"

    clock.value += timedelta(seconds=100)
    again = client.get(url, HTTP_IF_NONE_MATCH=open_["ETag"])
    assert again.status_code == 304 and again["Cache-Control"] == policy(20)

    clock.value += timedelta(seconds=20)  # comments close
    closed = client.get(url, HTTP_IF_NONE_MATCH=open_["ETag"])
    assert closed.status_code == 200 and not shows_open(closed)
    assert closed["ETag"] != open_["ETag"]
    if url == PAGE:  # and no reply link under the comment
        assert b"comment-reply" in open_.content and b"comment-reply" not in closed.content
    # Closed, it is an ordinary public read again.
    assert closed["Cache-Control"] == PUBLIC and closed.has_header("xkey")


@pytest.mark.parametrize("url", [EMBED, PAGE], ids=["the embed's data", "the article page"])
def test_freshness_is_cut_only_as_closing_nears(client, article, settings, clock, url):
    closing_in(article, settings, 3 * 3600)
    response = client.get(url)
    assert shows_open(response) and response["Cache-Control"] == PUBLIC


@pytest.mark.parametrize("url", [EMBED, PAGE], ids=["the embed's data", "the article page"])
def test_an_article_closed_on_its_own_is_an_ordinary_public_read(client, article, settings, url):
    closing_in(article, settings, -3600)
    response = client.get(url)
    assert response.status_code == 200 and not shows_open(response)
    assert response["Cache-Control"] == PUBLIC and response.has_header("xkey")
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_post_from_a_page_kept_past_closing_is_refused_and_says_why(
    client, article, settings, clock
):
    page = client.get(PAGE)  # closing_in changes nothing the cache knows: as a kept copy
    closing_in(article, settings, -1)
    assert b'<form method="post"' in page.content
    form = {"author_name": "Leyla", "author_email": "leyla@example.org", "body": "Late."}
    sent = client.post(f"{PAGE}comments/", form, HTTP_SEC_FETCH_SITE="same-origin")
    assert sent.status_code == 400 and "Comments closed on" in sent.content.decode()
    api = client.post(f"/api/v1/articles/{article.slug}/comments", form, "application/json")
    assert api.status_code == 403
    assert api.json() == {"detail": "Comments are closed on this article."}
    assert not Comment.objects.exists()


# --- Purging -------------------------------------------------------------------------


class PurgeRecorder(BaseHTTPRequestHandler):
    """A cache's purge endpoint: records each PURGE and answers with the next status."""

    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.server.purges.append(self.headers["xkey-purge"])
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cache_server(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    server.purges, server.statuses = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.AGORA_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield server
    server.shutdown()
    server.server_close()


def test_each_change_readers_could_see_purges_the_articles_key(
    article, moderator, cache_server, django_capture_on_commit_callbacks
):
    keys = f"agora-article-{article.id} agora-articles"
    comment = pending(article)
    assert cache_server.purges == []  # a pending comment changes nothing readers see

    with django_capture_on_commit_callbacks(execute=True):
        actions.approve(comment, moderator)
    assert cache_server.purges == [keys]

    with django_capture_on_commit_callbacks(execute=True):
        actions.reject(comment, moderator, "off_topic")  # withdrawn
    assert cache_server.purges == [keys, keys]

    with django_capture_on_commit_callbacks(execute=True):
        article.comments_open = False  # a closed thread
        article.save()
    assert cache_server.purges[-1] == keys

    refused = pending(article, 2)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject(refused, moderator, "profanity")  # never shown: nothing to purge
    assert len(cache_server.purges) == 3


def test_nothing_is_purged_before_the_change_commits(
    article, moderator, cache_server, django_capture_on_commit_callbacks
):
    comment = pending(article)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.approve(comment, moderator)
    assert cache_server.purges == []
    for callback in callbacks:
        callback()
    assert cache_server.purges == [f"agora-article-{article.id} agora-articles"]


def test_a_cache_that_fails_gets_the_purge_again(article, cache_server):
    cache_server.statuses = [503, 500]
    failed = edge.purge.call(["agora-article-1"], edge_urls(), 1)
    # The immediate backend runs the retries at once: two failures, then the purge.
    assert cache_server.purges == ["agora-article-1"] * 3
    assert failed == edge_urls()  # the first try's failures, retried by later tasks


def test_a_purge_that_never_succeeds_stops_after_the_last_try(article, cache_server):
    cache_server.statuses = [503] * 20
    edge.purge.call(["agora-article-1"], edge_urls(), 1)
    assert len(cache_server.purges) == edge.PURGE_ATTEMPTS


def test_with_a_task_worker_a_retry_waits_before_it_runs(article, cache_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cache_server.statuses = [503]
    before = timezone.now()
    edge.purge.call(["agora-article-1"], edge_urls(), 1)

    retry = DBTaskResult.objects.get()
    assert retry.status == "READY"
    assert retry.run_after >= before + timedelta(seconds=edge.PURGE_FIRST_WAIT)
    assert retry.args_kwargs["args"] == [["agora-article-1"], edge_urls(), 2]


def edge_urls():
    from django.conf import settings

    return list(settings.AGORA_PURGE_URLS)


def test_many_threads_changed_at_once_are_purged_a_hundred_to_a_purge(
    db, cache_server, django_capture_on_commit_callbacks
):
    from agora.comments.reading import thread_cache

    article_ids = range(1, 251)
    with django_capture_on_commit_callbacks(execute=True):
        thread_cache.invalidate(*article_ids)
    assert len(cache_server.purges) == 3
    purged = [purge.split() for purge in cache_server.purges]
    assert all(keys[-1] == "agora-articles" for keys in purged)
    assert [len(keys) - 1 for keys in purged] == [edge.PURGE_ARTICLES, edge.PURGE_ARTICLES, 50]
    assert sorted(key for keys in purged for key in keys[:-1]) == sorted(
        f"agora-article-{article_id}" for article_id in article_ids
    )
