"""Finding an article by its slug: where every post, thread read and article page starts."""

import pytest
from django.http import Http404

from agora.articles.models import Article


def test_by_slug_loads_the_whole_article_as_stored(article):
    found = Article.objects.by_slug("river-dam-vote")
    assert found.pk == article.pk
    assert found.get_deferred_fields() == set()
    # Values come back typed by their fields (SQLite stores the date as text).
    assert found.published_at == article.published_at
    assert found.comments_open is True
    assert (found.title, found.body) == (article.title, article.body)


def test_by_slug_with_fields_loads_only_those_and_the_id(article, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = Article.objects.by_slug("river-dam-vote", ("title", "language"))
        assert (found.id, found.title, found.language) == (article.id, article.title, "en")
    assert "body" in found.get_deferred_fields()
    assert "title" not in found.get_deferred_fields()


def test_an_unknown_slug_is_none_for_the_api_and_a_404_for_the_pages(article):
    assert Article.objects.by_slug("no-such-story") is None
    # The slug is a query parameter, never part of the SQL.
    assert Article.objects.by_slug("x' OR '1'='1") is None
    with pytest.raises(Http404):
        Article.objects.by_slug_or_404("no-such-story")
    assert Article.objects.by_slug_or_404("river-dam-vote").pk == article.pk


def test_articles_are_looked_up_by_address_through_an_index(article):
    """Imports match each thread to an article by its address (Coral's embed too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Article._meta.db_table)
    assert [name for name, c in found.items() if c["index"] and c["columns"] == ["url"]]
    if connection.vendor == "sqlite":
        plan = Article.objects.filter(url__in=["https://news.example/a"]).explain()
        assert "USING INDEX article_url" in plan
