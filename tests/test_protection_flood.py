"""The same text again and again (agora/protection/flood.py)."""

import pytest
from django.core.cache import cache

from agora.protection import flood

NOW = 2_000_000.0
CAMPAIGN = "Visit cheap-watches example shop for the best prices in town today"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("BUY NOW!!!", "buy now"),
        ("The dam   vote,\nfinally.", "the dam vote finally"),
        ("Café crème", "Cafe creme"),
        ("ＦＵＬＬ width", "full width"),  # compatibility forms fold too
        ("سَلام", "سلام"),  # optional Arabic-script vowel marks
    ],
)
def test_spelling_variants_read_as_one_text(first, second):
    assert flood.normalized_text(first) == flood.normalized_text(second)


def test_different_words_are_different_texts():
    assert flood.normalized_text("The dam must be rebuilt") != flood.normalized_text(
        "The dam must not be rebuilt"
    )


def test_the_same_text_twice_from_one_email_is_a_duplicate():
    wait, exceeded, _ = flood.count_posting("a@example.org", "192.0.2.1", "I agree.", NOW)
    assert (wait, exceeded) == (0, "")
    wait, exceeded, _ = flood.count_posting("A@Example.org", "192.0.2.2", "i agree", NOW)
    assert wait > 0
    assert exceeded == "flood-email"


def test_one_email_may_post_different_texts():
    flood.count_posting("a@example.org", "192.0.2.1", "First thought on the vote.", NOW)
    wait, _, _ = flood.count_posting("a@example.org", "192.0.2.1", "A second thought.", NOW)
    assert wait == 0


def test_one_address_gets_a_little_room_for_people_who_agree(settings):
    per_ip = settings.AGORA_FLOOD["per_ip"]
    for number in range(per_ip):
        wait, _, _ = flood.count_posting(f"p{number}@example.org", "192.0.2.1", "Agreed!", NOW)
        assert wait == 0
    wait, exceeded, _ = flood.count_posting("late@example.org", "192.0.2.1", "Agreed!", NOW)
    assert wait > 0
    assert exceeded == "flood-ip"


def test_a_campaign_across_the_site_is_caught(settings):
    site_max = settings.AGORA_FLOOD["site_max"]
    for number in range(site_max):
        wait, _, _ = flood.count_posting(
            f"bot{number}@example.org", f"198.51.100.{number}", CAMPAIGN, NOW
        )
        assert wait == 0
    wait, exceeded, _ = flood.count_posting("bot99@example.org", "198.51.100.99", CAMPAIGN, NOW)
    assert wait > 0
    assert exceeded == "flood-site"


def test_short_common_phrases_are_not_counted_site_wide(settings):
    for number in range(settings.AGORA_FLOOD["site_max"] * 3):
        wait, _, _ = flood.count_posting(
            f"r{number}@example.org", f"198.51.100.{number}", "Thank you!", NOW
        )
        assert wait == 0


def test_texts_without_letters_are_compared_as_written():
    flood.count_posting("a@example.org", "192.0.2.1", "👍👍", NOW)
    wait, _, _ = flood.count_posting("a@example.org", "192.0.2.1", "🎉🎉", NOW)
    assert wait == 0
    wait, _, _ = flood.count_posting("a@example.org", "192.0.2.1", "🎉🎉", NOW)
    assert wait > 0


def test_uncount_takes_a_posting_back():
    _, _, counted = flood.count_posting("a@example.org", "192.0.2.1", "I agree.", NOW)
    flood.uncount(counted)
    wait, _, _ = flood.count_posting("a@example.org", "192.0.2.1", "I agree.", NOW)
    assert wait == 0
