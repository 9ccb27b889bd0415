"""Agora's own pages in a real browser: text size, right to left, every language, and
posting through the article page every reader shares, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from agora.articles.models import Article
from agora.comments.models import Comment
from agora.pages import demo

from .helpers import DEMO_SLUGS, EMBED, LANGUAGES, box, embed_page, text_box, wait_for_embed

pytestmark = pytest.mark.django_db(transaction=True)


def article_font_size(page) -> float:
    return page.locator("[data-article-text]").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )


def test_text_size_buttons_change_the_article_and_the_choice_survives_a_reload(page, live_server):
    demo.load()
    page.goto(f"{live_server.url}/articles/{DEMO_SLUGS['en']}/")
    larger = page.get_by_role("button", name="Make the article text larger")
    smaller = page.get_by_role("button", name="Make the article text smaller")
    normal = article_font_size(page)
    assert page.locator("[data-text-size-value]").inner_text() == "100%"

    larger.click()
    larger.click()
    bigger = article_font_size(page)
    assert bigger > normal * 1.25
    assert page.locator("[data-text-size-value]").inner_text() == "130%"

    page.reload()
    assert article_font_size(page) == bigger
    assert page.locator("[data-text-size-value]").inner_text() == "130%"

    # At the limits the buttons say so (aria-disabled keeps them focusable).
    for _ in range(3):
        smaller.click()
    assert page.locator("[data-text-size-value]").inner_text() == "85%"
    assert smaller.get_attribute("aria-disabled") == "true"
    assert larger.get_attribute("aria-disabled") == "false"
    assert article_font_size(page) < normal
    larger.focus()
    for _ in range(6):
        page.keyboard.press("Enter")  # the keyboard works as well as the mouse
    assert page.locator("[data-text-size-value]").inner_text() == "200%"
    assert larger.get_attribute("aria-disabled") == "true"


def test_an_arabic_article_renders_right_to_left(page, live_server):
    demo.load()
    # The browser asks for English; the page follows the article.
    page.goto(f"{live_server.url}/articles/{DEMO_SLUGS['ar']}/")
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").evaluate(direction) == "rtl"
    assert page.locator("[data-article-text]").evaluate(direction) == "rtl"
    assert page.locator("#comment-form form").evaluate(direction) == "rtl"
    assert page.locator("#comments-title").inner_text() == "تعليق واحد"

    field = box(page, "#id_body")
    label = text_box(page, "label[for=id_body]")
    # The label's words sit at the right edge of the field; the button too.
    assert abs((label["x"] + label["width"]) - (field["x"] + field["width"])) < 2
    assert label["x"] > field["x"] + field["width"] / 2
    button = box(page, "#comment-form button[type=submit]")
    assert abs((button["x"] + button["width"]) - (field["x"] + field["width"])) < 2
    # The comment's author name starts on the right, its date follows to the left.
    author, date = box(page, ".comment-author"), box(page, ".comment-date")
    assert author["x"] > date["x"]
    # A+ keeps reading "A+" in a right-to-left page.
    assert page.get_by_role("button", name="تكبير خط المقال").inner_text() == "A+"


def test_a_screenshot_of_each_language(page, other_site, live_server, screenshots):
    """Saved in test-output/screenshots: the article page and the embed, per language."""
    demo.load()
    for lang in LANGUAGES:
        page.goto(f"{live_server.url}/articles/{DEMO_SLUGS[lang]}/")
        assert page.locator("html").get_attribute("lang") == lang
        expected = "rtl" if lang in {"ar", "fa", "ckb"} else "ltr"
        assert page.locator("html").get_attribute("dir") == expected
        page.screenshot(path=screenshots / f"{lang}.png", full_page=True)

        other_site.pages[f"/{lang}"] = embed_page(live_server.url, DEMO_SLUGS[lang], lang)
        page.goto(f"{other_site.url}/{lang}")
        wait_for_embed(page)
        assert page.locator(f"{EMBED} .agora").get_attribute("lang") == lang
        assert page.locator(f"{EMBED} .agora").get_attribute("dir") == expected
        page.locator(EMBED).screenshot(path=screenshots / f"embed-{lang}.png")
    for lang in LANGUAGES:
        assert (screenshots / f"{lang}.png").stat().st_size > 10_000
        assert (screenshots / f"embed-{lang}.png").stat().st_size > 10_000


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_posting_through_the_shared_article_page(browser, live_server, javascript):
    story = Article.objects.create(slug="browser-dam", title="The dam", body="The dam vote.")
    context = browser.new_context(locale="en-US", java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        shared = page.goto(f"{live_server.url}{story.get_absolute_url()}")
        assert shared.headers["cache-control"].startswith("public")
        token = page.locator("[data-idempotency-token]").input_value()
        # article.js gives this view of the page its own token; without it, none.
        assert (len(token) == 22) if javascript else (token == "")
        page.fill("#id_author_name", "Leyla")
        page.fill("#id_author_email", "leyla@example.org")
        page.fill("#id_body", "Sent from a real browser, twice in a hurry.")
        page.locator("#comment-form button[type=submit]").dblclick()
        # The second click may cut the first one's navigation short (ERR_ABORTED on a busy
        # machine): wait for where the page lands, not for one navigation.
        expect(page).to_have_url(re.compile(r".*/comments/\?sent=.*"))
        expect(page.locator("[role=status]")).to_contain_text("Your comment was received")
        stored = Comment.objects.get(article=story)  # one, however many clicks arrived
        assert stored.body == "Sent from a real browser, twice in a hurry."
        # Stored under this view's token, or (without JavaScript) under the words alone.
        assert stored.idempotency_key.startswith(f"page:{token or 'content'}:")
        page.goto(f"{live_server.url}{story.get_absolute_url()}")
        assert page.locator("[role=status]").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize(
    "lang, words, javascript",
    [
        ("en", "Words written\nwhile the article was open <b>really</b>.", True),
        ("ar", "كتبت هذا والمقال مفتوح <b>حقاً</b>.\nسطر ثانٍ.", False),
    ],
    ids=["English with JavaScript", "Arabic without"],
)
def test_a_reader_whose_article_closed_while_writing_gets_the_words_back(
    browser, live_server, lang, words, javascript
):
    story = Article.objects.create(slug="closing-dam", title="The dam", body="...", language=lang)
    context = browser.new_context(locale="en-US", java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{story.get_absolute_url()}")
        page.fill("#id_author_name", "Leyla")
        page.fill("#id_author_email", "leyla@example.org")
        page.fill("#id_body", words)
        Article.objects.filter(pk=story.pk).update(comments_open=False)  # a moderator closes
        with page.expect_navigation():
            page.locator("#comment-form button[type=submit]").click()

        kept = page.locator("#unsent-body")
        assert kept.input_value() == words  # as typed, markup as text
        assert kept.evaluate("el => el.readOnly")
        assert page.locator("#comment-form form").count() == 0
        assert "leyla@example.org" not in page.content()
        summary = page.locator("[data-error-summary]")
        assert summary.get_attribute("role") == "alert"
        # article.js takes keyboard and screen-reader users to the notice.
        focused = page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert focused is javascript
        direction = "el => getComputedStyle(el).direction"
        assert summary.evaluate(direction) == ("rtl" if lang == "ar" else "ltr")
        assert kept.evaluate(direction) == ("rtl" if lang == "ar" else "ltr")
        assert not Comment.objects.filter(article=story).exists()
    finally:
        context.close()


def test_a_form_sent_back_with_errors_puts_the_focus_on_its_summary(page, live_server):
    story = Article.objects.create(slug="errors-dam", title="The dam", body="...")
    page.goto(f"{live_server.url}{story.get_absolute_url()}")
    page.fill("#id_body", "Words without a name or an email.")
    with page.expect_navigation():
        page.locator("#comment-form button[type=submit]").click()
    # The address ends in #comment-form, and Chromium's scroll to it must not take the
    # focus away from what the reader has to fix.
    assert page.url.endswith("#comment-form")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.locator("#id_body").input_value() == "Words without a name or an email."
