"""The embed in a real browser, on a publisher's page served from another port."""

import pytest

from agora.articles.models import Article
from agora.comments.models import Comment, Status
from agora.pages import demo

from .helpers import (
    EMBED,
    box,
    deep_active_id,
    embed_page,
    log_in_as_moderator,
    tab_to,
    text_box,
    wait_for_embed,
)

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = "zerdava-council-agrees-budget"
RECEIVED = (
    "Thank you. Your comment was received and will appear here once a moderator has approved it."
)


def test_a_reader_posts_by_keyboard_a_moderator_approves_by_keyboard_and_it_appears(
    page, publisher
):
    demo.load()
    page.goto(f"{publisher.host_url}/")
    wait_for_embed(page)
    assert page.locator(f"{EMBED} h2").inner_text() == "3 comments"

    # The reader never touches the mouse: Tab into the form, type, Enter.
    tab_to(page, "agora-author_name")
    page.keyboard.type("Rezan Kaya")
    page.keyboard.press("Tab")
    page.keyboard.type("rezan.kaya@example.org")
    page.keyboard.press("Tab")
    assert deep_active_id(page) == "agora-body"
    page.keyboard.type("The water line matters more than new council offices.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    status = page.locator(f"{EMBED} .status")
    status.filter(has_text=RECEIVED).wait_for()
    comment = Comment.objects.get(author_name="Rezan Kaya")
    assert comment.status == Status.PENDING
    assert comment.article.slug == BUDGET
    assert comment.idempotency_key.startswith("embed-")
    assert page.locator(f"{EMBED} #agora-body").input_value() == ""  # ready for another
    # Pending is not published: a fresh load of the host page does not show it.
    page.reload()
    wait_for_embed(page)
    assert "Rezan Kaya" not in page.locator(f"{EMBED} .agora").inner_text()

    # The moderator: j/k to the comment, a to approve.
    log_in_as_moderator(page, publisher.agora_url)
    article = Article.objects.get(slug=BUDGET)
    page.goto(f"{publisher.agora_url}/moderation/?article={article.pk}")
    target = page.locator(f".queue-item[data-comment='{comment.pk}']")
    for _ in range(10):
        if target.get_attribute("aria-current") == "true":
            break
        page.keyboard.press("j")
    assert target.get_attribute("aria-current") == "true"
    page.keyboard.press("a")
    target.wait_for(state="detached")
    page.locator("#live").filter(has_text="Approved comment").wait_for()
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED

    page.goto(f"{publisher.host_url}/")
    wait_for_embed(page)
    assert page.locator(f"{EMBED} h2").inner_text() == "4 comments"
    posted = page.locator(f"{EMBED} article", has_text="Rezan Kaya")
    assert "The water line matters more than new council offices." in posted.inner_text()


def test_field_errors_are_shown_next_to_each_field_and_announced(page, publisher):
    demo.load()
    page.goto(f"{publisher.host_url}/")
    wait_for_embed(page)
    page.fill(f"{EMBED} #agora-author_email", "not-an-email")
    page.fill(f"{EMBED} #agora-body", "x")
    page.click(f"{EMBED} .send")

    summary = page.locator(f"{EMBED} .summary")
    summary.filter(has_text="Your comment was not sent").wait_for()
    assert summary.get_attribute("role") == "alert"
    errors = {
        name: page.locator(f"{EMBED} #agora-{name}-error").inner_text()
        for name in ("author_name", "author_email", "body")
    }
    assert errors["author_name"] == "This field is required."
    assert errors["author_email"] == "Enter a valid email address."
    assert "at least 2 characters" in errors["body"]
    for name in errors:
        field = page.locator(f"{EMBED} #agora-{name}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"agora-{name}-error" in field.get_attribute("aria-describedby")
    assert deep_active_id(page) == "agora-author_name"  # focus goes to what to fix
    assert page.locator(f"{EMBED} #agora-body").input_value() == "x"  # nothing lost
    assert not Comment.objects.filter(body="x").exists()


def fill_the_demo_form(page, publisher, email: str, body: str) -> None:
    """The publisher's demo page, its embed loaded and its form filled in by Dara."""
    demo.load()
    page.goto(f"{publisher.host_url}/")
    wait_for_embed(page)
    page.fill(f"{EMBED} #agora-author_name", "Dara")
    page.fill(f"{EMBED} #agora-author_email", email)
    page.fill(f"{EMBED} #agora-body", body)


def test_a_post_after_comments_closed_keeps_the_text_and_says_why(page, publisher):
    fill_the_demo_form(
        page, publisher, "dara.closed@example.org", "Written while the article was still open."
    )
    Article.objects.filter(slug=BUDGET).update(comments_open=False)  # a moderator closes
    page.click(f"{EMBED} .send")

    page.locator(f"{EMBED} .summary").filter(
        has_text="Comments are closed on this article."
    ).wait_for()
    body = page.locator(f"{EMBED} #agora-body")
    assert body.input_value() == "Written while the article was still open."
    assert not Comment.objects.filter(author_email="dara.closed@example.org").exists()


def test_a_double_click_stores_one_comment(page, publisher):
    fill_the_demo_form(
        page, publisher, "dara.double@example.org", "Clicked twice by accident, stored once."
    )
    page.dblclick(f"{EMBED} .send")
    page.locator(f"{EMBED} .status").filter(has_text=RECEIVED).wait_for()
    assert Comment.objects.filter(author_email="dara.double@example.org").count() == 1


def test_an_unknown_article_is_created_on_first_use_from_an_allowed_origin(page, publisher):
    demo.load()
    assert not Article.objects.filter(slug="courier-tirsan-orchard-cooperative").exists()
    page.goto(f"{publisher.host_url}/new.html")
    wait_for_embed(page)
    article = Article.objects.get(slug="courier-tirsan-orchard-cooperative")
    assert article.title == "Tirsan orchard growers form a cooperative"
    assert article.url == f"{publisher.host_url}/new.html"
    assert page.locator(f"{EMBED} h2").inner_text() == "0 comments"
    assert page.locator(f"{EMBED} .send").is_visible()


def test_no_article_is_created_when_autocreation_is_off(page, publisher, settings):
    settings.AGORA_EMBED_AUTOCREATE = False
    page.goto(f"{publisher.host_url}/new.html")
    wait_for_embed(page)
    text = page.locator(f"{EMBED} .agora").inner_text()
    assert "Comments are not available for this article." in text
    assert not Article.objects.exists()


def test_a_site_that_is_not_allowed_gets_nothing(page, other_site, live_server, settings):
    demo.load()
    settings.AGORA_ALLOWED_ORIGINS = ["https://news.example.org"]
    other_site.pages["/"] = embed_page(live_server.url, "a-new-story", "en", title="A new story")
    page.goto(f"{other_site.url}/")
    # The browser refuses Agora's answers (no CORS header for this origin).
    page.locator(f"{EMBED} .agora").filter(has_text="The comments could not be loaded.").wait_for()
    assert not Article.objects.filter(slug="a-new-story").exists()


def test_the_arabic_embed_reads_right_to_left(page, publisher):
    demo.load()
    page.goto(f"{publisher.host_url}/ar.html")
    wait_for_embed(page)
    direction = page.locator(f"{EMBED} .agora").evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"
    assert page.locator(f"{EMBED} h2").inner_text() == "تعليق واحد"
    label = text_box(page, f"{EMBED} label[for=agora-body]")
    field = box(page, f"{EMBED} #agora-body")
    # The label's words start at the right edge of its field, as Arabic reads.
    assert abs((label["x"] + label["width"]) - (field["x"] + field["width"])) < 2
    assert label["x"] > field["x"] + field["width"] / 2
    send = box(page, f"{EMBED} .send")
    assert abs((send["x"] + send["width"]) - (field["x"] + field["width"])) < 2


HOSTILE_CSS = """
* { color: rgb(255, 0, 0) !important; font-family: monospace !important; }
h2, p, button, input, textarea { text-transform: uppercase !important;
    border: 5px dashed rgb(0, 255, 0) !important; }
#agora-comments { font-size: 40px; line-height: 3; }
"""
# Elements with the class names the embed uses inside its shadow root.
LOOKALIKES = """
<h2 class="head">Host heading</h2>
<ol class="thread"><li>host list item</li></ol>
<button class="send" type="button">Host button</button>
<p class="status">Host status</p>
"""


def test_the_embed_and_the_host_page_do_not_share_styles(page, other_site, live_server):
    demo.load()
    html = embed_page(live_server.url, BUDGET, "en", style=HOSTILE_CSS)
    other_site.pages["/"] = html.replace("<body>", "<body>" + LOOKALIKES)
    page.goto(f"{other_site.url}/")
    wait_for_embed(page)

    def style(selector, *properties):
        return page.locator(selector).first.evaluate(
            "(el, names) => names.map(name => getComputedStyle(el)[name])", list(properties)
        )

    # The host's aggressive rules stop at the shadow root.
    color, family, transform = style(f"{EMBED} h2", "color", "fontFamily", "textTransform")
    assert color == "rgb(29, 29, 31)"
    assert "monospace" not in family
    assert transform == "none"
    assert style(f"{EMBED} .agora", "fontSize") == ["16px"]
    assert "dashed" not in style(f"{EMBED} #agora-body", "borderTopStyle")[0]
    assert style(f"{EMBED} .send", "backgroundColor") == ["rgb(11, 92, 173)"]
    # And the embed's own rules never reach the host's elements of the same class.
    assert style("body > button.send", "backgroundColor") != ["rgb(11, 92, 173)"]
    assert style("body > ol.thread", "listStyleType") == ["decimal"]
    assert style("body > p.status", "backgroundColor") == ["rgba(0, 0, 0, 0)"]


def test_a_reply_goes_under_the_comment_it_answers(page, publisher):
    demo.load()
    page.goto(f"{publisher.host_url}/")
    wait_for_embed(page)
    page.get_by_role("button", name="Reply to Yusuf Tal").press("Enter")
    assert deep_active_id(page) == "agora-body"
    replying = page.locator(f"{EMBED} #agora-replying")
    assert replying.inner_text().startswith("Replying to Yusuf Tal")
    described = page.locator(f"{EMBED} #agora-body").get_attribute("aria-describedby")
    assert "agora-replying" in described.split()
    page.keyboard.type("The offices were in last year's plan too.")
    page.fill(f"{EMBED} #agora-author_name", "Havin")
    page.fill(f"{EMBED} #agora-author_email", "havin.reply@example.org")
    page.click(f"{EMBED} .send")
    page.locator(f"{EMBED} .status").filter(has_text=RECEIVED).wait_for()
    reply = Comment.objects.get(author_email="havin.reply@example.org")
    assert reply.parent.author_name == "Yusuf Tal"
    assert replying.is_hidden()  # the next comment is a comment of its own again


def test_long_threads_load_page_by_page(page, publisher):
    demo.load()
    article = Article.objects.get(slug=BUDGET)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body=f"Comment number {n}.",
            status=Status.APPROVED,
        )
        for n in range(105)
    )
    page.goto(f"{publisher.host_url}/")
    wait_for_embed(page)
    assert page.locator(f"{EMBED} h2").inner_text() == "108 comments"
    top_level = page.locator(f"{EMBED} .thread > li")
    assert top_level.count() == 99  # 100 comments, one of them a reply
    page.get_by_role("button", name="Show more comments").click()
    page.wait_for_function(
        "() => document.querySelector('#agora-comments').shadowRoot"
        ".querySelectorAll('.thread > li').length === 107"
    )
    assert page.get_by_role("button", name="Show more comments").is_hidden()
    assert "Comment number 97." in page.locator(f"{EMBED} .thread > li").nth(99).inner_text()
    # Focus moves to the first comment just shown, so the keyboard carries on from there.
    focused = page.evaluate(
        "() => document.querySelector('#agora-comments').shadowRoot.activeElement.textContent"
    )
    assert "Comment number 97." in focused
