"""The cached thread (agora/comments/reading.py): fresh at once after every decision,
never showing a pending comment, revalidated by ETag / Last-Modified, and cheap when warm."""

import json
import re
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils.http import http_date
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.articles.models import Article
from agora.comments import actions, reading
from agora.comments.models import Comment
from agora.privacy import records

ARTICLE = "/articles/river-dam-vote/"
THREAD = "/api/v1/articles/river-dam-vote/comments"
ARTICLES = "/api/v1/articles"
# How every public read may be cached, with the default settings.
PUBLIC_READ = (
    "public, max-age=0, must-revalidate, s-maxage=3600, stale-while-revalidate=30, "
    "stale-if-error=86400"
)


@pytest.fixture(params=["locmem", "db"])
def shared_cache(request, settings):
    """Django's cache as one server has it (local memory) and as several servers
    share it (a database table; Redis behaves the same through the cache API)."""
    if request.param == "db":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "agora_test_cache",
            }
        }
        call_command("createcachetable", verbosity=0)
    # Queries a warm read spends on the cache itself: none in memory, one with the table.
    return 1 if request.param == "db" else 0


def pending(article, n=0, parent=None):
    """A comment as post_comment leaves it, without running the guideline engine."""
    return Comment.objects.create(
        article=article,
        parent=parent,
        author_name=f"Reader {n}",
        author_email=f"reader{n}@example.org",
        body=f"Comment number {n} about the dam.",
    )


def published(article, moderator, n=0, parent=None):
    comment = pending(article, n, parent)
    actions.approve(comment, moderator)
    return comment


def api_bodies(client, url=THREAD, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [c["body"] for c in response.json()["comments"]]


def page_bodies(client, url=ARTICLE):
    """The comments on the article page, in the order shown (read from its HTML: a page
    served from the cache is not rendered again)."""
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'class="comment-body" dir="auto"><p>(.*?)</p>', response.content.decode())


def truth(article):
    """What readers must see, straight from the database."""
    return list(
        Comment.objects.approved()
        .filter(article=article)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
    )


# --- Fresh after every decision --------------------------------------------------


def test_approving_shows_the_comment_at_once_on_a_warm_thread(
    client, article, moderator, shared_cache
):
    published(article, moderator, 1)
    waiting = pending(article, 2)
    for _ in range(2):  # the second read is served from the cache
        assert api_bodies(client) == ["Comment number 1 about the dam."]
        assert page_bodies(client) == ["Comment number 1 about the dam."]

    actions.approve(waiting, moderator)

    assert api_bodies(client) == ["Comment number 1 about the dam.", waiting.body]
    assert client.get(THREAD).json()["count"] == 2
    assert page_bodies(client) == ["Comment number 1 about the dam.", waiting.body]
    assert "2 comments" in client.get(ARTICLE).content.decode()


def test_rejecting_a_published_comment_removes_it_at_once(client, article, moderator, shared_cache):
    first = published(article, moderator, 1)
    reply = published(article, moderator, 2, parent=first)
    second = published(article, moderator, 3)
    assert api_bodies(client) == [first.body, reply.body, second.body]
    assert page_bodies(client) == [first.body, reply.body, second.body]

    actions.reject(second, moderator, "off_topic")

    assert api_bodies(client) == [first.body, reply.body]
    assert page_bodies(client) == [first.body, reply.body]
    assert client.get(THREAD).json()["count"] == 2


def test_every_page_of_every_order_is_fresh_after_a_decision(client, article, moderator):
    comments = [published(article, moderator, n) for n in range(5)]
    queries = [{"order": order, "limit": 2} for order in ("oldest", "newest")]
    before = {json.dumps(q): client.get(THREAD, q).json() for q in queries}

    actions.reject(comments[0], moderator, "promotion")
    actions.reject(comments[4], moderator, "promotion")

    for query in queries:
        page = client.get(THREAD, query).json()
        assert page != before[json.dumps(query)]
        assert page["count"] == 3
        ids = [c["id"] for c in page["comments"]]
        expected = [c.id for c in comments[1:4]]
        assert ids == (expected[:2] if query["order"] == "oldest" else expected[::-1][:2])


