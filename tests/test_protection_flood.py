"""The same text again and again (agora/protection/flood.py)."""

from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agora.comments.models import Comment, email_key
from agora.protection import flood

NOW = 2_000_000.0
CAMPAIGN = "Visit cheap-watches example shop for the best prices in town today"


# The counters are rows in the database, emptied after each test.
pytestmark = pytest.mark.django_db


def duplicate_wait(email: str, text: str) -> int:
    """The duplicate check as a posting asks it, with the address's stored comments."""
    return flood.duplicate_wait(partial(Comment.objects.sent_since, email_key(email)), text)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("BUY NOW!!!", "buy now"),
        ("The dam   vote,\nfinally.", "the dam vote finally"),
        ("Café crème", "Cafe creme"),
        ("ＦＵＬＬ width", "full width"),  # compatibility forms fold too
        ("سَلام", "سلام"),  # optional Arabic-script vowel marks
        ("Cheap watches here", "Cheap wаtches here"),  # a Cyrillic "а"
        ("Cheap watches here", "Cheap watches here 2"),  # one more digit
        ("Cheap watches here", "Ch3ap watchesss here"),  # leetspeak, repeats
    ],
)
def test_spelling_variants_read_as_one_text(first, second):
    assert flood.fingerprint(first) == flood.fingerprint(second)


def test_different_words_are_different_texts():
    assert flood.fingerprint("The dam must be rebuilt") != flood.fingerprint(
        "The dam must not be rebuilt"
    )


def test_replies_to_two_readers_are_two_texts():
    # The models read every handle as one placeholder; the duplicate check reads the names.
    assert flood.fingerprint("@Ana thanks!") != flood.fingerprint("@Ben thanks!")


def test_a_duplicate_is_a_stored_comment_with_the_same_text_and_email(article, settings):
    assert duplicate_wait("a@example.org", "I agree.") == 0
    Comment.objects.create(
        article=article, author_name="A", author_email="a@example.org", body="I agree."
    )
    wait = duplicate_wait("a@example.org", "I agree.")
    assert 0 < wait <= settings.AGORA_FLOOD["sender_window"]
    assert duplicate_wait("b@example.org", "I agree.") == 0
    assert duplicate_wait("a@example.org", "I agree, mostly.") == 0


@pytest.mark.parametrize(
    ("email", "text"),
    [
        ("DUP@Example.org", "Buy cheap watches at our shop"),
        ("dup@example.org", "Buy cheap wаtches at our shop"),  # a Cyrillic "а"
        ("dup@example.org", "Buy cheap watches at our shop 1"),
    ],
)
def test_a_duplicate_in_another_spelling_is_still_one(article, email, text):
    Comment.objects.create(
        article=article,
        author_name="A",
        author_email="dup@example.org",
        body="Buy cheap watches at our shop",
    )
    assert duplicate_wait(email, text) > 0


def test_a_campaign_with_a_digit_or_a_look_alike_letter_changed_is_caught(settings):
    for number in range(settings.AGORA_FLOOD["site_max"]):
        wait, _ = flood.count_posting(f"198.51.100.{number}", f"{CAMPAIGN} {number}", NOW)
        assert wait == 0
    wait, _ = flood.count_posting("198.51.100.99", CAMPAIGN.replace("a", "а"), NOW)
    assert wait > 0


def test_an_old_comment_is_no_longer_a_duplicate(article, settings):
    comment = Comment.objects.create(
        article=article, author_name="A", author_email="a@example.org", body="I agree."
    )
    long_ago = timezone.now() - timedelta(seconds=settings.AGORA_FLOOD["sender_window"] + 1)
    Comment.objects.filter(pk=comment.pk).update(created_at=long_ago)
    assert duplicate_wait("a@example.org", "I agree.") == 0


def test_the_duplicate_check_reads_only_the_senders_recent_comments(article):
    # Through the (email_key, created_at) index, newest first: not every comment the
    # address ever sent, sorted on each post (a heavy sender made every post slower).
    # The plan follows the table's statistics: take them from comments by many addresses,
    # so it does not follow what earlier tests left behind (CI saw it turn on that).
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name="R",
            author_email=f"r{n % 200}@example.org",
            email_key=f"r{n % 200}@example.org",
            body=f"{n}",
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Comment._meta.db_table}")
    with CaptureQueriesContext(connection) as queries:
        duplicate_wait("a@example.org", "I agree.")
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A small table is cheapest to scan whole, or through a bitmap of a few rows
            # then sorted; ask for the plan of the index scans a full one gets.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = " | ".join(row[0] for row in cursor.fetchall())
            assert "Index Scan Backward using comments_co_email_k_" in plan, plan
            assert "created_at >=" in plan, plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " | ".join(row[-1] for row in cursor.fetchall())
            assert "(email_key=? AND created_at>?)" in plan, plan
    # No sort step: the index hands the rows over newest first.
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_one_address_gets_a_little_room_for_people_who_agree(settings):
    for _ in range(settings.AGORA_FLOOD["per_ip"]):
        wait, _ = flood.count_posting("192.0.2.1", "Agreed!", NOW)
        assert wait == 0
    wait, _ = flood.count_posting("192.0.2.1", "agreed", NOW)
    assert wait > 0
    wait, _ = flood.count_posting("192.0.2.2", "Agreed!", NOW)
    assert wait == 0


def test_a_campaign_across_the_site_is_caught(settings):
    for number in range(settings.AGORA_FLOOD["site_max"]):
        wait, _ = flood.count_posting(f"198.51.100.{number}", CAMPAIGN, NOW)
        assert wait == 0
    wait, _ = flood.count_posting("198.51.100.99", CAMPAIGN.upper() + "!!", NOW)
    assert 0 < wait <= settings.AGORA_FLOOD["site_window"]


def test_short_common_phrases_are_not_counted_site_wide(settings):
    for number in range(settings.AGORA_FLOOD["site_max"] * 3):
        wait, _ = flood.count_posting(f"198.51.100.{number}", "Thank you!", NOW)
        assert wait == 0


def test_texts_without_letters_are_compared_as_written(settings):
    for _ in range(settings.AGORA_FLOOD["per_ip"]):
        flood.count_posting("192.0.2.1", "👍👍", NOW)
    wait, _ = flood.count_posting("192.0.2.1", "🎉🎉", NOW)
    assert wait == 0
    wait, _ = flood.count_posting("192.0.2.1", "👍👍", NOW)
    assert wait > 0


def test_uncount_takes_a_posting_back(settings):
    for _ in range(settings.AGORA_FLOOD["per_ip"]):
        _, counted = flood.count_posting("192.0.2.1", "I agree.", NOW)
    flood.uncount(counted)
    wait, _ = flood.count_posting("192.0.2.1", "I agree.", NOW)
    assert wait == 0
