"""Working through volume: bulk decisions, search, and the live queue's endpoints."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from roles import arabic_desk, user_in

from agora.comments import actions
from agora.comments.models import Comment, Decision, Status
from agora.desks.roles import MODERATOR
from agora.reports import actions as report_actions

QUEUE = reverse("moderation:queue")
BULK = reverse("moderation:bulk")


@pytest.fixture
def make(article):
    def make(body="Fine words.", *, email="reader@example.org", name="Reader", lang="en", **fields):
        return Comment.objects.create(
            article=article, author_name=name, author_email=email, body=body, lang=lang, **fields
        )

    return make


@pytest.fixture
def staff(client, moderator):
    client.force_login(moderator)
    return client


def shown(client, **params):
    return {c.pk for c in client.get(QUEUE, params).context["comments"]}


def test_bulk_reject_of_a_selection_records_each_decision_with_the_one_reason(
    staff, make, moderator
):
    first, second, untouched = make("one"), make("two"), make("three")

    response = staff.post(
        BULK,
        {
            "action": "reject",
            "reason": "promotion",
            "note": "spam wave",
            "ids": [first.pk, second.pk],
        },
    )

    assert response.status_code == 302
    decisions = Decision.objects.order_by("comment_id")
    assert [(d.comment_id, d.reason, d.note, d.moderator) for d in decisions] == [
        (first.pk, "promotion", "spam wave", moderator),
        (second.pk, "promotion", "spam wave", moderator),
    ]
    untouched.refresh_from_db()
    assert untouched.status == Status.PENDING
    assert "Rejected 2 comments." in staff.get(QUEUE).content.decode()


def test_bulk_approve_of_everything_matching_the_filters_leaves_the_rest(staff, make):
    arabic = [make("نعم", lang="ar"), make("لا", lang="ar")]
    english = make("yes")

    staff.post(BULK, {"action": "approve", "everything": "1", "lang": "ar"})

    assert set(Comment.objects.approved().values_list("pk", flat=True)) == {c.pk for c in arabic}
    english.refresh_from_db()
    assert english.status == Status.PENDING
    assert Decision.objects.count() == 2


def test_a_bulk_reject_without_a_reason_or_without_comments_decides_nothing(staff, make):
    comment = make()

    staff.post(BULK, {"action": "reject", "ids": [comment.pk]})
    staff.post(BULK, {"action": "approve"})

    assert not Decision.objects.exists()
    html = staff.get(QUEUE).content.decode()
    assert "Choose a reason for rejecting these comments." in html
    assert "Tick the comments to decide, or choose all matching." in html


def test_a_comment_decided_meanwhile_is_left_and_counted(staff, make, colleague_decides):
    taken, free = make("taken"), make("free")
    colleague_decides(taken)

    staff.post(BULK, {"action": "approve", "ids": [taken.pk, free.pk]})

    taken.refresh_from_db()
    assert taken.status == Status.REJECTED
    assert Decision.objects.filter(comment=taken).count() == 1
    # The queue shows pending comments, so the one decided meanwhile is no longer chosen.
    assert "Approved 1 comment." in staff.get(QUEUE).content.decode()


@pytest.fixture
def colleague_decides(django_user_model):
    colleague = django_user_model.objects.create_user("colleague", is_staff=True)
    return lambda comment: actions.reject(comment, colleague, "other")


def test_search_by_email_name_text_and_date_range(staff, make):
    old = make("Old news about the dam", email="Ana@Example.org", name="Ana Lopes")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    new = make("Fresh thoughts", email="ben@example.org", name="Ben")

    assert shown(staff, email="ana@example.ORG") == {old.pk}
    assert shown(staff, name="lopes") == {old.pk}
    assert shown(staff, text="FRESH") == {new.pk}
    today = timezone.localdate()
    assert shown(staff, since=today.isoformat()) == {new.pk}
    assert shown(staff, until=(today - timedelta(days=5)).isoformat()) == {old.pk}
    assert shown(
        staff, since=(today - timedelta(days=11)).isoformat(), until=today.isoformat()
    ) == {
        old.pk,
        new.pk,
    }


def test_search_results_are_a_queue_in_any_status(staff, make, colleague_decides):
    rejected = make("gone", email="ana@example.org")
    colleague_decides(rejected)
    make("waiting", email="ana@example.org")

    assert shown(staff, email="ana@example.org", status="rejected") == {rejected.pk}


def test_the_api_queue_searches_the_same_way(client, make, moderator):
    from agora.api.models import ApiToken

    match = make("Fresh thoughts", email="ana@example.org")
    make("Other words", email="ben@example.org")
    _token, raw = ApiToken.objects.issue(moderator)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def ids(**params):
        return [
            c["id"]
            for c in client.get("/api/v1/moderation/queue", params, **auth).json()["comments"]
        ]

    assert ids(email="ANA@example.org") == [match.pk]
    assert ids(text="fresh") == [match.pk]
    assert ids(order="riskiest") == ids(order="risk")
    for bad in ({"since": "yesterday"}, {"until": "0"}, {"since": "2026-13-45"}):
        response = client.get("/api/v1/moderation/queue", bad, **auth)
        assert response.status_code == 400 and list(response.json()["errors"]) == list(bad)


def test_counts_and_new_items_for_the_live_queue(staff, make):
    first = make("first")
    counts = staff.get(reverse("moderation:counts")).json()
    assert counts == {"pending": 1, "newest": first.pk, "reported": 0}

    second = make("second")
    items = staff.get(reverse("moderation:queue-items"), {"after": first.pk}).content.decode()

    assert f'id="comment-{second.pk}"' in items and f'id="comment-{first.pk}"' not in items
    assert staff.get(reverse("moderation:counts")).json()["pending"] == 2


def test_the_queue_count_is_in_the_navigation_and_the_title(staff, make):
    for n in range(3):
        make(f"comment {n}")

    html = staff.get(QUEUE).content.decode()

    assert "<title>(3) Moderation queue · Agora</title>" in html
    assert '<span class="count" id="pending-count" data-count="pending">3</span>' in html


def test_the_reported_count_follows_reports_and_their_settlement(staff, make, moderator):
    """The Reported queue's count, in the navigation, its page's title and the live
    endpoint, changes with each new report and each dismissal (the shared answer too)."""
    published = [make(f"published {n}", status=Status.APPROVED) for n in range(2)]
    counts = reverse("moderation:counts")
    assert staff.get(counts).json()["reported"] == 0

    for comment in published:
        report_actions.file_report(
            comment.pk, report_actions.NewReport(reason="other", email="ava@example.org")
        )
    assert staff.get(counts).json()["reported"] == 2
    html = staff.get(reverse("reports:reported")).content.decode()
    assert "<title>(2) Reported comments · Agora</title>" in html
    assert '<span class="count" id="reported-count" data-count="reported">2</span>' in html

    report_actions.dismiss(published[0], moderator)
    assert staff.get(counts).json()["reported"] == 1


def test_a_desk_moderator_counts_only_her_desks_reported_comments(client, make):
    english = make("published", status=Status.APPROVED)
    arabic = make("منشور", lang="ar", status=Status.APPROVED)
    for comment in (english, arabic):
        report_actions.file_report(
            comment.pk, report_actions.NewReport(reason="other", email="ava@example.org")
        )
    client.force_login(user_in(MODERATOR, "arabic-mod", desks=[arabic_desk()]))

    assert client.get(reverse("moderation:counts")).json()["reported"] == 1


@pytest.mark.parametrize("sort", ["riskiest", "clean", "oldest"])
def test_each_queue_order_reads_an_index_instead_of_sorting(make, moderator, sort):
    """A page of the pending queue reads one page of rows in every order: the plan walks an
    index in the order asked for, with no sort of every pending comment (SQLite, whose
    planner needs no statistics to choose; PostgreSQL picks by table size)."""
    from django.db import connection

    from agora.moderation import queue as queues

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan is the same on an empty table; PostgreSQL's is not")
    make("a comment")
    page = queues.comments(queues.QueueFilters(sort=sort), moderator)[:50]
    sql, params = page.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(str(step[-1]) for step in cursor.fetchall())

    assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