def test_a_decision_made_in_the_transaction_is_seen_again_after_commit(
    client, article, moderator, django_capture_on_commit_callbacks
):
    waiting = pending(article, 1)
    client.get(THREAD)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.approve(waiting, moderator)
        # Read on this connection before commit: it sees its own change ...
        inside = client.get(THREAD)
        assert [c["id"] for c in inside.json()["comments"]] == [waiting.id]
    assert len(callbacks) == 1
    # ... and the version is replaced again at commit, because a reader on another
    # connection may have cached the old rows under the first new version meanwhile.
    after = client.get(THREAD)
    assert after["ETag"] != inside["ETag"]
    assert [c["id"] for c in after.json()["comments"]] == [waiting.id]


def test_editing_the_article_shows_at_once_in_the_thread_and_the_list(client, article):
    old_thread = client.get(THREAD)
    old_list = client.get(ARTICLES)
    article.title = "Council postpones the dam vote"
    article.save()

    thread = client.get(THREAD, HTTP_IF_NONE_MATCH=old_thread["ETag"])
    assert thread.status_code == 200
    assert thread.json()["article"]["title"] == "Council postpones the dam vote"
    listing = client.get(ARTICLES, HTTP_IF_NONE_MATCH=old_list["ETag"])
    assert listing.status_code == 200
    assert listing.json()["articles"][0]["title"] == "Council postpones the dam vote"


def test_erasing_a_readers_data_removes_their_comments_from_a_warm_thread(
    client, article, moderator
):
    kept = published(article, moderator, 1)
    erased = published(article, moderator, 2)
    assert api_bodies(client) == [kept.body, erased.body]
    assert page_bodies(client) == [kept.body, erased.body]

    records.erase("reader2@example.org")

    assert api_bodies(client) == [kept.body]
    assert page_bodies(client) == [kept.body]


def test_the_article_list_counts_a_decision_at_once(client, article, moderator):
    waiting = pending(article, 1)
    assert client.get(ARTICLES).json()["articles"][0]["comment_count"] == 0
    actions.approve(waiting, moderator)
    assert client.get(ARTICLES).json()["articles"][0]["comment_count"] == 1
    actions.reject(waiting, moderator, "threat")
    assert client.get(ARTICLES).json()["articles"][0]["comment_count"] == 0


# --- Nothing pending leaks ------------------------------------------------------------


def test_pending_and_refused_comments_never_reach_a_warm_thread(client, article, moderator):
    published(article, moderator, 1)
    etag = client.get(THREAD)["ETag"]
    client.get(ARTICLE)
    waiting = pending(article, 2)
    refused = pending(article, 3)
    actions.reject(refused, moderator, "profanity")

    # Neither changes what readers see, so the cached thread and its ETag stay.
    response = client.get(THREAD)
    assert response["ETag"] == etag
    assert client.get(THREAD, HTTP_IF_NONE_MATCH=etag).status_code == 304
    for content in (response.content, client.get(ARTICLE).content):
        assert waiting.body.encode() not in content
        assert refused.body.encode() not in content


def test_a_slow_reader_storing_rows_read_before_a_decision_cannot_hide_it(
    client, article, moderator
):
    waiting = pending(article, 1)
    # A reader looks up the thread, and reads the rows as they were ...
    entry = reading.thread_cache.find(
        article.pk, "rows", *reading.THREAD_FIELDS, article.pk, depends_on=(article.published_at,)
    )
    stale_rows = []
    # ... a moderator approves meanwhile ...
    actions.approve(waiting, moderator)
    # ... and only then does the slow reader store what it read.
    assert entry.value(lambda: stale_rows) == []

    assert page_bodies(client) == [waiting.body]


