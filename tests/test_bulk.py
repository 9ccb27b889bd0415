"""Storing many rows at once (agora.comments.bulk): what an import writes with it must be
stored exactly as the fields say, on SQLite by INSERT and on PostgreSQL by COPY."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from agora.comments import bulk
from agora.comments.models import Comment, Decision, Status
from agora.imports.models import ImportedComment

# What COPY's text format has to escape, and text from several scripts.
AWKWARD = "Back\\slash, tab\there,\nnew line, carriage\rreturn, \\N, «quotes» and کوردی"


def comment_rows(article, count):
    return [
        {
            "article_id": article.pk,
            "author_name": f"Reader {n}",
            "author_email": f"reader{n}@example.org" if n % 2 else "",
            "body": f"{AWKWARD} {n}",
            "status": Status.APPROVED if n % 2 else Status.PENDING,
            "created_at": datetime(2020, 1, 1, 12, n % 60, tzinfo=UTC),
        }
        for n in range(count)
    ]


def test_rows_are_stored_as_given_with_their_ids_in_order(article):
    rows = comment_rows(article, 1200)
    with transaction.atomic():
        ids = bulk.insert(Comment, rows, returning_ids=True)

    assert len(ids) == len(set(ids)) == 1200 and ids == sorted(ids)
    stored = Comment.objects.in_bulk(ids)
    for comment_id, row in zip(ids, rows, strict=True):
        comment = stored[comment_id]
        assert {field: getattr(comment, field) for field in row} == row
        # The fields a row leaves out take their defaults.
        assert (comment.parent_id, comment.risk, comment.verdict, comment.lang) == (
            None,
            0.0,
            None,
            "",
        )
        assert comment.awaiting_verdict is False and comment.idempotency_key is None
    # A comment stored the usual way afterwards gets the next id.
    later = Comment.objects.create(article=article, author_name="Later", body="Later.")
    assert later.pk > max(ids)


def test_rows_without_ids_and_updates(article):
    with transaction.atomic():
        [first, second] = bulk.insert(Comment, comment_rows(article, 2), returning_ids=True)
        returned = bulk.insert(
            Decision,
            [
                {"comment_id": first, "from_status": "pending", "to_status": "approved"},
                {"comment_id": second, "from_status": "pending", "to_status": "rejected"},
            ],
        )
        bulk.update(
            Comment,
            [{"pk": first, "risk": 0.5, "lang": "en"}, {"pk": second, "risk": 0.25, "lang": "ckb"}],
        )

    assert returned == []
    assert list(Decision.objects.order_by("comment_id").values_list("comment_id", "to_status")) == [
        (first, "approved"),
        (second, "rejected"),
    ]
    assert list(Comment.objects.order_by("pk").values_list("risk", "lang")) == [
        (0.5, "en"),
        (0.25, "ckb"),
    ]


def test_a_field_the_model_lacks_is_refused(article):
    with pytest.raises(ValueError, match="no fields"):
        bulk.insert(Comment, [{"article_id": article.pk, "colour": "red"}])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; run with DATABASE_URL"
)
def test_on_postgresql_rows_go_in_by_copy_and_errors_are_djangos(article):
    [comment] = Comment.objects.bulk_create(
        [Comment(article=article, author_name="A", body="Text.")]
    )
    origin = {"source": "disqus", "original_id": "1", "comment_id": comment.pk}
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        bulk.insert(Comment, comment_rows(article, 3), returning_ids=True)
        bulk.insert(ImportedComment, [origin])
    # Only the ids are asked for by a statement: the rows themselves are copied.
    assert not [query for query in queries if "INSERT" in query["sql"]]
    assert ImportedComment.objects.get().comment_id == comment.pk

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(ImportedComment, [origin])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings")
def test_sqlite_is_set_for_many_writes_only_while_they_last(db):
    def pragmas():
        with connection.cursor() as cursor:
            return {
                name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                for name in (*bulk.SQLITE_BULK_PRAGMAS, "journal_mode", "synchronous")
            }

    before = pragmas()
    with pytest.raises(RuntimeError), bulk.tuned_for_writing():
        assert pragmas() == {**before, **bulk.SQLITE_BULK_PRAGMAS}
        raise RuntimeError("an import that fails midway")
    assert pragmas() == before
