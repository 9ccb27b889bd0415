"""The one call posting views make (agora/protection/posting.py)."""

import json
from functools import partial

import pytest
from django.test import RequestFactory

from agora.api.api import api_error
from agora.comments.actions import NewComment, post_comment
from agora.comments.api import refused_error
from agora.comments.models import Comment, email_key
from agora.protection import honeypot
from agora.protection.posting import Posting, PostingRefused, guard_posting
from agora.protection.ratelimit import client_ip


@pytest.fixture
def tight_limits(settings):
    settings.AGORA_RATELIMIT_ENABLED = True
    settings.AGORA_RATELIMITS = {
        **settings.AGORA_RATELIMITS,
        "post-ip": [(3, 60)],
        "post-email": [(2, 60)],
    }


def form_post(data=None, ip="192.0.2.10"):
    return RequestFactory().post("/articles/x/comments/", data or {}, REMOTE_ADDR=ip)


def guard(request, email, body):
    """The guard a posting view builds from its valid form (CommentForm.guard)."""
    posting = Posting(
        ip=client_ip(request),
        email_key=email_key(email),
        body=body,
        trap_filled=honeypot.is_filled(request.POST),
        sent_since=partial(Comment.objects.sent_since, email_key(email)),
    )
    return guard_posting(posting)


def post(article, request, email, body, key=None):
    """What a posting view does once its form is valid."""
    new = NewComment(
        article=article, author_name="Reader", author_email=email, body=body, idempotency_key=key
    )
    comment, _ = post_comment(new, guard(request, email, body))
    return comment


def test_an_ordinary_posting_is_stored(article):
    comment = post(article, form_post(), "a@example.org", "The vote was overdue.")
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(article, settings):
    request = form_post({settings.AGORA_HONEYPOT_FIELD: "http://spam.example"})
    with pytest.raises(PostingRefused) as refused:
        post(article, request, "bot@example.org", "Great post, visit my site")
    assert refused.value.status_code == 400
    assert refused.value.code == "bot"
    assert refused.value.headers == {}
    assert json.loads(api_error(request, refused_error(refused.value)).content) == {
        "errors": {"__all__": [refused.value.message]}
    }
    assert not Comment.objects.exists()


def test_an_empty_honeypot_passes(article, settings):
    request = form_post({settings.AGORA_HONEYPOT_FIELD: "  "})
    post(article, request, "a@example.org", "The vote was overdue.")
    assert Comment.objects.count() == 1


def test_too_many_postings_from_one_email_get_429_with_retry_after(article, tight_limits):
    for number, text in enumerate(["A first point.", "A second point."]):
        post(article, form_post(ip=f"192.0.2.{number}"), "a@example.org", text)
    with pytest.raises(PostingRefused) as refused:
        post(article, form_post(ip="192.0.2.99"), "A@example.org", "Point three.")
    error = refused.value
    assert (error.status_code, error.code) == (429, "rate_limited")
    assert 1 <= error.retry_after <= 60
    response = api_error(form_post(), refused_error(error))
    assert response.status_code == 429
    assert response["Retry-After"] == str(error.retry_after)
    assert json.loads(response.content) == {
        "detail": error.message,
        "retry_after": error.retry_after,
    }
    assert Comment.objects.count() == 2


def test_too_many_postings_from_one_address_get_429(article, tight_limits):
    for number in range(3):
        post(article, form_post(), f"p{number}@example.org", f"Point {number}.")
    with pytest.raises(PostingRefused) as refused:
        post(article, form_post(), "p9@example.org", "Point nine.")
    assert refused.value.code == "rate_limited"


def test_rate_limits_can_be_switched_off(article, tight_limits, settings):
    settings.AGORA_RATELIMIT_ENABLED = False
    # Ten different texts: digits alone do not tell texts apart (agora.protection.flood).
    for word in "one two three four five six seven eight nine ten".split():
        post(article, form_post(), "a@example.org", f"Point number {word}.")
    assert Comment.objects.count() == 10


def test_the_same_text_again_from_one_email_is_a_duplicate(article):
    post(article, form_post(), "a@example.org", "The vote was overdue.")
    with pytest.raises(PostingRefused) as refused:
        post(article, form_post(ip="192.0.2.77"), "a@example.org", "The vote was overdue.")
    assert (refused.value.status_code, refused.value.code) == (429, "duplicate")
    assert refused.value.retry_after > 0
    assert Comment.objects.count() == 1


def test_a_campaign_is_refused_as_a_flood(article, settings):
    text = "Visit the example shop for cheap watches and bags, best prices"
    for number in range(settings.AGORA_FLOOD["site_max"]):
        post(article, form_post(ip=f"198.51.100.{number}"), f"b{number}@example.org", text)
    with pytest.raises(PostingRefused) as refused:
        post(article, form_post(ip="198.51.100.200"), "b200@example.org", text)
    assert refused.value.code == "flood"
    assert refused.value.retry_after > 0


def test_refused_postings_do_not_count_towards_the_site_wide_limit(article, settings):
    text = "A long and heartfelt comment that many readers would quote"
    per_ip, site_max = settings.AGORA_FLOOD["per_ip"], settings.AGORA_FLOOD["site_max"]
    for number in range(per_ip):
        post(article, form_post(), f"a{number}@example.org", text)
    for number in range(site_max):
        with pytest.raises(PostingRefused) as refused:
            post(article, form_post(), f"b{number}@example.org", text)
        assert refused.value.code == "flood"
    # Only the postings that passed were counted, so others may still quote it.
    for number in range(site_max - per_ip):
        post(article, form_post(ip=f"203.0.113.{number}"), f"q{number}@example.org", text)
    with pytest.raises(PostingRefused):
        post(article, form_post(ip="203.0.113.99"), "q99@example.org", text)


def test_a_posting_that_failed_to_store_is_not_refused_on_retry(article, settings):
    request = form_post()
    text = "The vote was overdue."
    for _ in range(settings.AGORA_FLOOD["per_ip"]):
        with pytest.raises(RuntimeError):
            with guard(request, "a@example.org", text):
                raise RuntimeError("database went away")
    post(article, request, "a@example.org", text)
    assert Comment.objects.count() == 1


def test_a_posting_counted_but_never_stored_is_not_called_a_duplicate(article):
    # The server was killed between counting and storing: nothing took the count back.
    with guard(form_post(), "a@example.org", "The vote was overdue."):
        pass
    post(article, form_post(), "a@example.org", "The vote was overdue.")
    assert Comment.objects.count() == 1


def test_a_retry_with_a_known_idempotency_key_passes_every_check(article, tight_limits):
    first = post(article, form_post(), "a@example.org", "The vote was overdue.", key="k-1")
    post(article, form_post(), "a@example.org", "Second point.")
    # The limit for this email is used up, and the text is a duplicate, yet a
    # retry of the stored comment gets through to return the first comment.
    again = post(article, form_post(), "a@example.org", "The vote was overdue.", key="k-1")
    assert again.pk == first.pk
    assert Comment.objects.count() == 2


def test_messages_are_plain_sentences(article):
    post(article, form_post(), "a@example.org", "The vote was overdue.")
    with pytest.raises(PostingRefused) as refused:
        post(article, form_post(), "a@example.org", "The vote was overdue.")
    assert "%(" not in refused.value.message
    assert str(refused.value) == refused.value.message
