"""Closing comments on an article: by a moderator, or on their own after N days."""

import html as htmllib
import re
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from agora.articles.models import Article
from agora.comments.models import Comment

BODY = "The council should publish the engineers' report on the dam."


def post(client, article):
    return client.post(
        reverse("comments:post", args=[article.slug]),
        {"author_name": "Reader", "author_email": "reader@example.org", "body": BODY},
    )


def api_post(client, article):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments",
        data={"author_name": "Reader", "author_email": "reader@example.org", "body": BODY},
        content_type="application/json",
    )


def test_a_moderator_closes_and_reopens_comments(staff_client, client, article):
    url = reverse("articles:set_comments", args=[article.pk])
    assert staff_client.post(url, {"open": "0"}).status_code == 302
    article.refresh_from_db()
    assert not article.comments_open

    page = staff_client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed on this article." in page
    assert api_post(client, article).status_code == 403
    assert post(client, article).status_code == 400
    assert not Comment.objects.exists()

    staff_client.post(url, {"open": "1"})
    article.refresh_from_db()
    assert article.comments_open
    assert api_post(client, article).status_code == 202


def test_the_articles_page_lists_articles_with_their_state(staff_client, article):
    Article.objects.create(slug="closed", title="A closed story", comments_open=False)
    html = staff_client.get(reverse("articles:moderation")).content.decode()
    assert article.title in html and "A closed story" in html
    assert "Closed by a moderator" in html and "Close comments" in html


def test_only_moderators_close_comments(client, article, django_user_model):
    url = reverse("articles:set_comments", args=[article.pk])
    assert client.post(url, {"open": "0"}).status_code == 302  # to the login page
    reader = django_user_model.objects.create_user("reader", password="a-long-password-1")
    client.force_login(reader)
    assert client.post(url, {"open": "0"}).status_code == 403
    assert client.get(reverse("articles:moderation")).status_code == 403
    article.refresh_from_db()
    assert article.comments_open


def test_comments_close_on_their_own_after_the_set_number_of_days(client, article, settings):
    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = 0
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(days=40))
    assert api_post(client, article).status_code == 202

    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = 30
    article.refresh_from_db()
    assert not article.accepts_comments
    assert api_post(client, article).status_code == 403
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments closed on" in page
    setup = client.get(f"/api/v1/embed/articles/{article.slug}").json()
    assert setup["article"]["comments_open"] is False
    closes = datetime.fromisoformat(setup["article"]["comments_close_at"])
    assert abs(closes - (article.published_at + timedelta(days=30))) < timedelta(seconds=1)
    assert "%(date)s" in setup["strings"]["closed_on"]


def test_readers_see_when_comments_will_close(client, article, settings):
    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = 30
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(days=2))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments close on" in page
    assert api_post(client, article).status_code == 202


# --- A post that arrives after closing keeps the reader's words ---------------------

WORDS = 'First line.\n\n<script>alert("x")</script> & the rest of what I wrote.'


def post_words(client, article, **headers):
    return client.post(
        reverse("comments:post", args=[article.slug]),
        {"author_name": "Reader", "author_email": "reader@example.org", "body": WORDS},
        headers=headers,
    )


def unsent_words(html: str) -> str | None:
    """The text of the read-only box that gives the reader their words back, unescaped
    as a browser would show it (None when the page has no such box)."""
    match = re.search(r'<textarea id="unsent-body"([^>]*)>\n(.*?)</textarea>', html, re.S)
    if match is None:
        return None
    assert "readonly" in match.group(1)
    return htmllib.unescape(match.group(2))


def assert_refused_with_words_kept(response) -> str:
    assert response.status_code == 400
    html = response.content.decode()
    assert unsent_words(html) == WORDS
    assert "<script>alert" not in html  # shown as text, never as markup
    assert "reader@example.org" not in html  # the email never comes back
    assert 'name="author_email"' not in html and 'name="body"' not in html  # no posting form
    # Sent to this reader alone: no shared cache keeps or replays it.
    assert response["Cache-Control"] == "private, no-cache"
    assert not {"ETag", "xkey", "Surrogate-Key"} & set(response.headers)
    assert not Comment.objects.exists()
    return html


def test_a_post_after_a_moderator_closed_comments_gives_the_words_back(client, article):
    form_page = client.get(article.get_absolute_url()).content.decode()
    assert 'name="body"' in form_page and unsent_words(form_page) is None
    Article.objects.filter(pk=article.pk).update(comments_open=False)

    html = assert_refused_with_words_kept(post_words(client, article))
    assert "Your comment was not posted: comments closed on this article" in html
    assert "Comments are closed on this article." in html


def test_a_post_after_comments_closed_on_their_own_gives_the_words_back(client, article, settings):
    settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS = 30
    published = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    Article.objects.filter(pk=article.pk).update(published_at=published)
    closes = published + timedelta(days=30)

    with patch("django.utils.timezone.now", return_value=closes - timedelta(minutes=5)):
        form_page = client.get(article.get_absolute_url()).content.decode()
    assert 'name="body"' in form_page and "Comments close on" in form_page

    # The reader sends the form a minute after closing.
    with patch("django.utils.timezone.now", return_value=closes + timedelta(minutes=1)):
        html = assert_refused_with_words_kept(post_words(client, article))
    assert "Comments closed on" in html
    assert "Your comment was not posted" in html


def test_a_refused_post_without_a_source_or_token_still_gives_the_words_back(article):
    # A browser that says nothing of where the form comes from gets its form back to
    # confirm (403); once the article is closed, that page has no form but the words.
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    client = Client(enforce_csrf_checks=True)
    response = post_words(client, article)
    assert response.status_code == 403
    assert unsent_words(response.content.decode()) == WORDS
    assert response["Cache-Control"] == "private, no-cache"
    assert not Comment.objects.exists()


def test_the_words_come_back_in_the_articles_language_right_to_left(client, db):
    story = Article.objects.create(slug="sed", title="بەنداو", body="...", language="ckb")
    Article.objects.filter(pk=story.pk).update(comments_open=False)
    # The view switches this thread to the article's language; the test gives it back.
    with translation.override("en"):
        response = post_words(client, story, **{"Accept-Language": "en"})
    html = assert_refused_with_words_kept(response)
    assert '<html lang="ckb" dir="rtl">' in html
    assert "لێدوانەکەتان بڵاو نەکرایەوە" in html
    assert "Your comment was not posted" not in html
    # The reader's words set their own direction, whatever the page's.
    assert '<textarea id="unsent-body" rows="6" dir="auto" readonly>' in html