def test_a_slow_reader_storing_markup_rendered_before_a_decision_cannot_hide_it(
    client, article, moderator
):
    waiting = pending(article, 1)
    # A reader reads the (empty) thread and its version ...
    comments, version = reading.approved_comments(article)
    assert comments == []
    # ... a moderator approves meanwhile ...
    actions.approve(waiting, moderator)
    # ... and the slow reader then renders and stores markup from what it read.
    parts = ("oldest", "en", "UTC")
    stale = reading.rendered(article, version, parts, lambda: "<ol>stale</ol>")
    assert stale == "<ol>stale</ol>"

    html = client.get(ARTICLE).content.decode()
    assert "stale" not in html and waiting.body in html


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["post", "approve", "reject", "read"]), st.integers(0, 7)),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_any_mix_of_posts_decisions_and_reads_shows_exactly_the_approved_comments(
    client, moderator, django_capture_on_commit_callbacks, operations
):
    # A new article per example: the database is not rolled back between examples.
    article = Article.objects.create(
        slug=f"story-{Article.objects.count()}", title="The dam", body="The river dam."
    )
    url = f"/api/v1/articles/{article.slug}/comments"
    comments = []
    for operation, index in operations:
        if operation == "read":
            expected = truth(article)
            assert api_bodies(client, url, limit=200) == expected
            assert page_bodies(client, article.get_absolute_url()) == expected
            continue
        with django_capture_on_commit_callbacks(execute=True):  # each action commits
            if operation == "post" or not comments:
                comments.append(pending(article, len(comments)))
                continue
            comment = Comment.objects.get(pk=comments[index % len(comments)].pk)
            try:
                if operation == "approve":
                    actions.approve(comment, moderator)
                else:
                    actions.reject(comment, moderator, "other")
            except actions.ConflictError:
                pass  # already in that state
    expected = truth(article)
    assert api_bodies(client, url, limit=200) == expected
    assert page_bodies(client, article.get_absolute_url()) == expected


# --- Revalidation ------------------------------------------------------------------


