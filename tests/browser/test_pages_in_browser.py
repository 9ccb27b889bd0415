"""Agora's own pages in a real browser: text size, right to left, every language."""

import pytest

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
