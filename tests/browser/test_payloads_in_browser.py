"""Markup in a reader's name or comment is shown as text and never runs: on the
article page, in the embed on a publisher's page, and in the moderator's queue."""

import pytest
from django.contrib.auth import get_user_model

from agora.articles.models import Article
from agora.comments import actions
from agora.pages import demo

from .helpers import DEMO_SLUGS, EMBED, log_in_as_moderator, wait_for_embed

pytestmark = pytest.mark.django_db(transaction=True)

NAME = '<img src=x onerror="window.agoraPwned=1">Eve'
BODY = (
    "<script>window.agoraPwned = 2</script>\n\n"
    '<img src="x" onerror="window.agoraPwned=3"> <b onmouseover="window.agoraPwned=4">bold</b>'
)


def assert_inert(page, scope: str):
    """The payload is there as visible text, built no element, and set no flag."""
    text = page.locator(scope).inner_text()
    assert NAME in text
    assert "<script>window.agoraPwned = 2</script>" in text
    assert '<img src="x" onerror="window.agoraPwned=3">' in text
    page.locator(scope).get_by_text("bold").first.hover()  # an onmouseover would fire now
    built = page.locator(scope).evaluate(
        "el => Array.from(el.querySelectorAll('img, b, script')).map(found => found.outerHTML)"
    )
    assert built == []
    assert page.evaluate("() => window.agoraPwned") is None


def test_payloads_are_text_in_the_queue_the_page_and_the_embed(page, publisher):
    demo.load()
    article = Article.objects.get(slug=DEMO_SLUGS["en"])
    comment, _ = actions.post_comment(
        actions.NewComment(
            article=article, author_name=NAME, author_email="eve@example.org", body=BODY
        )
    )

    log_in_as_moderator(page, publisher.agora_url)
    page.goto(f"{publisher.agora_url}/moderation/?article={article.pk}")
    assert_inert(page, f".queue-item[data-comment='{comment.pk}']")

    actions.approve(comment, get_user_model().objects.get(username=demo.MODERATOR_USERNAME))
    page.goto(f"{publisher.agora_url}/articles/{article.slug}/")
    assert_inert(page, f"#comment-{comment.pk}")

    page.goto(f"{publisher.host_url}/")  # the publisher's page has no CSP to help
    wait_for_embed(page)
    assert_inert(page, f"{EMBED} .thread")
