"""The reader side of the JSON API: articles, threads, posting (agora/api)."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agora.articles.models import Article
from agora.comments import actions
from agora.comments.models import Comment, Status

THREAD = "/api/v1/articles/river-dam-vote/comments"


def make_comment(article, status=Status.APPROVED, n=0, parent=None, email=None):
    return Comment.objects.create(
        article=article,
        parent=parent,
        author_name=f"Reader {n}",
        author_email=email or f"reader{n}@example.org",
        body=f"Comment number {n} about the dam.",
        status=status,
    )


def post(client, payload, url=THREAD, **headers):
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def valid_payload(n=0, **changes):
    payload = {
        "author_name": f"Poster {n}",
        "author_email": f"poster{n}@example.org",
        "body": f"The dam was rebuilt once before, in {1950 + n}; that repair lasted.",
    }
    payload.update(changes)
    return payload


def walk(client, url, **params):
    """Every page of a paginated endpoint, following `next`."""
    pages, cursor = [], None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        cursor = pages[-1]["next"]
        if cursor is None:
            return pages


# --- Articles ---------------------------------------------------------------------


def test_articles_list_counts_approved_comments_only(client, article, django_assert_num_queries):
    make_comment(article, Status.APPROVED, 1)
    make_comment(article, Status.APPROVED, 2)
    make_comment(article, Status.PENDING, 3)
    make_comment(article, Status.REJECTED, 4)
    Article.objects.create(slug="quiet-story", title="A story nobody commented on")

    with django_assert_num_queries(1):
        response = client.get("/api/v1/articles")

    assert response.status_code == 200
    by_slug = {a["slug"]: a for a in response.json()["articles"]}
    assert by_slug["river-dam-vote"]["comment_count"] == 2
    assert by_slug["quiet-story"]["comment_count"] == 0
    assert set(by_slug["river-dam-vote"]) == {
        "slug",
        "title",
        "url",
        "published_at",
        "language",
        "comment_count",
    }


def test_articles_list_pages_newest_first(client, db):
    now = timezone.now()
    for day in range(5):
        Article.objects.create(
            slug=f"day-{day}", title=f"Day {day}", published_at=now - timedelta(days=day)
        )
    pages = walk(client, "/api/v1/articles", limit=2)
    slugs = [a["slug"] for page in pages for a in page["articles"]]
    assert slugs == [f"day-{day}" for day in range(5)]
    assert [len(page["articles"]) for page in pages] == [2, 2, 1]


# --- Reading a thread ----------------------------------------------------------------


def test_thread_shows_approved_comments_only(client, article, django_assert_num_queries):
    approved = make_comment(article, Status.APPROVED, 1)
    pending = make_comment(article, Status.PENDING, 2)
    rejected = make_comment(article, Status.REJECTED, 3)

    with django_assert_num_queries(3):  # the article, one page, the count
        response = client.get(THREAD)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    assert [c["id"] for c in data["comments"]] == [approved.id]
    assert data["comments"][0] == {
        "id": approved.id,
        "author_name": "Reader 1",
        "body": "Comment number 1 about the dam.",
        "created_at": data["comments"][0]["created_at"],
        "parent_id": None,
    }
    assert data["article"]["slug"] == "river-dam-vote"
    assert data["article"]["title"] == article.title
    assert data["next"] is None
    raw = response.content.decode()
    assert pending.body not in raw and rejected.body not in raw


def test_a_pending_comment_appears_only_after_approval(client, article, moderator):
    response = post(client, valid_payload(body="The new dam needs a fish ladder this time."))
    assert response.status_code == 202
    assert "fish ladder" not in client.get(THREAD).content.decode()

    actions.approve(Comment.objects.get(pk=response.json()["id"]), moderator)

    thread = client.get(THREAD).json()
    assert [c["body"] for c in thread["comments"]] == ["The new dam needs a fish ladder this time."]
    assert thread["count"] == 1


def test_replies_are_in_the_thread_with_their_parent_id(client, article):
    parent = make_comment(article, Status.APPROVED, 1)
    reply = make_comment(article, Status.APPROVED, 2, parent=parent)
    comments = client.get(THREAD).json()["comments"]
    assert [(c["id"], c["parent_id"]) for c in comments] == [
        (parent.id, None),
        (reply.id, parent.id),
    ]


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_cursor_pagination_walks_every_approved_comment_exactly_once(client, article, order):
    approved = []
    for n in range(23):
        approved.append(make_comment(article, Status.APPROVED, n))
        make_comment(article, Status.PENDING, 100 + n)
    # Comments stored in the same instant must still be ordered and paged without loss.
    same_moment = timezone.now() - timedelta(hours=1)
    Comment.objects.filter(pk__in=[c.pk for c in approved[5:12]]).update(created_at=same_moment)

    pages = walk(client, THREAD, order=order, limit=4)

    ids = [c["id"] for page in pages for c in page["comments"]]
    assert sorted(ids) == sorted(c.id for c in approved)
    assert len(ids) == len(set(ids))
    expected = sorted(
        Comment.objects.filter(status=Status.APPROVED).values_list("created_at", "id")
    )
    if order == "newest":
        expected.reverse()
    assert ids == [pk for _created, pk in expected]
    assert all(page["count"] == 23 for page in pages)
    assert all(len(page["comments"]) <= 4 for page in pages)


def test_default_page_is_fifty_and_limit_is_bounded(client, article):
    for n in range(55):
        make_comment(article, Status.APPROVED, n)
    assert len(client.get(THREAD).json()["comments"]) == 50
    assert len(client.get(THREAD, {"limit": 200}).json()["comments"]) == 55
    for bad in ("0", "201", "many"):
        response = client.get(THREAD, {"limit": bad})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["limit"]


def test_bad_order_and_cursor_are_400(client, article):
    for n in range(3):
        make_comment(article, Status.APPROVED, n)
    response = client.get(THREAD, {"order": "random"})
    assert response.status_code == 400
    assert "order" in response.json()["errors"]

    response = client.get(THREAD, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]

    newest_cursor = client.get(THREAD, {"order": "newest", "limit": 1}).json()["next"]
    response = client.get(THREAD, {"order": "oldest", "cursor": newest_cursor})
    assert response.status_code == 400
    assert "newest" in response.json()["errors"]["cursor"][0]


def test_thread_of_unknown_article_is_404_json(client, db):
    response = client.get("/api/v1/articles/no-such-story/comments")
    assert response.status_code == 404
    assert "no-such-story" in response.json()["detail"]


def test_permalink_shows_approved_comments_only(client, article):
    approved = make_comment(article, Status.APPROVED, 1)
    pending = make_comment(article, Status.PENDING, 2)
    other = Article.objects.create(slug="other-story", title="Another story")

    response = client.get(f"{THREAD}/{approved.id}")
    assert response.status_code == 200
    assert response.json()["body"] == approved.body
    assert client.get(f"{THREAD}/{pending.id}").status_code == 404
    assert client.get(f"/api/v1/articles/{other.slug}/comments/{approved.id}").status_code == 404
    assert client.get(f"{THREAD}/{2**64}").status_code == 404


def test_no_email_in_any_public_response(client, article):
    parent = make_comment(article, Status.APPROVED, 1, email="first.reader@mail.example")
    make_comment(article, Status.APPROVED, 2, parent=parent, email="second.reader@mail.example")
    make_comment(article, Status.PENDING, 3, email="third.reader@mail.example")
    responses = [
        client.get("/api/v1/articles"),
        client.get(THREAD),
        client.get(THREAD, {"order": "newest", "limit": 1}),
        client.get(f"{THREAD}/{parent.id}"),
        post(client, valid_payload(author_email="new.poster@mail.example")),
        post(client, valid_payload(author_email="bad.poster@mail.example", body="")),
        post(client, valid_payload(author_email="not an address")),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 202, 400, 400]
    for response in responses:
        assert b"mail.example" not in response.content
        assert b"@" not in response.content
        assert b"not an address" not in response.content


# --- Posting ---------------------------------------------------------------------


def test_post_stores_a_pending_comment_and_answers_202(client, article):
    response = post(client, valid_payload(author_name="  Dilan  ", body="  Good news.  "))

    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "pending"
    comment = Comment.objects.get(pk=data["id"])
    assert (comment.article, comment.status) == (article, Status.PENDING)
    # Stored as CommentForm cleaned it: surrounding spaces stripped, nothing else changed.
    assert (comment.author_name, comment.body) == ("Dilan", "Good news.")
    assert comment.author_email == "poster0@example.org"


def test_a_reply_is_stored_under_its_thread(client, article):
    parent = make_comment(article, Status.APPROVED, 1)
    reply = make_comment(article, Status.APPROVED, 2, parent=parent)

    response = post(client, valid_payload(parent_id=reply.id))

    assert response.status_code == 202
    # Replies are one level deep: answering a reply answers the top comment.
    assert Comment.objects.get(pk=response.json()["id"]).parent_id == parent.id


def test_replying_to_a_pending_comment_is_refused(client, article):
    pending = make_comment(article, Status.PENDING, 1)
    response = post(client, valid_payload(parent_id=pending.id))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["parent_id"]
    assert Comment.objects.count() == 1


def test_same_idempotency_key_twice_stores_one_comment(client, article):
    first = post(client, valid_payload(), HTTP_IDEMPOTENCY_KEY="retry-7f3a")
    second = post(client, valid_payload(), HTTP_IDEMPOTENCY_KEY="retry-7f3a")

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == second.json()
    assert Comment.objects.count() == 1
    assert Comment.objects.get().idempotency_key == "retry-7f3a"


def test_a_keyed_post_looks_its_key_up_once(client, article):
    # Every post from the embed and the article page carries a key: one lookup, not two.
    with CaptureQueriesContext(connection) as queries:
        assert post(client, valid_payload(), HTTP_IDEMPOTENCY_KEY="once-1").status_code == 202
    lookups = [q["sql"] for q in queries if "SELECT" in q["sql"] and "idempotency_key" in q["sql"]]
    assert len(lookups) == 1, lookups


def test_different_keys_store_different_comments(client, article):
    first = post(client, valid_payload(1), HTTP_IDEMPOTENCY_KEY="key-one")
    second = post(client, valid_payload(2), HTTP_IDEMPOTENCY_KEY="key-two")
    assert first.json()["id"] != second.json()["id"]
    assert Comment.objects.count() == 2


def test_a_key_reused_for_another_comment_is_409(client, article):
    post(client, valid_payload(1), HTTP_IDEMPOTENCY_KEY="reused")
    response = post(client, valid_payload(2), HTTP_IDEMPOTENCY_KEY="reused")
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert Comment.objects.count() == 1


def test_post_to_unknown_article_is_404(client, db):
    response = post(client, valid_payload(), url="/api/v1/articles/no-such-story/comments")
    assert response.status_code == 404
    assert "no-such-story" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_post_when_comments_are_closed_is_403(client, article):
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    response = post(client, valid_payload())
    assert response.status_code == 403
    assert response.json() == {"detail": "Comments are closed on this article."}
    assert not Comment.objects.exists()


# --- Schema and docs ---------------------------------------------------------------


def test_openapi_schema_lists_the_core_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = {path: set(operations) for path, operations in schema["paths"].items()}
    # Other parts of Agora (the embed) mount their own endpoints next to these.
    core = {
        "/api/v1/articles": {"get"},
        "/api/v1/articles/{slug}/comments": {"get", "post"},
        "/api/v1/articles/{slug}/comments/{comment_id}": {"get"},
        "/api/v1/moderation/queue": {"get"},
        "/api/v1/moderation/comments/{comment_id}": {"get"},
        "/api/v1/moderation/comments/{comment_id}/approve": {"post"},
        "/api/v1/moderation/comments/{comment_id}/reject": {"post"},
    }
    assert {path: paths.get(path) for path in core} == core
    post_operation = schema["paths"]["/api/v1/articles/{slug}/comments"]["post"]
    assert {"202", "400", "404", "413"} <= set(post_operation["responses"])
    comment_in = schema["components"]["schemas"]["CommentIn"]
    assert set(comment_in["required"]) == {"author_name", "author_email", "body"}
    assert comment_in["additionalProperties"] is False
    assert client.get("/api/v1/docs").status_code == 200