def test_a_matching_etag_gets_a_304_with_the_same_headers(client, article, moderator):
    published(article, moderator, 1)
    first = client.get(THREAD)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert first["Cache-Control"] == PUBLIC_READ

    again = client.get(THREAD, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == PUBLIC_READ
    # Any of several cached copies may match, as browsers and CDNs send them.
    both = client.get(THREAD, HTTP_IF_NONE_MATCH=f'"someone-else", {etag}')
    assert both.status_code == 304
    assert client.get(THREAD, HTTP_IF_NONE_MATCH='"an-old-copy"').status_code == 200


def test_the_etag_changes_with_every_decision_and_with_the_query(client, article, moderator):
    comment = published(article, moderator, 1)
    etags = [client.get(THREAD)["ETag"]]
    actions.reject(comment, moderator, "threat")
    etags.append(client.get(THREAD)["ETag"])
    actions.approve(comment, moderator)
    etags.append(client.get(THREAD)["ETag"])
    assert len(set(etags)) == 3

    stale = client.get(THREAD, HTTP_IF_NONE_MATCH=etags[0])
    assert stale.status_code == 200
    assert [c["id"] for c in stale.json()["comments"]] == [comment.id]

    variants = [
        client.get(THREAD, query)["ETag"]
        for query in ({}, {"order": "newest"}, {"limit": 10}, {"order": "newest", "limit": 10})
    ]
    assert len(set(variants)) == 4
    other = Article.objects.create(slug="other-story", title="Another story")
    assert client.get(f"/api/v1/articles/{other.slug}/comments")["ETag"] not in variants


def test_last_modified_is_the_time_of_the_latest_decision(client, article, moderator):
    waiting = pending(article, 1)
    clock = SimpleNamespace(time=lambda: 1_900_000_000.25)
    with mock.patch.object(reading, "time", clock):
        actions.approve(waiting, moderator)
        # Within the second of the change, a date could not tell this state from
        # one a moment later: only the ETag is offered.
        assert "Last-Modified" not in client.get(THREAD)

        clock.time = lambda: 1_900_000_001.0
        response = client.get(THREAD)
        assert response["Last-Modified"] == http_date(1_900_000_000)
        since = response["Last-Modified"]
        assert client.get(THREAD, HTTP_IF_MODIFIED_SINCE=since).status_code == 304

        clock.time = lambda: 1_900_000_005.5
        actions.reject(waiting, moderator, "threat")
        clock.time = lambda: 1_900_000_007.0
        changed = client.get(THREAD, HTTP_IF_MODIFIED_SINCE=since)
        assert changed.status_code == 200
        assert changed.json()["comments"] == []
        assert changed["Last-Modified"] == http_date(1_900_000_005)


def test_the_article_list_revalidates_too(client, article, moderator):
    waiting = pending(article, 1)
    first = client.get(ARTICLES)
    assert first["Cache-Control"] == PUBLIC_READ
    assert client.get(ARTICLES, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    actions.approve(waiting, moderator)
    changed = client.get(ARTICLES, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_bad_cursor_is_a_400_even_with_a_wildcard_if_none_match(client, article):
    response = client.get(THREAD, {"cursor": "forged"}, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


# --- Cost of a warm read -------------------------------------------------------------


def test_a_warm_thread_read_costs_one_query_the_article(
    client, article, moderator, shared_cache, django_assert_num_queries
):
    for n in range(30):
        parent = published(article, moderator, n)
        published(article, moderator, 100 + n, parent=parent)
    cold = client.get(THREAD, {"limit": 200})
    with django_assert_num_queries(1 + shared_cache):
        warm = client.get(THREAD, {"limit": 200})
    assert warm.content == cold.content
    assert len(warm.json()["comments"]) == 60
    with django_assert_num_queries(1 + shared_cache):
        assert (
            client.get(THREAD, {"limit": 200}, HTTP_IF_NONE_MATCH=warm["ETag"]).status_code == 304
        )


def test_a_warm_article_list_costs_no_query(
    client, article, moderator, shared_cache, django_assert_num_queries
):
    published(article, moderator, 1)
    cold = client.get(ARTICLES)
    with django_assert_num_queries(shared_cache):
        warm = client.get(ARTICLES)
    assert warm.content == cold.content


def test_a_warm_article_page_spends_no_query_on_the_thread(
    client, article, moderator, shared_cache, django_assert_num_queries
):
    Article.objects.create(slug="quiet-story", title="A story nobody commented on")
    for n in range(30):
        parent = published(article, moderator, n)
        published(article, moderator, 100 + n, parent=parent)
    client.get(ARTICLE)
    client.get("/articles/quiet-story/")
    # The article (once: agora.articles.decorators), plus two cache reads: the newsroom's
    # settings (whether comments close on their own, which keeps a page private) and the
    # page built under the thread's version.
    with django_assert_num_queries(1 + 2 * shared_cache):
        html = client.get(ARTICLE).content.decode()
    assert "60 comments" in html
    with django_assert_num_queries(1 + 2 * shared_cache):
        client.get("/articles/quiet-story/")
    # A page of its own (a signed-in reader's) is built each time, from three cache reads
    # (the settings, the rows and the rendered list).
    client.force_login(moderator)
    client.get(ARTICLE)
    with django_assert_num_queries(1 + 3 * shared_cache):
        assert "60 comments" in client.get(ARTICLE).content.decode()


def test_the_rendered_list_is_reused_until_the_thread_changes(
    client, article, moderator, shared_cache
):
    def rendered_list(response) -> bool:
        return "comments/_thread.html" in [t.name for t in response.templates]

    comment = published(article, moderator, 1)
    first = client.get(ARTICLE)
    # Another page of the same thread (replying to a comment) is built with the same list.
    again = client.get(ARTICLE, {"reply_to": comment.id})
    assert rendered_list(first) and not rendered_list(again)
    assert again.context["thread_html"] == first.context["thread_html"]
    assert "Comment number 1 about the dam." in again.content.decode()
    # The same page again is not built at all.
    assert client.get(ARTICLE).templates == [] and client.get(ARTICLE).content == first.content
    # Each order, and each language (labels and dates are translated), has its own.
    assert rendered_list(client.get(ARTICLE, {"order": "newest"}))
    article.language = "ar"
    article.save()
    arabic = client.get(ARTICLE)
    assert rendered_list(arabic) and arabic.context["thread_html"] != first.context["thread_html"]

    actions.approve(pending(article, 2), moderator)
    fresh = client.get(ARTICLE)
    assert rendered_list(fresh)
    assert "Comment number 2 about the dam." in fresh.content.decode()


def test_losing_the_cache_loses_nothing(client, article, moderator):
    published(article, moderator, 1)
    etag = client.get(THREAD)["ETag"]
    cache.clear()
    response = client.get(THREAD, HTTP_IF_NONE_MATCH=etag)
    # A new version means a new ETag: the client gets the thread again, never a wrong 304.
    assert response.status_code == 200
    assert [c["body"] for c in response.json()["comments"]] == ["Comment number 1 about the dam."]
