"""Closing comments on an article: by a moderator, or on their own after N days."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

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
